"""The office's responsibility table (职责对照表), which the parser uses to suggest lead units."""

from __future__ import annotations

from django.db import transaction

from kaimen.audit.services import record
from kaimen.ledger.models import ResponsibilityEntry, split_keywords
from kaimen.ledger.parsing.units import default_responsibility
from kaimen.lib import clock
from kaimen.lib.errors import ValidationError
from kaimen.lib.versioning import save_versioned
from kaimen.org import scope
from kaimen.org.models import Unit
from kaimen.org.scope import Perm

MAX_KEYWORDS = 60


def _clean(keywords: str, duties: str) -> tuple[str, str]:
    words = split_keywords(keywords)
    if not words:
        raise ValidationError("请至少填写一个关键词(用顿号、逗号或换行分隔)。", field="keywords")
    if len(words) > MAX_KEYWORDS:
        raise ValidationError(
            f"关键词最多 {MAX_KEYWORDS} 个,现有 {len(words)} 个:请删去不常用的。", field="keywords"
        )
    too_long = [w for w in words if len(w) > 20]
    if too_long:
        raise ValidationError(
            f"关键词“{too_long[0][:20]}…”过长:每个关键词不超过 20 个字。", field="keywords"
        )
    return "、".join(words), (duties or "").strip()[:2000]


def responsibility_save(
    *, actor, unit: Unit, keywords: str, duties: str = "", expected_version: int | None = None
) -> ResponsibilityEntry:
    """Create the unit's entry, or change it from ``expected_version`` (optimistic locking)."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    keywords, duties = _clean(keywords, duties)
    entry = ResponsibilityEntry.objects.filter(unit=unit).first()
    with transaction.atomic():
        if entry is None:
            entry = ResponsibilityEntry.objects.create(
                unit=unit, keywords=keywords, duties=duties, updated_at=clock.now()
            )
            record(
                actor=actor,
                action="responsibility.create",
                obj=entry,
                unit=unit,
                after={"keywords": keywords, "duties": duties},
            )
            return entry
        if expected_version is None:
            raise ValidationError("该单位已有对照条目:请在原条目上修改。", field="unit")
        before = {"keywords": entry.keywords, "duties": entry.duties}
        entry.keywords, entry.duties, entry.updated_at = keywords, duties, clock.now()
        save_versioned(
            entry, expected_version=expected_version, fields=["keywords", "duties", "updated_at"]
        )
        record(
            actor=actor,
            action="responsibility.update",
            obj=entry,
            unit=unit,
            before=before,
            after={"keywords": keywords, "duties": duties},
        )
    return entry


def responsibility_remove(*, actor, entry: ResponsibilityEntry) -> None:
    scope.require(actor, Perm.LEDGER_MANAGE)
    with transaction.atomic():
        before = {"unit": entry.unit_id, "keywords": entry.keywords}
        # The table is configuration, not a record of work: removing a row is allowed, and the
        # audit event keeps what it said.
        ResponsibilityEntry.objects.filter(pk=entry.pk).delete()
        record(
            actor=actor,
            action="responsibility.remove",
            obj=entry,
            unit=entry.unit,
            before=before,
        )


def responsibility_load_defaults(*, actor) -> int:
    """Fill the table from the one shipped with Kaimen, for units the district has and that have
    no entry yet. Returns how many entries were added (one audit event for the batch)."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    return _load_defaults(actor=actor)


def _load_defaults(*, actor) -> int:
    units = {u.name: u for u in Unit.objects.filter(is_active=True)}
    have = set(ResponsibilityEntry.objects.values_list("unit_id", flat=True))
    now = clock.now()
    rows = [
        ResponsibilityEntry(
            unit=units[rule.unit],
            keywords="、".join(rule.keywords),
            duties=rule.duties,
            updated_at=now,
        )
        for rule in default_responsibility()
        if rule.unit in units and units[rule.unit].pk not in have
    ]
    if not rows:
        return 0
    with transaction.atomic():
        ResponsibilityEntry.objects.bulk_create(rows)
        record(
            actor=actor,
            actor_name=None if actor else "kaimen demo",
            action="responsibility.load_defaults",
            after={"entries": len(rows)},
        )
    return len(rows)
