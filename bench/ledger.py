"""Ledger benchmark: parsing throughput on a ~1 MB speech, and the task list page of a campaign
with 2,000 tasks.

    make bench            (runs every benchmark)
    .venv/bin/python -m bench.ledger --tasks 2000 --megabytes 1

Parsing runs the full rule-based pipeline (structure, classification, unit suggestions, time
phrases) on the reference speech repeated to the given size. Server times are medians and 95th
percentiles of repeated requests through Django's test client; the query count does not grow
with rows (asserted in tests/ledger/test_ledger_pages.py).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "2025-q1-kaimenhong-speech.txt"


def parse_throughput(megabytes: float) -> tuple[int, float]:
    from kaimen.ledger.parsing import parse_text

    speech = CORPUS.read_text(encoding="utf-8")
    head, _, body = speech.partition("同志们:")
    target = int(megabytes * 1_000_000 / 3)  # UTF-8 Chinese is about 3 bytes a character
    body = (body * (target // len(body) + 1))[:target]
    text = head + "同志们:" + body
    parse_text(text[:20_000], year=2025)  # warm jieba's dictionary outside the timing
    started = time.perf_counter()
    parse_text(text, year=2025)
    return len(text), time.perf_counter() - started


def build_campaign(tasks: int) -> None:
    from django.db import transaction

    from kaimen.campaigns.models import Campaign
    from kaimen.ledger.models import (
        Task,
    )
    from kaimen.lib import clock
    from kaimen.org.models import Unit, UnitKind

    with transaction.atomic():
        units = Unit.objects.bulk_create(
            Unit(name=f"台账基准单位{i:03d}", kind=UnitKind.DEPARTMENT) for i in range(40)
        )
        campaign = Campaign.objects.create(
            name="基准战役", year=2025, start=date(2025, 1, 1), end=date(2025, 3, 31),
            created_at=clock.now(),
        )  # fmt: skip
        Task.objects.bulk_create(
            Task(
                campaign=campaign,
                order=i,
                path=f"基准/{i}",
                original_text=f"要加快推进第{i}项重点工作,确保3月底前完成。",
                title=f"第{i}项重点工作",
                lead_unit=units[i % len(units)],
                deadline=date(2025, 3, 31),
                published_at=clock.now(),
            )
            for i in range(tasks)
        )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)

    from bench.env import fresh_database

    fresh_database()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kaimen.lib import clock
    from kaimen.org.models import Membership, Role, Unit, UnitKind, User

    chars, seconds = parse_throughput(args.megabytes)
    print(f"parse: {chars} characters in {seconds:.2f} s = {chars / seconds:,.0f} characters/s")

    build_campaign(args.tasks)
    office_unit = Unit.objects.create(name="台账基准调度办", kind=UnitKind.DEPARTMENT)
    office = User.objects.create(
        username="bench-ledger-office", password="!", must_change_password=False,
        password_changed_at=clock.now(),
    )  # fmt: skip
    # A leader (no second factor in the way) reads the same list the office does.
    Membership.objects.create(user=office, unit=office_unit, role=Role.LEADER)
    client = Client()
    client.force_login(office)
    results = {}
    for label, url in (
        ("task list, page 1", "/ledger/"),
        ("task list, page 20", "/ledger/?page=20"),
    ):
        samples = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - t0)
            assert response.status_code == 200, (url, response.status_code)
        samples.sort()
        p95 = samples[int(round(0.95 * (len(samples) - 1)))]
        results[label] = (statistics.median(samples) * 1000, p95 * 1000, len(queries))
        print(
            f"{label} ({args.tasks} tasks): median {results[label][0]:.1f} ms, "
            f"p95 {results[label][1]:.1f} ms, {results[label][2]} queries"
        )
    return {"parse_chars_per_second": chars / seconds, "pages": results}


if __name__ == "__main__":
    main()
