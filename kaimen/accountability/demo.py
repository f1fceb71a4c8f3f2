"""The demo campaign's accountability record: the rules run on 1 April 2025 over the demo ledger
and the demo targets, the office confirms one proposal and dismisses another with its reasons,
and the 区商务局's liaison explains.

The office first sets the campaign's red-light threshold to two periods in a row: a one-quarter
campaign sees only two or three statistics releases, so the default of three would never fire
inside it. Everything goes through the services at the real time (the audit trail tells the
truth about when the demo was loaded); afterwards the demo moves its business dates into April
of the story's year (written as 2025; see ``kaimen.lib.demo_calendar``), as the ledger's demo
does. Idempotent: once the demo campaign has
any proposal, nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction

from kaimen.accountability import services
from kaimen.accountability.models import Explanation, Proposal, RuleChoice, StepChoice
from kaimen.campaigns.demo import CAMPAIGN
from kaimen.campaigns.models import Campaign
from kaimen.lib import demo_calendar
from kaimen.org.models import Membership, Role, User

TZ = ZoneInfo("Asia/Shanghai")
RUN_DAY = demo_calendar.day(4, 1)
DECISION_DAY = demo_calendar.day(4, 2)
CONFIRM_REASON = (
    "经核实，首发经济、品牌经济任务在督办单下发后仍未按时办结，进展报送多次滞后，"
    "同意对区商务局主要负责人进行约谈，约谈时间另行通知。"
)
DISMISS_REASON = (
    "经核实，两次逾期均为任务分解表2月5日印发后的首个报送周期，不足一周即到期；"
    "此后该局均按时报送，不予提醒。"
)
# The 区商务局's liaison explains the overdue task and the red light of its 到位资金 (by matter).
EXPLANATIONS = {
    "task:": (
        "首店项目因品牌方总部审批延后，签约推迟至4月第一周；新品发布会场地已落实，"
        "定于4月10日举办。已建立周调度机制，确保4月中旬前办结。（示范数据）"
    ),
    "indicator:investment_funds": (
        "一季度两个签约项目的资金须待外资登记完成后到位，约1.2亿元预计4月中旬入账，"
        "届时完成率可回到时间进度以上。（示范数据）"
    ),
}


@dataclass
class AccountabilityDemoResult:
    created: bool
    proposed: int = 0
    confirmed: int = 0
    dismissed: int = 0


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


def _member(unit_id: int, role: str) -> User | None:
    membership = (
        Membership.objects.filter(unit_id=unit_id, role=role, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def load_demo_accountability() -> AccountabilityDemoResult:
    campaign = Campaign.objects.filter(name=CAMPAIGN).first()
    if campaign is None or Proposal.objects.filter(campaign=campaign).exists():
        return AccountabilityDemoResult(created=False)
    office = (
        User.objects.filter(
            memberships__role=Role.OFFICE, memberships__is_active=True, is_active=True
        )
        .order_by("pk")
        .first()
    )
    if office is None:
        return AccountabilityDemoResult(created=False)
    result = AccountabilityDemoResult(created=True)
    with transaction.atomic():
        rules, order_limit = services.rules_for(campaign)
        services.rules_save(
            actor=office,
            campaign=campaign,
            expected_version=None,
            red_periods=2,
            red_periods_to_escalate=rules.red_periods_to_escalate,
            order_limit_workdays=order_limit,
            overdue_workdays_to_escalate=rules.overdue_workdays_to_escalate,
            missed_reports=rules.missed_reports,
            missed_reports_to_escalate=rules.missed_reports_to_escalate,
            highest_step=rules.highest_step.value,
        )
        run = services.proposals_run(campaign=campaign, today=RUN_DAY)
        result.proposed = run.proposed
        proposals = list(Proposal.objects.filter(campaign=campaign).order_by("pk"))
        interview = next(
            (p for p in proposals if p.rule == RuleChoice.OVERDUE_PAST_ORDER),
            None,
        )
        first_step = next(
            (
                p
                for p in proposals
                if p.rule == RuleChoice.MISSED_REPORTS and p.step == StepChoice.REMIND
            ),
            None,
        )
        if interview is not None:
            services.proposal_confirm(actor=office, proposal=interview, reason=CONFIRM_REASON)
            result.confirmed = 1
        if first_step is not None:
            services.proposal_dismiss(actor=office, proposal=first_step, reason=DISMISS_REASON)
            result.dismissed = 1
        # The unit sees (and explains) a proposal only once a person has confirmed it.
        for p in Proposal.objects.filter(campaign=campaign, status="confirmed").order_by("pk"):
            text = next((t for m, t in EXPLANATIONS.items() if p.subject.startswith(m)), None)
            liaison = _member(p.unit_id, Role.LIAISON)
            if text and liaison is not None:
                services.explanation_add(actor=liaison, proposal=p, text=text)
        # The story's dates: proposed on the morning of 1 April, decided and explained on 2 April.
        Proposal.objects.filter(campaign=campaign).update(proposed_at=_at(RUN_DAY, 8))
        Proposal.objects.filter(campaign=campaign, decided_at__isnull=False).update(
            decided_at=_at(DECISION_DAY, 10)
        )
        Explanation.objects.filter(proposal__campaign=campaign).update(
            created_at=_at(DECISION_DAY, 15)
        )
    return result


def run_demo(write) -> None:
    """Accountability's part of ``kaimen demo`` (after the ledger and the targets: the rules
    run over both)."""
    accountability = load_demo_accountability()
    if accountability.created:
        write(
            f"Accountability: {accountability.proposed} proposals, "
            f"{accountability.confirmed} confirmed and {accountability.dismissed} dismissed."
        )
    else:
        write("Accountability: already there, unchanged.")
