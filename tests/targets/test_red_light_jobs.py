"""The red-light jobs (kaimen.targets.red_light_jobs) and their message (kaimen.targets.notices):
a red light still without its explanation is told to the owner unit's liaisons once per
indicator, unit and period. Moved from the notification tests with the jobs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from kaimen.notifications.models import Notification
from kaimen.targets import notices, red_light_jobs
from kaimen.targets import services as target_services
from tests.targets.conftest import add_indicator, put_figures

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = Decimal


# ---------------------------------------------------------------------------------------------
# Events: red lights awaiting the owner unit's explanation


@pytest.fixture
def retail(cast, clock):
    """社零 for 东城街道: 6% growth targeted, last year's figures in; it is 20 April 2025."""
    clock.current = datetime(2025, 4, 20, 9, 0, tzinfo=SHANGHAI)
    indicator = add_indicator(
        code="retail_sales",
        name="社会消费品零售总额",
        price_basis="nominal",
        light_basis="growth",
        yellow_within_pts=D(2),
    )
    put_figures(indicator, cast.town_a, 2024, {2: 20, 3: 30, 12: 140})
    target = target_services.target_set(
        actor=cast.office, indicator=indicator, unit=cast.town_a, year=2025, growth_pct="6"
    )
    return indicator, target


def submit(cast, indicator, *, month: int, growth: str):
    return target_services.actual_submit(
        actor=cast.liaison_a,
        indicator=indicator,
        unit=cast.town_a,
        year=2025,
        end_month=month,
        value="30",
        growth_pct=growth,
    )


def red_messages(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, event="red_light"))


def test_a_red_figure_tells_the_owner_units_liaison_once(
    cast, retail, django_capture_on_commit_callbacks
):
    indicator, target = retail
    with django_capture_on_commit_callbacks(execute=True):
        submit(cast, indicator, month=3, growth="0.5")  # 5.5 points short of 6%: red
    (message,) = red_messages(cast.liaison_a)
    assert message.title == "红灯待说明：东城街道社会消费品零售总额（1-3月）"
    assert "亮红灯" in message.body
    assert notices.RED_LIGHT_ADVICE in message.body
    assert message.link == (
        f"/targets/monitoring/?year=2025&month=3&indicator={indicator.pk}&focus={target.pk}"
    )
    assert message.dedupe_key == f"red:{indicator.pk}:{cast.town_a.pk}:2025-3"
    assert red_messages(cast.liaison_b) == []
    assert red_messages(cast.member_a) == []
    # the daily check, and a second run of it, add nothing: once per indicator, unit and period
    assert red_light_jobs.red_lights_daily.call_local() == 0
    assert red_light_jobs.red_lights_notify(year=2025, end_month=3) == 0
    assert len(red_messages(cast.liaison_a)) == 1


def test_a_red_light_already_explained_or_not_red_tells_nobody(
    cast, retail, django_capture_on_commit_callbacks
):
    indicator, target = retail
    with django_capture_on_commit_callbacks(execute=True):
        submit(cast, indicator, month=2, growth="6.5")  # green
    assert red_messages(cast.liaison_a) == []
    put_figures(indicator, cast.town_a, 2025, {3: 30}, growth={3: D("0.5")})
    target_services.explanation_write(
        actor=cast.liaison_a,
        target=target,
        end_month=3,
        text="春节错月，客流回落，已组织促消费活动。",
    )
    assert red_light_jobs.red_lights_notify(year=2025, end_month=3) == 0
    assert red_messages(cast.liaison_a) == []


def test_the_daily_check_catches_a_red_light_whose_figure_came_without_the_hook(cast, retail):
    indicator, _target = retail
    put_figures(indicator, cast.town_a, 2025, {3: 30}, growth={3: D("1")})  # bulk, no service
    assert red_light_jobs.red_lights_daily.call_local() == 1
    assert len(red_messages(cast.liaison_a)) == 1


def test_a_figure_rolled_back_sends_no_red_light(cast, retail, django_capture_on_commit_callbacks):
    indicator, _target = retail

    def request() -> None:
        with transaction.atomic():
            submit(cast, indicator, month=3, growth="0.5")
            raise RuntimeError("the request failed later")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        request()
    assert red_messages(cast.liaison_a) == []
