"""A synthetic district of any size, for benchmarks: units, people and audit events.

Built straight into the tables (bench data, not user input), with the audit chain computed the
same way the application computes it, so `audit verify` has a real chain to walk.
"""

from __future__ import annotations

from django.db import transaction

from kaimen.audit import chain
from kaimen.audit.models import AuditEvent
from kaimen.audit.services import payload_of
from kaimen.lib import clock
from kaimen.org.models import Membership, Role, Unit, UnitKind, User


def build_district(*, departments: int, towns: int, people_per_unit: int) -> dict[str, int]:
    with transaction.atomic():
        top = Unit.objects.create(name="基准区委区政府", kind=UnitKind.LEADERSHIP)
        units = [
            Unit(name=f"基准部门{i:04d}", kind=UnitKind.DEPARTMENT, parent=top)
            for i in range(departments)
        ] + [Unit(name=f"基准街道{i:04d}", kind=UnitKind.TOWN, parent=top) for i in range(towns)]
        units = Unit.objects.bulk_create(units)
        users = User.objects.bulk_create(
            User(
                username=f"bench{u.pk}-{j}",
                display_name=f"人员{u.pk}-{j}",
                phone=f"138{u.pk % 10000:04d}{j:04d}",
                password="!",  # unusable
                must_change_password=False,
                password_changed_at=clock.now(),
            )
            for u in units
            for j in range(people_per_unit)
        )
        by_unit = iter(units)
        memberships = []
        for index, user in enumerate(users):
            if index % people_per_unit == 0:
                unit = next(by_unit)
            role = Role.LIAISON if index % people_per_unit == 0 else Role.MEMBER
            memberships.append(Membership(user=user, unit=unit, role=role))
        Membership.objects.bulk_create(memberships)
    return {"units": len(units) + 1, "people": len(users)}


def build_audit_events(count: int) -> int:
    previous = (
        AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or chain.GENESIS
    )
    algorithm = chain.available_algorithm()
    batch: list[AuditEvent] = []
    with transaction.atomic():
        for i in range(count):
            event = AuditEvent(
                at=clock.now(),
                actor_name=f"bench{i % 500}",
                action="bench.event",
                object_type="org.unit",
                object_id=str(i),
                after={"i": i, "note": "基准事件"},
                prev_hash=previous,
                hash_alg=algorithm,
            )
            event.hash = chain.link_hash(algorithm, previous, payload_of(event))
            previous = event.hash
            batch.append(event)
            if len(batch) == 5000:
                AuditEvent.objects.bulk_create(batch)
                batch = []
        AuditEvent.objects.bulk_create(batch)
    return count
