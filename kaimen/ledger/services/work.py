"""Work on published tasks: the office's adjustments, progress reports with attachments,
co-units' contributions, closure (已完成待确认 → 已办结 by the office) and leaders' instructions.

Files are written before the transaction (a file system is not transactional) and removed
again when the transaction fails, so a refused upload leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from kaimen.audit.services import record
from kaimen.ledger import notices, storage
from kaimen.ledger.models import (
    OPEN_STATUSES,
    Answer,
    Attachment,
    Cadence,
    Contribution,
    Instruction,
    Light,
    Milestone,
    ProgressReport,
    Task,
    TaskStatus,
)
from kaimen.ledger.services.common import (
    MAX_FILES,
    MAX_TEXT,
    TASK_FIELDS,
    apply_light,
    clean_text,
    refresh_lights,
)
from kaimen.lib import clock, official_calendar, uploads
from kaimen.lib.attachments import Saved, new_rows, remove_all, store_all
from kaimen.lib.errors import ValidationError
from kaimen.lib.versioning import save_versioned, snapshot
from kaimen.org import scope
from kaimen.org.models import Role, Unit
from kaimen.org.scope import Perm

# ---------------------------------------------------------------------------------------------
# Work on tasks


def task_update(
    *,
    actor,
    task: Task,
    expected_version: int,
    title: str,
    lead_unit: Unit,
    co_units: Iterable[Unit],
    deadline: date,
    cadence: str,
) -> Task:
    """The office adjusts a published task (units, deadline, cadence). Status and light are
    never set by hand: they follow reports, acceptance and the calendar."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    if cadence not in Cadence.values:
        raise ValidationError("未知的报送周期。", field="cadence")
    co_ids = sorted({u.pk for u in co_units})
    if lead_unit.pk in co_ids:
        raise ValidationError("牵头单位不能同时是配合单位。", field="co_units")
    before = snapshot(task, TASK_FIELDS) | {"co_units": task.co_unit_ids()}
    task.title = clean_text(title, field="title", max_len=300)
    task.lead_unit = lead_unit
    task.deadline = deadline
    task.cadence = cadence
    with transaction.atomic():
        save_versioned(
            task,
            expected_version=expected_version,
            fields=["title", "lead_unit", "deadline", "cadence"],
        )
        task.co_units.set(co_ids)
        refresh_lights([task], cal=official_calendar.load(), today=clock.today())
        task.refresh_from_db()
        record(
            actor=actor,
            action="ledger.task.update",
            obj=task,
            unit=task.lead_unit,
            before=before,
            after=snapshot(task, TASK_FIELDS) | {"co_units": co_ids},
        )
    return task


def _check_uploads(files: Sequence[UploadedFile]) -> list[uploads.CheckedFile]:
    return uploads.check_uploads(
        files, max_files=MAX_FILES, max_bytes=storage.attachment_max_bytes()
    )


def _store_uploads(checked: list[uploads.CheckedFile]) -> list[Saved]:
    return store_all(checked, storage.STORE, area=storage.ATTACHMENTS)


def _remove_stored(stored: list[Saved]) -> None:
    remove_all(stored, storage.STORE, area=storage.ATTACHMENTS)


def _attach(stored: list[Saved], *, actor, task: Task, **owner) -> list[Attachment]:
    return Attachment.objects.bulk_create(
        new_rows(Attachment, stored, actor=actor, at=clock.now(), task=task, **owner)
    )


def _lock_open_task(task: Task) -> Task:
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if locked.status not in OPEN_STATUSES:
        raise ValidationError(
            "该任务已申请办结或已办结,不能再报送;如需补充请联系调度办。", field="text"
        )
    return locked


def progress_report(
    *,
    actor,
    task: Task,
    text: str,
    percent: int,
    milestone_ids: Iterable[int] = (),
    uploads: Sequence[UploadedFile] = (),
) -> ProgressReport:
    """进展: the lead unit's report, with attachments and the milestones it reached."""
    scope.require(actor, Perm.TASK_REPORT, task)
    text = clean_text(text, field="text")
    if not 0 <= percent <= 100:
        raise ValidationError("完成比例应在 0 到 100 之间。", field="percent")
    stored = _store_uploads(_check_uploads(uploads))
    try:
        with transaction.atomic():
            locked = _lock_open_task(task)
            before = snapshot(locked, TASK_FIELDS)
            now = clock.now()
            report = ProgressReport.objects.create(
                task=locked, text=text, percent=percent, reported_by=actor, reported_at=now
            )
            attachments = _attach(stored, actor=actor, task=locked, report=report)
            reached = list(
                Milestone.objects.filter(
                    task=locked, pk__in=list(milestone_ids), reached_at__isnull=True
                ).values_list("pk", flat=True)
            )
            Milestone.objects.filter(pk__in=reached).update(reached_at=now)
            status = (
                TaskStatus.IN_PROGRESS if locked.status == TaskStatus.NOT_STARTED else locked.status
            )
            Task.objects.filter(pk=locked.pk).update(
                percent=percent, last_report_at=now, status=status
            )
            locked.percent, locked.last_report_at, locked.status = percent, now, status
            refresh_lights([locked], cal=official_calendar.load(), today=clock.today())
            locked.refresh_from_db()
            record(
                actor=actor,
                action="ledger.task.report",
                obj=report,
                unit=locked.lead_unit_id,
                before=before,
                after=snapshot(locked, TASK_FIELDS)
                | {"milestones_reached": reached, "attachments": [a.pk for a in attachments]},
            )
    except BaseException:
        _remove_stored(stored)
        raise
    return report


def contribution_add(
    *, actor, task: Task, text: str, uploads: Sequence[UploadedFile] = ()
) -> Contribution:
    """A co-unit (配合单位) records its share of the work."""
    scope.require(actor, Perm.TASK_CONTRIBUTE, task)
    mine = scope.scope_for(actor).units_with(Role.LIAISON) & set(task.co_unit_ids())
    unit = Unit.objects.filter(pk__in=mine).order_by("pk").first()
    text = clean_text(text, field="text")
    stored = _store_uploads(_check_uploads(uploads))
    try:
        with transaction.atomic():
            contribution = Contribution.objects.create(
                task=task, unit=unit, text=text, created_by=actor, created_at=clock.now()
            )
            attachments = _attach(stored, actor=actor, task=task, contribution=contribution)
            record(
                actor=actor,
                action="ledger.task.contribute",
                obj=contribution,
                unit=unit,
                after={"task": task.pk, "attachments": [a.pk for a in attachments]},
            )
    except BaseException:
        _remove_stored(stored)
        raise
    return contribution


def task_request_closure(*, actor, task: Task, summary: str) -> Task:
    """The lead unit reports the task done (已完成待确认); the office accepts or sends it back."""
    scope.require(actor, Perm.TASK_REPORT, task)
    summary = clean_text(summary, field="summary")
    with transaction.atomic():
        locked = _lock_open_task(task)
        before = snapshot(locked, TASK_FIELDS)
        now = clock.now()
        ProgressReport.objects.create(
            task=locked, text=summary, percent=100, reported_by=actor, reported_at=now
        )
        Task.objects.filter(pk=locked.pk).update(
            status=TaskStatus.AWAITING_ACCEPTANCE,
            percent=100,
            last_report_at=now,
            closure_requested_at=now,
        )
        locked.refresh_from_db()
        apply_light(locked, cal=official_calendar.load(), today=clock.today())
        record(
            actor=actor,
            action="ledger.task.request_closure",
            obj=locked,
            unit=locked.lead_unit_id,
            before=before,
            after=snapshot(locked, TASK_FIELDS),
        )
    return locked


def _lock_awaiting(task: Task) -> Task:
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if locked.status != TaskStatus.AWAITING_ACCEPTANCE:
        raise ValidationError("该任务没有在等待办结确认。")
    return locked


def task_accept_closure(*, actor, task: Task, note: str = "") -> Task:
    """已办结: only the office closes a task, after the lead unit reported it done."""
    scope.require(actor, Perm.LEDGER_MANAGE, task)
    note = clean_text(note, field="note", max_len=300, required=False)
    with transaction.atomic():
        locked = _lock_awaiting(task)
        before = snapshot(locked, TASK_FIELDS)
        Task.objects.filter(pk=locked.pk).update(
            status=TaskStatus.CLOSED,
            light=Light.DONE,
            light_reason="已办结",
            closed_at=clock.now(),
            closed_by=actor,
        )
        locked.refresh_from_db()
        record(
            actor=actor,
            action="ledger.task.accept_closure",
            obj=locked,
            unit=locked.lead_unit_id,
            before=before,
            after=snapshot(locked, TASK_FIELDS),
            message=note,
        )
    return locked


def task_send_back(*, actor, task: Task, reason: str) -> Task:
    """The office does not accept the closure: the task goes back to the unit, with the reason."""
    scope.require(actor, Perm.LEDGER_MANAGE, task)
    reason = clean_text(reason, field="reason", max_len=300)
    with transaction.atomic():
        locked = _lock_awaiting(task)
        before = snapshot(locked, TASK_FIELDS)
        Task.objects.filter(pk=locked.pk).update(
            status=TaskStatus.IN_PROGRESS, closure_requested_at=None
        )
        locked.refresh_from_db()
        refresh_lights([locked], cal=official_calendar.load(), today=clock.today())
        locked.refresh_from_db()
        record(
            actor=actor,
            action="ledger.task.send_back",
            obj=locked,
            unit=locked.lead_unit_id,
            before=before,
            after=snapshot(locked, TASK_FIELDS),
            message=reason,
        )
    return locked


def instruction_give(*, actor, task: Task, text: str) -> Instruction:
    """批示: a leader's instruction on a task. Leaders instruct; they change no status."""
    scope.require(actor, Perm.TASK_INSTRUCT, task)
    text = clean_text(text, field="text", max_len=1000)
    with transaction.atomic():
        instruction = Instruction.objects.create(
            task=task, text=text, given_by=actor, given_at=clock.now()
        )
        record(
            actor=actor,
            action="ledger.instruction.give",
            obj=instruction,
            unit=task.lead_unit_id,
            after={"task": task.pk, "text": text},
        )
        notices.instruction_given(instruction=instruction)
    return instruction


def instruction_answer(*, actor, instruction: Instruction, text: str) -> Answer:
    """The lead unit answers a leader's instruction (once; a later word is a progress report)."""
    task = instruction.task
    scope.require(actor, Perm.TASK_REPORT, task)
    text = clean_text(text, field="text", max_len=MAX_TEXT)
    if Answer.objects.filter(instruction=instruction).exists():
        raise ValidationError("这条批示已经答复过了。", field="text")
    try:
        with transaction.atomic():
            answer = Answer.objects.create(
                instruction=instruction, text=text, answered_by=actor, answered_at=clock.now()
            )
            record(
                actor=actor,
                action="ledger.instruction.answer",
                obj=answer,
                unit=task.lead_unit_id,
                after={"instruction": instruction.pk, "text": text},
            )
    except IntegrityError as exc:  # answered a moment earlier by a colleague
        raise ValidationError("这条批示已经答复过了。", field="text") from exc
    return answer
