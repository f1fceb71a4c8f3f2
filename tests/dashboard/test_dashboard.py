"""The leader dashboard (驾驶舱): what it shows on the demo district (lights, nowcast, rankings,
alerts, drill-down links), its honesty about short history and unpublished rankings, the census
cache that never outlives a change, who may open it, and a query count that does not grow with
the district."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kaimen.accountability import selectors as accountability
from kaimen.audit.models import AuditEvent, Outcome
from kaimen.campaigns.demo import CAMPAIGN
from kaimen.campaigns.models import Campaign
from kaimen.dashboard import selectors as dashboard
from kaimen.dashboard.selectors import dashboard_for_user
from kaimen.evaluation.rows import RankingRow, RollRow
from kaimen.ledger.models import Task
from kaimen.lib.contracts.dashboard import LIST_LIMIT
from kaimen.lib.errors import PermissionDenied
from kaimen.org.models import Role, Unit, UnitKind, User
from kaimen.targets import board_store, overview
from kaimen.targets import services as target_services
from kaimen.targets.models import Actual, Indicator, Provenance, Target, Tier
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/dashboard/"
# The demo's 2025 key indicators at 1-3月, as the targets' monitoring lights them.
DEMO_LIGHTS = {
    "gdp": "yellow",
    "industrial_value_added": "green",
    "fixed_asset_investment": "red",  # −5.8% against a +10% growth target
    "retail_sales": "red",
    "budget_revenue": "yellow",
    "foreign_trade": "red",
    "fdi_utilized": "yellow",
    "investment_funds": "green",
    "projects_signed": "green",
    "projects_started": "red",
}


def person(username: str) -> User:
    User.objects.filter(username=username).update(must_change_password=False)
    return User.objects.get(username=username)


@pytest.fixture
def demo(clock, settings, tmp_path) -> Campaign:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo", stdout=StringIO())
    # The Tuesday after the Qingming holiday: the campaign has ended, its laggard is overdue.
    clock.current = datetime(2025, 4, 8, 9, 0, tzinfo=SHANGHAI)
    return Campaign.objects.get(name=CAMPAIGN)


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


# ---------------------------------------------------------------------------------------------
# What the leaders see on the demo district


def test_the_key_indicators_carry_their_lights_figures_and_provenance(demo, login):
    response = login(person("leader.zhang")).get(URL)
    assert response.status_code == 200
    dash = response.context["dash"]
    assert dash.campaign == demo
    assert dash.period_label == "2025年1-3月"
    assert dash.year_progress_pct == Decimal("24.66")  # 90 of 365 days
    assert dash.campaign_clock.state == "ended"
    assert {k.indicator.code: k.light for k in dash.panel("targets").key_indicators} == DEMO_LIGHTS
    retail = next(
        k for k in dash.panel("targets").key_indicators if k.indicator.code == "retail_sales"
    )
    assert retail.row.figure.provenance == Provenance.OFFICIAL
    assert retail.row.result.growth_pct == Decimal("3.5")
    assert retail.row.needs_explanation
    html = response.content.decode()
    # every light says what it is beside its colour: a shape and a word
    assert html.count('class="dl dl-red"') >= 3
    for shape in ("✕", "▲", "✓"):
        assert shape in html
    assert "社会消费品零售总额" in html
    assert 'class="tag tag-official"' in html
    assert "2025年一季度开门红" in html


def test_the_nowcast_has_its_range_or_says_why_there_is_none(demo, login):
    dash = login(person("leader.zhang")).get(URL).context["dash"]
    by_code = {k.indicator.code: k for k in dash.panel("targets").key_indicators}
    gdp = by_code["gdp"]
    # 1-3月 closes a quarter: the projection looks to the year end, with an interval from
    # eight years of history and a chance of meeting nothing (GDP has a growth target only)
    (year_end,) = gdp.outlooks
    assert year_end.is_year
    assert year_end.low < year_end.value < year_end.high
    assert gdp.years_of_history == 8
    assert not gdp.short_history
    # the budget revenue has its own eight years of monthly history in the demo now
    budget = by_code["budget_revenue"]
    (budget_year_end,) = budget.outlooks
    assert budget_year_end.low < budget_year_end.value < budget_year_end.high
    assert budget.years_of_history == 8
    # a growth-only indicator has no level forecast, and says so by name
    industry = by_code["industrial_value_added"]
    assert industry.outlooks == ()
    assert industry.outlook_note == "规模以上工业增加值在本级只公布增速，不作水平值预测。"


def test_alerts_list_unexplained_red_lights_overdue_tasks_and_open_proposals(
    demo, login, monkeypatch
):
    asked = []
    monkeypatch.setattr(
        accountability, "open_proposal_count", lambda user: asked.append(user.username) or 4
    )
    response = login(person("leader.zhang")).get(URL)
    dash = response.context["dash"]
    html = response.content.decode()
    assert asked == ["leader.zhang"]
    assert dash.panel("accountability") == 4
    # red lights still unexplained, key indicators first, each with the unit that answers
    census = dash.panel("targets").census
    assert census.unexplained_total >= 3
    assert census.red + census.yellow + census.green + census.unlit == census.rows
    assert 0 < len(census.unexplained) <= LIST_LIMIT
    district = Unit.objects.get(name="区委区政府")
    district_rows = [u for u in census.unexplained if u.unit_id == district.pk]
    assert district_rows
    trade = Indicator.objects.get(code="foreign_trade")
    for u in district_rows:
        # the district's own figures are explained by the indicator's owner department
        assert u.answerable_id == Indicator.objects.get(pk=u.indicator_id).owner_unit_id
    assert any(u.indicator_id == trade.pk and u.answerable == "区商务局" for u in district_rows)
    # the overdue laggard of the demo, with its supervision so far
    (overdue,) = dash.panel("ledger").overdue
    task = Task.objects.get(pk=overdue.task_id)
    assert task.lead_unit.name == "区商务局"
    assert overdue.row.overdue_workdays == 5  # 1, 2, 3, 7, 8 April (4 April is 清明)
    assert "3月7日" in overdue.row.supervision
    assert dash.panel("ledger").tasks.overdue == 1
    assert reverse("ledger:task_detail", args=[task.pk]) in html
    assert f"{reverse('ledger:task_list')}?overdue=on&amp;campaign={demo.pk}" in html


def test_every_figure_unit_and_task_opens_its_own_page(demo, login):
    client = login(person("leader.zhang"))
    response = client.get(URL)
    dash = response.context["dash"]
    html = response.content.decode()
    monitoring = reverse("targets:monitoring")
    links = []
    for k in dash.panel("targets").key_indicators:
        link = (
            f"{monitoring}?year=2025&amp;month=3&amp;indicator={k.indicator.pk}"
            f"&amp;focus={k.row.target.pk}"
        )
        assert link in html
        links.append(link)
    for u in dash.panel("targets").census.unexplained:
        assert reverse("org:unit_detail", args=[u.unit_id]) in html
        links.append(reverse("org:unit_detail", args=[u.unit_id]))
    for o in dash.panel("ledger").overdue:
        links.append(reverse("ledger:task_detail", args=[o.task_id]))
        links.append(reverse("org:unit_detail", args=[o.lead_unit_id]))
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_without_a_published_ranking_the_screen_says_so(demo, login, monkeypatch):
    from kaimen.evaluation import selectors as evaluation

    monkeypatch.setattr(evaluation, "published_ranking_rows", lambda campaign: ())
    response = login(person("leader.zhang")).get(URL)
    dash = response.context["dash"]
    assert not dash.panel("evaluation").has_ranking
    assert dash.panel("evaluation").groups == ()
    assert "dash-ranking" not in response.content.decode()


def test_a_published_ranking_shows_each_peer_group_and_the_red_and_black_lists(
    demo, login, monkeypatch
):
    from kaimen.evaluation import selectors as evaluation

    towns = ["城关街道", "东城街道", "西城街道", "南湖街道", "北山镇", "青石镇"]
    ranking = tuple(
        RankingRow("镇街", name, rank, rank == 2, Decimal(90 - rank), None, None, None, 1)
        for rank, name in enumerate(towns, start=1)
    ) + (RankingRow("部门", "区商务局", 1, False, Decimal(88), None, None, None, None),)
    roll = (
        RollRow("red", "镇街", "城关街道", 1, Decimal(89), "名列第一"),
        RollRow("black", "镇街", "青石镇", 6, Decimal(84), "排名末位"),
    )
    monkeypatch.setattr(evaluation, "published_ranking_rows", lambda campaign: ranking)
    monkeypatch.setattr(evaluation, "published_roll_rows", lambda campaign: roll)
    monkeypatch.setattr(evaluation, "published_period_label", lambda campaign: "2025年3月")
    response = login(person("leader.zhang")).get(URL)
    dash = response.context["dash"]
    town_group, department_group = dash.panel("evaluation").groups
    assert town_group.name == "镇街"
    assert town_group.size == 6
    assert [r.row.unit for r in town_group.top] == towns[:LIST_LIMIT]
    assert [r.unit for r, _ in town_group.red] == ["城关街道"]
    assert [r.unit for r, _ in town_group.black] == ["青石镇"]
    assert department_group.top[0].row.unit == "区商务局"
    html = response.content.decode()
    assert "2025年3月" in html
    assert "并列2" in html
    for name in ("城关街道", "青石镇", "区商务局"):
        assert reverse("org:unit_detail", args=[Unit.objects.get(name=name).pk]) in html


def test_the_chart_data_reaches_the_page_as_json_for_the_static_script(demo, login):
    response = login(person("leader.zhang")).get(URL)
    html = response.content.decode()
    assert '<script id="dash-data" type="application/json">' in html
    assert "dashboard/dashboard.js" in html
    assert "vendor/echarts/echarts.min.js" in html
    assert "<script>" not in html  # nothing inline: the Content-Security-Policy forbids it
    assert ' style="' not in html
    chart = response.context["dash"].panel("targets").chart
    investment = Indicator.objects.get(code="fixed_asset_investment")
    assert chart["default"] == investment.pk  # the first red key indicator
    assert {t["id"] for t in chart["trend"]} == {
        k.indicator.pk for k in response.context["dash"].panel("targets").key_indicators
    }
    assert {s["name"] for s in chart["spread"]} >= {"固定资产投资", "社会消费品零售总额"}


# ---------------------------------------------------------------------------------------------
# Short history, no data, another campaign


@pytest.fixture
def small_district(cast):
    """The cast's district with one key indicator of the district and ``years`` of history."""

    def build(years: int) -> Indicator:
        indicator = Indicator.objects.create(
            code="sales",
            name="商品销售额",
            measure_unit="亿元",
            kind="amount",
            frequency="monthly",
            merged_jan_feb=False,
            is_key=True,
        )
        Target.objects.create(indicator=indicator, unit=cast.top, year=2025, value=Decimal(130))
        now = timezone.now()
        figures = [
            Actual(
                indicator=indicator,
                unit=cast.top,
                year=year,
                end_month=month,
                provenance=Provenance.OFFICIAL,
                value=Decimal(10 * month + year - 2000),
                entered_at=now,
            )
            for year in range(2025 - years, 2025)
            for month in range(1, 13)
        ]
        figures += [
            Actual(
                indicator=indicator,
                unit=cast.top,
                year=2025,
                end_month=month,
                provenance=Provenance.FLASH,
                value=Decimal(11 * month),
                entered_at=now,
            )
            for month in (1, 2)
        ]
        Actual.objects.bulk_create(figures)
        return indicator

    return build


@pytest.mark.parametrize(
    ("years", "interval", "caveat"), [(2, False, True), (4, True, True), (6, True, False)]
)
def test_a_short_history_gives_a_caveat_not_a_false_precision(
    small_district, cast, login, years, interval, caveat
):
    small_district(years)
    response = login(cast.leader).get(URL)
    (key,) = response.context["dash"].panel("targets").key_indicators
    quarter, year_end = key.outlooks  # 1-2月: the quarter end and the year end
    assert not quarter.is_year
    assert quarter.horizon == "1-3月"
    assert (year_end.low is not None) is interval
    assert key.short_history is (years < overview.SHORT_HISTORY_YEARS)
    html = response.content.decode()
    assert ('class="dash-caveat"' in html) is caveat
    if not interval:
        assert f"历史年份只有{years}年" in year_end.note
        assert year_end.note in html  # the nowcast's own reason, on hover
    assert 'class="tag tag-flash"' in html  # a department's flash report, said as such


def test_an_empty_district_opens_with_empty_states(cast, login):
    response = login(cast.office).get(URL)
    assert response.status_code == 200
    dash = response.context["dash"]
    assert dash.campaign is None
    assert dash.panel("targets").key_indicators == ()
    assert dash.end_month is None
    assert dash.panel("targets").census.rows == 0
    assert dash.panel("ledger").overdue == ()
    assert not dash.panel("evaluation").has_ranking


def test_another_campaign_can_be_chosen_and_an_unknown_one_is_a_404(demo, login):
    other = Campaign.objects.create(
        name="2025年新春招商月",
        year=2025,
        start=date(2025, 1, 2),
        end=date(2025, 1, 31),
        created_at=demo.created_at,
    )
    client = login(person("leader.zhang"))
    assert client.get(URL).context["dash"].campaign == demo
    response = client.get(URL, {"campaign": other.pk})
    assert response.context["dash"].campaign == other
    assert response.context["dash"].panel("ledger").tasks.total == 0
    assert client.get(URL, {"campaign": 999999}).status_code == 404


@pytest.mark.parametrize(
    ("today", "state", "day", "pct"),
    [
        (date(2025, 2, 4), "upcoming", 0, Decimal("0.0")),
        (date(2025, 2, 5), "running", 1, Decimal("1.8")),
        (date(2025, 3, 3), "running", 27, Decimal("49.1")),
        (date(2025, 3, 31), "running", 55, Decimal("100.0")),
        (date(2025, 4, 1), "ended", 55, Decimal("100.0")),
    ],
)
def test_the_campaign_clock_counts_its_days(today, state, day, pct):
    campaign = Campaign(name="x", year=2025, start=date(2025, 2, 5), end=date(2025, 3, 31))
    c = dashboard._campaign_clock(campaign, today)
    assert (c.state, c.day, c.days, c.pct) == (state, day, 55, pct)


# ---------------------------------------------------------------------------------------------
# The census cache never outlives a change


def test_a_new_explanation_shows_at_once_and_the_census_says_when_it_was_counted(demo, login):
    client = login(person("leader.zhang"))
    before = client.get(URL).context["dash"].panel("targets").census
    first = before.unexplained[0]
    target = Target.objects.select_related("indicator", "unit").get(pk=first.target_id)
    target_services.explanation_write(
        actor=person("office.li"),
        target=target,
        end_month=3,
        text="春节错月影响，3月已回升，二季度全力追赶。",
        light="red",
    )
    after = client.get(URL).context["dash"].panel("targets").census
    assert after.unexplained_total == before.unexplained_total - 1
    assert first.target_id not in {u.target_id for u in after.unexplained}
    html = client.get(URL).content.decode()
    assert after.computed_at.astimezone(SHANGHAI).strftime("%H:%M") in html


def test_the_census_is_reused_until_the_data_changes(demo, login, monkeypatch):
    calls = []
    derive = overview._compute_census
    monkeypatch.setattr(overview, "_compute_census", lambda *a: calls.append(1) or derive(*a))
    written: list[int] = []
    write = board_store._write
    monkeypatch.setattr(
        board_store,
        "_write",
        lambda year, targets: written.append(len(targets)) or write(year, targets),
    )
    client = login(person("leader.zhang"))
    cache.clear()  # the demo's own jobs have read the board already
    client.get(URL)
    client.get(URL)
    assert len(calls) == 1
    assert written == []  # the stored board was current: no row computed
    Actual.objects.create(
        indicator=Indicator.objects.get(code="retail_sales"),
        unit=Unit.objects.get(name="北山镇"),
        year=2025,
        end_month=3,
        provenance=Provenance.FLASH,  # a department's flash report beside the bureau's figure
        value=Decimal("20.1"),
        growth_pct=Decimal("7.0"),
        entered_at=timezone.now(),
    )
    client.get(URL)
    assert len(calls) == 2
    assert written == [1]  # the one target whose figure came in


# ---------------------------------------------------------------------------------------------
# Who may open it


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("leader", True),
        ("office", True),
        ("liaison_a", False),
        ("liaison_b", False),
        ("member_a", False),
        ("auditor", False),
        ("sysadmin", False),
        ("secadmin", False),
    ],
)
def test_only_leaders_and_the_office_open_the_dashboard(cast, login, role, allowed):
    """The dashboard is the whole district's: no own or other unit to tell apart; every other
    role is refused, audited once, and nothing else is written."""
    client = login(cast.role(role))
    mark = last_event_id()
    units, tasks = Unit.objects.count(), Task.objects.count()
    response = client.get(URL)
    events = list(AuditEvent.objects.filter(id__gt=mark))
    if allowed:
        assert response.status_code == 200
        assert events == []
    else:
        assert response.status_code == 403
        assert [(e.action, e.outcome) for e in events] == [("permission.denied", Outcome.DENIED)]
        assert "dashboard.view" in events[0].message
    assert (Unit.objects.count(), Task.objects.count()) == (units, tasks)
    assert client.post(URL).status_code == 405


def test_the_selector_refuses_without_the_permission(cast):
    with pytest.raises(PermissionDenied):
        dashboard_for_user(user=cast.liaison_a)


def test_an_anonymous_visitor_is_sent_to_sign_in(client, cast):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


def test_the_menu_offers_it_first_to_leaders_and_the_office_only(cast, login):
    for role in ("leader", "office"):
        nav = login(cast.role(role)).get(reverse("core:home"), follow=True).context["nav_items"]
        assert nav[0]["url"] == URL
    for role in ("liaison_a", "member_a", "auditor"):
        nav = login(cast.role(role)).get(reverse("core:home")).context["nav_items"]
        assert URL not in [item["url"] for item in nav]


def test_the_page_is_never_cached_by_the_browser(cast, login):
    response = login(cast.leader).get(URL)
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


# ---------------------------------------------------------------------------------------------
# Server time: bounded queries


def _grow(campaign: Campaign) -> None:
    """More towns with targets on every key indicator, and more overdue tasks."""
    top = Unit.objects.get(name="区委区政府")
    for i in range(6):
        town = Unit.objects.create(name=f"新设街道{i}", kind=UnitKind.TOWN, parent=top)
        make_user(f"liaison.new{i}", (town, Role.LIAISON))
        for target in Target.objects.filter(
            unit=top, year=2025, tier=Tier.ENSURE, indicator__is_key=True
        ):
            Target.objects.create(
                indicator=target.indicator, unit=town, year=2025, value=Decimal(10), parent=target
            )
    template = Task.objects.filter(campaign=campaign).first()
    for i in range(6):
        Task.objects.create(
            campaign=campaign,
            order=100 + i,
            path=f"新增/{i}",
            original_text="要加快推进新增工作。",
            title=f"新增工作{i}",
            lead_unit=template.lead_unit,
            deadline=campaign.start,
            published_at=template.published_at,
        )


def test_the_query_count_is_bounded_and_does_not_grow_with_the_district(
    demo, login, django_assert_max_num_queries
):
    client = login(person("leader.zhang"))
    client.get(URL)  # sessions and translations warmed
    cache.clear()
    with django_assert_max_num_queries(40) as cold:
        client.get(URL)
    with django_assert_max_num_queries(30) as warm:
        client.get(URL)
    assert len(warm.captured_queries) < len(cold.captured_queries)
    _grow(demo)
    # _grow writes behind the services' back; they would have stored the board in their own
    # transaction, as this does (a read would catch up too, at the cost of that one read)
    board_store.sync_after_write()
    cache.clear()
    with django_assert_max_num_queries(len(cold.captured_queries)):
        response = client.get(URL)
    assert response.context["dash"].panel("ledger").tasks.overdue == 7
    with django_assert_max_num_queries(len(warm.captured_queries)):
        client.get(URL)
