"""Units a document names that the district's unit tree does not know (区审改办, an old name, a
short form nobody listed): on the review screen the office maps each to a unit, optionally
remembering the name as an alias for the next document, or asks the system administrator to add
the unit. Publishing waits for one of the two."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import F

from kaimen.audit.services import record
from kaimen.ledger.models import DraftItem, UnitAlias
from kaimen.ledger.services.drafts import _require_open
from kaimen.lib import clock
from kaimen.lib.errors import ValidationError
from kaimen.org import scope
from kaimen.org.models import Unit
from kaimen.org.scope import Perm

MAPPED = "mapped"
REFERRED = "referred"


def _entry(item: DraftItem, name: str) -> tuple[list[dict], dict]:
    entries = [dict(e) for e in item.unmatched_units]
    for entry in entries:
        if entry.get("name") == name:
            return entries, entry
    raise ValidationError(
        f"这一条没有待对应的单位“{name[:30]}”：页面可能已过期，请刷新后再试。", field="name"
    )


def _locked(item: DraftItem) -> DraftItem:
    return DraftItem.objects.select_for_update().select_related("draft").get(pk=item.pk)


def draft_item_map_unit(
    *, actor, item: DraftItem, name: str, unit: Unit, remember: bool = False
) -> DraftItem:
    """The name ``name`` the document gives for this item means ``unit``: it becomes the lead
    (if the document named it as lead and no lead is set) or a co-unit. With ``remember``, the
    name is kept as an alias of the unit, so the next document that uses it is matched."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    if not unit.is_active:
        raise ValidationError(f"单位“{unit.name}”已停用，请选择在用的单位。", field="unit")
    alias_name = name.strip()[:60]
    with transaction.atomic():
        item = _locked(item)
        _require_open(item.draft)
        entries, entry = _entry(item, name)
        before = {"unmatched_units": item.unmatched_units, "lead_unit": item.lead_unit_id}
        entry.update(status=MAPPED, unit=unit.pk, unit_name=unit.name)
        item.unmatched_units = entries
        co_ids = set(item.co_units.values_list("pk", flat=True))
        if entry.get("role") == "lead" and item.lead_unit_id in (None, unit.pk):
            item.lead_unit = unit
            co_ids.discard(unit.pk)
        elif unit.pk != item.lead_unit_id:
            co_ids.add(unit.pk)
        DraftItem.objects.filter(pk=item.pk).update(
            unmatched_units=entries, lead_unit=item.lead_unit, version=F("version") + 1
        )
        item.version += 1
        item.co_units.set(sorted(co_ids))
        alias = None
        if remember:
            alias = _remember(actor=actor, name=alias_name, unit=unit)
        record(
            actor=actor,
            action="ledger.draft.item_map_unit",
            obj=item,
            before=before,
            after={
                "name": name,
                "unit": unit.pk,
                "lead_unit": item.lead_unit_id,
                "co_units": sorted(co_ids),
                "alias": alias.pk if alias is not None else None,
            },
        )
    return item


def _remember(*, actor, name: str, unit: Unit) -> UnitAlias | None:
    if not name:
        return None
    if name == unit.name:
        return None
    known = UnitAlias.objects.filter(name=name).select_related("unit").first()
    if known is not None:
        if known.unit_id != unit.pk:
            raise ValidationError(
                f"“{name}”已记为“{known.unit.name}”的简称，不能再记为“{unit.name}”："
                "如需更正，请先在职责对照表页删除原简称。",
                field="remember",
            )
        return known
    if Unit.objects.filter(name=name).exists():
        raise ValidationError(
            f"“{name}”本身就是一个单位的名称，不能记为“{unit.name}”的简称。", field="remember"
        )
    try:
        with transaction.atomic():
            return UnitAlias.objects.create(
                name=name, unit=unit, created_by=actor, created_at=clock.now()
            )
    except IntegrityError as exc:
        # Someone recorded the same name a moment ago.
        raise ValidationError(
            f"“{name}”刚被他人记为简称，请刷新页面后查看。", field="remember"
        ) from exc


def draft_item_refer_unit(*, actor, item: DraftItem, name: str) -> DraftItem:
    """The district lacks the unit the document names: the office records that it has asked the
    system administrator to add it (administrators receive no business notifications, 三员分立,
    so the request goes outside Kaimen; the audit trail keeps it). The item can then be
    published with the units it has."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    with transaction.atomic():
        item = _locked(item)
        _require_open(item.draft)
        entries, entry = _entry(item, name)
        before = {"unmatched_units": item.unmatched_units}
        entry.update(status=REFERRED, unit=None)
        DraftItem.objects.filter(pk=item.pk).update(
            unmatched_units=entries, version=F("version") + 1
        )
        item.unmatched_units = entries
        item.version += 1
        record(
            actor=actor,
            action="ledger.draft.item_refer_unit",
            obj=item,
            before=before,
            after={"name": name, "status": REFERRED},
        )
    return item


def unit_alias_add(*, actor, name: str, unit: Unit) -> UnitAlias:
    """The office records another name of a unit (区审改办 for 区委改革办) so that documents
    using it are matched; it takes precedence over the short names shipped with Kaimen."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    cleaned = re.sub(r"\s+", "", name or "")
    if not cleaned:
        raise ValidationError("请填写文件中使用的单位名称（如“区发改局”）。", field="name")
    if len(cleaned) > 60:
        raise ValidationError("名称最多 60 个字，请只填写单位名称。", field="name")
    if not unit.is_active:
        raise ValidationError(f"单位“{unit.name}”已停用，请选择在用的单位。", field="unit")
    if cleaned == unit.name:
        raise ValidationError("这就是该单位的全称，无需另记。", field="name")
    with transaction.atomic():
        known = UnitAlias.objects.filter(name=cleaned).select_related("unit").first()
        if known is not None:
            raise ValidationError(
                f"“{cleaned}”已记为“{known.unit.name}”的简称：如需更正，请先删除原简称。",
                field="name",
            )
        alias = _remember(actor=actor, name=cleaned, unit=unit)
        record(
            actor=actor,
            action="ledger.unit_alias.add",
            obj=alias,
            unit=unit,
            after={"name": cleaned, "unit": unit.pk},
        )
    return alias


def unit_alias_remove(*, actor, alias: UnitAlias) -> None:
    """The office takes back a remembered name (it was mapped to the wrong unit)."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    with transaction.atomic():
        before = {"name": alias.name, "unit": alias.unit_id}
        record(actor=actor, action="ledger.unit_alias.remove", obj=alias, before=before)
        alias.delete()
