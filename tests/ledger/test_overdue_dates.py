"""The supervision column of the overdue list (the briefing and the leader dashboard print it)
names the day in the district's time zone, Asia/Shanghai, not the UTC date of the instant."""

from __future__ import annotations

from datetime import UTC, datetime

from kaimen.ledger.models import StepState, SupervisionStep
from kaimen.ledger.overdue import _supervision_text


def test_a_step_taken_early_on_3_december_in_the_district_reads_3_december():
    # 17:30 UTC on 2 December is 01:30 on 3 December in Asia/Shanghai
    decided = datetime(2025, 12, 2, 17, 30, tzinfo=UTC)
    step = SupervisionStep(
        level=SupervisionStep._meta.get_field("level").choices[0][0],
        state=StepState.CONFIRMED,
        reason="进展逾期未报送",
        proposed_at=decided,
        decided_at=decided,
    )
    text, proposed = _supervision_text([step])
    assert text.startswith("12月3日")
    assert proposed == ""
