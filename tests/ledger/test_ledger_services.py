"""Each ledger service writes exactly one audit event, in its own transaction: the change and its
event stand or fall together."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaimen.audit.models import AuditEvent
from kaimen.core import services as core_services
from kaimen.core.models import WorkdayOverride
from kaimen.ledger import services
from kaimen.ledger.models import (
    Decision,
    Instruction,
    ProgressReport,
    Task,
    TaskStatus,
    UnitProposal,
)
from kaimen.ledger.services import work
from kaimen.org.models import Unit, UnitKind
from tests.ledger.ledger_helpers import add_departments, make_tasks, speech_upload

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
TEXT = (
    "测试安排(2026年)\n一、重点工作\n1. 要加快推进项目建设。确保按期完成。\n2. 要制定工作方案。\n"
)


@pytest.fixture
def env(cast, clock, settings, tmp_path):
    settings.LEDGER_FILES_ROOT = tmp_path / "files"
    clock.current = datetime(2026, 3, 2, 9, tzinfo=TZ)
    add_departments(cast)
    (task,) = make_tasks(cast, [(cast.town_a, [cast.town_b])], deadline=date(2026, 6, 30))
    draft = services.draft_create_from_text(actor=cast.office, text=TEXT, year=2026)
    return cast, task, draft, clock


def _item(draft, n: int = 0):
    return list(draft.items.filter(is_leaf=True).order_by("order"))[n]


def _update(cast, item, **changes):
    data = {
        "heading": item.heading,
        "text": item.text,
        "kind": "task",
        "lead_unit": cast.town_a,
        "co_units": [],
        "deadline": date(2026, 3, 31),
        "cadence": "weekly",
    } | changes
    return services.draft_item_update(
        actor=cast.office, item=item, expected_version=item.version, **data
    )


def _awaiting(cast, task):
    return services.task_request_closure(actor=cast.liaison_a, task=task, summary="完成")


CALLS: dict[str, tuple[str, Callable]] = {
    "draft_create_from_text": (
        "ledger.draft.create",
        lambda c, t, d, k: services.draft_create_from_text(
            actor=c.office, text=TEXT + "3. 要抓好落实。"
        ),
    ),
    "draft_create_from_file": (
        "ledger.draft.create",
        lambda c, t, d, k: services.draft_create_from_file(actor=c.office, upload=speech_upload()),
    ),
    "draft_item_update": ("ledger.draft.item_update", lambda c, t, d, k: _update(c, _item(d))),
    "draft_item_decide": (
        "ledger.draft.item_decide",
        lambda c, t, d, k: services.draft_item_decide(
            actor=c.office, item=_item(d), decision=Decision.REJECTED
        ),
    ),
    "draft_accept_complete": (
        "ledger.draft.accept_complete",
        lambda c, t, d, k: services.draft_accept_complete(actor=c.office, draft=d),
    ),
    "draft_item_merge": (
        "ledger.draft.item_merge",
        lambda c, t, d, k: services.draft_item_merge(actor=c.office, item=_item(d)),
    ),
    "draft_item_split": (
        "ledger.draft.item_split",
        lambda c, t, d, k: services.draft_item_split(
            actor=c.office, item=_item(d), at=_item(d).split_points()[0][0]
        ),
    ),
    "task_update": (
        "ledger.task.update",
        lambda c, t, d, k: services.task_update(
            actor=c.office,
            task=t,
            expected_version=t.version,
            title="改",
            lead_unit=c.town_a,
            co_units=[],
            deadline=date(2026, 7, 31),
            cadence="monthly",
        ),
    ),
    "progress_report": (
        "ledger.task.report",
        lambda c, t, d, k: services.progress_report(
            actor=c.liaison_a,
            task=t,
            text="进展",
            percent=30,
            uploads=[SimpleUploadedFile("a.pdf", b"%PDF-1.4\n")],
        ),
    ),
    "contribution_add": (
        "ledger.task.contribute",
        lambda c, t, d, k: services.contribution_add(actor=c.liaison_b, task=t, text="配合"),
    ),
    "task_request_closure": ("ledger.task.request_closure", lambda c, t, d, k: _awaiting(c, t)),
    "task_accept_closure": (
        "ledger.task.accept_closure",
        lambda c, t, d, k: services.task_accept_closure(actor=c.office, task=_awaiting(c, t)),
        # the closure request's own event is counted separately
    ),
    "task_send_back": (
        "ledger.task.send_back",
        lambda c, t, d, k: services.task_send_back(
            actor=c.office, task=_awaiting(c, t), reason="补材料"
        ),
    ),
    "instruction_give": (
        "ledger.instruction.give",
        lambda c, t, d, k: services.instruction_give(actor=c.leader, task=t, text="加快"),
    ),
    "instruction_answer": (
        "ledger.instruction.answer",
        lambda c, t, d, k: services.instruction_answer(
            actor=c.liaison_a,
            instruction=services.instruction_give(actor=c.leader, task=t, text="加快"),
            text="收到",
        ),
    ),
    "supervision_run": ("ledger.supervision.run", lambda c, t, d, k: services.supervision_run()),
    "ledger_export": (
        "ledger.export",
        lambda c, t, d, k: services.ledger_export(actor=c.office, campaign=t.campaign, fmt="xlsx"),
    ),
    "workday_override_set": (
        "calendar.override_set",
        lambda c, t, d, k: core_services.workday_override_set(
            actor=c.office, day=date(2027, 1, 1), is_workday=False
        ),
    ),
    "calendar_year_mark": (
        "calendar.year_mark",
        lambda c, t, d, k: core_services.calendar_year_mark(
            actor=c.office, year=2027, complete=True
        ),
    ),
}
# Services that call another service first (to reach the state they act on): that call's
# event comes first and is not theirs.
SETUP_EVENTS = {
    "task_accept_closure": 1,
    "task_send_back": 1,
    "instruction_answer": 1,
}


@pytest.mark.parametrize("name", CALLS)
def test_each_service_writes_exactly_one_audit_event(env, name):
    cast, task, draft, clock = env
    action, call = CALLS[name]
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    call(cast, task, draft, clock)
    events = list(AuditEvent.objects.filter(id__gt=mark).order_by("id"))
    mine = events[SETUP_EVENTS.get(name, 0) :]
    assert [e.action for e in mine] == [action]
    assert mine[0].outcome == "success"


def test_publishing_writes_one_event(env):
    cast, _task, draft, _clock = env
    first, second = draft.items.filter(is_leaf=True).order_by("order")
    _update(cast, first)
    first.refresh_from_db()
    services.draft_item_decide(actor=cast.office, item=first, decision=Decision.ACCEPTED)
    services.draft_item_decide(actor=cast.office, item=second, decision=Decision.REJECTED)
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    services.draft_publish(
        actor=cast.office,
        draft=draft,
        new_campaign=services.NewCampaign("一次", date(2026, 3, 1), date(2026, 3, 31)),
    )
    assert list(
        AuditEvent.objects.filter(id__gt=mark).order_by("id").values_list("action", flat=True)
    ) == ["ledger.draft.publish"]


def test_accepting_a_unit_proposal_writes_one_event_and_unit_create_its_own(env):
    cast, _task, _draft, _clock = env
    draft = services.draft_create_from_file(actor=cast.office, upload=speech_upload())
    Unit.objects.create(name="服务保障专班", kind=UnitKind.TASK_FORCE)
    linked = UnitProposal.objects.get(draft=draft, name="服务保障专班")
    created = UnitProposal.objects.get(draft=draft, name="招商引资专班")
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    services.unit_proposal_decide(actor=cast.office, proposal=linked, accept=True)
    assert list(
        AuditEvent.objects.filter(id__gt=mark).order_by("id").values_list("action", flat=True)
    ) == ["ledger.draft.unit_proposal"]
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    services.unit_proposal_decide(actor=cast.office, proposal=created, accept=True)
    # A new unit is a second object changed: org's unit_create writes its event, then ours.
    assert list(
        AuditEvent.objects.filter(id__gt=mark).order_by("id").values_list("action", flat=True)
    ) == [
        "unit.create",
        "ledger.draft.unit_proposal",
    ]


def test_removing_an_override_writes_one_event(env):
    cast = env[0]
    override = core_services.workday_override_set(
        actor=cast.office, day=date(2027, 1, 1), is_workday=False
    )
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    core_services.workday_override_remove(actor=cast.office, override=override)
    assert list(
        AuditEvent.objects.filter(id__gt=mark).order_by("id").values_list("action", flat=True)
    ) == ["calendar.override_remove"]
    assert not WorkdayOverride.objects.exists()


def test_a_failing_audit_write_rolls_the_report_back_and_removes_its_files(env, monkeypatch):
    cast, task, _draft, _clock = env
    from django.conf import settings

    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(work, "record", broken)
    with pytest.raises(RuntimeError):
        services.progress_report(
            actor=cast.liaison_a,
            task=task,
            text="进展",
            percent=30,
            uploads=[SimpleUploadedFile("a.pdf", b"%PDF-1.4\n")],
        )
    assert not ProgressReport.objects.exists()
    task.refresh_from_db()
    assert task.percent == 0
    assert task.status == TaskStatus.NOT_STARTED
    root = settings.LEDGER_FILES_ROOT
    assert not [p for p in root.rglob("*") if p.is_file()]


def test_closure_then_acceptance_is_the_office_s_alone(env):
    cast, task, _draft, _clock = env
    done = _awaiting(cast, task)
    assert done.status == TaskStatus.AWAITING_ACCEPTANCE
    assert done.percent == 100
    closed = services.task_accept_closure(actor=cast.office, task=done)
    assert closed.status == TaskStatus.CLOSED
    assert closed.closed_by == cast.office
    with pytest.raises(services.ValidationError):
        services.progress_report(actor=cast.liaison_a, task=closed, text="再报", percent=100)


def test_an_instruction_is_answered_once(env):
    cast, task, _draft, _clock = env
    instruction = services.instruction_give(actor=cast.leader, task=task, text="请加快")
    services.instruction_answer(actor=cast.liaison_a, instruction=instruction, text="收到")
    with pytest.raises(services.ValidationError):
        services.instruction_answer(actor=cast.liaison_a, instruction=instruction, text="再答")
    assert Instruction.objects.get().answer.text == "收到"


def test_a_task_for_a_year_without_calendar_fails_loudly_when_its_deadline_is_near(cast, clock):
    clock.current = datetime(2027, 1, 4, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(services.CalendarYearMissing):
        make_tasks(cast, [(cast.town_a, [])], deadline=date(2027, 1, 8))
    assert not Task.objects.exists()


def test_an_instruction_reaches_the_lead_unit_s_liaison(env):
    from kaimen.notifications.models import Notification

    cast, task, _draft, _clock = env
    services.instruction_give(actor=cast.leader, task=task, text="请加快进度，月底前见效")
    note = Notification.objects.get(event="instruction_given")
    assert note.recipient == cast.liaison_a
    assert "请加快进度" in note.body
    assert "批示" in note.title
