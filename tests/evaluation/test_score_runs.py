"""Score runs through the providers on the hand-computed month of ``tests/evaluation/helpers.py``:
ties, a unit without indicators, the minimum-sample rule, recomputation, and a published run
that no later correction changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kaimen.audit.models import AuditEvent
from kaimen.evaluation import codec, selectors, services
from kaimen.evaluation.models import RollBoard, RunStatus, ScoreRun, Standing
from kaimen.evaluation.scoring import Explanation
from kaimen.lib.errors import PermissionDenied, ValidationError
from kaimen.targets.models import Actual, Provenance
from tests.evaluation.helpers import MARCH, at, build_world, compute_march, practice_of, save_scheme

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world(cast, clock):
    w = build_world(cast, clock)
    save_scheme(w)
    return w


def standings(run: ScoreRun) -> dict[str, Standing]:
    return {s.unit_name: s for s in run.standings.all()}


def publish(world, run: ScoreRun, clock) -> ScoreRun:
    run = services.run_open_objections(actor=world.cast.office, run=run)
    clock.current = at(run.window_closes_on) + (at(date(2025, 1, 2)) - at(date(2025, 1, 1)))
    return services.run_publish(actor=world.cast.office, run=run, confirm=True)


def test_the_month_scores_as_computed_by_hand(world):
    run = compute_march(world)
    rows = standings(run)
    assert run.status == RunStatus.DRAFT
    assert run.period_label == "2025年3月"
    assert (run.period_start, run.period_end) == (date(2025, 3, 1), date(2025, 3, 31))
    got = {
        name: (s.total, s.speed, s.innovation, s.rank, s.tied, s.limited)
        for name, s in rows.items()
    }
    assert got == {
        "东城街道": (D("85.00"), D("100.00"), D("62.50"), 1, True, False),
        "北山镇": (D("85.00"), D("100.00"), D("62.50"), 1, True, False),
        "南湖镇": (D("100.00"), D("100.00"), D("100.00"), 3, False, True),
        "西城街道": (D("39.00"), D("65.00"), D("0.00"), 4, False, False),
        "区商务局": (D("100.00"), D("100.00"), D("100.00"), 1, False, False),
        "区统计局": (None, None, None, None, False, False),
    }
    # the campaign office and the IT centre take no part
    assert "调度办" not in rows
    assert "区大数据中心" not in rows


def test_a_unit_short_of_samples_is_held_off_the_top_and_the_red_list(world):
    run = compute_march(world)
    nanhu = standings(run)["南湖镇"]
    assert nanhu.held_off_top
    assert nanhu.board == RollBoard.NONE
    text = Explanation.from_dict(nanhu.explanation).render()
    assert "最少样本规则：只有1个数据点，少于方案要求的2个" in text
    assert "不能排在本组第一名" in text


def test_ties_at_the_cut_off_are_both_on_the_red_list(world):
    run = compute_march(world)
    rows = standings(run)
    assert rows["东城街道"].board == RollBoard.RED
    assert rows["北山镇"].board == RollBoard.RED
    assert rows["西城街道"].board == RollBoard.BLACK
    assert rows["区商务局"].board == RollBoard.RED
    assert "并列第1名" in rows["东城街道"].board_reason


def test_a_unit_without_indicators_is_scored_on_what_it_has(world):
    run = compute_march(world)
    commerce = Explanation.from_dict(standings(run)["区商务局"].explanation)
    text = commerce.render()
    assert "指标完成进度：不计分（无数据）" in text
    assert "权重按比例分给“比速度”内有数据的指标" in text
    assert "任务按时完成率（工作成效类）：100.00分" in text


def test_every_score_opens_into_its_inputs_and_formula(world):
    run = compute_march(world)
    xicheng = Explanation.from_dict(standings(run)["西城街道"].explanation)
    inputs = " ".join(e.text for e in xicheng.find("inputs"))
    assert "固定资产投资（1-3月） 25%（目标25%）" in inputs
    assert "未按时完成" in inputs
    assert "按时完成" in inputs
    norm = " ".join(e.text for e in xicheng.find("normalisation"))
    assert "实际25 ÷ 目标25 = 1，封顶1.25；得分 = 1 ÷ 1.25 × 100 = 80.00分" in norm
    assert "得分 = (10 − 10) ÷ (18 − 10) × 100 = 0.00分" in norm


def test_the_stored_board_reads_back_identically(world):
    run = compute_march(world)
    board = codec.scoreboard_from_dict(run.board)
    assert codec.scoreboard_to_dict(board) == run.board
    assert {u.name for u in board.units} == set(standings(run))


def test_computing_again_replaces_the_draft(world):
    first = compute_march(world)
    practice = practice_of(world, world.cast.town_b)
    services.practice_rate(
        actor=world.cast.office,
        practice=practice,
        rating="9",
        comment="复核后调整",
        expected_version=practice.version,
    )
    again = compute_march(world)
    assert again.pk == first.pk
    assert ScoreRun.objects.count() == 1
    assert Standing.objects.filter(run=again).count() == 6
    # B now 9 + 5 = 14, the group's lowest; A (15) = (15 − 14) ÷ (18 − 14) × 100
    assert standings(again)["东城街道"].innovation == D("25.00")
    events = AuditEvent.objects.filter(action="evaluation.run.compute").order_by("id")
    assert [e.after["replaced"] for e in events] == [False, True]


def test_a_published_run_never_changes_when_the_data_do(world, clock):
    run = publish(world, compute_march(world), clock)
    before = list(run.standings.order_by("order").values())
    board_before = run.board
    rows_before = selectors.published_ranking_rows(world.campaign)
    # a figure corrected (a new version), a rating changed, a task reopened
    Actual.objects.create(
        indicator=world.indicators[0],
        unit=world.cast.town_b,
        year=2025,
        end_month=3,
        provenance=Provenance.OFFICIAL,
        version=2,
        value=D("40"),
        entered_at=clock.now(),
        approved_by=world.cast.office,
        approved_at=clock.now(),
        reason="统计局更正",
    )
    practice = practice_of(world, world.cast.town_b)
    services.practice_rate(
        actor=world.cast.office,
        practice=practice,
        rating="10",
        comment="",
        expected_version=practice.version,
    )
    with pytest.raises(ValidationError, match="已发布"):
        compute_march(world)
    # the same period computed today from the corrected data would differ…
    from kaimen.evaluation.services.runs import compute

    fresh = compute(world.campaign, services.period_span("month", MARCH), today=clock.now().date())
    assert fresh.board.unit(str(world.cast.town_b.pk)).total != standings(run)["西城街道"].total
    # …the published run does not
    run.refresh_from_db()
    assert list(run.standings.order_by("order").values()) == before
    assert run.board == board_before
    assert selectors.published_ranking_rows(world.campaign) == rows_before


def test_a_metric_without_any_data_is_noted_and_left_out(world):
    save_scheme(
        world,
        dimensions=[
            {
                "dimension": "speed",
                "weight": "100",
                "metrics": [
                    {
                        "code": "speed.tasks_on_time",
                        "weight": "50",
                        "normalisation": {"method": "ratio_to_target", "target": "100"},
                    },
                    {
                        "code": "speed.indicator_progress",
                        "weight": "50",
                        "normalisation": {"method": "ratio_to_target"},
                    },
                ],
            }
        ],
    )
    run = services.run_compute(
        actor=world.cast.office, campaign=world.campaign, period_kind="week", day=date(2025, 3, 3)
    )
    # the week of 3–9 March: no task fell due, and no release had ended (1-3月 is March's)
    assert any("任务按时完成率" in n and "没有任何单位的数据" in n for n in run.notes)
    assert any("指标完成进度" in n and "没有任何单位的数据" in n for n in run.notes)
    assert all(s.rank is None for s in run.standings.all())
    assert run.period_label == "2025年第10周"


def test_a_failing_provider_is_a_note_not_a_crash(world, monkeypatch):
    from kaimen.evaluation import metrics

    def broken(ctx):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(metrics.PROVIDERS, "speed.tasks_on_time", broken)
    run = compute_march(world)
    assert any("任务按时完成率" in n and "读取出错" in n for n in run.notes)
    assert standings(run)["东城街道"].total is not None


def test_only_the_office_computes(world):
    for user in (world.cast.leader, world.cast.liaison_a, world.cast.auditor):
        with pytest.raises(PermissionDenied):
            compute_march(world, actor=user)
    assert not ScoreRun.objects.exists()


def test_a_period_outside_the_campaign_or_in_the_future_is_refused(world):
    with pytest.raises(ValidationError, match="不在战役"):
        services.run_compute(
            actor=world.cast.office,
            campaign=world.campaign,
            period_kind="month",
            day=date(2024, 11, 1),
        )
    with pytest.raises(ValidationError, match="还没有开始"):
        services.run_compute(
            actor=world.cast.office,
            campaign=world.campaign,
            period_kind="month",
            day=date(2025, 5, 1),
        )


def test_movement_is_measured_against_the_last_published_run(world, clock):
    february = services.run_compute(
        actor=world.cast.office,
        campaign=world.campaign,
        period_kind="month",
        day=date(2025, 2, 10),
    )
    assert all(s.rank is None for s in february.standings.all())  # nothing fell due yet
    publish(world, february, clock)
    march = compute_march(world)
    assert march.previous_id == february.pk
    assert standings(march)["东城街道"].movement is None  # not ranked in February


def test_the_command_computes_a_draft(world):
    out = StringIO()
    call_command(
        "evaluation",
        "score",
        "--campaign",
        str(world.campaign.pk),
        "--period",
        "month",
        "--date",
        "2025-03-31",
        stdout=out,
    )
    run = ScoreRun.objects.get()
    assert run.status == RunStatus.DRAFT
    assert "2025年3月" in out.getvalue()
    event = AuditEvent.objects.filter(action="evaluation.run.compute").get()
    assert event.actor_name == services.SYSTEM_ACTOR_NAME


def test_the_command_defaults_to_the_last_complete_period(world):
    call_command(
        "evaluation", "score", "--campaign", str(world.campaign.pk), "--period", "month",
        stdout=StringIO(),
    )  # fmt: skip
    assert ScoreRun.objects.get().period_label == "2025年3月"  # the clock stands at 2 April


def test_the_command_says_what_is_wrong(world):
    with pytest.raises(CommandError, match="No campaign"):
        call_command("evaluation", "score", "--campaign", "999999", "--period", "week")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command(
            "evaluation", "score", "--campaign", str(world.campaign.pk), "--period", "week",
            "--date", "3月1日",
        )  # fmt: skip


def test_the_scheduled_job_computes_last_month_once(world, clock):
    clock.current = at(date(2025, 4, 1), 7)  # a Tuesday, the 1st
    runs = services.run_compute_scheduled()
    assert [r.period_label for r in runs] == ["2025年3月"]
    mark = AuditEvent.objects.count()
    again = services.run_compute_scheduled()
    assert [r.pk for r in again] == [r.pk for r in runs]
    assert AuditEvent.objects.count() == mark  # an existing run is left alone


def test_the_scheduled_job_computes_last_week_on_mondays(world, clock):
    clock.current = at(date(2025, 3, 24), 7)  # a Monday
    runs = services.run_compute_scheduled()
    assert [(r.period_kind, r.period_label) for r in runs] == [("week", "2025年第12周")]
    assert runs[0].period_start == date(2025, 3, 17)


def test_the_scheduled_job_skips_campaigns_without_a_scheme(cast, clock):
    clock.current = at(date(2025, 4, 1), 7)
    assert services.run_compute_scheduled() == []


def test_the_default_period_day(world):
    assert services.last_complete_period_day("month", date(2025, 4, 2)) == date(2025, 3, 31)
    assert services.last_complete_period_day("week", date(2025, 4, 2)) == date(2025, 3, 26)
    span = services.period_span("week", MARCH)
    assert (span.start, span.end) == (date(2025, 3, 10), date(2025, 3, 16))


def test_the_run_applies_the_schemes_list_rules_and_the_page_prints_them(world, client, login):
    # Towns 85, 85, 100 (short of samples), 39: bars 85 and 60, at least 3 eligible units.
    save_scheme(
        world, top_k=1, bottom_k=1,
        rules={"red_min_total": "85", "black_below_total": "60", "min_group_size": 3},
    )  # fmt: skip
    run = compute_march(world)
    rows = standings(run)
    assert rows["东城街道"].board == rows["北山镇"].board == RollBoard.RED
    assert rows["西城街道"].board == RollBoard.BLACK
    assert rows["南湖镇"].board == RollBoard.NONE  # 100 points, but short of samples
    # 区商务局 is alone in its group: no list, whatever its score.
    assert rows["区商务局"].board == RollBoard.NONE
    roll = codec.roll_from_dict(run.roll)
    assert any("少于方案规定的3个，本组不发布红黑榜" in n for n in roll.group("department").notes)
    assert run.scheme_config["roll_rules"]["red_min_total"] == "85.00"
    login(world.cast.office)
    page = client.get(reverse("evaluation:run_detail", args=[run.pk])).content.decode()
    assert "红榜：总分不低于85分且位列本组前1名。" in page
    assert "部门组：本期数据充足的参与排名单位只有1个" in page
