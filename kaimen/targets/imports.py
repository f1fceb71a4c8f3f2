"""Importing the statistics bureau's monthly workbook: upload, preview, mapping, commit.

Services, like ``services.py``: permission, validation, one transaction, one audit event each.
The reading itself is pure (``workbook.py``, ``importers.py``).

Reliability (SECURITY.md):

* idempotent: a batch is keyed by the file's SHA-256 (a unique column), so the same file is one
  batch however often and however concurrently it is uploaded, and committing a committed batch
  changes nothing;
* atomic: all figures of a batch are written in one transaction with the batch's own status;
* crash-safe: the batch is claimed (status "running") in a committed transaction before the
  figures are written. A process killed mid-import leaves no figures and a running batch, which
  ``imports_reap_interrupted`` marks failed once its lease has run out; a retry starts again.

A figure already in the database with the same value and growth is left alone; one with a
different value is never overwritten (统计法): the import files a correction request with the
bureau's revision as its reason, which someone else in the office approves.
"""

from __future__ import annotations

import hashlib
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kaimen.audit.models import Outcome
from kaimen.audit.services import record
from kaimen.lib import clock
from kaimen.lib.errors import KaimenError, ValidationError
from kaimen.lib.periods import Period
from kaimen.org import scope
from kaimen.org.models import Unit
from kaimen.org.scope import Perm
from kaimen.targets import importers, workbook
from kaimen.targets.models import (
    Actual,
    ActualCorrection,
    CorrectionStatus,
    ImportBatch,
    ImportLayout,
    ImportStatus,
    Indicator,
    Provenance,
)
from kaimen.targets.red_light_jobs import red_lights_check_on_commit
from kaimen.targets.selectors import district_unit, figure_map

COMMAND = "kaimen targets import"
# Figures are written in chunks; tests shrink it to fail "after k rows".
CHUNK_SIZE = 2000
# A running import older than this is taken to have died (the process was killed).
LEASE = timedelta(minutes=30)
MAX_LISTED_PROBLEMS = 500


def max_upload_bytes() -> int:
    return int(getattr(settings, "TARGETS_IMPORT_MAX_BYTES", workbook.DEFAULT_MAX_BYTES))


def _require(actor, *, system: bool) -> None:
    if system and actor is None:
        return
    scope.require(actor, Perm.ACTUAL_IMPORT)


def _name(actor, system: bool) -> str | None:
    return COMMAND if system and actor is None else None


def catalogue() -> importers.Catalogue:
    """Indicators and units as the importer matches them."""
    district = district_unit()
    indicators = [
        (
            importers.IndicatorInfo(
                i.code, i.name, i.measure_unit, i.kind, tuple(i.release_months())
            ),
            [a for a in i.aliases.splitlines() if a.strip()],
        )
        for i in Indicator.objects.filter(is_active=True)
    ]
    units = [
        (u.name, [u.short_name] if u.short_name else [])
        for u in Unit.objects.filter(is_active=True)
    ]
    return importers.Catalogue.build(indicators, units, district=district.name if district else "")


@dataclass
class Prepared:
    """A workbook read, mapped and checked: what the preview shows and the commit writes."""

    grid: workbook.WorkbookGrid
    fingerprint: str
    layout: importers.Layout
    layout_name: str
    period: Period | None
    extraction: importers.Extraction
    period_note: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> list[importers.Problem]:
        return self.extraction.problems


def prepare(
    data: bytes,
    *,
    name: str,
    layout: importers.Layout | None = None,
    layout_name: str = "",
    period: Period | None = None,
) -> Prepared:
    """Read, map (the given layout, the one remembered for the fingerprint, or a detected one)
    and extract, with the plausibility check against stored figures. Writes nothing."""
    grid = workbook.read_workbook(data, name=name)
    cat = catalogue()
    fp = importers.fingerprint(grid, cat)
    if layout is None:
        remembered = (
            ImportLayout.objects.filter(name=layout_name).first()
            if layout_name
            else ImportLayout.objects.filter(fingerprint=fp).first()
        )
        if layout_name and remembered is None:
            raise ValidationError(
                _("There is no workbook layout named “%(name)s”.") % {"name": layout_name},
                field="layout",
            )
        if remembered is not None:
            layout = importers.Layout.from_json(remembered.mapping)
            layout_name = remembered.name
        else:
            layout = importers.detect_layout(grid, cat)
    note = ""
    if period is None:
        period, note = importers.detect_period(grid)
    extraction = importers.extract(grid, layout, cat, period=period, today=clock.today())
    prepared = Prepared(grid, fp, layout, layout_name, period, extraction, note)
    if period is not None and extraction.rows:
        _compare(prepared, cat)
    return prepared


def _resolve(rows: list[importers.ParsedRow]) -> tuple[dict[str, Indicator], dict[str, Unit]]:
    codes = {r.indicator for r in rows}
    names = {r.unit for r in rows}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    units = {u.name: u for u in Unit.objects.filter(name__in=names)}
    return indicators, units


def _compare(prepared: Prepared, cat: importers.Catalogue) -> None:
    """Count new, unchanged and revised figures; flag implausible jumps against the figures
    already stored (the same period last year, or this year's previous release)."""
    period = prepared.period
    assert period is not None
    rows = prepared.extraction.rows
    indicators, units = _resolve(rows)
    figures = figure_map(
        indicator_ids=[i.pk for i in indicators.values()],
        unit_ids=[u.pk for u in units.values()],
        years=[period.year, period.year - 1],
    )
    references: dict[tuple[str, str], tuple[Decimal, str, bool]] = {}
    counts = {"new": 0, "unchanged": 0, "revised": 0}
    if not figures:
        # Nothing stored for these indicators, units and years: every figure is new.
        counts["new"] = len(rows)
        prepared.counts = counts
        return
    before = {
        code: [m for m in i.release_months() if m < period.end_month]
        for code, i in indicators.items()
    }
    for row in rows:
        indicator, unit = indicators[row.indicator], units[row.unit]
        key = (indicator.pk, unit.pk)
        current = figures.get((*key, period.year, period.end_month))
        current_official = _official(current)
        if current_official is None:
            counts["new"] += 1
        elif (current_official.value, current_official.growth_pct) == (row.value, row.growth_pct):
            counts["unchanged"] += 1
        else:
            counts["revised"] += 1
        earlier = [figures.get((*key, period.year, m)) for m in before[row.indicator]]
        earlier = [f for f in earlier if f is not None and f.value]
        last_year = figures.get((*key, period.year - 1, period.end_month))
        if earlier:
            references[(row.indicator, row.unit)] = (
                earlier[-1].value,
                _("this year's %(period)s") % {"period": earlier[-1].period.label},
                True,
            )
        elif last_year is not None and last_year.value:
            references[(row.indicator, row.unit)] = (
                last_year.value,
                _("the same period last year"),
                False,
            )
    prepared.extraction.problems.extend(importers.flag_jumps(rows, references, cat))
    prepared.counts = counts


def _official(actual: Actual | None) -> Actual | None:
    return actual if actual is not None and actual.provenance == Provenance.OFFICIAL else None


def _problems_json(prepared: Prepared) -> list[dict]:
    return [
        {
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column,
            "reason": p.reason,
            "severity": p.severity,
            "where": p.where,
        }
        for p in prepared.problems[:MAX_LISTED_PROBLEMS]
    ]


def _summary(prepared: Prepared) -> dict:
    extraction = prepared.extraction
    cat_names = dict(Indicator.objects.values_list("code", "name"))
    return {
        "rows": len(extraction.rows),
        "errors": len(extraction.errors),
        "warnings": len(extraction.warnings),
        "missing_cells": extraction.missing_cells,
        "not_imported": [
            {"sheet": sheet, "row": row, "label": label}
            for sheet, row, label in extraction.not_imported[:MAX_LISTED_PROBLEMS]
        ],
        "not_imported_count": len(extraction.not_imported),
        "notes": extraction.notes + ([prepared.period_note] if prepared.period_note else []),
        "counts": prepared.counts,
        "layout": prepared.layout.to_json(),
        "layout_name": prepared.layout_name,
        "sample": [
            {
                "sheet": r.sheet,
                "row": r.row,
                "indicator": r.indicator,
                "indicator_name": cat_names.get(r.indicator, r.indicator),
                "unit": r.unit,
                "value": None if r.value is None else str(r.value),
                "growth_pct": None if r.growth_pct is None else str(r.growth_pct),
                "converted_from": r.converted_from,
            }
            for r in extraction.rows[:200]
        ],
    }


# ---------------------------------------------------------------------------------------------
# Upload and preview


def _storage_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "targets-imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def import_upload(
    *, actor, data: bytes, file_name: str, system: bool = False
) -> tuple[ImportBatch, bool]:
    """Check and store an uploaded workbook and preview it. Returns (batch, created): the same
    file uploaded again returns its existing batch, which is not changed."""
    _require(actor, system=system)
    file_name = Path(file_name or "workbook.xlsx").name[:200]
    try:
        workbook.check_upload(data, file_name, max_bytes=max_upload_bytes())
    except ValidationError as exc:
        with transaction.atomic():
            record(
                actor=actor,
                actor_name=_name(actor, system),
                action="targets.import.refuse",
                outcome=Outcome.FAILURE,
                message=f"{file_name}: {exc.message}"[:300],
            )
        raise
    digest = hashlib.sha256(data).hexdigest()
    existing = ImportBatch.objects.filter(sha256=digest).first()
    if existing is not None:
        if existing.status != ImportStatus.COMMITTED and not existing.stored_name:
            # Its file was cleared away unused (see ``imports_clear_stale_files``): keep it again.
            stored = f"{uuid.uuid4().hex}.xlsx"
            _keep(stored, data)
            ImportBatch.objects.filter(pk=existing.pk, stored_name="").update(stored_name=stored)
            existing.refresh_from_db()
        return existing, False
    stored = f"{uuid.uuid4().hex}.xlsx"
    path = _keep(stored, data)
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                sha256=digest,
                file_name=file_name,
                size=len(data),
                stored_name=stored,
                created_by=actor,
                created_at=clock.now(),
            )
            record(
                actor=actor,
                actor_name=_name(actor, system),
                action="targets.import.upload",
                obj=batch,
                after={"file": file_name, "sha256": digest, "size": len(data)},
            )
    except IntegrityError:
        # The same file, uploaded by someone else at this very moment: one batch.
        path.unlink(missing_ok=True)
        return ImportBatch.objects.get(sha256=digest), False
    import_preview(actor=actor, batch=batch, system=system)
    batch.refresh_from_db()
    return batch, True


def _keep(stored: str, data: bytes) -> Path:
    path = _storage_dir() / stored
    path.write_bytes(data)
    path.chmod(0o600)
    return path


def imports_clear_stale_files(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Remove the files of uploads nobody imported (剩余信息保护); uploading the same file again
    brings its batch back."""
    cutoff = clock.now() - older_than
    stale = ImportBatch.objects.filter(
        status__in=[ImportStatus.PREVIEW, ImportStatus.FAILED], created_at__lt=cutoff
    ).exclude(stored_name="")
    cleared = 0
    for batch in stale:
        (_storage_dir() / Path(batch.stored_name).name).unlink(missing_ok=True)
        cleared += ImportBatch.objects.filter(pk=batch.pk, stored_name=batch.stored_name).update(
            stored_name=""
        )
    return cleared


def _stored_bytes(batch: ImportBatch) -> bytes:
    if not batch.stored_name:
        raise ValidationError(
            _("The uploaded file is no longer kept (it was imported). Upload it again."),
            field="file",
        )
    try:
        return (_storage_dir() / Path(batch.stored_name).name).read_bytes()
    except OSError as exc:
        raise ValidationError(
            _("The uploaded file cannot be read any more. Upload it again."), field="file"
        ) from exc


def _layout_of(batch: ImportBatch) -> importers.Layout | None:
    raw = (batch.summary or {}).get("layout")
    return importers.Layout.from_json(raw) if raw else None


def import_preview(
    *,
    actor,
    batch: ImportBatch,
    layout: importers.Layout | None = None,
    period: Period | None = None,
    system: bool = False,
) -> Prepared:
    """Read the stored file again with the batch's (or the given) mapping and period, and keep
    the problems and counts on the batch for the preview page."""
    _require(actor, system=system)
    if batch.status in (ImportStatus.COMMITTED, ImportStatus.RUNNING):
        raise ValidationError(_("This workbook has been imported already."), field="file")
    if period is None and batch.year and batch.end_month:
        period = Period.cumulative(batch.year, batch.end_month)
    prepared = prepare(
        _stored_bytes(batch),
        name=batch.file_name,
        layout=layout or _layout_of(batch),
        period=period,
    )
    if layout is None and _layout_of(batch) is None and batch.layout_id is None:
        remembered = ImportLayout.objects.filter(fingerprint=prepared.fingerprint).first()
        batch.layout = remembered
    batch.fingerprint = prepared.fingerprint
    batch.year = prepared.period.year if prepared.period else None
    batch.end_month = prepared.period.end_month if prepared.period else None
    batch.summary = _summary(prepared)
    batch.problems = _problems_json(prepared)
    ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportStatus.PREVIEW, ImportStatus.FAILED]
    ).update(
        fingerprint=batch.fingerprint,
        layout=batch.layout,
        year=batch.year,
        end_month=batch.end_month,
        summary=batch.summary,
        problems=batch.problems,
    )
    return prepared


def import_save_layout(
    *,
    actor,
    batch: ImportBatch,
    layout: importers.Layout,
    name: str,
    period: Period | None = None,
) -> ImportLayout:
    """Remember a corrected column mapping for this workbook layout and preview again."""
    _require(actor, system=False)
    name = name.strip()[:60]
    if not name:
        raise ValidationError(_("Give the layout a name, e.g. “统计月报主要指标”."), field="name")
    clash = ImportLayout.objects.filter(name=name).exclude(fingerprint=batch.fingerprint)
    if clash.exists():
        raise ValidationError(_("Another layout has this name."), field="name")
    with transaction.atomic():
        saved, created = ImportLayout.objects.update_or_create(
            fingerprint=batch.fingerprint,
            defaults={"name": name, "mapping": layout.to_json()},
            create_defaults={
                "name": name,
                "mapping": layout.to_json(),
                "created_by": actor,
            },
        )
        if not created:
            ImportLayout.objects.filter(pk=saved.pk).update(version=F("version") + 1)
        ImportBatch.objects.filter(pk=batch.pk).update(layout=saved)
        record(
            actor=actor,
            action="targets.import.layout",
            obj=saved,
            after={"name": name, "mapping": layout.to_json()},
        )
    batch.layout = saved
    if period is not None:
        batch.year, batch.end_month = period.year, period.end_month
    import_preview(actor=actor, batch=batch, layout=layout, period=period)
    return saved


# ---------------------------------------------------------------------------------------------
# Commit


@dataclass(frozen=True)
class ImportResult:
    batch: ImportBatch
    created: int
    unchanged: int
    corrections: int
    already_imported: bool = False
    # Sub-items the catalogue does not know (其中:…), left out and listed in the notes.
    not_imported: int = 0

    @property
    def text(self) -> str:
        if self.already_imported:
            when = self.batch.finished_at
            return _("This file was imported already (%(when)s); nothing was changed.") % {
                "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else "—"
            }
        text = _(
            "%(created)s new figures, %(unchanged)s unchanged, %(corrections)s revisions sent "
            "for approval."
        ) % {"created": self.created, "unchanged": self.unchanged, "corrections": self.corrections}
        if self.not_imported:
            text += " " + _(
                "%(n)s sub-items that are not in the indicator catalogue were not imported "
                "(listed in the notes)."
            ) % {"n": self.not_imported}
        return text


def imports_reap_interrupted() -> int:
    """Mark imports whose process died mid-way (running past the lease) as failed."""
    cutoff = clock.now() - LEASE
    message = _(
        "The import was interrupted (the process stopped); no figure was written. Try again."
    )
    reaped = 0
    for batch in ImportBatch.objects.filter(status=ImportStatus.RUNNING, started_at__lt=cutoff):
        with transaction.atomic():
            updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.RUNNING).update(
                status=ImportStatus.FAILED, finished_at=clock.now(), message=message
            )
            if updated:
                reaped += 1
                record(
                    actor=None,
                    actor_name=COMMAND,
                    action="targets.import.interrupted",
                    outcome=Outcome.FAILURE,
                    obj=batch,
                    message=message[:300],
                )
    return reaped


def _claim(batch: ImportBatch) -> None:
    imports_reap_interrupted()
    with transaction.atomic():
        claimed = ImportBatch.objects.filter(
            pk=batch.pk, status__in=[ImportStatus.PREVIEW, ImportStatus.FAILED]
        ).update(
            status=ImportStatus.RUNNING,
            started_at=clock.now(),
            attempts=F("attempts") + 1,
            message="",
        )
    if claimed != 1:
        batch.refresh_from_db()
        if batch.status == ImportStatus.RUNNING:
            raise ValidationError(
                _("This workbook is being imported right now; wait a minute and reload."),
                field="file",
            )
        raise ValidationError(_("This workbook has been imported already."), field="file")


def _write(
    *,
    actor,
    batch: ImportBatch,
    prepared: Prepared,
    provenance: str,
) -> tuple[int, int, int]:
    period = prepared.period
    assert period is not None
    rows = prepared.extraction.rows
    indicators, units = _resolve(rows)
    figures = figure_map(
        indicator_ids=[i.pk for i in indicators.values()],
        unit_ids=[u.pk for u in units.values()],
        years=[period.year],
        end_months=[period.end_month],
    )
    existing = {
        (a.indicator_id, a.unit_id): a for a in figures.values() if a.provenance == provenance
    }
    # The newest version of the import's own source, whatever the best source is.
    for a in Actual.objects.filter(
        year=period.year,
        end_month=period.end_month,
        provenance=provenance,
        indicator_id__in=[i.pk for i in indicators.values()],
    ):
        key = (a.indicator_id, a.unit_id)
        if key not in existing or existing[key].version < a.version:
            existing[key] = a
    now = clock.now()
    entered_at = connection.ops.adapt_datetimefield_value(now)
    new: list[tuple] = []
    corrections: list[ActualCorrection] = []
    unchanged = 0
    pending = set(
        ActualCorrection.objects.filter(
            status=CorrectionStatus.PENDING, actual__in=list(existing.values())
        ).values_list("actual_id", flat=True)
    )
    # What every row repeats, worked out once (a 100,000-row import).
    indicator_pk = {code: i.pk for code, i in indicators.items()}
    unit_pk = {name: u.pk for name, u in units.items()}
    actor_pk, batch_pk = getattr(actor, "pk", None), batch.pk
    year, end_month = period.year, period.end_month
    ref_prefix = f"{batch.file_name[:60]} "
    for row in rows:
        key = (indicator_pk[row.indicator], unit_pk[row.unit])
        current = existing.get(key) if existing else None
        if current is None:
            new.append(
                (
                    key[0],
                    key[1],
                    year,
                    end_month,
                    provenance,
                    1,
                    row.value,
                    row.growth_pct,
                    actor_pk,
                    entered_at,
                    batch_pk,
                    (ref_prefix + (row.value_ref or row.growth_ref))[:120],
                    "",
                )
            )
        elif (current.value, current.growth_pct) == (row.value, row.growth_pct):
            unchanged += 1
        elif current.pk not in pending:
            corrections.append(
                ActualCorrection(
                    actual=current,
                    value=row.value,
                    growth_pct=row.growth_pct,
                    reason=f"统计局数据修订：导入文件“{batch.file_name}”{row.source_ref}"[:2000],
                    requested_by=actor,
                    requested_at=now,
                    batch=batch,
                )
            )
    with _page_cache(len(new)):
        for start in range(0, len(new), CHUNK_SIZE):
            write_chunk(new[start : start + CHUNK_SIZE])
    ActualCorrection.objects.bulk_create(corrections)
    return len(new), unchanged, len(corrections)


# SQLite keeps 2 MB of pages by default; a transaction writing more spills its dirty pages to
# the write-ahead log again and again (each figure touches the table and eight indexes). A bulk
# import raises its connection's cache for the duration: about 1 KB per figure, at most 256 MB.
_PAGES_PER_FIGURE_KB = 1
_MAX_CACHE_KB = 256 * 1024


@contextmanager
def _page_cache(figures: int):
    default_kb = 2000
    wanted = min(_MAX_CACHE_KB, figures * _PAGES_PER_FIGURE_KB)
    if connection.vendor != "sqlite" or wanted <= default_kb:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(wanted)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


_INSERTED = (
    "indicator",
    "unit",
    "year",
    "end_month",
    "provenance",
    "version",
    "value",
    "growth_pct",
    "entered_by",
    "entered_at",
    "batch",
    "source_ref",
    "reason",
)


def write_chunk(rows: list[tuple]) -> None:
    """Insert one chunk of an import's new figures (first versions only; never an UPDATE).

    A prepared INSERT run with ``executemany``: building a model object per figure and
    compiling its SQL took longer than reading the workbook. Also the seam for the tests that
    fail or die after k rows."""
    fields = [Actual._meta.get_field(name) for name in _INSERTED]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Actual._meta.db_table)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608 - names from the model, values bound


def import_commit(
    *,
    actor,
    batch: ImportBatch,
    data: bytes | None = None,
    provenance: str = Provenance.OFFICIAL,
    system: bool = False,
) -> ImportResult:
    """Write every figure of the batch, or none. Committing a committed batch is a no-op."""
    _require(actor, system=system)
    if batch.status == ImportStatus.COMMITTED:
        return ImportResult(batch, 0, 0, 0, already_imported=True)
    _claim(batch)
    try:
        prepared = prepare(
            data if data is not None else _stored_bytes(batch),
            name=batch.file_name,
            layout=_layout_of(batch),
            period=batch.period,
        )
        if prepared.extraction.errors:
            raise ValidationError(
                _(
                    "The workbook has %(n)s problems; correct them (or the column mapping) "
                    "before importing. Nothing was written."
                )
                % {"n": len(prepared.extraction.errors)},
                field="file",
            )
        if not prepared.extraction.rows:
            raise ValidationError(_("The workbook holds no figures to import."), field="file")
        with transaction.atomic():
            created, unchanged, corrections = _write(
                actor=actor, batch=batch, prepared=prepared, provenance=provenance
            )
            layout = ImportLayout.objects.filter(fingerprint=prepared.fingerprint).first()
            if layout is None:
                # The mapping that worked is remembered for next month's file.
                layout = ImportLayout.objects.create(
                    name=f"{Path(batch.file_name).stem[:40]}（{prepared.fingerprint[:8]}）",
                    fingerprint=prepared.fingerprint,
                    mapping=prepared.layout.to_json(),
                    created_by=actor,
                )
            summary = _summary(prepared) | {
                "created": created,
                "unchanged": unchanged,
                "corrections": corrections,
            }
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=ImportStatus.COMMITTED,
                finished_at=clock.now(),
                layout=layout,
                fingerprint=prepared.fingerprint,
                summary=summary,
                problems=_problems_json(prepared),
                stored_name="",
            )
            record(
                actor=actor,
                actor_name=_name(actor, system),
                action="targets.import.commit",
                obj=batch,
                after={
                    "file": batch.file_name,
                    "period": str(prepared.period),
                    "created": created,
                    "unchanged": unchanged,
                    "corrections": corrections,
                    "not_imported": len(prepared.extraction.not_imported),
                },
            )
            red_lights_check_on_commit(
                year=prepared.period.year, end_month=prepared.period.end_month
            )
    except Exception as exc:
        # A refusal (problems in the file) sends the batch back to review; anything else
        # marks it failed. Either way the transaction above wrote nothing.
        if isinstance(exc, KaimenError):
            message, status = exc.message, ImportStatus.PREVIEW
        else:
            message = _("The import failed (%(error)s); no figure was written.") % {
                "error": type(exc).__name__
            }
            status = ImportStatus.FAILED
        with transaction.atomic():
            ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.RUNNING).update(
                status=status, finished_at=clock.now(), message=message[:2000]
            )
            record(
                actor=actor,
                actor_name=_name(actor, system),
                action="targets.import.commit",
                outcome=Outcome.FAILURE,
                obj=batch,
                message=message[:300],
            )
        raise
    stored = batch.stored_name
    batch.refresh_from_db()
    if stored:
        # 剩余信息保护: the upload is not kept once its figures are in.
        (_storage_dir() / Path(stored).name).unlink(missing_ok=True)
    return ImportResult(
        batch,
        created,
        unchanged,
        corrections,
        not_imported=len(prepared.extraction.not_imported),
    )
