"""A person's decisions on proposals, the units' explanations, and the office's rule settings.

Each function: permission through ``org.scope``, validation, one ``transaction.atomic``, one
audit event. Confirming records the decision and nothing else: no step is carried out by the
machine, and the next run of the rules reads the confirmed step as the rung climbed.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse

from kaimen.accountability import notices, storage
from kaimen.accountability.models import (
    Attachment,
    Explanation,
    Proposal,
    RuleSettings,
    Status,
    StepChoice,
)
from kaimen.accountability.rules import Rules, Step
from kaimen.accountability.services.common import (
    MAX_EXPLANATION,
    MAX_REASON,
    clean_text,
)
from kaimen.accountability.services.propose import DEFAULT_ORDER_LIMIT_WORKDAYS
from kaimen.audit.services import record
from kaimen.campaigns.models import Campaign
from kaimen.lib import clock, uploads
from kaimen.lib.attachments import new_rows, remove_all, store_all
from kaimen.lib.errors import StaleVersion, ValidationError
from kaimen.lib.versioning import save_versioned, snapshot
from kaimen.org import scope
from kaimen.org.scope import Perm

MAX_FILES = 5


def _already_decided(proposal: Proposal) -> ValidationError:
    when = proposal.decided_at.strftime("%Y-%m-%d") if proposal.decided_at else ""
    if proposal.status == Status.WITHDRAWN:
        return ValidationError(
            f"这条问责建议已于{when}因原因消除而撤回，无需再处理。", code="already_decided"
        )
    label = "确认" if proposal.status == Status.CONFIRMED else "不采纳"
    return ValidationError(
        f"这条问责建议已于{when}由{proposal.decided_by}决定“{label}”，不能再次决定；"
        "如确有必要，请等待规则依据新的情况提出下一项建议。",
        code="already_decided",
    )


def proposal_decide(*, actor, proposal: Proposal, confirm: bool, reason: str) -> Proposal:
    """Confirm or dismiss one open proposal; the reason is required either way."""
    scope.require(actor, Perm.ACCOUNTABILITY_DECIDE, proposal.unit_id)
    what = "确认理由" if confirm else "不采纳的理由"
    reason = clean_text(reason, field="reason", what=what, max_len=MAX_REASON)
    with transaction.atomic():
        locked = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("decided_by")
            .get(pk=proposal.pk)
        )
        if locked.status != Status.PROPOSED:
            raise _already_decided(locked)
        locked.status = Status.CONFIRMED if confirm else Status.DISMISSED
        locked.decided_by = actor
        locked.decided_at = clock.now()
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        record(
            actor=actor,
            action="accountability.confirm" if confirm else "accountability.dismiss",
            obj=locked,
            unit=locked.unit_id,
            before={"status": Status.PROPOSED},
            after={
                "status": locked.status,
                "step": locked.step,
                "rule": locked.rule,
                "subject": locked.subject,
            },
            message=reason,
        )
        if confirm:
            # The unit's liaisons (who may attach the explanation) and the leaders are told.
            notices.accountability_step_confirmed(
                unit=locked.unit,
                step=Step(locked.step).label,
                reason=f"{locked.matter}：{reason}",  # the matter as people name it
                link=reverse("accountability:proposal_detail", args=[locked.pk]),
                dedupe_key=f"accountability:{locked.pk}",
            )
    return locked


def proposal_confirm(*, actor, proposal: Proposal, reason: str) -> Proposal:
    return proposal_decide(actor=actor, proposal=proposal, confirm=True, reason=reason)


def proposal_dismiss(*, actor, proposal: Proposal, reason: str) -> Proposal:
    return proposal_decide(actor=actor, proposal=proposal, confirm=False, reason=reason)


# ---------------------------------------------------------------------------------------------
# The unit's explanation (说明)


def _check_uploads(files: Sequence[UploadedFile]) -> list[uploads.CheckedFile]:
    return uploads.check_uploads(files, max_files=MAX_FILES, max_bytes=storage.max_bytes())


def explanation_add(
    *, actor, proposal: Proposal, text: str, uploads: Sequence[UploadedFile] = ()
) -> Explanation:
    """The unit's liaison explains (说明) a proposal about its unit, with optional attachments.

    Files are checked, then written before the transaction (a file system is not
    transactional) and removed again if the transaction fails, so a refusal leaves nothing.
    """
    scope.require(actor, Perm.ACCOUNTABILITY_EXPLAIN, proposal.unit_id)
    text = clean_text(text, field="text", what="说明", max_len=MAX_EXPLANATION)
    if proposal.status == Status.WITHDRAWN:
        raise ValidationError("这条建议已因原因消除而撤回，无需再作说明。", field="text")
    if proposal.status != Status.CONFIRMED:
        # The unit sees a proposal only once a person has confirmed it; before, nothing to explain.
        raise ValidationError("这条建议尚未经确认，单位无需作说明。", field="text")
    checked = _check_uploads(list(uploads))
    stored = store_all(checked, storage.STORE)
    try:
        with transaction.atomic():
            now = clock.now()
            explanation = Explanation.objects.create(
                proposal=proposal,
                text=text,
                author=actor,
                author_unit_id=proposal.unit_id,
                created_at=now,
            )
            Attachment.objects.bulk_create(
                new_rows(Attachment, stored, actor=actor, at=now, explanation=explanation)
            )
            record(
                actor=actor,
                action="accountability.explain",
                obj=proposal,
                unit=proposal.unit_id,
                after={
                    "explanation": explanation.pk,
                    "files": [
                        {"name": item.name, "sha256": saved.sha256, "size": saved.size}
                        for item, saved in stored
                    ],
                },
                message=text[:300],
            )
    except BaseException:
        remove_all(stored, storage.STORE)
        raise
    return explanation


# ---------------------------------------------------------------------------------------------
# The campaign's rule settings

RULE_FIELDS = [
    "red_periods",
    "red_periods_to_escalate",
    "order_limit_workdays",
    "overdue_workdays_to_escalate",
    "missed_reports",
    "missed_reports_to_escalate",
    "highest_step",
]
_LIMITS = {
    "red_periods": ("连续红灯期数", 1, 12),
    "red_periods_to_escalate": ("升级所需新增红灯期数", 1, 12),
    "order_limit_workdays": ("督办单办理时限（工作日）", 1, 60),
    "overdue_workdays_to_escalate": ("升级所需继续逾期的工作日", 1, 60),
    "missed_reports": ("未按时报送次数", 1, 20),
    "missed_reports_to_escalate": ("升级所需新增未报次数", 1, 20),
}


def _check_rules(values: dict) -> dict:
    clean: dict = {}
    for name, (label, low, high) in _LIMITS.items():
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValidationError(
                f"“{label}”应为{low}到{high}之间的整数，现为“{value}”，请改正后再保存。",
                field=name,
            )
        clean[name] = value
    step = values.get("highest_step")
    if step not in StepChoice.values:
        raise ValidationError(
            "“规则最高可建议的步骤”应为提醒、督办、约谈、通报或问责建议之一。",
            field="highest_step",
        )
    clean["highest_step"] = step
    # The pure rules validate themselves too; one place decides what a valid rule set is.
    pure = {k: v for k, v in clean.items() if k not in ("order_limit_workdays", "highest_step")}
    Rules(**pure, highest_step=Step(step))
    return clean


def rules_save(
    *, actor, campaign: Campaign, expected_version: int | None, **values
) -> RuleSettings:
    """The office sets the thresholds of the rules for a campaign (audited, versioned).

    ``expected_version`` is None for the first save of a campaign's settings; afterwards it is
    the version the form was loaded with, and a stale save is refused.
    """
    scope.require(actor, Perm.ACCOUNTABILITY_RULES)
    clean = _check_rules(values)
    with transaction.atomic():
        current = RuleSettings.objects.select_for_update().filter(campaign=campaign).first()
        if current is None:
            defaults = Rules()
            before = {
                "red_periods": defaults.red_periods,
                "red_periods_to_escalate": defaults.red_periods_to_escalate,
                "order_limit_workdays": DEFAULT_ORDER_LIMIT_WORKDAYS,
                "overdue_workdays_to_escalate": defaults.overdue_workdays_to_escalate,
                "missed_reports": defaults.missed_reports,
                "missed_reports_to_escalate": defaults.missed_reports_to_escalate,
                "highest_step": defaults.highest_step.value,
            }
            if expected_version not in (None, 0):
                raise StaleVersion()
            settings_row = RuleSettings.objects.create(
                campaign=campaign, updated_by=actor, updated_at=clock.now(), **clean
            )
        else:
            before = snapshot(current, RULE_FIELDS)
            for name, value in clean.items():
                setattr(current, name, value)
            current.updated_by = actor
            current.updated_at = clock.now()
            save_versioned(
                current,
                expected_version=expected_version or 0,
                fields=[*RULE_FIELDS, "updated_by", "updated_at"],
            )
            settings_row = current
        record(
            actor=actor,
            action="accountability.rules.save",
            obj=campaign,
            before=before,
            after=snapshot(settings_row, RULE_FIELDS),
        )
    return settings_row
