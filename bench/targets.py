"""Targets benchmark: the monitoring page and API on a district of 120 units × 60 indicators ×
6 years of monthly figures, and a 100,000-row statistics workbook against openpyxl alone.

    make bench            (runs every benchmark)
    .venv/bin/python -m bench.targets --units 120 --indicators 60 --import-rows 100000

Server times are medians and 95th percentiles of repeated requests through Django's test client
(no network); the query count is the same for any number of rows (asserted in
tests/targets/test_board_queries.py). The import ratio compares committing a previewed
workbook (read, check, write every figure in one transaction) with openpyxl's read-only pass
over the same file.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from decimal import Decimal

YEAR = 2025


def _timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
        queries = len(captured)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples) * 1000, p95 * 1000, queries


RAW_SQL = """
SELECT t.id, t.value, t.growth_pct, p.value, a.value, a.growth_pct, l.value
FROM targets_target t
JOIN targets_indicator i ON i.id = t.indicator_id
JOIN org_unit u ON u.id = t.unit_id
LEFT JOIN targets_planvalue p ON p.target_id = t.id AND p.end_month = %(month)s
LEFT JOIN targets_actual a ON a.indicator_id = t.indicator_id AND a.unit_id = t.unit_id
    AND a.year = t.year AND a.end_month = %(month)s
LEFT JOIN targets_actual l ON l.indicator_id = t.indicator_id AND l.unit_id = t.unit_id
    AND l.year = t.year - 1 AND l.end_month = %(month)s
WHERE t.year = %(year)s
ORDER BY i.sort_order, i.code, u.sort_order, u.name
"""


def raw_read(repeat: int) -> float:
    """The floor: one SQL join of every target with its plan and this and last year's figures
    at the period (no lights, no ranks, no scoping), median ms."""
    from django.db import connection

    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, {"year": YEAR, "month": 3})
            rows = cursor.fetchall()
        samples.append(time.perf_counter() - started)
    assert rows
    return statistics.median(samples) * 1000


def board_figures(args) -> dict:
    """The stored board: computed whole once, then the raw SQL read the page is measured by."""
    from kaimen.targets import board_store

    started = time.perf_counter()
    board_store.sync(YEAR)
    print(f"board stored whole (every target × 12 months) in {time.perf_counter() - started:.1f} s")
    raw = raw_read(args.repeat)
    print(f"{'raw SQL read of the same rows':<34} median {raw:7.0f} ms")
    return {"raw SQL read": raw}


def unit_recomputed(args) -> float:
    """One unit's figures of the next month arrive (as an import writes them): the time to bring
    the stored board current (what the import's transaction pays, and the next read sees)."""
    from kaimen.lib import clock
    from kaimen.org.models import Unit
    from kaimen.targets import board_store
    from kaimen.targets.models import Actual, Indicator, Provenance

    unit = Unit.objects.filter(name__startswith="基准镇").order_by("name").first()
    Actual.objects.bulk_create(
        Actual(
            indicator=indicator,
            unit=unit,
            year=YEAR,
            end_month=4,
            provenance=Provenance.OFFICIAL,
            value=Decimal(40 + n),
            growth_pct=Decimal("6.0"),
            entered_at=clock.now(),
        )
        for n, indicator in enumerate(Indicator.objects.all())
    )
    started = time.perf_counter()
    board_store.sync_after_write(YEAR)
    seconds = time.perf_counter() - started
    print(f"one unit's import ({args.indicators} figures): board recomputed in {seconds:.2f} s")
    return seconds


def build(units: int, indicators: int, years: int) -> None:
    from kaimen.lib import clock
    from kaimen.org.models import Unit, UnitKind
    from kaimen.targets.decomposition import plan_even
    from kaimen.targets.models import Actual, Indicator, PlanValue, Provenance, Target

    top = Unit.objects.create(name="基准区", kind=UnitKind.LEADERSHIP)
    children = [
        Unit(
            name=f"基准{'部门' if i % 2 else '镇'}{i:03d}",
            kind=UnitKind.DEPARTMENT if i % 2 else UnitKind.TOWN,
            parent=top,
        )
        for i in range(1, units)
    ]
    Unit.objects.bulk_create(children)
    all_units = [top, *Unit.objects.filter(parent=top)]
    Indicator.objects.bulk_create(
        Indicator(
            code=f"b{i:03d}",
            name=f"基准指标{i:03d}",
            measure_unit="亿元",
            kind="amount",
            merged_jan_feb=True,
            sort_order=i,
        )
        for i in range(1, indicators + 1)
    )
    catalogue = list(Indicator.objects.all())
    now = clock.now()
    batch: list[Actual] = []
    first = YEAR - years + 1
    for indicator in catalogue:
        for n, unit in enumerate(all_units):
            base = Decimal(100 + n)
            for year in range(first, YEAR + 1):
                months = range(2, 13) if year < YEAR else (2, 3)
                for month in months:
                    value = (base * month / 12 * (1 + Decimal(year - first) / 20)).quantize(
                        Decimal("0.01")
                    )
                    batch.append(
                        Actual(
                            indicator=indicator,
                            unit=unit,
                            year=year,
                            end_month=month,
                            provenance=Provenance.OFFICIAL,
                            value=value,
                            growth_pct=Decimal("5.0"),
                            entered_at=now,
                        )
                    )
            if len(batch) > 20000:
                Actual.objects.bulk_create(batch)
                batch = []
    Actual.objects.bulk_create(batch)
    targets = [
        Target(indicator=i, unit=u, year=YEAR, value=Decimal(120 + n), growth_pct=Decimal(8))
        for i in catalogue
        for n, u in enumerate(all_units)
    ]
    Target.objects.bulk_create(targets, batch_size=5000)
    plans = []
    for target in Target.objects.filter(year=YEAR):
        plan = plan_even(year=YEAR, target=target.value, merged_jan_feb=True)
        plans += [
            PlanValue(target=target, end_month=p.period.end_month, value=p.value, share=p.share)
            for p in plan.points
        ]
    PlanValue.objects.bulk_create(plans, batch_size=10000)


def workbook(rows: int, indicators: int) -> bytes:
    """A long table (单位 | 指标 | 累计 | 增长%) of ``rows`` figures, as a bureau export has it."""
    from openpyxl import Workbook

    from kaimen.org.models import Unit, UnitKind

    needed = -(-rows // indicators)
    top = Unit.objects.get(name="基准区")
    Unit.objects.bulk_create(
        Unit(name=f"导入镇{i:05d}", kind=UnitKind.TOWN, parent=top) for i in range(needed)
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("分单位分指标")
    ws.append([f"{YEAR}年1-4月分单位主要指标"])
    ws.append(["单位名称", "指标名称", "本月止累计", "比上年同期增长%"])
    written = 0
    for u in range(needed):
        for i in range(1, indicators + 1):
            if written == rows:
                break
            ws.append([f"导入镇{u:05d}", f"基准指标{i:03d}", 10 + (u + i) % 50, 5.1])
            written += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def openpyxl_alone(data: bytes) -> float:
    return openpyxl_alone_times(data)[0]


def openpyxl_alone_times(data: bytes) -> tuple[float, float]:
    """A bare openpyxl read-only pass over the workbook: (wall, CPU) seconds."""
    from openpyxl import load_workbook

    started, cpu = time.perf_counter(), time.process_time()
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for ws in wb.worksheets:
        for _row in ws.iter_rows(values_only=True):
            pass
    wb.close()
    return time.perf_counter() - started, time.process_time() - cpu


def import_times(data: bytes, rows: int) -> dict[str, float]:
    """Upload and preview, then the import (read, check, write every figure in one
    transaction) against openpyxl alone, in wall and CPU seconds: on a machine shared with
    other work the wall times wait for the CPU, the CPU times do not."""
    from kaimen.targets import imports

    alone, alone_cpu = min(openpyxl_alone_times(data) for _ in range(2))
    t0 = time.perf_counter()
    batch, _created = imports.import_upload(
        actor=None, data=data, file_name="bench.xlsx", system=True
    )
    preview = time.perf_counter() - t0
    assert not [p for p in batch.problems if p["severity"] == "error"], batch.problems[:3]
    t0, c0 = time.perf_counter(), time.process_time()
    result = imports.import_commit(actor=None, batch=batch, system=True)
    commit, commit_cpu = time.perf_counter() - t0, time.process_time() - c0
    assert result.created == rows, result
    return {
        "alone": alone,
        "alone_cpu": alone_cpu,
        "preview": preview,
        "commit": commit,
        "commit_cpu": commit_cpu,
        "ratio": commit / alone,
        "ratio_cpu": commit_cpu / alone_cpu,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=120)
    parser.add_argument("--indicators", type=int, default=60)
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="Only the import, into a district of 4 units holding no other year's figures.",
    )
    args = parser.parse_args(argv)

    from bench.env import fresh_database

    fresh_database()
    from django.test import Client

    from kaimen.lib import clock
    from kaimen.org.models import Membership, Role, Unit, User
    from kaimen.targets.models import Actual

    if args.import_only:
        build(4, args.indicators, 1)
        return {"import": _import_figures(args)}
    started = time.perf_counter()
    build(args.units, args.indicators, args.years)
    print(
        f"district: {args.units} units × {args.indicators} indicators × {args.years} years, "
        f"{Actual.objects.count():,} figures, built in {time.perf_counter() - started:.0f} s"
    )
    leader = User.objects.create(username="bench-leader", password="!", must_change_password=False)
    User.objects.filter(pk=leader.pk).update(password_changed_at=clock.now())
    Membership.objects.create(user=leader, unit=Unit.objects.get(name="基准区"), role=Role.LEADER)
    client = Client()
    client.force_login(leader)
    results = board_figures(args)
    for label, url in (
        ("monitoring page", f"/targets/monitoring/?year={YEAR}&month=3"),
        ("monitoring page, one indicator", f"/targets/monitoring/?year={YEAR}&month=3&indicator=1"),
        ("monitoring API, first 50 rows", f"/api/v1/targets/monitoring?year={YEAR}&month=3"),
    ):
        client.get(url)  # warm the caches (templates, translations)
        median, p95, queries = _timed(client, url, args.repeat)
        results[label] = (median, p95, queries)
        print(f"{label:<34} median {median:7.0f} ms   p95 {p95:7.0f} ms   {queries} queries")
    page, raw = results["monitoring page"][0], results["raw SQL read"]
    print(f"monitoring page ÷ raw SQL read of the same rows: {page / raw:.1f} ×")
    results["ratio"] = page / raw
    results["unit recomputed"] = unit_recomputed(args)

    results["import"] = _import_figures(args)
    return results


def _import_figures(args) -> tuple[float, float, float, float]:
    data = workbook(args.import_rows, args.indicators)
    t = import_times(data, args.import_rows)
    print(
        f"workbook of {args.import_rows:,} rows ({len(data) / 1e6:.1f} MB): "
        f"openpyxl alone {t['alone']:.1f} s (CPU {t['alone_cpu']:.1f} s); "
        f"upload + preview {t['preview']:.1f} s; "
        f"import (read, check, write) {t['commit']:.1f} s (CPU {t['commit_cpu']:.1f} s) = "
        f"{t['ratio']:.2f} × openpyxl (CPU {t['ratio_cpu']:.2f} ×; goal ≤ 0.5)"
    )
    return (t["alone"], t["preview"], t["commit"], t["ratio"])


if __name__ == "__main__":
    main()
