"""Briefings benchmark: the weekly dispatch briefing of the demo district (Word and Excel), and
the leader dashboard's server time on the targets benchmark's district.

    make bench            (runs every benchmark)
    .venv/bin/python -m bench.briefings --builds 5 --repeat 20 --units 120 --indicators 60

Each part runs in its own process on its own fresh SQLite database (or DATABASE_URL, which
should then be an empty database): the demo district and the benchmark district each have
their own root unit, and the district is the root.

Briefing: ``briefings.services.briefing_build`` as the office's "build now" runs it (snapshot
from the database, docx with charts, xlsx appendix, files written, row and audit event),
median of ``--builds`` runs; the snapshot and the two builders are also timed on their own.

Dashboard: the targets benchmark's district (120 units × 60 indicators × 6 years of monthly
figures, 7,200 targets) with 10 indicators marked key, a campaign of 300 tasks of which some
are overdue with supervision steps, and a published ranking of every unit (built here and
handed to the dashboard in place of ``evaluation.selectors``' published run). Server times are
medians and 95th percentiles of repeated requests through Django's test client, first with the
light census cached (what every request after the first sees until the data changes), then
with the cache cleared before each request (the first request after an import or an
explanation). The query count does not grow with the district (asserted in
tests/briefings/test_dashboard.py).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

YEAR = 2025
AS_OF = datetime(YEAR, 4, 8, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RESULT = "BENCH-RESULT "


def _median_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


# ---------------------------------------------------------------------------------------------
# The briefing of the demo district


def briefing_part(builds: int) -> dict:
    from bench.env import fresh_database

    fresh_database()
    from django.core.management import call_command
    from django.test import override_settings

    from kaimen.briefings import charts, services
    from kaimen.briefings.assemble import assemble_snapshot
    from kaimen.briefings.docx_builder import build_briefing_docx
    from kaimen.briefings.xlsx_builder import build_briefing_xlsx
    from kaimen.campaigns.demo import CAMPAIGN
    from kaimen.campaigns.models import Campaign
    from kaimen.org.models import User
    from kaimen.targets.selectors import latest_period_with_figures

    call_command("demo", stdout=io.StringIO())
    office = User.objects.get(username="office.li")
    User.objects.filter(pk=office.pk).update(must_change_password=False)
    campaign = Campaign.objects.get(name=CAMPAIGN)
    with_charts = charts.cjk_font_available()
    end_month = latest_period_with_figures(campaign.year)

    parts: dict[str, list[float]] = {"snapshot": [], "docx": [], "xlsx": []}
    for _ in range(builds):
        t0 = time.perf_counter()
        snap = assemble_snapshot(year=campaign.year, campaign=campaign, end_month=end_month)
        t1 = time.perf_counter()
        docx = build_briefing_docx(snap, include_charts=with_charts)
        t2 = time.perf_counter()
        xlsx = build_briefing_xlsx(snap)
        t3 = time.perf_counter()
        parts["snapshot"].append(t1 - t0)
        parts["docx"].append(t2 - t1)
        parts["xlsx"].append(t3 - t2)

    totals = []
    with override_settings(BRIEFINGS_FILES_ROOT=tempfile.mkdtemp(prefix="kaimen-bench-briefings-")):
        for _ in range(builds):
            t0 = time.perf_counter()
            services.briefing_build(actor=office, campaign=campaign)
            totals.append(time.perf_counter() - t0)
    median = statistics.median(totals)
    print(
        f"briefing of the demo district ({len(snap.indicators)} indicators, "
        f"{len(snap.charts)} charts{'' if with_charts else ' — no CJK font, charts left out'}, "
        f"{snap.overview.tasks_total} tasks), {builds} builds: median {median:.2f} s, "
        f"max {max(totals):.2f} s (goal < 5 s); docx {len(docx) / 1000:.0f} kB, "
        f"xlsx {len(xlsx) / 1000:.0f} kB"
    )
    print(
        "  of which: snapshot {:.2f} s, docx {:.2f} s, xlsx {:.2f} s (medians)".format(
            *(statistics.median(parts[k]) for k in ("snapshot", "docx", "xlsx"))
        )
    )
    return {
        "briefing_median_s": median,
        "briefing_max_s": max(totals),
        **{f"{k}_median_s": statistics.median(v) for k, v in parts.items()},
    }


# ---------------------------------------------------------------------------------------------
# The dashboard on the targets benchmark's district


def _campaign(tasks: int) -> None:
    """A campaign of ``tasks`` tasks over the district's units: a third closed, the rest open
    and past their deadlines, half of those with a confirmed 督办单 and a proposed 通报."""
    from django.db import transaction

    from kaimen.campaigns.models import Campaign
    from kaimen.ledger.models import (
        Level,
        StepState,
        SupervisionStep,
        Task,
        TaskStatus,
        Trigger,
    )
    from kaimen.lib import clock
    from kaimen.org.models import Unit

    now = clock.now()
    units = list(Unit.objects.exclude(parent=None).order_by("pk"))
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name="基准开门红", year=YEAR, start=date(YEAR, 1, 2), end=date(YEAR, 3, 31),
            created_at=now,
        )  # fmt: skip
        Task.objects.bulk_create(
            Task(
                campaign=campaign,
                order=i,
                path=f"基准/{i}",
                original_text=f"要加快推进第{i}项重点工作，确保按期完成。",
                title=f"第{i}项重点工作",
                lead_unit=units[i % len(units)],
                deadline=date(YEAR, 2, 1) + timedelta(days=i % 58),
                status=TaskStatus.CLOSED if i % 3 == 0 else TaskStatus.IN_PROGRESS,
                light="green" if i % 3 == 0 else ("red" if i % 2 else "yellow"),
                published_at=now,
            )
            for i in range(tasks)
        )
        late = Task.objects.filter(campaign=campaign).exclude(status=TaskStatus.CLOSED)
        steps = []
        for task in late.order_by("pk")[::2]:
            steps.append(
                SupervisionStep(
                    task=task, trigger=Trigger.DEADLINE,
                    trigger_key=f"deadline:{task.deadline}", level=Level.ORDER,
                    state=StepState.CONFIRMED, reason="逾期未办结，下发督办单", proposed_at=now,
                    decided_at=now,
                )
            )  # fmt: skip
            steps.append(
                SupervisionStep(
                    task=task, trigger=Trigger.DEADLINE,
                    trigger_key=f"deadline:{task.deadline}", level=Level.NOTICE,
                    state=StepState.PROPOSED, reason="督办后仍未办结，建议通报", proposed_at=now,
                )
            )  # fmt: skip
        SupervisionStep.objects.bulk_create(steps)


def _ranking_rows():
    """A published ranking of every unit in two peer groups, as the evaluation module hands it
    to the dashboard (``evaluation.selectors.published_ranking_rows``)."""
    from kaimen.evaluation.rows import RankingRow, RollRow
    from kaimen.org.models import Unit, UnitKind

    rows, roll = [], []
    for kind, label in ((UnitKind.TOWN, "镇街"), (UnitKind.DEPARTMENT, "部门")):
        names = list(Unit.objects.filter(kind=kind).order_by("pk").values_list("name", flat=True))
        for rank, name in enumerate(names, start=1):
            total = Decimal(100) - Decimal(rank) / 2
            rows.append(
                RankingRow(label, name, rank, False, total, total, total, total, rank % 3 - 1)
            )
        roll += [
            RollRow("red", label, n, i + 1, Decimal(99), "名列前茅")
            for i, n in enumerate(names[:3])
        ]
        roll += [
            RollRow("black", label, n, len(names) - i, Decimal(40), "排名靠后")
            for i, n in enumerate(names[-3:])
        ]
    return tuple(rows), tuple(roll)


def dashboard_part(units: int, indicators: int, years: int, tasks: int, repeat: int) -> dict:
    from bench.env import fresh_database

    fresh_database()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.targets import build
    from kaimen.evaluation import selectors as evaluation
    from kaimen.lib import clock
    from kaimen.org.models import Membership, Role, Unit, User
    from kaimen.targets.models import Indicator, Target

    # The screen as it stands the week after the bureau's 1-3月 release, when leaders read it
    # (the clock is injectable for this; overdue days are counted up to that day).
    clock.now = lambda: AS_OF
    started = time.perf_counter()
    build(units, indicators, years)
    # The benchmark district's root is the district (a second root would need its own order).
    Unit.objects.filter(name="基准区").update(sort_order=0)
    Indicator.objects.filter(sort_order__lte=10).update(is_key=True)
    _campaign(tasks)
    ranking, roll = _ranking_rows()
    evaluation.published_ranking_rows = lambda campaign: ranking
    evaluation.published_roll_rows = lambda campaign: roll
    evaluation.published_period_label = lambda campaign: f"{YEAR}年3月"
    print(
        f"district: {units} units × {indicators} indicators × {years} years, "
        f"{Target.objects.count():,} targets, 10 key indicators, {tasks} tasks, a ranking of "
        f"{len(ranking)} units; built in {time.perf_counter() - started:.0f} s"
    )
    leader = User.objects.create(username="bench-leader", password="!", must_change_password=False)
    User.objects.filter(pk=leader.pk).update(password_changed_at=clock.now())
    Membership.objects.create(user=leader, unit=Unit.objects.get(name="基准区"), role=Role.LEADER)
    client = Client()
    client.force_login(leader)

    def timed(clear: bool) -> tuple[list[float], int]:
        samples, queries = [], 0
        for _ in range(repeat):
            if clear:
                cache.clear()
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                response = client.get("/dashboard/")
                samples.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.content[:300]
            queries = len(captured)
        return samples, queries

    client.get("/dashboard/")  # warm the templates, translations and the census
    warm, warm_queries = timed(clear=False)
    cold, cold_queries = timed(clear=True)
    results = {}
    for label, samples, queries in (
        ("dashboard, light census cached", warm, warm_queries),
        ("dashboard, census recomputed", cold, cold_queries),
    ):
        median, p95 = _median_p95(samples)
        results[label] = (median, p95, queries)
        print(f"{label:<32} median {median:7.0f} ms   p95 {p95:7.0f} ms   {queries} queries")
    print(
        "  (goal: median < 150 ms; the census is recomputed on the first request after any change)"
    )
    return results


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["all", "briefing", "dashboard"], default="all")
    parser.add_argument("--builds", type=int, default=5)
    parser.add_argument("--units", type=int, default=120)
    parser.add_argument("--indicators", type=int, default=60)
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)

    if args.part == "briefing":
        result = briefing_part(args.builds)
    elif args.part == "dashboard":
        result = dashboard_part(args.units, args.indicators, args.years, args.tasks, args.repeat)
    else:
        # Each part in a fresh process and database (see the module docstring).
        result = {}
        options = [f"--{k}={v}" for k, v in vars(args).items() if k != "part"]
        env = {k: v for k, v in os.environ.items() if k != "KAIMEN_VAR_DIR"}
        for part in ("briefing", "dashboard"):
            done = subprocess.run(  # noqa: S603 - this interpreter, this module, our own options
                [sys.executable, "-m", "bench.briefings", f"--part={part}", *options],
                env=env,
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            for line in done.stdout.splitlines():
                if line.startswith(RESULT):
                    result[part] = json.loads(line[len(RESULT) :])
                else:
                    print(line)
        return result
    print(RESULT + json.dumps(result, default=str))
    return result


if __name__ == "__main__":
    main()
