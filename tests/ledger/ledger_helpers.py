"""Building ledger state for tests, through the services (plain functions, not fixtures)."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from kaimen.campaigns.models import Campaign
from kaimen.ledger import services
from kaimen.ledger.models import Decision, Task
from kaimen.org.demo import DEPARTMENTS
from kaimen.org.models import Unit, UnitKind

SPEECH = (
    Path(__file__).resolve().parents[2]
    / "kaimen"
    / "ledger"
    / "data"
    / "2025-q1-kaimenhong-speech.txt"
)
_serial = itertools.count(1)


def add_departments(cast) -> dict[str, Unit]:
    """The demo district's departments, under the cast's leadership (the speech names them)."""
    units = {}
    for order, name in enumerate(DEPARTMENTS, start=10):
        units[name], _ = Unit.objects.get_or_create(
            name=name,
            defaults={"kind": UnitKind.DEPARTMENT, "parent": cast.top, "sort_order": order},
        )
    return units


def speech_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile(SPEECH.name, SPEECH.read_bytes(), content_type="text/plain")


def publish_speech(cast, *, name: str = "2025年一季度开门红") -> tuple[Campaign, list[Task]]:
    draft = services.draft_create_from_file(actor=cast.office, upload=speech_upload(), year=2025)
    services.draft_accept_complete(actor=cast.office, draft=draft)
    result = services.draft_publish(
        actor=cast.office,
        draft=draft,
        new_campaign=services.NewCampaign(name, date(2025, 2, 5), date(2025, 3, 31)),
    )
    return result.campaign, result.tasks


def make_tasks(
    cast,
    specs: list[tuple[Unit, list[Unit]]],
    *,
    deadline: date,
    campaign: Campaign | None = None,
    milestones: list[dict[str, str]] | None = None,
    cadence: str = "weekly",
) -> list[Task]:
    """Publish one task per (lead unit, co-units) through paste → review → publish."""
    serial = next(_serial)
    lines = [f"第{serial}号测试工作安排(2025年)", "一、重点工作"]
    lines += [
        f"{i}. 要加快推进第{serial}批第{i}项重点工程建设,确保按期完成。"
        for i in range(1, len(specs) + 1)
    ]
    draft = services.draft_create_from_text(actor=cast.office, text="\n".join(lines), year=2025)
    items = list(draft.items.filter(is_leaf=True).order_by("order"))
    assert len(items) == len(specs), [i.path for i in items]
    for item, (lead, co) in zip(items, specs, strict=True):
        services.draft_item_update(
            actor=cast.office,
            item=item,
            expected_version=item.version,
            heading=item.heading,
            text=item.text,
            kind="task",
            lead_unit=lead,
            co_units=co,
            deadline=deadline,
            cadence=cadence,
            milestones=milestones or [],
        )
        item.refresh_from_db()
        services.draft_item_decide(actor=cast.office, item=item, decision=Decision.ACCEPTED)
    if campaign is None:
        result = services.draft_publish(
            actor=cast.office,
            draft=draft,
            new_campaign=services.NewCampaign(f"测试战役{serial}", date(2025, 1, 1), deadline),
        )
    else:
        result = services.draft_publish(actor=cast.office, draft=draft, campaign=campaign)
    return result.tasks
