"""Reads of the ledger, already narrowed to what the user may see, with their joins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from kaimen.campaigns import selectors as campaign_selectors
from kaimen.campaigns.models import Campaign
from kaimen.ledger.models import (
    OPEN_STATUSES,
    Attachment,
    Contribution,
    Decision,
    DraftItem,
    Instruction,
    LedgerDraft,
    Light,
    ProgressReport,
    ResponsibilityEntry,
    RunStatus,
    SourceDocument,
    StepState,
    SupervisionRun,
    SupervisionStep,
    Task,
    TaskKind,
    TaskStatus,
    UnitAlias,
    UnitProposal,
)
from kaimen.ledger.parsing.units import ResponsibilityRule
from kaimen.lib import clock
from kaimen.lib.contracts import escalation
from kaimen.lib.errors import NotFound
from kaimen.org import scope
from kaimen.org.models import Unit
from kaimen.org.scope import Perm


def _visible_tasks(user) -> QuerySet[Task]:
    return scope.filter_by_unit(
        user, Task.objects.all(), unit_field="lead_unit", co_units_field="co_units"
    )


def campaign_list_for_user(*, user) -> QuerySet[Campaign]:
    scope.require(user, Perm.LEDGER_VIEW)
    visible = _visible_tasks(user).values("pk")
    return Campaign.objects.annotate(
        task_count=Count("tasks", filter=Q(tasks__in=visible), distinct=True),
        red_count=Count(
            "tasks", filter=Q(tasks__in=visible, tasks__light=Light.RED), distinct=True
        ),
    ).order_by("-year", "-start")


def campaign_get_for_user(*, user, campaign_id: int) -> Campaign:
    scope.require(user, Perm.LEDGER_VIEW)
    return campaign_selectors.campaign_get(campaign_id=campaign_id)


def task_list_for_user(
    *,
    user,
    campaign: Campaign | None = None,
    unit_id: int | None = None,
    status: str = "",
    light: str = "",
    overdue: bool = False,
    query: str = "",
) -> QuerySet[Task]:
    """The ledger as the user may see it: everything for leaders and the office; a unit's own
    tasks and the tasks where it is a co-unit for liaisons and members."""
    scope.require(user, Perm.LEDGER_VIEW)
    qs = _visible_tasks(user)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if unit_id:
        qs = qs.filter(Q(lead_unit_id=unit_id) | Q(co_units__id=unit_id)).distinct()
    if status:
        qs = qs.filter(status=status)
    if light:
        qs = qs.filter(light=light)
    if overdue:
        qs = qs.filter(deadline__lt=clock.today(), status__in=OPEN_STATUSES)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(original_text__icontains=query))
    return (
        qs.select_related("campaign", "lead_unit")
        .prefetch_related("co_units")
        .order_by("campaign_id", "order", "pk")
    )


def task_get_for_user(*, user, task_id: int) -> Task:
    """One task, or NotFound when it does not exist; PermissionDenied (audited) when it exists
    but belongs to a unit the user has nothing to do with."""
    try:
        task = (
            Task.objects.select_related("campaign", "lead_unit", "document")
            .prefetch_related("co_units")
            .get(pk=task_id)
        )
    except Task.DoesNotExist as exc:
        raise NotFound() from exc
    scope.require(user, Perm.LEDGER_VIEW, task)
    return task


@dataclass
class TaskDetail:
    task: Task
    milestones: list
    reports: list[ProgressReport]
    contributions: list[Contribution]
    steps: list[escalation.PriorStep]  # confirmed steps only, of the one ladder and before
    instructions: list[Instruction]


def task_detail(*, user, task_id: int) -> TaskDetail:
    task = task_get_for_user(user=user, task_id=task_id)
    files = Attachment.objects.order_by("pk")
    return TaskDetail(
        task=task,
        milestones=list(task.milestones.all()),
        reports=list(
            task.reports.select_related("reported_by").prefetch_related(
                Prefetch("attachments", queryset=files)
            )
        ),
        contributions=list(
            task.contributions.select_related("unit", "created_by").prefetch_related(
                Prefetch("attachments", queryset=files)
            )
        ),
        steps=escalation.confirmed_steps(escalation.StepQuery(about=f"task:{task.pk}")),
        instructions=list(
            task.instructions.select_related("given_by", "answer", "answer__answered_by")
        ),
    )


def attachment_get_for_user(*, user, attachment_id: int) -> Attachment:
    try:
        attachment = Attachment.objects.select_related("task").get(pk=attachment_id)
    except Attachment.DoesNotExist as exc:
        raise NotFound() from exc
    scope.require(user, Perm.LEDGER_VIEW, attachment.task)
    return attachment


def instruction_get_for_user(*, user, instruction_id: int) -> Instruction:
    try:
        instruction = Instruction.objects.select_related("task").get(pk=instruction_id)
    except Instruction.DoesNotExist as exc:
        raise NotFound() from exc
    scope.require(user, Perm.LEDGER_VIEW, instruction.task)
    return instruction


# ---------------------------------------------------------------------------------------------
# The office's screens


def draft_list_for_user(*, user) -> QuerySet[LedgerDraft]:
    scope.require(user, Perm.LEDGER_MANAGE)
    return (
        LedgerDraft.objects.select_related("document", "campaign", "created_by")
        .annotate(
            task_count=Count("items", filter=Q(items__kind=TaskKind.TASK, items__is_leaf=True)),
            pending_count=Count(
                "items",
                filter=Q(
                    items__kind=TaskKind.TASK, items__is_leaf=True, items__decision=Decision.PENDING
                ),
            ),
        )
        .order_by("-created_at", "-pk")
    )


def draft_get_for_user(*, user, draft_id: int) -> LedgerDraft:
    scope.require(user, Perm.LEDGER_MANAGE)
    try:
        return LedgerDraft.objects.select_related("document", "campaign", "created_by").get(
            pk=draft_id
        )
    except LedgerDraft.DoesNotExist as exc:
        raise NotFound() from exc


def draft_versions(draft: LedgerDraft) -> list[LedgerDraft]:
    """Every draft made from the same file (one per title and year it was read under), the
    first version first; a single version is no series and gives an empty list."""
    versions = list(
        LedgerDraft.objects.filter(document__sha256=draft.document.sha256)
        .select_related("document", "created_by")
        .order_by("document__number")
    )
    return versions if len(versions) > 1 else []


def draft_items(draft: LedgerDraft) -> list[DraftItem]:
    return list(
        draft.items.select_related("lead_unit").prefetch_related("co_units").order_by("order")
    )


def draft_published_tasks(draft: LedgerDraft) -> list[Task]:
    return list(
        Task.objects.filter(document_id=draft.document_id)
        .select_related("lead_unit")
        .order_by("order")
    )


def draft_item_get_for_user(*, user, item_id: int) -> DraftItem:
    scope.require(user, Perm.LEDGER_MANAGE)
    try:
        return (
            DraftItem.objects.select_related("draft", "draft__document", "lead_unit")
            .prefetch_related("co_units")
            .get(pk=item_id)
        )
    except DraftItem.DoesNotExist as exc:
        raise NotFound() from exc


def unit_proposal_get_for_user(*, user, proposal_id: int) -> UnitProposal:
    scope.require(user, Perm.LEDGER_MANAGE)
    try:
        return UnitProposal.objects.select_related("draft", "unit").get(pk=proposal_id)
    except UnitProposal.DoesNotExist as exc:
        raise NotFound() from exc


def document_get_for_user(*, user, document_id: int) -> SourceDocument:
    scope.require(user, Perm.LEDGER_EXPORT)
    try:
        return SourceDocument.objects.get(pk=document_id)
    except SourceDocument.DoesNotExist as exc:
        raise NotFound() from exc


def supervision_history(*, user, limit: int = 200) -> list[SupervisionStep]:
    """The ledger's supervision records from before the one ladder (read-only), newest first."""
    scope.require(user, Perm.LEDGER_MANAGE)
    return list(
        SupervisionStep.objects.select_related("task", "task__lead_unit", "decided_by").order_by(
            "-proposed_at", "-pk"
        )[:limit]
    )


def last_supervision_run() -> SupervisionRun | None:
    return SupervisionRun.objects.order_by("-at", "-pk").first()


# ---------------------------------------------------------------------------------------------
# The one count of lights (``kaimen.ledger.lights``: red, yellow and green over the open tasks;
# finished tasks apart)


@dataclass(frozen=True)
class LightCounts:
    total: int = 0
    red: int = 0  # open tasks by light
    yellow: int = 0
    green: int = 0
    awaiting: int = 0  # reported done, awaiting the office's acceptance
    closed: int = 0  # 已办结

    @property
    def open(self) -> int:
        return self.red + self.yellow + self.green

    @property
    def finished(self) -> int:
        return self.awaiting + self.closed

    @property
    def by_light(self) -> dict[str, int]:
        return {"red": self.red, "yellow": self.yellow, "green": self.green}

    @property
    def sentence(self) -> str:
        """The counts as the office writes them (the briefing's task sentence)."""
        text = (
            f"台账任务共{self.total}项，其中在办{self.open}项（红灯{self.red}项、"
            f"黄灯{self.yellow}项、绿灯{self.green}项）"
        )
        if self.awaiting:
            text += f"，已报完成待验收{self.awaiting}项"
        return text + f"，已办结{self.closed}项。"


def light_counts(tasks: QuerySet[Task]) -> LightCounts:
    """How many of ``tasks`` are red, yellow and green (open ones) and finished: one query.
    Every page and document that counts task lights calls this."""
    open_ = Q(status__in=OPEN_STATUSES)
    counts = tasks.order_by().aggregate(
        total=Count("pk", distinct=True),
        red=Count("pk", filter=open_ & Q(light=Light.RED), distinct=True),
        yellow=Count("pk", filter=open_ & Q(light=Light.YELLOW), distinct=True),
        # an open task is green unless it is red or yellow (a stale "done" cannot hide it)
        green=Count("pk", filter=open_ & ~Q(light__in=[Light.RED, Light.YELLOW]), distinct=True),
        awaiting=Count("pk", filter=Q(status=TaskStatus.AWAITING_ACCEPTANCE), distinct=True),
        closed=Count("pk", filter=Q(status=TaskStatus.CLOSED), distinct=True),
    )
    return LightCounts(**counts)


# ---------------------------------------------------------------------------------------------
# Home page


@dataclass
class UnitWork:
    """Real counts for the home panel "my unit's tasks"."""

    total: int = 0
    by_light: dict[str, int] = field(default_factory=dict)
    awaiting: int = 0
    overdue: int = 0
    closed: int = 0
    co_tasks: int = 0
    unanswered: int = 0
    confirmed_steps: int = 0
    failed_run: SupervisionRun | None = None


def unit_work(*, user, today: date | None = None) -> UnitWork | None:
    if not scope.can(user, Perm.LEDGER_VIEW):
        return None
    today = today or clock.today()
    s = scope.scope_for(user)
    tasks = _visible_tasks(user)
    if not s.sees_all_business:
        tasks = Task.objects.filter(lead_unit_id__in=s.own_unit_ids)
    lit = light_counts(tasks)
    overdue = tasks.filter(deadline__lt=today, status__in=OPEN_STATUSES).distinct().count()
    work = UnitWork(
        total=lit.total,
        by_light=lit.by_light,
        awaiting=lit.awaiting,
        overdue=overdue,
        closed=lit.closed,
    )
    if not s.sees_all_business:
        work.co_tasks = Task.objects.filter(co_units__in=s.own_unit_ids).distinct().count()
        work.unanswered = Instruction.objects.filter(
            task__lead_unit_id__in=s.own_unit_ids, answer__isnull=True
        ).count()
        work.confirmed_steps = SupervisionStep.objects.filter(
            task__lead_unit_id__in=s.own_unit_ids,
            state=StepState.CONFIRMED,
            task__status__in=OPEN_STATUSES,
        ).count()
    if scope.can(user, Perm.LEDGER_MANAGE):
        run = last_supervision_run()
        work.failed_run = run if run is not None and run.status == RunStatus.FAILED else None
    return work


def responsibility_rules() -> list[ResponsibilityRule] | None:
    """The office's table as parser rules; None while it is empty (the parser then uses the
    table shipped with Kaimen)."""
    entries = ResponsibilityEntry.objects.select_related("unit")
    rules = [
        ResponsibilityRule(entry.unit.name, tuple(entry.keyword_list()), entry.duties)
        for entry in entries
        if entry.unit.is_active
    ]
    return rules or None


def unit_names_and_aliases() -> tuple[list[str], dict[str, str]]:
    """The active units' names, and every other name the district uses for them (short names,
    the office's aliases) → the unit's name: what the parser matches named owners against."""
    names: list[str] = []
    aliases: dict[str, str] = {}
    for name, short in Unit.objects.filter(is_active=True).values_list("name", "short_name"):
        names.append(name)
        if short and short != name:
            aliases.setdefault(short, name)
    for alias, unit in UnitAlias.objects.filter(unit__is_active=True).values_list(
        "name", "unit__name"
    ):
        aliases[alias] = unit
    return names, aliases


def unit_aliases_for_user(*, user) -> QuerySet[UnitAlias]:
    scope.require(user, Perm.LEDGER_MANAGE)
    return UnitAlias.objects.select_related("unit", "created_by").order_by("unit__name", "name")


def unit_alias_get(*, user, alias_id: int) -> UnitAlias:
    scope.require(user, Perm.LEDGER_MANAGE)
    try:
        return UnitAlias.objects.select_related("unit").get(pk=alias_id)
    except UnitAlias.DoesNotExist as exc:
        raise NotFound() from exc


def shipped_short_names_in_use() -> list[tuple[str, str]]:
    """The short names shipped with Kaimen whose unit the district has (short → full name),
    less those the office has given its own meaning."""
    from kaimen.ledger.parsing.owners import shipped_short_names

    names = set(Unit.objects.filter(is_active=True).values_list("name", flat=True))
    taken = set(UnitAlias.objects.values_list("name", flat=True))
    seen: set[str] = set()
    rows = []
    for short, full in shipped_short_names():
        if full in names and short not in taken and short not in seen and short != full:
            seen.add(short)
            rows.append((short, full))
    return rows


def responsibility_entries_for_user(*, user) -> QuerySet[ResponsibilityEntry]:
    scope.require(user, Perm.LEDGER_MANAGE)
    return ResponsibilityEntry.objects.select_related("unit").order_by(
        "unit__kind", "unit__sort_order", "unit__name"
    )


def responsibility_entry_get(*, user, entry_id: int) -> ResponsibilityEntry:
    scope.require(user, Perm.LEDGER_MANAGE)
    try:
        return ResponsibilityEntry.objects.select_related("unit").get(pk=entry_id)
    except ResponsibilityEntry.DoesNotExist as exc:
        raise NotFound() from exc
