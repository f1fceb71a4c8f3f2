"""The notification targets sends, and its wording: a red light still without its owner unit's
explanation (说明). The jobs that find such lights are in ``red_light_jobs``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kaimen.lib.contracts import events
from kaimen.notifications.notify import Notified, notify

RED_LIGHT = events.EventType(
    "red_light", _("Red light awaiting explanation"), app="targets", order=20
)

RED_LIGHT_ADVICE = "请在“指标监测”中填写说明（原因及下一步措施），说明将写入调度通报。"


def register_events() -> None:
    events.register(RED_LIGHT)


def red_light(*, row, unit_id: int) -> Notified:
    """One red light of the board (``row``: a target and its period) told to the liaisons of
    ``unit_id``, the unit that owes the explanation. Idempotent: the key is indicator × unit ×
    period."""
    target, period = row.target, row.period
    month = period.end_month
    query = f"?year={target.year}&month={month}&indicator={target.indicator_id}&focus={target.pk}"
    return notify(
        RED_LIGHT.code,
        title=f"红灯待说明：{target.unit.name}{target.indicator.name}（{period.label}）",
        body=f"{row.result.explanation}\n{RED_LIGHT_ADVICE}",
        link=reverse("targets:monitoring") + query,
        units=[unit_id],
        dedupe_key=f"red:{target.indicator_id}:{target.unit_id}:{target.year}-{month}",
    )
