"""Accountability records: proposals on the ladder 提醒 → 督办 → 约谈 → 通报 → 问责建议.

The rules (``kaimen.accountability.rules``, pure) propose; the daily proposer stores each
proposal here with the facts that triggered it; a person confirms or dismisses it with a reason
(``services``). Nothing is ever applied by the machine: a confirmed proposal is a decision on
record, which the next run of the rules reads as the rung already climbed. The unit concerned
reads its own record and may attach its explanation (说明).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaimen.accountability.rules import LADDER, Rule, Rules, Step
from kaimen.lib.attachments import StoredAttachment


class StepChoice(models.TextChoices):
    REMIND = Step.REMIND.value, _("Reminder")
    SUPERVISE = Step.SUPERVISE.value, _("Supervision")
    INTERVIEW = Step.INTERVIEW.value, _("Admonitory interview")
    NOTIFY = Step.NOTIFY.value, _("Public notice")
    ACCOUNTABILITY = Step.ACCOUNTABILITY.value, _("Recommendation for accountability")


class RuleChoice(models.TextChoices):
    RED_STREAK = Rule.RED_STREAK.value, _("Red light several periods in a row")
    OVERDUE_PAST_ORDER = Rule.OVERDUE_PAST_ORDER.value, _("Task overdue past its supervision order")
    MISSED_REPORTS = Rule.MISSED_REPORTS.value, _("Progress reports missed repeatedly")
    OVERDUE = Rule.OVERDUE.value, _("Task or milestone overdue")


class MatterKind(models.TextChoices):
    INDICATOR = "indicator", _("Indicator")
    TASK = "task", _("Task")
    REPORTS = "reports", _("Progress reports")


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting decision")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    WITHDRAWN = "withdrawn", _("Withdrawn (cause gone)")


DECIDED = (Status.CONFIRMED, Status.DISMISSED)


class RuleSettings(models.Model):
    """The thresholds of the rules for one campaign, as the office set them.

    A campaign without a row uses the defaults of :class:`Rules`. ``order_limit_workdays`` is
    the time a 督办单 gives the unit: the ledger records when a 督办单 was issued but not a
    date by which it must be done, so the rules count this many working days from its issue
    (or the task's own deadline, if later).
    """

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="accountability_rules"
    )
    red_periods = models.PositiveSmallIntegerField(
        _("consecutive red periods that start the ladder"), default=Rules.red_periods
    )
    red_periods_to_escalate = models.PositiveSmallIntegerField(
        _("further red periods to go one step up"), default=Rules.red_periods_to_escalate
    )
    order_limit_workdays = models.PositiveSmallIntegerField(
        _("working days a supervision order gives"), default=5
    )
    overdue_workdays_to_escalate = models.PositiveSmallIntegerField(
        _("working days still overdue to go one step up"),
        default=Rules.overdue_workdays_to_escalate,
    )
    missed_reports = models.PositiveSmallIntegerField(
        _("missed progress reports that start the ladder"), default=Rules.missed_reports
    )
    missed_reports_to_escalate = models.PositiveSmallIntegerField(
        _("further missed reports to go one step up"), default=Rules.missed_reports_to_escalate
    )
    highest_step = models.CharField(
        _("highest step the rules may propose"),
        max_length=20,
        choices=StepChoice.choices,
        default=StepChoice.ACCOUNTABILITY,
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("accountability rules")
        verbose_name_plural = _("accountability rules")

    def __str__(self) -> str:
        return f"{self.campaign}"

    def rules(self) -> Rules:
        return Rules(
            red_periods=self.red_periods,
            red_periods_to_escalate=self.red_periods_to_escalate,
            overdue_workdays_to_escalate=self.overdue_workdays_to_escalate,
            missed_reports=self.missed_reports,
            missed_reports_to_escalate=self.missed_reports_to_escalate,
            highest_step=Step(self.highest_step),
        )


class Proposal(models.Model):
    """One proposed step for one unit and one matter, with the facts that triggered it."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="accountability_proposals"
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="accountability_proposals"
    )
    rule = models.CharField(_("rule"), max_length=30, choices=RuleChoice.choices)
    step = models.CharField(_("proposed step"), max_length=20, choices=StepChoice.choices)
    # The highest step confirmed for this unit and matter when the proposal was made.
    after_step = models.CharField(max_length=20, choices=StepChoice.choices, blank=True)
    # The matter: "indicator:<code>[@<unit id>]", "task:<id>" or "reports" (one per unit).
    matter_kind = models.CharField(_("matter"), max_length=10, choices=MatterKind.choices)
    subject = models.CharField(max_length=120)
    matter = models.CharField(_("matter"), max_length=300)
    indicator = models.ForeignKey(
        "targets.Indicator", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target = models.ForeignKey(
        "targets.Target", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        "ledger.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The rules' key: stable for the same evidence, so the same facts never propose twice.
    key = models.CharField(max_length=200)
    facts = models.JSONField(_("facts"), default=list)
    text = models.TextField(_("proposal"))
    evidence = models.JSONField(default=dict, blank=True)  # the inputs, for the record
    proposed_at = models.DateTimeField(_("proposed at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("accountability proposal")
        verbose_name_plural = _("accountability proposals")
        constraints = [
            # Two runs on the same data (or racing each other) store one proposal.
            models.UniqueConstraint(
                fields=["campaign", "key"], name="accountability_proposal_once"
            ),
            # At most one open proposal per unit and matter: the next waits for the decision.
            models.UniqueConstraint(
                fields=["campaign", "unit", "subject"],
                condition=models.Q(status="proposed"),
                name="accountability_one_open_per_matter",
            ),
            models.CheckConstraint(
                condition=models.Q(status="proposed")
                | models.Q(status="withdrawn")
                | (models.Q(decided_by__isnull=False) & ~models.Q(decision_reason="")),
                name="accountability_decision_has_person_and_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_step_display()} {self.matter[:40]}"

    @property
    def step_enum(self) -> Step:
        return Step(self.step)

    @property
    def step_level(self) -> int:
        return LADDER.index(Step(self.step)) + 1

    @property
    def is_open(self) -> bool:
        return self.status == Status.PROPOSED

    def ladder(self) -> list[tuple[str, str]]:
        """The five rungs with their state for this proposal: "before" (confirmed earlier),
        this proposal's status on its own rung, "" above."""
        before = LADDER.index(Step(self.after_step)) if self.after_step else -1
        here = LADDER.index(Step(self.step))
        rungs = []
        for i, step in enumerate(LADDER):
            state = "before" if i <= before else self.status if i == here else ""
            rungs.append((str(StepChoice(step.value).label), state))
        return rungs


class Explanation(models.Model):
    """The unit's explanation (说明) of a proposal; never edited, a further one may follow."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="explanations")
    text = models.TextField(_("explanation"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("explanation")
        verbose_name_plural = _("explanations")

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.text[:30]}"


class Attachment(StoredAttachment):
    """A file attached to an explanation: stored outside any web root under a generated name and
    served only through a permission-checked view."""

    explanation = models.ForeignKey(
        Explanation, on_delete=models.PROTECT, related_name="attachments"
    )


class RunStatus(models.TextChoices):
    OK = "ok", _("Done")
    SKIPPED = "skipped", _("Not a working day")
    FAILED = "failed", _("Failed")


class ProposerRun(models.Model):
    """One run of the proposer, kept so the office sees when it ran, what it found, or why not."""

    day = models.DateField()
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices)
    proposed = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.day} {self.status}"
