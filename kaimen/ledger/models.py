"""The task ledger (任务分解台账): from a leader's speech to tracked tasks.

SourceDocument → LedgerDraft (DraftItem, UnitProposal) → reviewed by the office → published as
Task rows of a Campaign → ProgressReport / Contribution by the units → SupervisionStep proposed
by the daily job and decided by the office; Instruction (批示) by leaders, answered by the lead
unit. Every change goes through ``kaimen.ledger.services``.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaimen.campaigns.models import Campaign
from kaimen.lib.attachments import StoredAttachment
from kaimen.org.models import Unit

_SENTENCE_END = re.compile("[。;;!?!?]")


class DocumentKind(models.TextChoices):
    TXT = "txt", _("Text file")
    DOCX = "docx", _("Word document")
    PDF = "pdf", _("PDF")
    PASTE = "paste", _("Pasted text")


class SourceDocument(models.Model):
    """The leader's speech or plan as uploaded; kept so that every task can show its source."""

    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    # The same file may be uploaded again under another title or year: each upload is a
    # numbered version of that file, and the versions link to the one before.
    sha256 = models.CharField(max_length=64, db_index=True)
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="later_versions",
        verbose_name=_("previous version"),
    )
    size = models.PositiveIntegerField(default=0)
    # A generated name under the ledger's storage root, never the user's file name; "" for paste.
    stored_name = models.CharField(max_length=100, blank=True)
    extracted_text = models.TextField(_("text"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sha256", "number"], name="ledger_document_one_number_per_file"
            )
        ]
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")

    def __str__(self) -> str:
        return self.title


class DraftStatus(models.TextChoices):
    OPEN = "open", _("Under review")
    PUBLISHED = "published", _("Published")


class LedgerDraft(models.Model):
    """The parser's proposal for one document, as the office reviews it before publishing."""

    document = models.OneToOneField(SourceDocument, on_delete=models.PROTECT, related_name="draft")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="drafts"
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    campaign_end = models.DateField(_("campaign end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DraftStatus.choices, default=DraftStatus.OPEN
    )
    drafted_by = models.CharField(max_length=10, default="rules")  # "rules" | "llm"
    flags = models.JSONField(default=list, blank=True)
    preamble = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ledger draft")
        verbose_name_plural = _("ledger drafts")

    def __str__(self) -> str:
        return self.document.title


class TaskKind(models.TextChoices):
    TASK = "task", _("Task")
    EXHORTATION = "exhortation", _("Exhortation")


class Decision(models.TextChoices):
    PENDING = "pending", _("To review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    TEN_DAYS = "ten_days", _("Every ten days")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")


class DraftItem(models.Model):
    """One node of the proposed ledger: a heading (一、 (一)) or a leaf that may become a task."""

    draft = models.ForeignKey(LedgerDraft, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField()
    path = models.CharField(max_length=120)  # 二/(二)/二是
    parent_path = models.CharField(max_length=120, blank=True)
    marker = models.CharField(max_length=20)
    level = models.PositiveSmallIntegerField()
    is_leaf = models.BooleanField(default=True)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    # Where the item's words sit in SourceDocument.extracted_text (None: not found there).
    source_start = models.PositiveIntegerField(null=True, blank=True)
    source_end = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=TaskKind.choices, default=TaskKind.EXHORTATION
    )
    reason = models.TextField(_("reason"), blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    lead_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    co_units = models.ManyToManyField(Unit, blank=True, related_name="+")
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    deadline_phrase = models.CharField(max_length=60, blank=True)
    cadence = models.CharField(
        _("report cadence"), max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    milestones = models.JSONField(default=list, blank=True)  # [{"label": str, "date": iso}]
    flags = models.JSONField(default=list, blank=True)
    suggestions = models.JSONField(default=list, blank=True)  # parser's unit suggestions
    # The owners the document names for this item, as written: {"lead", "co", "source", ...}.
    named_owner = models.JSONField(null=True, blank=True)
    # Names the document gives that match no unit, each awaiting the office's decision:
    # [{"name", "role": "lead"|"co", "status": "open"|"mapped"|"referred", "unit": id|None}]
    unmatched_units = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["draft", "order"]
        verbose_name = _("draft item")
        verbose_name_plural = _("draft items")
        constraints = [
            models.UniqueConstraint(fields=["draft", "path"], name="ledger_draftitem_path_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.heading[:30]}"

    def open_unmatched(self) -> list[dict]:
        """Unmatched names the office has not yet decided on."""
        return [u for u in self.unmatched_units if u.get("status") == "open"]

    def split_points(self) -> list[tuple[int, str]]:
        """Where the office may split the item: before each sentence after the first."""
        points = []
        for match in _SENTENCE_END.finditer(self.text):
            at = match.end()
            if 0 < at < len(self.text.rstrip()):
                points.append((at, self.text[at : at + 16]))
        return points


class UnitProposal(models.Model):
    """A body the speech sets up (设立……四个专班), proposed as a new unit with its duty."""

    draft = models.ForeignKey(LedgerDraft, on_delete=models.CASCADE, related_name="unit_proposals")
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(max_length=20, default="task_force")
    duty = models.CharField(_("duty"), max_length=300, blank=True)
    source = models.CharField(_("words of the speech"), max_length=300, blank=True)
    path = models.CharField(max_length=120, blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["draft", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "name"], name="ledger_unitproposal_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    LAGGING = "lagging", _("Lagging")
    AWAITING_ACCEPTANCE = "awaiting", _("Done, awaiting acceptance")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.LAGGING)


class Light(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")
    # Reported done or closed: no light any more, never counted as green (ledger.lights).
    DONE = "done", _("Finished, no light")


class Task(models.Model):
    """任务: one row of the 任务分解表."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="tasks")
    document = models.ForeignKey(
        SourceDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    order = models.PositiveIntegerField(default=0)
    path = models.CharField(_("place in the speech"), max_length=120)
    section = models.CharField(_("section"), max_length=300, blank=True)  # 一、…… heading
    original_text = models.TextField(_("the leader's words"))
    source_start = models.PositiveIntegerField(null=True, blank=True)
    source_end = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(_("task"), max_length=300)
    kind = models.CharField(max_length=12, choices=TaskKind.choices, default=TaskKind.TASK)
    lead_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="led_tasks")
    co_units = models.ManyToManyField(Unit, blank=True, related_name="co_tasks")
    deadline = models.DateField(_("deadline"))
    cadence = models.CharField(
        _("report cadence"), max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    light = models.CharField(_("light"), max_length=6, choices=Light.choices, default=Light.GREEN)
    light_reason = models.CharField(max_length=300, blank=True)
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0)
    last_report_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField()
    closure_requested_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["campaign", "order", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            # Publishing the same document twice finds these rows instead of adding new ones.
            models.UniqueConstraint(
                fields=["campaign", "document", "path"], name="ledger_task_source_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="ledger_task_percent_range"
            ),
        ]
        indexes = [models.Index(fields=["status", "light"]), models.Index(fields=["deadline"])]

    def __str__(self) -> str:
        return f"{self.path} {self.title[:40]}"

    def co_unit_ids(self) -> list[int]:
        """Co-unit ids from the prefetch cache when the selector loaded it, else one query."""
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "co_units" in cache:
            return [unit.pk for unit in cache["co_units"]]
        return list(self.co_units.values_list("pk", flat=True))


class Milestone(models.Model):
    """时间节点 inside a task (3月底前制定方案): a checkpoint the lights watch."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    label = models.CharField(_("milestone"), max_length=200)
    due = models.DateField(_("due"))
    reached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["task", "due", "pk"]

    def __str__(self) -> str:
        return f"{self.due:%Y-%m-%d} {self.label}"


class ProgressReport(models.Model):
    """进展: what the lead unit reports on its cadence. Never edited: a correction is a new one."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("percent done"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField()

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.task_id} {self.reported_at:%Y-%m-%d} {self.percent}%"


class Contribution(models.Model):
    """A co-unit's (配合单位) account of its share of a task."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="contributions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("contribution"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.unit}"


class AttachmentKind(models.TextChoices):
    XLSX = "xlsx", "Excel"
    DOCX = "docx", "Word"
    PDF = "pdf", "PDF"
    PNG = "png", "PNG"
    JPEG = "jpeg", "JPEG"


class Attachment(StoredAttachment):
    """A file attached to a report or a contribution, stored outside any web root under a
    generated name and served only through a permission-checked view."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="attachments")
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    contribution = models.ForeignKey(
        Contribution, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(max_length=5, choices=AttachmentKind.choices)


class Level(models.TextChoices):
    """The escalation ladder, in order."""

    REMINDER = "reminder", _("Reminder")
    ORDER = "order", _("Supervision order")
    NOTICE = "notice", _("Public notice")


class Trigger(models.TextChoices):
    REPORT = "report", _("Missed progress report")
    DEADLINE = "deadline", _("Overdue task")
    MILESTONE = "milestone", _("Missed milestone")


class StepState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    WITHDRAWN = "withdrawn", _("Withdrawn (cause gone)")


class SupervisionStep(models.Model):
    """提醒 → 督办单 → 通报: proposed by the daily job, confirmed or dismissed by the office."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="supervision_steps")
    trigger = models.CharField(_("cause"), max_length=10, choices=Trigger.choices)
    # Which occurrence of the cause (the missed due date, the milestone): one ladder per key.
    trigger_key = models.CharField(max_length=60)
    level = models.CharField(_("step"), max_length=10, choices=Level.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=StepState.choices, default=StepState.PROPOSED
    )
    reason = models.CharField(_("why"), max_length=300)
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("supervision step")
        verbose_name_plural = _("supervision steps")
        constraints = [
            # Two runs of the job on one day cannot propose the same step twice.
            models.UniqueConstraint(
                fields=["task", "trigger_key", "level"], name="ledger_step_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.level} {self.state}"


class RunStatus(models.TextChoices):
    OK = "ok", _("Done")
    SKIPPED = "skipped", _("Not a working day")
    FAILED = "failed", _("Failed")


class SupervisionRun(models.Model):
    """One run of the daily supervision check, kept so the office sees when it failed."""

    day = models.DateField()
    status = models.CharField(max_length=10, choices=RunStatus.choices)
    message = models.CharField(max_length=500, blank=True)
    proposed = models.PositiveIntegerField(default=0)
    lights_changed = models.PositiveIntegerField(default=0)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.day} {self.status}"


class Instruction(models.Model):
    """批示: a leader's instruction on a task; the lead unit must answer it."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="instructions")
    text = models.TextField(_("instruction"))
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField()

    class Meta:
        ordering = ["-given_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.text[:30]}"


class Answer(models.Model):
    instruction = models.OneToOneField(Instruction, on_delete=models.PROTECT, related_name="answer")
    text = models.TextField(_("answer"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.text[:30]


class ResponsibilityEntry(models.Model):
    """职责对照表: which words in a speech point at which unit. Edited by the office; the parser
    falls back to the table shipped with Kaimen while this one is empty."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="responsibility")
    keywords = models.TextField(_("keywords"), help_text=_("Separated by 、 , or new lines."))
    duties = models.TextField(_("duties"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["unit__kind", "unit__sort_order", "unit__name"]
        verbose_name = _("responsibility entry")
        verbose_name_plural = _("responsibility table")

    def __str__(self) -> str:
        return f"{self.unit}: {self.keywords[:40]}"

    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)


class UnitAlias(models.Model):
    """Another name of a unit, as documents write it (区发改局 for 区发展和改革局). The parser
    matches named owners through these and the short names shipped with Kaimen; the office adds
    one when it maps an unmatched name to a unit and asks for it to be remembered."""

    name = models.CharField(_("name as written"), max_length=60, unique=True)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="ledger_aliases")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["unit__name", "name"]
        verbose_name = _("unit alias")
        verbose_name_plural = _("unit aliases")

    def __str__(self) -> str:
        return f"{self.name} → {self.unit}"


def split_keywords(raw: str) -> list[str]:
    parts = re.split(r"[、,,;;\s]+", raw or "")
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))
