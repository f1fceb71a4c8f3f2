"""Who may open and change what in the ledger, through the real views (SECURITY.md: least
privilege, object-level access, a liaison cannot set status or approval fields).

Every URL name of ``kaimen/ledger/urls.py`` (and the office's calendar page) × every role of the
cast × own unit (东城街道, liaison_a) / other unit (西城街道, liaison_b) / a task where 东城街道 is
only a co-unit → the expected status. A refusal leaves the database as it was and writes exactly
one ``permission.denied`` event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kaimen.audit.models import AuditEvent, Outcome
from kaimen.campaigns.models import Campaign
from kaimen.core import services as core_services
from kaimen.core.models import CalendarYear, WorkdayOverride
from kaimen.ledger import services
from kaimen.ledger.models import (
    Answer,
    Attachment,
    Contribution,
    Decision,
    DraftItem,
    Instruction,
    LedgerDraft,
    Milestone,
    ProgressReport,
    ResponsibilityEntry,
    SourceDocument,
    SupervisionRun,
    SupervisionStep,
    Task,
    TaskStatus,
    UnitAlias,
    UnitProposal,
)
from kaimen.lib.errors import PermissionDenied
from kaimen.org.models import Unit
from tests.ledger.ledger_helpers import make_tasks
from tests.permissions import (
    BUSINESS,
    LEADS,
    OFFICE,
    Case,
    check_outcome,
    last_event_id,
    per_target,
    send,
    sign_in,
)
from tests.permissions import ROLES_WITH_B as ROLES

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MATRIX_TEXT = (
    "矩阵测试安排(2025年)\n一、重点工作\n"
    "1. 要加快推进东城街道重点工程建设。确保3月底前完成。\n"
    "2. 要设立招商引资、服务保障两个专班,招商引资专班负责项目对接和引进。\n"
)


CASES: list[Case] = [
    Case("ledger:task_list", "GET", allowed=BUSINESS),
    *per_target(
        "ledger:task_detail",
        "GET",
        200,
        own=LEADS | {"liaison_a", "member_a"},
        other=LEADS | {"liaison_b"},
        co=LEADS | {"liaison_a", "liaison_b", "member_a"},
    ),
    *per_target("ledger:task_edit", "GET", 200, own=OFFICE, other=OFFICE),
    *per_target("ledger:task_edit", "POST", 302, own=OFFICE, other=OFFICE),
    *per_target(
        "ledger:task_report",
        "POST",
        302,
        own=frozenset({"liaison_a"}),
        other=frozenset({"liaison_b"}),
        co=frozenset({"liaison_b"}),
    ),
    *per_target(
        "ledger:task_contribute",
        "POST",
        302,
        own=frozenset(),
        co=frozenset({"liaison_a"}),
    ),
    *per_target(
        "ledger:task_request_closure",
        "POST",
        302,
        own=frozenset({"liaison_a"}),
        other=frozenset({"liaison_b"}),
    ),
    *per_target("ledger:task_accept", "POST", 302, own=OFFICE, other=OFFICE),
    *per_target("ledger:task_send_back", "POST", 302, own=OFFICE, other=OFFICE),
    *per_target(
        "ledger:task_instruct", "POST", 302, own=frozenset({"leader"}), other=frozenset({"leader"})
    ),
    *per_target(
        "ledger:instruction_answer",
        "POST",
        302,
        own=frozenset({"liaison_a"}),
        other=frozenset({"liaison_b"}),
    ),
    *per_target(
        "ledger:attachment_download",
        "GET",
        200,
        own=LEADS | {"liaison_a", "member_a"},
        other=LEADS | {"liaison_b"},
        co=LEADS | {"liaison_a", "liaison_b", "member_a"},
    ),
    Case("ledger:campaign_list", "GET", allowed=BUSINESS),
    Case("ledger:campaign_list", "POST", allowed=OFFICE, ok=302),
    Case("ledger:campaign_export", "GET", allowed=LEADS),
    Case("ledger:draft_list", "GET", allowed=OFFICE),
    Case("ledger:draft_new", "GET", allowed=OFFICE),
    Case("ledger:draft_new", "POST", allowed=OFFICE, ok=302),
    Case("ledger:draft_review", "GET", allowed=OFFICE),
    Case("ledger:draft_accept_complete", "POST", allowed=OFFICE, ok=302),
    Case("ledger:draft_publish", "POST", allowed=OFFICE, ok=302),
    Case("ledger:draft_item_row", "GET", allowed=OFFICE),
    Case("ledger:draft_item_edit", "GET", allowed=OFFICE),
    Case("ledger:draft_item_edit", "POST", allowed=OFFICE, ok=302),
    Case("ledger:draft_item_decide", "POST", allowed=OFFICE, ok=302),
    Case("ledger:draft_item_merge", "POST", allowed=OFFICE, ok=302),
    Case("ledger:draft_item_split", "POST", allowed=OFFICE, ok=302),
    Case("ledger:draft_item_map_unit", "POST", allowed=OFFICE, ok=302),
    Case("ledger:draft_item_refer_unit", "POST", allowed=OFFICE, ok=302),
    Case("ledger:unit_proposal_decide", "POST", allowed=OFFICE, ok=302),
    Case("ledger:document_download", "GET", allowed=LEADS),
    # The former proposal pages (queue, run now, decide) redirect to accountability's queue:
    # tests/ledger/test_supervision.py. The records stay readable, to the office:
    Case("ledger:supervision_history", "GET", allowed=OFFICE),
    Case("ledger:responsibility", "GET", allowed=OFFICE),
    Case("ledger:responsibility", "POST", allowed=OFFICE, ok=302),
    Case("ledger:responsibility_defaults", "POST", allowed=OFFICE, ok=302),
    Case("ledger:responsibility_edit", "POST", allowed=OFFICE, ok=302),
    Case("ledger:responsibility_remove", "POST", allowed=OFFICE, ok=302),
    Case("ledger:unit_alias_add", "POST", allowed=OFFICE, ok=302),
    Case("ledger:unit_alias_remove", "POST", allowed=OFFICE, ok=302),
    Case("core:calendar", "GET", allowed=OFFICE),
    Case("core:calendar", "POST", allowed=OFFICE, ok=302),
    Case("core:calendar_override_remove", "POST", allowed=OFFICE, ok=302),
    Case("core:calendar_year_mark", "POST", allowed=OFFICE, ok=302),
]


def test_the_matrix_covers_every_ledger_url_name():
    from kaimen.ledger import urls

    names = {f"ledger:{p.name}" for p in urls.urlpatterns}
    assert names <= {case.url_name for case in CASES} | MOVED


# Redirects to accountability's queue, for anyone signed in (tests/ledger/test_supervision.py).
MOVED = {"ledger:supervision_queue", "ledger:supervision_run_now", "ledger:supervision_decide"}


@dataclass
class World:
    cast: object
    tasks: dict[str, Task]
    awaiting: dict[str, Task]
    draft: LedgerDraft


@pytest.fixture
def world(cast, clock, settings, tmp_path) -> World:
    settings.LEDGER_FILES_ROOT = tmp_path / "files"
    clock.current = datetime(2026, 3, 2, 9, tzinfo=TZ)  # a Monday
    own, other, co = make_tasks(
        cast,
        [(cast.town_a, []), (cast.town_b, []), (cast.town_b, [cast.town_a])],
        deadline=date(2026, 6, 30),
    )
    own_done, other_done = make_tasks(
        cast, [(cast.town_a, []), (cast.town_b, [])], deadline=date(2026, 6, 30)
    )
    for task, liaison in ((own_done, cast.liaison_a), (other_done, cast.liaison_b)):
        services.task_request_closure(actor=liaison, task=task, summary="已完成")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    for task, liaison in ((own, cast.liaison_a), (other, cast.liaison_b), (co, cast.liaison_b)):
        services.progress_report(
            actor=liaison,
            task=task,
            text="第一周进展",
            percent=10,
            uploads=[SimpleUploadedFile("现场.png", png)],
        )
        services.instruction_give(actor=cast.leader, task=task, text="请加快进度")
    clock.current = datetime(2026, 3, 17, 9, tzinfo=TZ)  # reports are now late
    services.supervision_run()
    upload = SimpleUploadedFile("矩阵.txt", MATRIX_TEXT.encode())
    draft = services.draft_create_from_file(actor=cast.office, upload=upload, year=2025)
    first, second = draft.items.filter(is_leaf=True).order_by("order")
    services.draft_item_update(
        actor=cast.office,
        item=first,
        expected_version=first.version,
        heading=first.heading,
        text=first.text,
        kind="task",
        lead_unit=cast.town_a,
        co_units=[],
        deadline=date(2026, 3, 31),
        cadence="weekly",
    )
    services.draft_item_decide(actor=cast.office, item=first, decision=Decision.ACCEPTED)
    services.draft_item_decide(actor=cast.office, item=second, decision=Decision.REJECTED)
    core_services.workday_override_set(actor=cast.office, day=date(2027, 1, 4), is_workday=False)
    return World(
        cast=cast,
        tasks={"own": own, "other": other, "co": co},
        awaiting={"own": own_done, "other": other_done},
        draft=draft,
    )


def db_state() -> dict[str, list]:
    models = [
        Campaign,
        Task,
        Milestone,
        ProgressReport,
        Contribution,
        Attachment,
        Instruction,
        Answer,
        SupervisionStep,
        SupervisionRun,
        SourceDocument,
        LedgerDraft,
        DraftItem,
        UnitProposal,
        ResponsibilityEntry,
        UnitAlias,
        Unit,
        WorkdayOverride,
        CalendarYear,
    ]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def request_for(world: World, case: Case) -> tuple[str, dict]:
    cast = world.cast
    short = case.url_name.split(":")[1]
    task = world.tasks.get(case.target)
    draft = world.draft
    item = draft.items.filter(is_leaf=True).order_by("order").first()
    kwargs: dict = {}
    data: dict = {}
    if short in {"task_accept", "task_send_back"}:
        task = world.awaiting[case.target]
    if short.startswith("task_") and short != "task_list":
        kwargs = {"task_id": task.pk}
    match short:
        case "task_edit":
            data = {
                "version": task.version,
                "title": "改过的任务",
                "lead_unit": task.lead_unit_id,
                "deadline": "2026-07-31",
                "cadence": "monthly",
            }
        case "task_report":
            data = {"text": "本周推进情况", "percent": "40"}
        case "task_contribute":
            data = {"text": "配合完成现场踏勘"}
        case "task_request_closure":
            data = {"summary": "已全部完成"}
        case "task_send_back":
            data = {"reason": "材料不全"}
        case "task_instruct" | "instruction_answer":
            data = {"text": "收到,马上落实"}
        case "campaign_list":
            data = {"name": "新战役", "start": "2026-04-01", "end": "2026-06-30"}
        case "draft_new":
            data = {"text": "新安排(2026年)\n一、工作\n1. 要加快推进项目建设。"}
        case "draft_item_edit":
            data = {
                "version": item.version,
                "heading": "改过的条目",
                "text": item.text,
                "kind": "task",
                "lead_unit": cast.town_a.pk,
                "deadline": "2026-03-31",
                "cadence": "weekly",
            }
        case "draft_item_decide":
            data = {"decision": "rejected"}
        case "draft_item_split":
            data = {"at": item.split_points()[0][0]}
        case "draft_item_map_unit" | "draft_item_refer_unit":
            DraftItem.objects.filter(pk=item.pk).update(
                unmatched_units=[{"name": "区审改办", "role": "co", "status": "open", "unit": None}]
            )
            data = {"name": "区审改办", "unit": cast.town_b.pk, "remember": "1"}
        case "draft_publish":
            data = {"new_name": "矩阵战役", "new_start": "2026-03-01", "new_end": "2026-03-31"}
        case "unit_proposal_decide":
            data = {"accept": "1"}
        case "calendar":
            data = {"day": "2027-01-05", "is_workday": "0", "note": "元旦调休"}
        case "calendar_year_mark":
            data = {"year": "2027", "complete": "1"}
        case "responsibility":
            data = {"unit": cast.town_b.pk, "keywords": "矩阵、测试"}
        case "responsibility_defaults":
            # a unit the shipped table knows, so loading the defaults really adds an entry
            Unit.objects.get_or_create(name="区商务局", defaults={"kind": "department"})
        case "unit_alias_add":
            data = {"name": "东城办", "unit": cast.town_a.pk}
        case "unit_alias_remove":
            alias, _ = UnitAlias.objects.get_or_create(
                name="西城办", defaults={"unit": cast.town_b, "created_at": timezone.now()}
            )
            kwargs = {"alias_id": alias.pk}
        case "responsibility_edit" | "responsibility_remove":
            entry, _ = ResponsibilityEntry.objects.get_or_create(
                unit=cast.town_a, defaults={"keywords": "停车", "updated_at": timezone.now()}
            )
            kwargs = {"entry_id": entry.pk}
            data = {f"e{entry.pk}-keywords": "停车、充电桩", f"e{entry.pk}-version": entry.version}
    if short == "instruction_answer":
        kwargs = {"instruction_id": Instruction.objects.get(task=task).pk}
    elif short == "attachment_download":
        kwargs = {"attachment_id": Attachment.objects.get(task=task).pk}
    elif short == "campaign_export":
        kwargs = {"campaign_id": world.tasks["own"].campaign_id, "fmt": "xlsx"}
    elif short in {"draft_review", "draft_accept_complete", "draft_publish"}:
        kwargs = {"draft_id": draft.pk}
    elif short.startswith("draft_item_"):
        kwargs = {"item_id": item.pk}
    elif short == "unit_proposal_decide":
        kwargs = {"proposal_id": draft.unit_proposals.order_by("pk").first().pk}
    elif short == "document_download":
        kwargs = {"document_id": draft.document_id}
    elif short == "calendar_override_remove":
        kwargs = {"override_id": WorkdayOverride.objects.get().pk}
    return reverse(case.url_name, kwargs=kwargs), data


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_permission_matrix(client, login, world, case: Case, role: str):
    user = sign_in(login, world.cast, role)
    url, data = request_for(world, case)
    before = db_state()
    mark = last_event_id()

    response = send(client, case.method, url, data)

    check_outcome(case, role, user, response, before=before, mark=mark, db_state=db_state)


POST_ONLY = [
    ("ledger:task_report", {"task_id": 1}),
    ("ledger:task_contribute", {"task_id": 1}),
    ("ledger:task_request_closure", {"task_id": 1}),
    ("ledger:task_accept", {"task_id": 1}),
    ("ledger:task_send_back", {"task_id": 1}),
    ("ledger:task_instruct", {"task_id": 1}),
    ("ledger:instruction_answer", {"instruction_id": 1}),
    ("ledger:draft_accept_complete", {"draft_id": 1}),
    ("ledger:draft_publish", {"draft_id": 1}),
    ("ledger:draft_item_decide", {"item_id": 1}),
    ("ledger:draft_item_merge", {"item_id": 1}),
    ("ledger:draft_item_split", {"item_id": 1}),
    ("ledger:draft_item_map_unit", {"item_id": 1}),
    ("ledger:draft_item_refer_unit", {"item_id": 1}),
    ("ledger:unit_proposal_decide", {"proposal_id": 1}),
    ("core:calendar_override_remove", {"override_id": 1}),
    ("core:calendar_year_mark", {}),
    ("ledger:responsibility_defaults", {}),
    ("ledger:responsibility_edit", {"entry_id": 1}),
    ("ledger:responsibility_remove", {"entry_id": 1}),
    ("ledger:unit_alias_add", {}),
    ("ledger:unit_alias_remove", {"alias_id": 1}),
]


@pytest.mark.parametrize(("url_name", "kwargs"), POST_ONLY)
def test_a_get_on_a_change_endpoint_is_refused_with_405(client, login, cast, url_name, kwargs):
    login(cast.office)
    assert client.get(reverse(url_name, kwargs=kwargs)).status_code == 405


def test_a_liaison_forging_a_status_field_is_refused_audited_and_nothing_changes(
    client, login, world
):
    cast, task = world.cast, world.tasks["own"]
    login(cast.liaison_a)
    before = db_state()
    mark = last_event_id()
    response = client.post(
        reverse("ledger:task_report", args=[task.pk]),
        {"text": "已完成", "percent": "100", "status": TaskStatus.CLOSED, "light": "green"},
    )
    assert response.status_code == 403
    assert db_state() == before
    events = list(AuditEvent.objects.filter(id__gt=mark))
    assert [(e.action, e.outcome) for e in events] == [("permission.denied", Outcome.DENIED)]


def test_a_liaison_cannot_accept_its_own_closure(client, login, world):
    cast, task = world.cast, world.awaiting["own"]
    login(cast.liaison_a)
    response = client.post(reverse("ledger:task_accept", args=[task.pk]), {"note": "自己办结"})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.AWAITING_ACCEPTANCE
    with pytest.raises(PermissionDenied):
        services.task_accept_closure(actor=cast.liaison_a, task=task)


def test_a_liaison_reporting_on_another_towns_task_by_editing_the_url_is_refused(
    client, login, world
):
    cast, theirs = world.cast, world.tasks["other"]
    login(cast.liaison_a)
    before = db_state()
    response = client.post(
        reverse("ledger:task_report", args=[theirs.pk]), {"text": "冒名报送", "percent": "90"}
    )
    assert response.status_code == 403
    assert db_state() == before


def test_a_forged_milestone_id_of_another_task_is_ignored(cast, clock, world):
    (with_milestone,) = make_tasks(
        cast,
        [(cast.town_b, [])],
        deadline=date(2026, 6, 30),
        milestones=[{"label": "方案", "date": "2026-04-30"}],
    )
    theirs = Milestone.objects.get(task=with_milestone)
    services.progress_report(
        actor=cast.liaison_a,
        task=world.tasks["own"],
        text="进展",
        percent=20,
        milestone_ids=[theirs.pk],
    )
    theirs.refresh_from_db()
    assert theirs.reached_at is None


def test_a_leader_instructs_but_cannot_report_or_close(cast, world):
    task = world.tasks["own"]
    services.instruction_give(actor=cast.leader, task=task, text="请务必按期完成")
    for call in (
        lambda: services.progress_report(actor=cast.leader, task=task, text="x", percent=1),
        lambda: services.task_accept_closure(actor=cast.leader, task=world.awaiting["own"]),
        lambda: services.task_request_closure(actor=cast.leader, task=task, summary="x"),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_a_liaison_sees_its_own_and_co_unit_tasks_but_not_another_towns(client, login, world):
    cast = world.cast
    login(cast.liaison_a)
    page = client.get(reverse("ledger:task_list")).content.decode()
    own, other, co = world.tasks["own"], world.tasks["other"], world.tasks["co"]
    assert reverse("ledger:task_detail", args=[own.pk]) in page
    assert reverse("ledger:task_detail", args=[co.pk]) in page
    assert reverse("ledger:task_detail", args=[other.pk]) not in page


def test_administrators_see_no_business_data(client, login, world):
    for role in ("auditor", "sysadmin", "secadmin"):
        login(world.cast.role(role))
        assert client.get(reverse("ledger:task_list")).status_code == 403
        nav = client.get(reverse("core:home")).content.decode()
        assert reverse("ledger:task_list") not in nav
