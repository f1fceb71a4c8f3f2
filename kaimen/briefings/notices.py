"""The notification the briefings send, and its wording: a briefing was built."""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kaimen.lib.contracts import events
from kaimen.notifications.notify import Notified, notify
from kaimen.org.models import Role

log = logging.getLogger(__name__)

BRIEFING_BUILT = events.EventType("briefing_built", _("Briefing built"), app="briefings", order=10)
BRIEFING_ISSUED = events.EventType(
    "briefing_issued", _("Briefing issued"), app="briefings", order=11
)


def register_events() -> None:
    events.register(BRIEFING_BUILT)
    events.register(BRIEFING_ISSUED)


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
                BRIEFING_BUILT.code,
                title=f"调度通报{briefing.label}已生成",
                body="\n".join(lines),
                link=reverse("briefings:briefing_list"),
                roles=[Role.LEADER, Role.OFFICE],
                dedupe_key=f"briefing:{briefing.pk}",
            )
    except Exception:
        log.exception("the notifications of briefing %s could not be written", briefing.pk)
        return None


def briefing_issued(*, briefing, snapshot=None) -> Notified | None:
    """The office issued the briefing (签发): leaders and the office get its number."""
    try:
        with transaction.atomic():
            return notify(
                BRIEFING_ISSUED.code,
                title=f"调度通报{briefing.label}已签发",
                body=f"调度通报{briefing.label}（{briefing.period}）已签发，可在平台下载Word正文和Excel附表。",
                link=reverse("briefings:briefing_list"),
                roles=[Role.LEADER, Role.OFFICE],
                dedupe_key=f"briefing:{briefing.pk}:issued",
            )
    except Exception:
        log.exception("the notifications of briefing %s could not be written", briefing.pk)
        return None
