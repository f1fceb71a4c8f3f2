"""Foundation benchmark: audit-chain verification speed and the server time of the directory
pages on a large synthetic district.

    make bench            (runs every benchmark)
    .venv/bin/python -m bench.foundation --units 400 --people-per-unit 10 --events 100000
"""

from __future__ import annotations

import argparse
import statistics
import time


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=400)
    parser.add_argument("--people-per-unit", type=int, default=10)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)

    from bench.env import fresh_database

    fresh_database()
    from django.test import Client

    from bench.scale import build_audit_events, build_district
    from kaimen.audit.services import verify
    from kaimen.org.models import Membership, Role, Unit, User

    sizes = build_district(
        departments=args.units // 2,
        towns=args.units - args.units // 2,
        people_per_unit=args.people_per_unit,
    )
    build_audit_events(args.events)

    started = time.perf_counter()
    result = verify()
    verify_seconds = time.perf_counter() - started
    assert result.ok, result.broken

    office = User.objects.create(username="bench-office", password="!", must_change_password=False)
    from kaimen.lib import clock

    User.objects.filter(pk=office.pk).update(password_changed_at=clock.now())
    Membership.objects.create(user=office, unit=Unit.objects.first(), role=Role.LEADER)
    client = Client()
    client.force_login(office)
    timings: dict[str, float] = {}
    for label, url in (
        ("unit list", "/org/units/"),
        ("people list", "/org/people/"),
        ("people page 20", "/org/people/?page=20"),
    ):
        samples = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 200, (url, response.status_code)
        timings[label] = statistics.median(samples) * 1000

    report = {
        "district": sizes,
        "audit_events": result.checked,
        "audit_verify_seconds": round(verify_seconds, 2),
        "audit_verify_events_per_second": round(result.checked / verify_seconds),
        "median_ms": {k: round(v, 1) for k, v in timings.items()},
    }
    print(
        f"district: {sizes['units']} units, {sizes['people']} people; audit events: {result.checked}"
    )
    print(
        f"kaimen audit verify: {verify_seconds:.2f} s ({report['audit_verify_events_per_second']} events/s)"
    )
    for label, ms in report["median_ms"].items():
        print(f"{label:<16} median server time {ms} ms over {args.repeat} requests")
    return report


if __name__ == "__main__":
    main()
