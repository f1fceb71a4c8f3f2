"""Writes of the briefings: build a period's draft (snapshot → docx + xlsx → row, rebuilt in
place while it is a draft), issue it (签发: the issue number and date), and rebuild one.

Files are written first under generated names, then the row and its audit event are committed
in one transaction; if the transaction fails the files are removed, so there is never a row
without its files nor an orphan file left behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import getpass
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from kaimen.audit.services import record
from kaimen.briefings import notices
from kaimen.briefings.assemble import assemble_snapshot, parse_period
from kaimen.briefings.docx_builder import render_briefing_docx
from kaimen.briefings.models import Briefing, BriefingSource, BriefingStatus
from kaimen.briefings.snapshot import BriefingSnapshot
from kaimen.briefings.xlsx_builder import build_briefing_xlsx
from kaimen.campaigns import selectors as campaign_selectors
from kaimen.campaigns.models import Campaign
from kaimen.lib import clock, official_calendar
from kaimen.lib.errors import NotFound, ValidationError
from kaimen.lib.versioning import snapshot as fields_of
from kaimen.org import scope
from kaimen.org.scope import Perm

_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(docx|xlsx)$")
SCHEDULE_ACTOR_NAME = "kaimen weekly briefing"
COMMAND_ACTOR_NAME = "kaimen briefing build"


def files_root() -> Path:
    """MEDIA_ROOT/briefings (read at call time; nothing serves MEDIA_ROOT)."""
    configured = getattr(settings, "BRIEFINGS_FILES_ROOT", None)
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "briefings"


def path_of(name: str) -> Path:
    # Names are generated here; anything else in a row would be a tampered database.
    if not _STORED_NAME.match(name or ""):
        raise NotFound()
    return files_root() / name


def _write(data: bytes, suffix: str) -> tuple[str, str]:
    folder = files_root()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{suffix}"
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return name, hashlib.sha256(data).hexdigest()


def _remove(name: str) -> None:
    with contextlib.suppress(NotFound, FileNotFoundError):
        path_of(name).unlink()


@dataclass(frozen=True)
class BuiltFiles:
    docx: bytes
    xlsx: bytes
    chart_problem: str = ""  # why charts are missing from the docx, said on its page too


def render(snap: BriefingSnapshot) -> BuiltFiles:
    """The two files of a snapshot. A chart that cannot be drawn (no CJK font: charts.py
    registers the bundled one) is left out and the document says so; ``chart_problem`` says
    it to the caller (the command prints it, the list page shows it)."""
    docx = render_briefing_docx(snap)
    return BuiltFiles(docx.data, build_briefing_xlsx(snap), docx.chart_problem)


def _next_number(year: int) -> int:
    return (Briefing.objects.filter(year=year).aggregate(n=Max("number"))["n"] or 0) + 1


def _write_files(files: BuiltFiles) -> tuple[str, str, str, str]:
    docx_name, docx_sha = _write(files.docx, "docx")
    try:
        xlsx_name, xlsx_sha = _write(files.xlsx, "xlsx")
    except BaseException:
        _remove(docx_name)
        raise
    return docx_name, docx_sha, xlsx_name, xlsx_sha


def _remove_after_commit(*names: str) -> None:
    def remove() -> None:
        for name in names:
            _remove(name)

    transaction.on_commit(remove)


_AUDITED = ["year", "period", "number", "status", "source", "scheduled_week", "docx_sha256"]


def _draft_of(campaign: Campaign | None, year: int, period: str) -> Briefing | None:
    qs = Briefing.objects.select_for_update().filter(
        status=BriefingStatus.DRAFT, year=year, period=period
    )
    qs = qs.filter(campaign=campaign) if campaign is not None else qs.filter(campaign__isnull=True)
    return qs.first()


def _build(
    *,
    actor,
    campaign: Campaign | None,
    year: int,
    period: str | None,
    source: str,
    scheduled_week: str = "",
    actor_name: str | None = None,
    built_by_name: str = "",
) -> Briefing:
    """Build the draft of a period: a new row, or the period's draft rebuilt in place (same
    row, new files, still no issue number: the number is given when the office issues it)."""
    end_month = parse_period(period, year=year)
    snap = assemble_snapshot(year=year, campaign=campaign, end_month=end_month, number=None)
    files = render(snap)
    docx_name, docx_sha, xlsx_name, xlsx_sha = _write_files(files)
    try:
        with transaction.atomic():
            briefing = _draft_of(campaign, year, snap.period)
            before = fields_of(briefing, _AUDITED) if briefing is not None else None
            old_files = (briefing.docx_name, briefing.xlsx_name) if briefing is not None else ()
            if briefing is None:
                briefing = Briefing(campaign=campaign, year=year, period=snap.period)
            briefing.number = None
            briefing.status = BriefingStatus.DRAFT
            briefing.source = source
            briefing.built_by_name = built_by_name
            briefing.chart_note = files.chart_problem[:300]
            briefing.scheduled_week = scheduled_week or briefing.scheduled_week
            briefing.snapshot = snap.to_json()
            briefing.docx_name, briefing.docx_sha256 = docx_name, docx_sha
            briefing.xlsx_name, briefing.xlsx_sha256 = xlsx_name, xlsx_sha
            briefing.created_by = actor if getattr(actor, "pk", None) else None
            briefing.created_at = clock.now()
            briefing.save()
            record(
                actor=actor,
                action="briefings.briefing.build",
                obj=briefing,
                before=before,
                after=fields_of(briefing, _AUDITED),
                actor_name=actor_name,
            )
            # Leaders and the office are told in the same transaction; the robots and e-mail
            # are sent after the commit, so a receiver that is down never loses the briefing.
            notices.briefing_built(briefing=briefing, snapshot=snap)
            if old_files:
                _remove_after_commit(*old_files)
    except BaseException:
        _remove(docx_name)
        _remove(xlsx_name)
        raise
    return briefing


def _console_user() -> str:
    """The server account running the command (for the list's "命令行（…）")."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def briefing_build(
    *,
    actor,
    campaign: Campaign | None = None,
    year: int | None = None,
    period: str | None = None,
    system: bool = False,
) -> Briefing:
    """Build the period's draft now: the office's "build now", or the command line
    (``system``: the operator at the server's console, audited as the system and recorded
    with the server account that ran it)."""
    if not system:
        scope.require(actor, Perm.BRIEFING_BUILD)
    if year is None:
        if campaign is None:
            raise ValidationError("请指定战役或年份。", field="year")
        year = campaign.year
    name = COMMAND_ACTOR_NAME if system else None
    source = BriefingSource.COMMAND if system else BriefingSource.WEB
    by = _console_user() if system else ""
    kwargs = dict(
        actor=actor,
        campaign=campaign,
        year=year,
        period=period,
        source=source,
        actor_name=name,
        built_by_name=by,
    )
    try:
        return _build(**kwargs)
    except IntegrityError:
        # two offices pressed "build now" at once and both created the period's draft
        return _build(**kwargs)


def briefing_issue(*, actor, briefing_id: int) -> Briefing:
    """签发: the office issues a draft. It takes the next issue number of its year and the
    date of issue, its files are built again from its stored snapshot with the number and the
    date on the masthead, and leaders and the office are told. One audit event."""
    scope.require(actor, Perm.BRIEFING_BUILD)
    try:
        return _issue(actor=actor, briefing_id=briefing_id)
    except IntegrityError:
        # another office issued a briefing of the same year at the same moment: next number
        return _issue(actor=actor, briefing_id=briefing_id)


def _issue(*, actor, briefing_id: int) -> Briefing:
    draft = Briefing.objects.filter(pk=briefing_id).first()
    if draft is None:
        raise NotFound()
    if not draft.is_draft:
        raise ValidationError(
            f"调度通报{draft.label}已签发，不能重复签发；如需更正，请重新生成草稿后再签发。",
            field="briefing",
        )
    number = _next_number(draft.year)
    snap = dataclasses.replace(
        BriefingSnapshot.from_json(draft.snapshot),
        number=f"第{number}期",
        issue_date=clock.today(),
    )
    files = render(snap)
    docx_name, docx_sha, xlsx_name, xlsx_sha = _write_files(files)
    try:
        with transaction.atomic():
            briefing = Briefing.objects.select_for_update().get(pk=draft.pk)
            if not briefing.is_draft or briefing.docx_name != draft.docx_name:
                raise ValidationError(
                    "这份草稿刚刚被他人签发或重新生成，请刷新页面后再试。", field="briefing"
                )
            before = fields_of(briefing, _AUDITED)
            old_files = (briefing.docx_name, briefing.xlsx_name)
            briefing.number = number
            briefing.status = BriefingStatus.ISSUED
            briefing.snapshot = snap.to_json()
            briefing.docx_name, briefing.docx_sha256 = docx_name, docx_sha
            briefing.xlsx_name, briefing.xlsx_sha256 = xlsx_name, xlsx_sha
            briefing.chart_note = files.chart_problem[:300]
            briefing.issued_by = actor
            briefing.issued_at = clock.now()
            briefing.save()
            record(
                actor=actor,
                action="briefings.briefing.issue",
                obj=briefing,
                before=before,
                after=fields_of(briefing, _AUDITED),
            )
            notices.briefing_issued(briefing=briefing, snapshot=snap)
            _remove_after_commit(*old_files)
    except BaseException:
        _remove(docx_name)
        _remove(xlsx_name)
        raise
    return briefing


def briefing_build_scheduled() -> Briefing | None:
    """The Monday job: nothing on a day off of the official calendar; one build per ISO week
    (a second run in the same week returns the one already built). It builds the period's
    draft; the office issues it."""
    today = clock.today()
    if not official_calendar.load().is_workday(today):
        return None
    iso = today.isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    existing = Briefing.objects.filter(scheduled_week=week).first()
    if existing is not None:
        return existing
    campaign = campaign_selectors.running_on(today)
    year = campaign.year if campaign else today.year
    try:
        return _build(
            actor=None,
            campaign=campaign,
            year=year,
            period=None,
            source=BriefingSource.SCHEDULE,
            scheduled_week=week,
            actor_name=SCHEDULE_ACTOR_NAME,
        )
    except IntegrityError:
        # another worker built this week's issue between our check and our insert
        return Briefing.objects.get(scheduled_week=week)


def briefing_rebuild_from_snapshot(*, briefing: Briefing) -> BuiltFiles:
    """The same document again from the snapshot stored with the issue (nothing is saved)."""
    return render(BriefingSnapshot.from_json(briefing.snapshot))
