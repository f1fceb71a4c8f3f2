"""Writes of the briefings: build an issue (snapshot → docx + xlsx → row) and rebuild one.

Files are written first under generated names, then the row and its audit event are committed
in one transaction; if the transaction fails the files are removed, so there is never a row
without its files nor an orphan file left behind.
"""

from __future__ import annotations

import contextlib
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
from kaimen.briefings import charts, notices
from kaimen.briefings.assemble import assemble_snapshot, parse_period
from kaimen.briefings.docx_builder import build_briefing_docx
from kaimen.briefings.models import Briefing
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


def render(snap: BriefingSnapshot) -> BuiltFiles:
    """The two files of a snapshot. Charts need a CJK font (charts.cjk_font_available); without
    one the document says it carries no charts instead of printing boxes for Chinese labels."""
    include = charts.cjk_font_available()
    return BuiltFiles(build_briefing_docx(snap, include_charts=include), build_briefing_xlsx(snap))


def _next_number(year: int) -> int:
    return (Briefing.objects.filter(year=year).aggregate(n=Max("number"))["n"] or 0) + 1


def _build(
    *,
    actor,
    campaign: Campaign | None,
    year: int,
    period: str | None,
    scheduled_week: str = "",
    actor_name: str | None = None,
) -> Briefing:
    end_month = parse_period(period, year=year)
    number = _next_number(year)
    snap = assemble_snapshot(year=year, campaign=campaign, end_month=end_month, number=number)
    files = render(snap)
    docx_name, docx_sha = _write(files.docx, "docx")
    try:
        xlsx_name, xlsx_sha = _write(files.xlsx, "xlsx")
    except BaseException:
        _remove(docx_name)
        raise
    try:
        with transaction.atomic():
            briefing = Briefing.objects.create(
                campaign=campaign,
                year=year,
                period=snap.period,
                number=number,
                scheduled_week=scheduled_week,
                snapshot=snap.to_json(),
                docx_name=docx_name,
                docx_sha256=docx_sha,
                xlsx_name=xlsx_name,
                xlsx_sha256=xlsx_sha,
                created_by=actor if getattr(actor, "pk", None) else None,
                created_at=clock.now(),
            )
            record(
                actor=actor,
                action="briefings.briefing.build",
                obj=briefing,
                after=fields_of(
                    briefing,
                    ["year", "period", "number", "scheduled_week", "docx_sha256", "xlsx_sha256"],
                ),
                actor_name=actor_name,
            )
            # Leaders and the office are told in the same transaction; the robots and e-mail
            # are sent after the commit, so a receiver that is down never loses the briefing.
            notices.briefing_built(briefing=briefing, snapshot=snap)
    except BaseException:
        _remove(docx_name)
        _remove(xlsx_name)
        raise
    return briefing


def briefing_build(
    *,
    actor,
    campaign: Campaign | None = None,
    year: int | None = None,
    period: str | None = None,
    system: bool = False,
) -> Briefing:
    """Build one issue now: the office's "build now", or the command line (``system``: the
    operator at the server's console, audited as the system)."""
    if not system:
        scope.require(actor, Perm.BRIEFING_BUILD)
    if year is None:
        if campaign is None:
            raise ValidationError("请指定战役或年份。", field="year")
        year = campaign.year
    name = COMMAND_ACTOR_NAME if system else None
    try:
        return _build(actor=actor, campaign=campaign, year=year, period=period, actor_name=name)
    except IntegrityError:
        # two offices pressed "build now" at once and took the same issue number: try once more
        return _build(actor=actor, campaign=campaign, year=year, period=period, actor_name=name)


def briefing_build_scheduled() -> Briefing | None:
    """The Monday job: nothing on a day off of the official calendar; one issue per ISO week
    (a second run in the same week returns the issue already built)."""
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
            scheduled_week=week,
            actor_name=SCHEDULE_ACTOR_NAME,
        )
    except IntegrityError:
        # another worker built this week's issue between our check and our insert
        return Briefing.objects.get(scheduled_week=week)


def briefing_rebuild_from_snapshot(*, briefing: Briefing) -> BuiltFiles:
    """The same document again from the snapshot stored with the issue (nothing is saved)."""
    return render(BriefingSnapshot.from_json(briefing.snapshot))
