"""The events that send notifications, one function each, for the modules that cause them.

- ``briefing_built``: the weekly or on-demand briefing (调度通报), to leaders and the office;
- ``red_lights_notify``: red lights still without their owner unit's explanation (说明), to that
  unit's liaisons, once per indicator, unit and period;
- ``ranking_published``: a ranking or 红黑榜 the office has published (for ``evaluation``);
- ``accountability_step_confirmed``: a confirmed step of the ladder 提醒 → 督办 → 约谈 → 通报 →
  问责建议 (for ``accountability``);
- ``supervision_issued``: a 提醒, 督办单 or 通报 the office confirmed on a ledger task, to the lead
  unit's liaisons (for ``ledger``);
- ``instruction_given``: a leader's 批示 on a task, to the lead unit's liaisons (for ``ledger``).

Each writes in the caller's transaction through ``notify.notify``; the external channels are
sent after the commit, so a receiver that is down never undoes or loses what caused the message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse

from kaimen.briefings.models import NotificationEvent
from kaimen.briefings.notify import Notified, notify
from kaimen.lib import clock
from kaimen.org.models import Role

log = logging.getLogger(__name__)

RED_LIGHT_ADVICE = "请在“指标监测”中填写说明（原因及下一步措施），说明将写入调度通报。"


def briefing_built(*, briefing, snapshot=None) -> Notified | None:
    """The briefing is saved; tell leaders and the office, with the summary and the link.

    Called inside the briefing's transaction, in a savepoint: if writing the messages fails,
    the briefing is kept and the failure only logged (a briefing is never lost to a message).
    """
    overview = getattr(snapshot, "overview", None)
    lines = [
        f"调度通报{briefing.label}（{briefing.period}）已生成，可在平台下载Word正文和Excel附表。"
    ]
    if overview is not None:
        lines.append(
            f"主要指标：红灯{overview.red}项、黄灯{overview.yellow}项、绿灯{overview.green}项；"
            f"重点任务{overview.tasks_total}项，已完成{overview.tasks_done}项，"
            f"逾期{overview.tasks_overdue}项。"
        )
        if overview.paragraphs:
            lines.append(overview.paragraphs[0][:600])
    try:
        with transaction.atomic():
            return notify(
                NotificationEvent.BRIEFING_BUILT,
                title=f"调度通报{briefing.label}已生成",
                body="\n".join(lines),
                link=reverse("briefings:briefing_list"),
                roles=[Role.LEADER, Role.OFFICE],
                dedupe_key=f"briefing:{briefing.pk}",
            )
    except Exception:
        log.exception("the notifications of briefing %s could not be written", briefing.pk)
        return None


def red_lights_notify(*, year: int, end_month: int, indicator_id: int | None = None) -> int:
    """Tell each owner unit about its red lights that have no explanation yet; returns how many
    lights were announced to someone new. Idempotent: the key is indicator × unit × period."""
    from kaimen.targets.board import board_rows
    from kaimen.targets.selectors import responsible_unit_id

    announced = 0
    for row in board_rows(year=year, end_month=end_month, indicator_id=indicator_id):
        if not row.needs_explanation or row.period is None:
            continue
        target, period = row.target, row.period
        month = period.end_month
        query = (
            f"?year={target.year}&month={month}&indicator={target.indicator_id}&focus={target.pk}"
        )
        result = notify(
            NotificationEvent.RED_LIGHT,
            title=f"红灯待说明：{target.unit.name}{target.indicator.name}（{period.label}）",
            body=f"{row.result.explanation}\n{RED_LIGHT_ADVICE}",
            link=reverse("targets:monitoring") + query,
            units=[responsible_unit_id(target)],
            dedupe_key=f"red:{target.indicator_id}:{target.unit_id}:{target.year}-{month}",
        )
        if result.notifications or result.deliveries:
            announced += 1
    return announced


def red_lights_notify_latest() -> int:
    """The latest release of the current year (the daily safety net)."""
    from kaimen.targets.selectors import latest_period_with_figures

    year = clock.today().year
    month = latest_period_with_figures(year)
    return red_lights_notify(year=year, end_month=month) if month else 0


def red_lights_check_on_commit(*, year: int, end_month: int, indicator_id: int | None = None):
    """For the figures' services: after the figure is committed, queue the red-light check of
    its indicator and period (``indicator_id=None``: every indicator, after an import). A queue
    that is down never fails the figure; the daily check catches up."""

    def enqueue() -> None:
        from kaimen.briefings.notify_tasks import red_lights_check_task

        red_lights_check_task(int(year), int(end_month), indicator_id)

    transaction.on_commit(enqueue, robust=True)


def ranking_published(
    *,
    title: str,
    summary: str,
    link: str,
    unit_ids: Iterable[int] = (),
    dedupe_key: str = "",
) -> Notified:
    """A ranking or 红黑榜 the office published: leaders, the office, and the liaisons of the
    ranked units (each unit then reads its own standing behind ``link``). Call it inside the
    publishing service's transaction; pass e.g. ``dedupe_key=f"ranking:{ranking.pk}"``."""
    return notify(
        NotificationEvent.RANKING_PUBLISHED,
        title=title,
        body=summary,
        link=link,
        units=unit_ids,
        roles=[Role.LEADER, Role.OFFICE],
        dedupe_key=dedupe_key,
    )


def accountability_step_confirmed(
    *,
    unit,
    step: str,
    reason: str,
    link: str,
    users: Iterable = (),
    dedupe_key: str = "",
) -> Notified:
    """A person confirmed a step (提醒, 督办, 约谈, 通报, 问责建议) for ``unit``: its liaisons
    (who may attach the unit's explanation) and the district leaders are told. Call it inside
    the confirming service's transaction; pass e.g. ``dedupe_key=f"accountability:{step.pk}"``.
    """
    name = getattr(unit, "name", "")
    return notify(
        NotificationEvent.ACCOUNTABILITY_CONFIRMED,
        title=f"{name}：{step}已确认" if name else f"{step}已确认",
        body=reason,
        link=link,
        units=[unit],
        users=users,
        roles=[Role.LEADER],
        dedupe_key=dedupe_key,
    )


# Ledger levels as the office and the units say them; the ledger's own labels are translated UI.
_SUPERVISION_LABELS = {"reminder": "提醒", "order": "督办单", "notice": "通报"}


def supervision_issued(*, step) -> Notified:
    """The office confirmed a supervision step on a task: its lead unit's liaisons are told
    what, why and where to answer. Call it inside the deciding service's transaction."""
    task = step.task
    label = _SUPERVISION_LABELS.get(step.level, step.level)
    return notify(
        NotificationEvent.SUPERVISION_ISSUED,
        title=f"{label}：任务{task.path}“{task.title[:30]}”",
        body=f"{step.reason}{'（' + step.decision_note + '）' if step.decision_note else ''}"
        "请在任务页报送进展或说明情况。",
        link=reverse("ledger:task_detail", args=[task.pk]),
        units=[task.lead_unit_id],
        dedupe_key=f"supervision:{step.pk}",
    )


def instruction_given(*, instruction) -> Notified:
    """A leader's 批示 on a task: the lead unit's liaisons, who answer it, are told."""
    task = instruction.task
    leader = str(instruction.given_by)
    return notify(
        NotificationEvent.INSTRUCTION_GIVEN,
        title=f"{leader}批示：任务{task.path}“{task.title[:30]}”",
        body=f"{instruction.text}\n请在任务页答复批示。",
        link=reverse("ledger:task_detail", args=[task.pk]),
        units=[task.lead_unit_id],
        dedupe_key=f"instruction:{instruction.pk}",
    )
