"""The metric providers: evaluation's own (rated innovation practices) and the registry every
app fills; the ledger's and the targets' providers are tested with them (tests/ledger/
test_ledger_metrics.py, tests/targets/test_targets_metrics.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kaimen.evaluation import metrics, services
from kaimen.evaluation.metrics import PeriodContext
from kaimen.org.models import Role
from tests.conftest import make_user
from tests.evaluation.helpers import at
from tests.ledger.ledger_helpers import make_tasks

pytestmark = pytest.mark.django_db
D = Decimal


def ctx(campaign, units, start=date(2025, 3, 1), end=date(2025, 3, 31), today=date(2025, 4, 2)):
    return PeriodContext(
        campaign=campaign, start=start, end=end, today=today, units={u.pk: u for u in units}
    )


def points(provider, context) -> list[tuple[str, Decimal, Decimal | None, str]]:
    return [(p.unit, p.value, p.target, p.label) for p in provider(context)]


@pytest.fixture
def tasks(cast, clock):
    clock.current = at(date(2025, 3, 3))
    made = make_tasks(
        cast,
        [(cast.town_a, []), (cast.town_a, []), (cast.town_a, []), (cast.town_b, [])],
        deadline=date(2025, 3, 14),
    )
    return made


# ---------------------------------------------------------------------------------------------
# Innovation


def test_rated_practices_of_the_period_count_unrated_and_others_do_not(cast, clock, tasks):
    campaign = tasks[0].campaign
    clock.current = at(date(2025, 4, 2))
    liaison = make_user("liaison_a2", (cast.town_a, Role.LIAISON))
    for day, rating in (
        (date(2025, 3, 5), "8"),
        (date(2025, 2, 27), "9"),
        (date(2025, 3, 6), None),
    ):
        practice = services.practice_submit(
            actor=liaison,
            campaign=campaign,
            unit=cast.town_a,
            title=f"举措{day:%m%d}",
            description="做法",
            practiced_on=day,
        )
        if rating:
            services.practice_rate(
                actor=cast.office, practice=practice, rating=rating, comment="", expected_version=1
            )
    got = points(metrics.practice_rating, ctx(campaign, [cast.town_a]))
    assert got == [(str(cast.town_a.pk), D("8.0"), None, "举措0305")]


def test_every_builtin_metric_has_its_provider():
    from kaimen.evaluation.scoring import BUILTIN_METRICS

    assert {s.code for s in BUILTIN_METRICS} <= set(metrics.PROVIDERS)
    assert {"speed.indicator_progress"} == metrics.WITH_TARGETS
