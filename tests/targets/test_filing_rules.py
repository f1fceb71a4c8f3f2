"""Who files what (统计法 and the office's rules): 统计局正式 only from the statistics bureau (or
the office's import), 部门快报 from a liaison for the indicators its unit leads and for its own
unit's rows, the source field offering only what the user may file; the requester takes back a
correction the office has not decided; a red light is explained by the unit whose row is red,
the lead department reading all of its indicator."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from kaimen.audit.models import AuditEvent
from kaimen.lib.errors import PermissionDenied, StaleVersion
from kaimen.notifications.models import Notification
from kaimen.org import scope
from kaimen.org.models import Role, Unit, UnitKind
from kaimen.org.scope import Perm
from kaimen.targets import services
from kaimen.targets.forms import ActualForm, filing_choices
from kaimen.targets.models import Actual, ActualCorrection, CorrectionStatus, Indicator
from tests.conftest import make_user
from tests.targets.conftest import put_figures

pytestmark = pytest.mark.django_db
D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def people(cat):
    """区投资促进局 leads 新签约项目数 and has its own 外贸 row; the towns have their 固投 rows;
    a member of 区统计局 files the bureau's figures."""
    cast = cat.cast
    investment = Unit.objects.create(name="区投资促进局", kind=UnitKind.DEPARTMENT, parent=cast.top)
    Indicator.objects.filter(pk=cat.projects.pk).update(owner_unit=investment)
    cat.projects.refresh_from_db()
    for town in (cast.town_a, cast.town_b):
        services.target_set(actor=cast.office, indicator=cat.fai, unit=town, year=2025, value="600")
    services.target_set(
        actor=cast.office, indicator=cat.trade, unit=investment, year=2025, value="30"
    )
    return SimpleNamespace(
        investment=investment,
        liaison_investment=make_user("liaison_investment", (investment, Role.LIAISON)),
        statistician=make_user("statistician", (cat.statistics, Role.MEMBER)),
    )


def file(actor, indicator, unit, provenance="flash", *, month=2, value="10"):
    return services.actual_submit(
        actor=actor,
        indicator=indicator,
        unit=unit,
        year=2025,
        end_month=month,
        value=value,
        provenance=provenance,
    )


def refused(call) -> str:
    with pytest.raises(PermissionDenied) as exc:
        call()
    assert "权限" in exc.value.message or "permission" in exc.value.message
    return exc.value.code


# ---------------------------------------------------------------------------------------------
# Official figures


def test_official_figures_come_only_from_the_statistics_bureau(cat, people):
    cast = cat.cast
    official = file(people.statistician, cat.fai, cast.town_a, "official")
    assert official.provenance == "official"
    for actor, indicator, unit in (
        (people.liaison_investment, cat.projects, cast.top),  # the case
        (cast.office, cat.fai, cast.top),  # the office brings them in by import only
        (cat.liaison_commerce, cat.retail, cast.town_a),  # even the lead department
        (cast.liaison_a, cat.fai, cast.town_a),
    ):
        assert refused(lambda a=actor, i=indicator, u=unit: file(a, i, u, "official")) == (
            "official_only_statistics"
        )
    assert list(Actual.objects.values_list("pk", flat=True)) == [official.pk]


def test_the_statistics_bureau_is_the_named_unit_when_one_is_configured(cat, people, settings):
    settings.TARGETS_STATISTICS_UNIT = "区统计局（数据中心）"
    assert refused(lambda: file(people.statistician, cat.fai, cat.cast.top, "official")) == (
        "official_only_statistics"
    )
    settings.TARGETS_STATISTICS_UNIT = "区统计局"
    assert file(people.statistician, cat.fai, cat.cast.top, "official").version == 1


# ---------------------------------------------------------------------------------------------
# Flash reports


def test_a_liaison_files_flash_for_what_its_unit_leads_and_its_own_rows_only(cat, people):
    cast, liaison = cat.cast, people.liaison_investment
    # leads 新签约项目数: any unit's row of it, the district's included
    assert file(liaison, cat.projects, cast.top).provenance == "flash"
    assert file(liaison, cat.projects, cast.town_b).provenance == "flash"
    # its own unit's row (a 外贸 target)
    assert file(liaison, cat.trade, people.investment).unit == people.investment
    # the other 13 indicators of the catalogue are not its to file, for anyone
    for indicator, unit in (
        (cat.gdp, cast.top),
        (cat.retail, cast.top),
        (cat.fai, cast.town_a),
        (cat.retail, people.investment),  # no 社零 target of its own
        (cat.trade, cast.top),  # its own row is not the district's
    ):
        assert refused(lambda i=indicator, u=unit: file(liaison, i, u)) == "not_your_row"
    assert Actual.objects.count() == 3


def test_a_town_files_flash_for_its_own_rows_and_the_lead_department_for_every_town(cat, people):
    cast = cat.cast
    assert file(cast.liaison_a, cat.fai, cast.town_a).unit == cast.town_a
    assert refused(lambda: file(cast.liaison_a, cat.fai, cast.town_b)) == "not_your_row"
    assert refused(lambda: file(cast.liaison_a, cat.revenue, cast.town_a)) == "not_your_row"
    # 区商务局 leads 固投 in this catalogue: it files any town's 快报 of it
    assert file(cat.liaison_commerce, cat.fai, cast.town_b).unit == cast.town_b
    # last year's figure of a row with this year's target is the town's too (the base)
    assert (
        services.actual_submit(
            actor=cast.liaison_a,
            indicator=cat.fai,
            unit=cast.town_a,
            year=2024,
            end_month=12,
            value="500",
        ).year
        == 2024
    )


def test_a_member_of_the_statistics_bureau_files_no_flash(cat, people):
    assert refused(lambda: file(people.statistician, cat.fai, cat.cast.town_a)) == "not_your_row"


# ---------------------------------------------------------------------------------------------
# The form offers what the user may file


def test_the_source_field_offers_only_what_the_user_may_file(cat, people):
    cast = cat.cast

    def offered(user):
        form = ActualForm(user=user, initial={"year": 2025})
        return (
            [value for value, _label in form.fields["provenance"].choices],
            form.fields["provenance"].initial,
            set(form.fields["indicator"].queryset.values_list("code", flat=True)),
            set(form.fields["unit"].queryset.values_list("pk", flat=True)),
        )

    sources, default, indicators, units = offered(people.liaison_investment)
    assert (sources, default) == (["flash", "forecast"], "flash")
    assert indicators == {cat.projects.code, cat.trade.code}
    assert cast.town_b.pk in units  # it leads an indicator every unit reports
    sources, default, indicators, units = offered(cast.liaison_a)
    assert (sources, default) == (["flash", "forecast"], "flash")
    assert indicators == {cat.fai.code}
    assert units == {cast.town_a.pk}
    sources, default, indicators, _units = offered(people.statistician)
    assert (sources, default) == (["official"], "official")
    assert cat.gdp.code in indicators
    sources, default, _indicators, _units = offered(cast.office)
    assert (sources, default) == (["flash", "forecast"], "flash")
    assert filing_choices(cast.leader).sources == ()


def test_the_figure_page_defaults_to_flash_and_refuses_a_row_it_does_not_offer(
    client, login, cat, people
):
    login(people.liaison_investment)
    page = client.get(reverse("targets:actual_create")).content.decode()
    assert '<option value="flash" selected>' in page
    assert 'value="official"' not in page
    # 外贸 is offered (its own row) and 东城街道 is offered (it leads 新签约项目数), but 外贸 of
    # 东城街道 is neither: the form says why, nothing is written
    response = client.post(
        reverse("targets:actual_create"),
        {
            "indicator": cat.trade.pk,
            "unit": cat.cast.town_a.pk,
            "year": 2025,
            "month": 2,
            "value": "3",
            "provenance": "flash",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Actual.objects.exists()
    # an official figure posted by hand is refused the same way (not among the choices)
    response = client.post(
        reverse("targets:actual_create"),
        {
            "indicator": cat.projects.pk,
            "unit": cat.cast.top.pk,
            "year": 2025,
            "month": 2,
            "value": "3",
            "provenance": "official",
        },
    )
    assert "provenance" in response.context["form"].errors
    assert not Actual.objects.exists()


# ---------------------------------------------------------------------------------------------
# Correcting and withdrawing one's own 快报 before the office accepts


def test_a_liaison_corrects_its_own_flash_and_withdraws_the_request_before_it_is_accepted(
    cat, people
):
    cast = cat.cast
    flash = file(cast.liaison_a, cat.fai, cast.town_a, value="52.31")
    first = services.correction_request(
        actor=cast.liaison_a, actual=flash, value="5.31", reason="多打了一位"
    )
    withdrawn = services.correction_withdraw(actor=cast.liaison_a, correction=first)
    assert (withdrawn.status, withdrawn.decided_by) == (CorrectionStatus.WITHDRAWN, cast.liaison_a)
    assert list(Actual.objects.values_list("version", "value")) == [(1, D("52.31"))]
    event = AuditEvent.objects.get(action="targets.correction.withdraw")
    assert event.actor_id == cast.liaison_a.pk
    # the withdrawn request can no longer be accepted, nor withdrawn twice
    with pytest.raises(StaleVersion):
        services.correction_approve(actor=cast.office, correction=first)
    with pytest.raises(StaleVersion):
        services.correction_withdraw(actor=cast.liaison_a, correction=first)
    # a new request follows, and the office's acceptance makes it the next version
    second = services.correction_request(
        actor=cast.liaison_a, actual=flash, value="53.10", reason="漏报一家企业"
    )
    new = services.correction_approve(actor=cast.office, correction=second)
    assert (new.version, new.value) == (2, D("53.10"))
    # once accepted it is no longer the requester's to take back
    second.refresh_from_db()
    with pytest.raises(StaleVersion):
        services.correction_withdraw(actor=cast.liaison_a, correction=second)


def test_only_the_requester_withdraws_a_correction(cat, people):
    cast = cat.cast
    flash = file(cast.liaison_a, cat.fai, cast.town_a)
    correction = services.correction_request(
        actor=cast.liaison_a, actual=flash, value="11", reason="更正"
    )
    for other in (cast.office, cast.liaison_b, cat.liaison_commerce, cast.leader):
        with pytest.raises(PermissionDenied):
            services.correction_withdraw(actor=other, correction=correction)
    assert ActualCorrection.objects.get().status == CorrectionStatus.PENDING


def test_a_liaison_cannot_correct_the_statistics_bureaus_figure(cat, people):
    cast = cat.cast
    official = file(people.statistician, cat.fai, cast.town_a, "official")
    assert (
        refused(
            lambda: services.correction_request(
                actor=cast.liaison_a, actual=official, value="9", reason="我们的数不同"
            )
        )
        == "official_only_statistics"
    )
    revision = services.correction_request(
        actor=people.statistician, actual=official, value="9", reason="统计局修订"
    )
    assert revision.status == CorrectionStatus.PENDING


def test_the_figure_page_lets_the_requester_withdraw(client, login, cat, people):
    cast = cat.cast
    flash = file(cast.liaison_a, cat.fai, cast.town_a)
    correction = services.correction_request(
        actor=cast.liaison_a, actual=flash, value="11", reason="更正"
    )
    login(cast.liaison_a)
    detail = client.get(reverse("targets:actual_detail", args=[flash.pk])).content.decode()
    withdraw_url = reverse("targets:correction_withdraw", args=[correction.pk])
    assert withdraw_url in detail
    response = client.post(withdraw_url)
    assert response.status_code == 302
    assert ActualCorrection.objects.get().status == CorrectionStatus.WITHDRAWN
    login(cast.office)
    detail = client.get(reverse("targets:actual_detail", args=[flash.pk])).content.decode()
    assert withdraw_url not in detail


# ---------------------------------------------------------------------------------------------
# Who explains a red light


@pytest.fixture
def red_retail(cat, clock):
    """社零 at 1-3月 2025: 东城街道 at 0.5% against 6% (red), the district red too."""
    cast = cat.cast
    clock.current = datetime(2025, 4, 20, 9, 0, tzinfo=SHANGHAI)
    targets = {}
    for unit in (cast.top, cast.town_a):
        put_figures(cat.retail, unit, 2024, {2: 20, 3: 30, 12: 140})
        targets[unit.pk] = services.target_set(
            actor=cast.office, indicator=cat.retail, unit=unit, year=2025, growth_pct="6"
        )
        put_figures(cat.retail, unit, 2025, {3: 30}, growth={3: D("0.5")})
    return targets


def test_the_town_explains_its_own_red_row_and_the_lead_department_reads_it(
    client, login, cat, red_retail
):
    cast = cat.cast
    town_row, district_row = red_retail[cast.town_a.pk], red_retail[cast.top.pk]
    assert not scope.can(cat.liaison_commerce, Perm.LIGHT_EXPLAIN, cast.town_a.pk)
    login(cat.liaison_commerce)
    page = client.get(reverse("targets:monitoring"), {"year": 2025, "month": 3})
    assert page.status_code == 200
    rows = {r.target.pk for r in page.context["board"].rows}
    assert {town_row.pk, district_row.pk} <= rows  # it sees all of its indicator
    # the town's red row is the town's to explain; the district's own row is the lead's
    assert page.context["due_from"] == {town_row.pk: "东城街道"}
    response = client.post(
        reverse("targets:explain", args=[town_row.pk]), {"month": 3, "text": "替街道写说明"}
    )
    assert response.status_code == 403
    login(cast.liaison_a)
    page = client.get(reverse("targets:monitoring"), {"year": 2025, "month": 3})
    assert page.context["due_from"] == {}
    response = client.post(
        reverse("targets:explain", args=[town_row.pk]),
        {"month": 3, "text": "春节后客流恢复慢，正在组织促销活动"},
    )
    assert response.status_code == 302


def test_the_red_light_notice_goes_to_the_town_not_the_lead_department(cat, red_retail):
    from kaimen.targets import red_light_jobs

    red_light_jobs.red_lights_notify(year=2025, end_month=3)
    town_titles = list(
        Notification.objects.filter(recipient=cat.cast.liaison_a).values_list("title", flat=True)
    )
    commerce_titles = list(
        Notification.objects.filter(recipient=cat.liaison_commerce).values_list("title", flat=True)
    )
    assert any("东城街道" in t for t in town_titles)
    assert not any("东城街道" in t for t in commerce_titles)
    assert any("区委区政府" in t for t in commerce_titles)  # the district's own row


def test_a_refused_explanation_names_its_field(client, login, cat, red_retail):
    from django.contrib.messages import get_messages

    login(cat.cast.liaison_a)
    response = client.post(
        reverse("targets:explain", args=[red_retail[cat.cast.town_a.pk].pk]),
        {"month": 3, "text": "太短"},
    )
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown
    assert all(text.startswith("「") for text in shown), shown
