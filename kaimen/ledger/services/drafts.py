"""From the speech to the published ledger: upload or paste → parse → draft, the
office's review (edit, merge, split, accept, reject, proposed units) and publishing."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from kaimen.audit.services import record
from kaimen.campaigns.models import Campaign
from kaimen.campaigns.selectors import default_campaign, running_on
from kaimen.campaigns.services import campaign_insert
from kaimen.ledger import storage
from kaimen.ledger.alignment import Locator
from kaimen.ledger.drafting import DraftSpec, build_draft
from kaimen.ledger.models import (
    Cadence,
    Decision,
    DocumentKind,
    DraftItem,
    DraftStatus,
    LedgerDraft,
    Milestone,
    SourceDocument,
    Task,
    TaskKind,
    UnitProposal,
)
from kaimen.ledger.parsing import ParseError, parse_text
from kaimen.ledger.parsing.readers import read_document
from kaimen.ledger.selectors import responsibility_rules, unit_names_and_aliases
from kaimen.ledger.services.common import (
    ITEM_FIELDS,
    MAX_PASTE_CHARS,
    clean_text,
    refresh_lights,
    units_by_name,
)
from kaimen.lib import clock, official_calendar
from kaimen.lib.errors import ValidationError
from kaimen.lib.uploads import safe_file_name
from kaimen.lib.versioning import save_versioned, snapshot
from kaimen.org import scope
from kaimen.org.models import Unit, UnitKind
from kaimen.org.scope import Perm

# ---------------------------------------------------------------------------------------------
# Upload / paste → parse → draft


_YEAR_IN_TITLE = re.compile(r"(20\d{2})\s*年")
# The parser is also a command-line tool and names its option; the office uploads through a form.
_NO_YEAR_OPTION = re.compile(r"[（(]\s*--year\s*[）)]")
_NO_YEAR_HINT = "（在上传页的“战役年份”一栏填写年份后重新上传）"


def _year_in(title: str) -> int | None:
    match = _YEAR_IN_TITLE.search(title or "")
    return int(match.group(1)) if match else None


def _current_campaign_year() -> int | None:
    campaign = running_on(clock.today()) or default_campaign()
    return campaign.year if campaign else None


def _for_office(flags: Iterable[str]) -> list[str]:
    return [_NO_YEAR_OPTION.sub(_NO_YEAR_HINT, str(flag)) for flag in flags]


def _parse_once(
    text: str, *, hard_wrapped: bool | None, year: int | None, campaign: Campaign | None
) -> DraftSpec:
    names, aliases = unit_names_and_aliases()
    parsed = parse_text(
        text,
        year=year,
        hard_wrapped=hard_wrapped,
        campaign_end=campaign.end if campaign else None,
        responsibility=responsibility_rules(),
        units=names,
        aliases=aliases,
    ).to_dict()
    return build_draft(parsed, source=text, units=units_by_name())


def _parse(
    text: str,
    *,
    hard_wrapped: bool | None,
    year: int | None,
    campaign: Campaign | None,
    title: str = "",
) -> DraftSpec:
    """The draft for ``text``. The campaign year is, in this order: the one typed on the form,
    the one in the typed title, the chosen campaign's, the one the parser finds in the
    document's title or preamble, and last the current campaign's."""
    year = year or _year_in(title) or (campaign.year if campaign else None)
    spec = _parse_once(text, hard_wrapped=hard_wrapped, year=year, campaign=campaign)
    if spec.year is None and (fallback := _current_campaign_year()) is not None:
        spec = _parse_once(text, hard_wrapped=hard_wrapped, year=fallback, campaign=campaign)
        spec.year = fallback
    if not any(item.is_leaf for item in spec.items):
        raise ValidationError(
            "没有在文中找到讲话的层次编号（如“一、”“（一）”“一是”），无法拆分任务。"
            "请确认上传的是讲话稿或工作方案正文；没有编号的文稿请先在 Word 中按条目编号后再上传。",
            field="file",
            code="no_markers",
        )
    spec.flags = _for_office(spec.flags)
    for item in spec.items:
        item.flags = _for_office(item.flags)
    return spec


def _store_draft(
    *,
    actor,
    kind: str,
    title: str,
    original_name: str,
    sha256: str,
    size: int,
    stored_name: str,
    text: str,
    spec: DraftSpec,
    year: int | None,
    campaign: Campaign | None,
    previous: SourceDocument | None,
) -> LedgerDraft:
    now = clock.now()
    document = SourceDocument.objects.create(
        title=title,
        original_name=original_name[:200],
        kind=kind,
        sha256=sha256,
        number=previous.number + 1 if previous else 1,
        previous=previous,
        size=size,
        stored_name=stored_name,
        extracted_text=text,
        uploaded_by=actor,
        uploaded_at=now,
    )
    draft = LedgerDraft.objects.create(
        document=document,
        campaign=campaign,
        year=year,
        campaign_end=campaign.end if campaign else spec.campaign_end,
        drafted_by=spec.drafted_by,
        flags=spec.flags,
        preamble=spec.preamble,
        created_by=actor,
        created_at=now,
    )
    rows = DraftItem.objects.bulk_create(
        DraftItem(
            draft=draft,
            order=item.order,
            path=item.path,
            parent_path=item.parent_path,
            marker=item.marker,
            level=item.level,
            is_leaf=item.is_leaf,
            heading=item.heading,
            text=item.text,
            source_start=item.span.start if item.span else None,
            source_end=item.span.end if item.span else None,
            kind=item.kind,
            reason=item.reason,
            lead_unit_id=item.lead_unit_id,
            deadline=item.deadline,
            deadline_phrase=item.deadline_phrase,
            cadence=item.cadence,
            milestones=item.milestones,
            flags=item.flags,
            suggestions=item.suggestions,
            named_owner=item.named_owner,
            unmatched_units=item.unmatched_units,
        )
        for item in spec.items
    )
    through = DraftItem.co_units.through
    through.objects.bulk_create(
        through(draftitem_id=row.pk, unit_id=unit_id)
        for row, item in zip(rows, spec.items, strict=True)
        for unit_id in item.co_unit_ids
    )
    UnitProposal.objects.bulk_create(
        UnitProposal(
            draft=draft,
            name=p.name,
            kind=p.kind,
            duty=p.duty,
            source=p.source,
            path=p.path,
        )
        for p in spec.proposals
    )
    record(
        actor=actor,
        action="ledger.draft.create",
        obj=draft,
        after={
            "document": document.pk,
            "kind": kind,
            "sha256": sha256,
            "version": document.number,
            "previous": previous.pk if previous else None,
            "title": document.title,
            "year": draft.year,
            "items": len(spec.items),
            "tasks": sum(1 for i in spec.items if i.kind == TaskKind.TASK),
            "unit_proposals": len(spec.proposals),
        },
    )
    return draft


@dataclass(frozen=True)
class DraftUpload:
    """What an upload or paste led to: a new draft (a new version when the same file was read
    before under another title or year), or the draft already made from this file with this
    title and year (``reopened``)."""

    draft: LedgerDraft
    reopened: bool


def _versions(sha256: str) -> list[SourceDocument]:
    return list(
        SourceDocument.objects.filter(sha256=sha256).select_related("draft").order_by("number")
    )


def _matching(versions: Sequence[SourceDocument], title: str, year: int | None):
    for document in reversed(versions):
        if document.title == title and document.draft.year == year:
            return document.draft
    return None


def _draft_from_source(
    *,
    actor,
    kind: str,
    original_name: str,
    sha256: str,
    size: int,
    text: str,
    hard_wrapped: bool | None,
    title: str,
    year: int | None,
    campaign: Campaign | None,
    keep: Callable[[], str] | None = None,
    discard: Callable[[str], None] | None = None,
) -> DraftUpload:
    spec = _parse(text, hard_wrapped=hard_wrapped, year=year, campaign=campaign, title=title)
    title = (title or spec.title or Path(original_name).stem or "讲话稿").strip()[:200]
    year = spec.year or year
    existing = _matching(_versions(sha256), title, year)
    if existing is not None:
        return DraftUpload(existing, reopened=True)
    stored_name = keep() if keep else ""
    try:
        # Two uploads of one file at the same moment may both take the next version number; the
        # database lets one win, and the other tries once more with the number after it.
        for _attempt in range(2):
            try:
                outcome = _insert_version(
                    actor=actor,
                    kind=kind,
                    title=title,
                    original_name=original_name,
                    sha256=sha256,
                    size=size,
                    stored_name=stored_name,
                    text=text,
                    spec=spec,
                    year=year,
                    campaign=campaign,
                )
            except IntegrityError:
                existing = _matching(_versions(sha256), title, year)
                if existing is not None:
                    outcome = DraftUpload(existing, reopened=True)
                else:
                    continue
            if outcome.reopened and discard and stored_name:
                discard(stored_name)
            return outcome
        raise ValidationError(
            "同一文件正由他人同时上传，本次未能保存。请稍候片刻后重新上传。",
            field="file",
            code="busy",
        )
    except BaseException:
        if (
            discard
            and stored_name
            and not LedgerDraft.objects.filter(document__stored_name=stored_name).exists()
        ):
            discard(stored_name)
        raise


def _insert_version(*, sha256: str, title: str, year: int | None, **fields) -> DraftUpload:
    with transaction.atomic():
        # of=self: PostgreSQL cannot lock the outer-joined draft side, and need not.
        versions = list(
            SourceDocument.objects.select_for_update(of=("self",))
            .filter(sha256=sha256)
            .select_related("draft")
            .order_by("number")
        )
        existing = _matching(versions, title, year)
        if existing is not None:
            return DraftUpload(existing, reopened=True)
        draft = _store_draft(
            sha256=sha256,
            title=title,
            year=year,
            previous=versions[-1] if versions else None,
            **fields,
        )
        return DraftUpload(draft, reopened=False)


def draft_upload_file(
    *,
    actor,
    upload: UploadedFile,
    title: str = "",
    year: int | None = None,
    campaign: Campaign | None = None,
) -> DraftUpload:
    """Read and parse an uploaded speech (.txt / .docx / .pdf) into a draft for review.

    The same file with the same title and year reopens the draft made the first time (nothing
    changes); with another title or year it becomes a new version of that file, linked to the
    one before, which stays as it was. A file that cannot be read leaves nothing stored.
    """
    scope.require(actor, Perm.LEDGER_MANAGE)
    name = safe_file_name(upload.name or "")
    cap = storage.source_max_bytes()
    if upload.size is None or upload.size > cap:
        raise ValidationError(
            f"文件“{name}”大小为 {(upload.size or 0) / 1024 / 1024:.1f} MB，超过上限 "
            f"{cap / 1024 / 1024:.0f} MB。讲话稿正文一般不到 1 MB，请删除其中的图片后再上传。",
            field="file",
            code="too_large",
        )
    sha256, size = storage.hash_chunks(upload.chunks())
    with tempfile.TemporaryDirectory(prefix="kaimen-upload-") as folder:
        # The readers name the file in their messages, so it keeps the user's name here.
        path = Path(folder) / name
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            source = read_document(path, max_bytes=cap)
        except ParseError as exc:
            raise ValidationError(exc.message, field="file", code=exc.code) from exc
    return _draft_from_source(
        actor=actor,
        kind=source.kind,
        original_name=name,
        sha256=sha256,
        size=size,
        text=source.text,
        hard_wrapped=source.hard_wrapped,
        title=(title or "").strip(),
        year=year,
        campaign=campaign,
        keep=lambda: storage.save(storage.SOURCES, upload.chunks()).name,
        discard=lambda stored: storage.remove(storage.SOURCES, stored),
    )


def draft_upload_text(
    *,
    actor,
    text: str,
    title: str = "",
    year: int | None = None,
    campaign: Campaign | None = None,
) -> DraftUpload:
    """Parse pasted text into a draft (versions and reopening as for an upload)."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    text = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n")).strip()
    if not text:
        raise ValidationError("请粘贴讲话稿或工作方案的正文。", field="text")
    if len(text) > MAX_PASTE_CHARS:
        raise ValidationError(
            f"粘贴的文字超过 {MAX_PASTE_CHARS} 字，请改为上传文件。", field="text", code="too_large"
        )
    sha256, size = storage.hash_chunks([text.encode("utf-8")])
    return _draft_from_source(
        actor=actor,
        kind=DocumentKind.PASTE,
        original_name="",
        sha256=sha256,
        size=size,
        text=text,
        hard_wrapped=None,
        title=(title or "").strip(),
        year=year,
        campaign=campaign,
    )


def draft_create_from_file(**kwargs) -> LedgerDraft:
    """The draft of ``draft_upload_file`` (new or reopened)."""
    return draft_upload_file(**kwargs).draft


def draft_create_from_text(**kwargs) -> LedgerDraft:
    """The draft of ``draft_upload_text`` (new or reopened)."""
    return draft_upload_text(**kwargs).draft


# ---------------------------------------------------------------------------------------------
# Reviewing a draft


def _require_open(draft: LedgerDraft) -> None:
    if draft.status != DraftStatus.OPEN:
        raise ValidationError("该台账草稿已发布,不能再修改;发布后的任务请在任务页面调整。")


def _item_snapshot(item: DraftItem) -> dict[str, Any]:
    data = snapshot(item, ITEM_FIELDS)
    data["co_units"] = sorted(item.co_units.values_list("pk", flat=True))
    data["milestones"] = item.milestones
    return data


def _check_milestones(milestones: Sequence[dict[str, str]], deadline: date | None) -> list[dict]:
    cleaned = []
    for milestone in milestones:
        when = date.fromisoformat(milestone["date"])
        label = clean_text(milestone.get("label", ""), field="milestones", max_len=200)
        if deadline is not None and when > deadline:
            raise ValidationError(
                f"节点“{label}”的日期 {when:%Y-%m-%d} 晚于完成时限,请调整。", field="milestones"
            )
        cleaned.append({"label": label, "date": when.isoformat()})
    return cleaned


def draft_item_update(
    *,
    actor,
    item: DraftItem,
    expected_version: int,
    heading: str,
    text: str,
    kind: str,
    lead_unit: Unit | None,
    co_units: Iterable[Unit],
    deadline: date | None,
    cadence: str,
    milestones: Sequence[dict[str, str]] = (),
) -> DraftItem:
    scope.require(actor, Perm.LEDGER_MANAGE)
    _require_open(item.draft)
    if not item.is_leaf:
        raise ValidationError("标题行只表示讲话的层次,不能改为任务;请编辑其下的条目。")
    if kind not in TaskKind.values:
        raise ValidationError("未知的类型。", field="kind")
    if cadence not in Cadence.values:
        raise ValidationError("未知的报送周期。", field="cadence")
    co_ids = sorted({u.pk for u in co_units})
    if lead_unit is not None and lead_unit.pk in co_ids:
        raise ValidationError("牵头单位不能同时是配合单位。", field="co_units")
    before = _item_snapshot(item)
    item.heading = clean_text(heading, field="heading", max_len=300)
    item.text = clean_text(text, field="text", max_len=20_000)
    item.kind = kind
    item.lead_unit = lead_unit
    item.deadline = deadline
    item.cadence = cadence
    item.milestones = _check_milestones(milestones, deadline)
    changed = ["heading", "text", "kind", "lead_unit", "deadline", "cadence", "milestones"]
    if kind != TaskKind.TASK and item.decision == Decision.ACCEPTED:
        item.decision = Decision.PENDING
        changed.append("decision")
    with transaction.atomic():
        save_versioned(item, expected_version=expected_version, fields=changed)
        item.co_units.set(co_ids)
        record(
            actor=actor,
            action="ledger.draft.item_update",
            obj=item,
            before=before,
            after=_item_snapshot(item),
        )
    return item


def _check_acceptable(item: DraftItem) -> None:
    if not item.is_leaf or item.kind != TaskKind.TASK:
        raise ValidationError("只有“任务”类条目可以接受为任务;号召性要求请先改为任务或保留不发布。")
    if item.lead_unit_id is None:
        raise ValidationError("请先指定牵头单位,再接受这条任务。", field="lead_unit")
    if item.deadline is None:
        raise ValidationError("请先填写完成时限,再接受这条任务。", field="deadline")
    waiting = item.open_unmatched()
    if waiting:
        raise ValidationError(
            f"原文点名的单位“{waiting[0]['name']}”在单位名录中找不到：请先在这一条下"
            "“对应到单位”，或选择“请系统管理员增设”，再接受这条任务。",
            field="unmatched_units",
        )


def draft_item_decide(*, actor, item: DraftItem, decision: str) -> DraftItem:
    """Accept a proposed task, reject it, or put it back to review."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    _require_open(item.draft)
    if decision not in Decision.values:
        raise ValidationError("未知的审核结论。", field="decision")
    if decision == Decision.ACCEPTED:
        _check_acceptable(item)
    with transaction.atomic():
        before = {"decision": item.decision}
        DraftItem.objects.filter(pk=item.pk).update(decision=decision)
        item.decision = decision
        record(
            actor=actor,
            action="ledger.draft.item_decide",
            obj=item,
            before=before,
            after={"decision": decision},
        )
    return item


def draft_accept_complete(*, actor, draft: LedgerDraft) -> int:
    """Accept every proposed task that has a lead unit, a deadline and no unit name awaiting a
    decision; the others stay to review."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    _require_open(draft)
    with transaction.atomic():
        ready = draft.items.filter(
            is_leaf=True,
            kind=TaskKind.TASK,
            decision=Decision.PENDING,
            lead_unit__isnull=False,
            deadline__isnull=False,
        )
        # A name the document gives that matches no unit waits for the office's decision.
        ids = [
            pk
            for pk, unmatched in ready.values_list("pk", "unmatched_units")
            if not any(u.get("status") == "open" for u in unmatched or [])
        ]
        DraftItem.objects.filter(pk__in=ids).update(decision=Decision.ACCEPTED)
        record(
            actor=actor,
            action="ledger.draft.accept_complete",
            obj=draft,
            after={"accepted": ids},
        )
    return len(ids)


def _unique_path(draft: LedgerDraft, base: str) -> str:
    taken = set(draft.items.filter(path__startswith=base).values_list("path", flat=True))
    n = 2
    while f"{base}·{n}" in taken:
        n += 1
    return f"{base}·{n}"[:120]


def _renumber(draft: LedgerDraft, ordered: list[DraftItem]) -> None:
    for position, row in enumerate(ordered, start=1):
        row.order = position * 10
    DraftItem.objects.bulk_update(ordered, ["order"])


def draft_item_merge(*, actor, item: DraftItem) -> DraftItem:
    """Merge an item with the next item under the same heading (the parser split one thought
    in two). The merged item goes back to review."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    _require_open(item.draft)
    following = (
        item.draft.items.filter(is_leaf=True, parent_path=item.parent_path, order__gt=item.order)
        .order_by("order")
        .first()
    )
    if not item.is_leaf or following is None:
        raise ValidationError("这一条后面没有同一标题下的条目,无法合并。")
    before = {"items": [_item_snapshot(item), _item_snapshot(following)]}
    with transaction.atomic():
        item.text = f"{item.text}{following.text}"
        if item.source_start is None or following.source_end is None:
            item.source_start = item.source_start or following.source_start
            item.source_end = following.source_end or item.source_end
        else:
            item.source_end = max(item.source_end or 0, following.source_end)
        if following.kind == TaskKind.TASK:
            item.kind = TaskKind.TASK
        if item.deadline and following.deadline:
            item.deadline = max(item.deadline, following.deadline)
        item.deadline = item.deadline or following.deadline
        item.lead_unit_id = item.lead_unit_id or following.lead_unit_id
        item.flags = list(dict.fromkeys([*item.flags, *following.flags]))
        item.milestones = [*item.milestones, *following.milestones]
        item.decision = Decision.PENDING
        co = set(item.co_units.values_list("pk", flat=True))
        co |= set(following.co_units.values_list("pk", flat=True))
        co.discard(item.lead_unit_id)
        following.co_units.clear()
        following.delete()
        item.version += 1
        item.save()
        item.co_units.set(co)
        record(
            actor=actor,
            action="ledger.draft.item_merge",
            obj=item,
            before=before,
            after=_item_snapshot(item),
        )
    return item


def draft_item_split(*, actor, item: DraftItem, at: int) -> DraftItem:
    """Split an item's text at character ``at``; the second half becomes a new item right
    after it, with the same units and deadline, both back to review. Returns the new item."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    draft = item.draft
    _require_open(draft)
    if not item.is_leaf or not 0 < at < len(item.text):
        raise ValidationError("请选择条目中间的一句作为拆分位置。", field="at")
    first, second = item.text[:at].strip(), item.text[at:].strip()
    if not first or not second:
        raise ValidationError("拆分后两部分都不能为空。", field="at")
    before = _item_snapshot(item)
    with transaction.atomic():
        new = DraftItem(
            draft=draft,
            order=item.order + 1,
            path=_unique_path(draft, item.path),
            parent_path=item.parent_path,
            marker=item.marker,
            level=item.level,
            is_leaf=True,
            heading=re.split("[。;;!?!?]", second, maxsplit=1)[0][:300],
            text=second,
            kind=item.kind,
            reason=item.reason,
            lead_unit_id=item.lead_unit_id,
            deadline=item.deadline,
            cadence=item.cadence,
            flags=["由一条拆分而来,请核对单位和时限。"],
        )
        if item.source_start is not None:
            span = Locator(draft.document.extracted_text, start=item.source_start).find(second)
            if span is not None:
                new.source_start, new.source_end = span.start, span.end
                item.source_end = span.start
        item.text = first
        item.decision = Decision.PENDING
        item.version += 1
        item.save()
        new.save()
        new.co_units.set(item.co_units.all())
        ordered = sorted(draft.items.all(), key=lambda row: (row.order, row.pk != item.pk))
        _renumber(draft, ordered)
        record(
            actor=actor,
            action="ledger.draft.item_split",
            obj=item,
            before=before,
            after={"first": _item_snapshot(item), "second": new.pk},
        )
    return new


def unit_proposal_decide(*, actor, proposal: UnitProposal, accept: bool) -> UnitProposal:
    """Accept a unit the speech sets up (e.g. 招商引资专班): link the district's unit of that
    name, or create it (through ``org.services.unit_create``, which writes its own event);
    or reject the proposal."""
    from kaimen.org import services as org_services

    scope.require(actor, Perm.LEDGER_MANAGE)
    _require_open(proposal.draft)
    if proposal.decision != Decision.PENDING:
        raise ValidationError("这一建议已经处理过了。")
    with transaction.atomic():
        unit = None
        if accept:
            unit = Unit.objects.filter(name=proposal.name).first()
            if unit is None:
                unit = org_services.unit_create(
                    actor=actor,
                    name=proposal.name,
                    kind=proposal.kind if proposal.kind in UnitKind.values else UnitKind.TASK_FORCE,
                    duties=proposal.duty,
                )
        proposal.decision = Decision.ACCEPTED if accept else Decision.REJECTED
        proposal.unit = unit
        proposal.save(update_fields=["decision", "unit"])
        record(
            actor=actor,
            action="ledger.draft.unit_proposal",
            obj=proposal,
            after={"decision": proposal.decision, "unit": unit.pk if unit else None},
        )
    return proposal


# ---------------------------------------------------------------------------------------------
# Publishing


@dataclass(frozen=True)
class NewCampaign:
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class PublishResult:
    campaign: Campaign
    created: int
    tasks: list[Task]


def _section_titles(draft: LedgerDraft) -> dict[str, str]:
    return {
        row.path: f"{row.marker}{row.heading}"
        for row in draft.items.filter(level=1).only("path", "marker", "heading")
    }


def draft_publish(
    *,
    actor,
    draft: LedgerDraft,
    campaign: Campaign | None = None,
    new_campaign: NewCampaign | None = None,
) -> PublishResult:
    """Publish the accepted tasks of a draft into a campaign (an existing one, or one created in
    the same transaction). Publishing again changes nothing and returns the same tasks."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    with transaction.atomic():
        draft = LedgerDraft.objects.select_for_update().select_related("document").get(pk=draft.pk)
        if draft.status == DraftStatus.PUBLISHED:
            tasks = list(Task.objects.filter(document=draft.document).order_by("order"))
            return PublishResult(campaign=draft.campaign, created=0, tasks=tasks)
        items = list(
            draft.items.filter(is_leaf=True, kind=TaskKind.TASK)
            .select_related("lead_unit")
            .prefetch_related("co_units")
            .order_by("order")
        )
        pending = [i for i in items if i.decision == Decision.PENDING]
        if pending:
            raise ValidationError(
                f"还有 {len(pending)} 条任务没有审核(接受或拒绝),请逐条处理后再发布。"
                f"第一条是“{pending[0].path}”。"
            )
        accepted = [i for i in items if i.decision == Decision.ACCEPTED]
        if not accepted:
            raise ValidationError("没有接受任何任务,无法发布。")
        for item in accepted:
            _check_acceptable(item)
        if (campaign is None) == (new_campaign is None):
            raise ValidationError("请选择一个战役,或填写新战役的名称和起止日期。", field="campaign")
        if campaign is None:
            campaign = _new_campaign(actor, new_campaign)
        now = clock.now()
        sections = _section_titles(draft)
        created = 0
        tasks: list[Task] = []
        for item in accepted:
            task, made = Task.objects.get_or_create(
                campaign=campaign,
                document=draft.document,
                path=item.path,
                defaults={
                    "order": item.order,
                    "section": sections.get(item.path.split("/")[0], "")[:300],
                    "original_text": item.text,
                    "source_start": item.source_start,
                    "source_end": item.source_end,
                    "title": item.heading or item.text[:60],
                    "lead_unit": item.lead_unit,
                    "deadline": item.deadline,
                    "cadence": item.cadence,
                    "published_at": now,
                },
            )
            if made:
                created += 1
                task.co_units.set(item.co_units.all())
                Milestone.objects.bulk_create(
                    Milestone(task=task, label=m["label"][:200], due=date.fromisoformat(m["date"]))
                    for m in item.milestones
                )
            tasks.append(task)
        refresh_lights(tasks, cal=official_calendar.load(), today=clock.today())
        draft.status = DraftStatus.PUBLISHED
        draft.published_at = now
        draft.campaign = campaign
        draft.save(update_fields=["status", "published_at", "campaign"])
        SourceDocument.objects.filter(pk=draft.document_id).update(campaign=campaign)
        record(
            actor=actor,
            action="ledger.draft.publish",
            obj=draft,
            after={"campaign": campaign.pk, "tasks": [t.pk for t in tasks], "created": created},
        )
    return PublishResult(campaign=campaign, created=created, tasks=tasks)


def _new_campaign(actor, spec: NewCampaign) -> Campaign:
    return campaign_insert(
        actor=actor,
        name=spec.name,
        start=spec.start,
        end=spec.end,
        name_field="new_name",
        end_field="new_end",
        taken_hint="请直接选择它",
    )
