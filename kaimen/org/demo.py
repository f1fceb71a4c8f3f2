"""The demo district 示范区: its units, the four task forces of the speech, one account per role.

Loading is idempotent: units and accounts are found by name and created only when missing, and
an account's password is never reset by a second run (whoever changed it keeps theirs).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from django.db import transaction

from kaimen.audit.services import record
from kaimen.lib import clock
from kaimen.org.models import Membership, Role, Unit, UnitKind, User

DISTRICT = "示范区"
DEMO_PASSWORD = "Kaimen#2025"  # noqa: S105 - the published demo password, changed at first sign-in

LEADERSHIP = [("区委区政府", "区领导")]
DEPARTMENTS = [
    "区委办公室",
    "区政府办公室",
    "区委组织部",
    "区委宣传部",
    "区纪委监委",
    "区委区政府督查室",
    "区发展和改革局",
    "区统计局",
    "区财政局",
    "区商务局",
    "区投资促进局",
    "区文化广电旅游体育局",
    "区市场监督管理局",
    "区政务服务管理局",
    "区司法局",
    "区科学技术局",
    "区工业和信息化局",
    "区住房和城乡建设局",
    "区自然资源和规划局",
    "区人力资源和社会保障局",
    "区生态环境局",
    "区农业农村局",
    "区交通运输局",
    "区应急管理局",
    "区税务局",
    "区大数据中心",
]
TOWNS = ["城关街道", "东城街道", "西城街道", "南湖街道", "北山镇", "青石镇", "河口镇", "柳林镇"]
# The four task forces set up by the speech (二、(二) 二是), with the duties it gives them.
TASK_FORCES = [
    ("招商引资专班", "负责项目对接和引进", "区投资促进局"),
    ("服务保障专班", "负责为企业提供全方位服务", "区政务服务管理局"),
    ("推进攻坚专班", "负责解决项目推进过程中的难题", "区发展和改革局"),
    ("政策研究专班", "负责制定和完善招商政策", "区投资促进局"),
]
CAMPAIGN_OFFICE = "区开门红工作调度办公室"


def liaison_display_name(unit: Unit) -> str:
    """The display name of a liaison account the demo adds for ``unit``: "区委区政府督查室联络员",
    "北山镇联络员" (the unit's short name when it has one, never a slice of its name)."""
    return f"{unit.short_name or unit.name}联络员"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    unit: str
    role: str


ACCOUNTS = [
    DemoAccount("leader.zhang", "张书记", "区委区政府", Role.LEADER),
    DemoAccount("office.li", "李主任", CAMPAIGN_OFFICE, Role.OFFICE),
    DemoAccount("liaison.shangwu", "王联络员", "区商务局", Role.LIAISON),
    DemoAccount("liaison.touzi", "赵联络员", "区投资促进局", Role.LIAISON),
    DemoAccount("liaison.chengguan", "陈联络员", "城关街道", Role.LIAISON),
    DemoAccount("member.tongji", "刘科员", "区统计局", Role.MEMBER),
    DemoAccount("sysadmin.zhou", "周工", "区大数据中心", Role.SYSADMIN),
    DemoAccount("secadmin.wu", "吴工", "区大数据中心", Role.SECADMIN),
    DemoAccount("auditor.zheng", "郑工", "区大数据中心", Role.AUDITOR),
]


@dataclass
class DemoResult:
    created_units: int
    created_accounts: int
    accounts: list[tuple[DemoAccount, str | None]]  # with the TOTP key for second-factor roles


def _unit(
    name: str, kind: str, parent: Unit | None, order: int, duties: str = ""
) -> tuple[Unit, bool]:
    return Unit.objects.get_or_create(
        name=name,
        defaults={"kind": kind, "parent": parent, "sort_order": order, "duties": duties},
    )


def load_demo_district(*, operator: str = "kaimen demo") -> DemoResult:
    """Create what is missing of the demo district, in one transaction with one audit event."""
    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    created_units = 0
    created_accounts = 0
    accounts: list[tuple[DemoAccount, str | None]] = []
    with transaction.atomic():
        top, made = _unit(LEADERSHIP[0][0], UnitKind.LEADERSHIP, None, 1)
        created_units += made
        office, made = _unit(
            CAMPAIGN_OFFICE, UnitKind.DEPARTMENT, top, 2, "全区开门红工作的调度、督办和通报"
        )
        created_units += made
        for order, name in enumerate(DEPARTMENTS, start=10):
            _, made = _unit(name, UnitKind.DEPARTMENT, top, order)
            created_units += made
        for order, name in enumerate(TOWNS, start=10):
            _, made = _unit(name, UnitKind.TOWN, top, order)
            created_units += made
        for order, (name, duty, _lead) in enumerate(TASK_FORCES, start=10):
            _, made = _unit(name, UnitKind.TASK_FORCE, top, order, duty)
            created_units += made
        units = {unit.name: unit for unit in Unit.objects.all()}
        for account in ACCOUNTS:
            user = User.objects.filter(username__iexact=account.username).first()
            if user is None:
                user = User(
                    username=account.username,
                    display_name=account.display_name,
                    must_change_password=True,
                    password_changed_at=clock.now(),
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
                created_accounts += 1
            Membership.objects.get_or_create(
                user=user, unit=units[account.unit], role=account.role, is_active=True
            )
            key = None
            if account.role in settings.OTP_REQUIRED_ROLES:
                device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
                if device is None:
                    device = TOTPDevice.objects.create(
                        user=user, name="Kaimen demo", key=secrets.token_hex(20), confirmed=True
                    )
                key = base64.b32encode(device.bin_key).decode("ascii")
            accounts.append((account, key))
        if created_units or created_accounts:
            record(
                actor=None,
                actor_name=operator,
                action="demo.load",
                after={"units": created_units, "accounts": created_accounts},
            )
    return DemoResult(created_units, created_accounts, accounts)


def run_demo(write) -> None:
    """The district's part of ``kaimen demo``: load, then list the demo accounts."""
    result = load_demo_district()
    write(
        f"{DISTRICT}: {result.created_units} units and {result.created_accounts} accounts created "
        "(0 and 0 means everything was already there)."
    )
    write("")
    write(f"Demo accounts — password {DEMO_PASSWORD} (each must set its own at first sign-in):")
    for account, key in result.accounts:
        line = f"  {account.username:<20} {account.display_name:<6} {account.unit} · {account.role}"
        if key:
            line += f"\n  {'':<20} TOTP key (add it to an authenticator app): {key}"
        write(line)
    write("")
