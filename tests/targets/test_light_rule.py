"""One rule for lights (README, “如何亮灯”), checked on the cases of a fresh demo: a growth target is
lit by growth, an amount target by completion against the seasonal expectation, a growth-only
indicator never shows a level; the Spring Festival months feed no accountability by default."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from kaimen.audit.models import AuditEvent
from kaimen.campaigns import services as campaign_services
from kaimen.campaigns.models import Campaign
from kaimen.lib import clock as lib_clock
from kaimen.lib import official_calendar
from kaimen.lib.contracts.escalation import Window
from kaimen.lib.errors import PermissionDenied, StaleVersion
from kaimen.targets import board, escalation, overview
from kaimen.targets.monitoring import (
    COMPLETION_RULE,
    GROWTH_RULE,
    Light,
    LightBasis,
    LightRule,
    rule_for,
)
from kaimen.targets.overview import KeyIndicator
from kaimen.targets.selectors import district_unit

D = Decimal


# ---------------------------------------------------------------------------------------------
# The rule itself


def test_a_growth_target_is_lit_on_growth_with_the_growth_band():
    configured = LightRule(yellow_within_pts=D(5))  # the catalogue says completion, 5 points
    rule = rule_for(configured, growth_only=False, growth_target=True)
    assert rule.basis == LightBasis.GROWTH
    assert rule.yellow_within_pts == GROWTH_RULE.yellow_within_pts == D(2)


def test_an_amount_target_keeps_the_catalogue_rule():
    configured = LightRule(yellow_within_pts=D(4))
    assert rule_for(configured, growth_only=False, growth_target=False) is configured


def test_an_amount_target_of_a_growth_indicator_is_lit_on_completion():
    configured = LightRule(basis=LightBasis.GROWTH, yellow_within_pts=D(1))
    rule = rule_for(configured, growth_only=False, growth_target=False)
    assert rule.basis == LightBasis.COMPLETION
    assert rule.yellow_within_pts == COMPLETION_RULE.yellow_within_pts


def test_a_growth_only_indicator_is_lit_on_growth_and_a_ratio_on_its_level():
    assert rule_for(LightRule(), growth_only=True, growth_target=False).basis == LightBasis.GROWTH
    level = LightRule(basis=LightBasis.LEVEL, higher_is_better=False)
    assert rule_for(level, growth_only=False, growth_target=True) is level


# ---------------------------------------------------------------------------------------------
# The demo's contradictions


@pytest.fixture
def demo(db) -> None:
    call_command("demo", stdout=StringIO())


def office(login):
    """The demo's office account, signed in with its first password already changed."""
    user = get_user_model().objects.get(username="office.li")
    user.must_change_password = False
    user.password_changed_at = lib_clock.now()
    user.save(update_fields=["must_change_password", "password_changed_at"])
    return login(user)


def district_row(code: str) -> board.Row:
    district = district_unit()
    (row,) = [
        r
        for r in board.board_rows(year=2025, end_month=3)
        if r.indicator.code == code and r.target.unit_id == district.pk
    ]
    return row


def test_investment_falling_against_a_growth_target_is_red(demo):
    # −5.8% against +10%: lit on completion against the plan it was yellow
    row = district_row("fixed_asset_investment")
    assert row.result.basis == LightBasis.GROWTH
    assert (row.result.growth_pct, row.target.growth_pct) == (D("-5.80"), D("10.00"))
    assert row.light == Light.RED
    assert "目标增长10" in row.result.explanation


def test_retail_sales_behind_its_growth_target_is_not_measured_against_time_progress(demo):
    row = district_row("retail_sales")
    res = row.result
    assert res.basis == LightBasis.GROWTH
    assert row.light == Light.RED  # 3.5% against 6%: 2.5 points behind, beyond the 2-point band
    # ahead of time progress, behind the seasonal expectation: the completion bar shows the
    # latter, so the bar and the light agree
    assert res.completion_pct > res.calendar_progress_pct
    key = KeyIndicator(row)
    assert key.reference_pct == res.seasonal_progress_pct
    assert res.completion_pct < key.reference_pct


def test_an_amount_target_of_a_town_is_lit_on_completion(demo):
    town_rows = [
        r
        for r in board.board_rows(year=2025, end_month=3)
        if r.indicator.code == "fixed_asset_investment" and r.target.unit.kind == "town"
    ]
    assert town_rows
    # split values with a growth derived from them: amount targets
    assert all(r.target.derived == "growth_pct" for r in town_rows)
    assert {r.result.basis for r in town_rows} == {LightBasis.COMPLETION}


def test_a_growth_only_indicator_shows_no_level_completion_or_level_forecast(demo):
    row = district_row("industrial_value_added")
    assert row.indicator.growth_only
    res = row.result
    assert (res.actual, res.annual_target, res.completion_pct, res.plan_to_date) == (
        None,
        None,
        None,
        None,
    )
    assert (row.level, row.target_level, row.computed_growth_pct) == (None, None, None)
    assert res.basis == LightBasis.GROWTH
    assert res.growth_pct == D("8.30")
    assert row.light == Light.GREEN
    stored_level = row.figure.value  # the demo's index, kept for the arithmetic only

    focus = board.focus_for_user(user=None, target=row.target, end_month=3)
    assert focus.forecast is None
    assert focus.forecast_note
    assert focus.pace is not None
    assert "需增长" in focus.pace.explanation
    assert format(stored_level.normalize(), "f") not in focus.pace.explanation
    assert "需完成" not in focus.pace.explanation
    assert focus.chart["measure"] == "%"
    actual = next(s for s in focus.chart["series"] if s["kind"] == "actual")
    assert "8.3" in actual["data"]


def test_the_dashboard_tile_of_a_growth_only_indicator_has_no_level_forecast(demo):
    row = district_row("industrial_value_added")
    (key,), chart = overview._key_indicators([row.target], 2025, 3)
    assert key.outlooks == ()
    assert key.probability_pct is None
    assert key.outlook_note
    assert key.bar is None  # no completion bar
    assert chart["trend"][0]["title"] == "规模以上工业增加值（%）"


def test_the_monitoring_page_shows_no_level_of_a_growth_only_indicator(demo, client, login):
    row = district_row("industrial_value_added")
    office(login)
    response = client.get(
        reverse("targets:monitoring"),
        {"year": 2025, "month": 3, "indicator": row.indicator.pk, "focus": row.target.pk},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert format(row.figure.value.normalize(), "f") not in html  # "483.57"
    assert "22.12" not in html  # its completion rate
    assert format(row.target.value.normalize(), "f") not in html
    assert reverse("targets:light_rule") in html


def test_the_light_rule_page_states_the_rule(demo, client, login):
    office(login)
    html = client.get(reverse("targets:light_rule")).content.decode()
    for words in ("目标为增速的指标", "只公布增速的指标", "春节错月"):
        assert words in html


# ---------------------------------------------------------------------------------------------
# The Spring Festival


def _campaign(**fields) -> Campaign:
    return Campaign.objects.create(
        name="2025年一季度开门红（亮灯）",
        year=2025,
        start=date(2025, 1, 1),
        end=date(2025, 6, 30),
        created_at=lib_clock.now(),
        **fields,
    )


def _facts(campaign: Campaign):
    window = Window(
        campaign_id=campaign.pk,
        year=2025,
        today=date(2025, 4, 20),
        calendar=official_calendar.load(),
    )
    return escalation.facts(window)


def test_the_spring_festival_months_feed_no_accountability_by_default(demo):
    # 2025's festival (29 January) is in another month than 2024's (10 February): 1-2月 and
    # 一季度 are marked, and every demo release of 2025 is one of them
    row = district_row("fixed_asset_investment")
    assert row.light == Light.RED
    assert "春节错月" in row.spring_note
    assert _facts(_campaign()) == []


def test_a_campaign_that_switches_the_exemption_off_gets_the_red_lights(demo):
    facts = _facts(_campaign(spring_festival_exempt=False))
    assert facts
    assert any("固定资产投资" in f.description for f in facts)


def test_the_setting_is_changed_through_the_audited_update_service(cast):
    campaign = _campaign()
    with pytest.raises(PermissionDenied):
        campaign_services.campaign_update(
            actor=cast.liaison_a,
            campaign=campaign,
            expected_version=campaign.version,
            spring_festival_exempt=False,
        )
    updated = campaign_services.campaign_update(
        actor=cast.office,
        campaign=campaign,
        expected_version=campaign.version,
        spring_festival_exempt=False,
    )
    assert not updated.spring_festival_exempt
    assert updated.version == campaign.version + 1
    event = AuditEvent.objects.filter(action="ledger.campaign.update").get()
    assert event.before["spring_festival_exempt"] is True
    assert event.after["spring_festival_exempt"] is False
    with pytest.raises(StaleVersion):
        campaign_services.campaign_update(
            actor=cast.office,
            campaign=campaign,
            expected_version=campaign.version,  # the version read before the change
            spring_festival_exempt=True,
        )


def test_the_office_switches_the_setting_on_the_campaign_list(cast, client, login):
    campaign = _campaign()
    login(cast.office)
    response = client.post(
        reverse("ledger:campaign_list"),
        {"spring_campaign": campaign.pk, "version": campaign.version, "exempt": "0"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert not campaign.spring_festival_exempt
    login(cast.liaison_a)
    refused = client.post(
        reverse("ledger:campaign_list"),
        {"spring_campaign": campaign.pk, "version": campaign.version, "exempt": "1"},
    )
    assert refused.status_code == 403
    campaign.refresh_from_db()
    assert not campaign.spring_festival_exempt


def test_the_briefing_shows_no_level_of_a_growth_only_indicator_and_the_festival_note(demo):
    from kaimen.briefings import assemble

    growth_only = assemble._indicator(district_row("industrial_value_added"), ())
    assert (growth_only.actual, growth_only.annual_target, growth_only.completion_pct) == (
        None,
        None,
        None,
    )
    investment = assemble._indicator(district_row("fixed_asset_investment"), ())
    assert investment.light == "red"
    assert "不宜据此亮灯问责" in investment.explanation
