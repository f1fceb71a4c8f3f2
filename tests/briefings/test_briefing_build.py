"""Building an issue of the dispatch briefing (调度通报) from the demo district's stored data:
the files read back, the snapshot rebuilds the same document, and only the office builds."""

from __future__ import annotations

import io
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

from kaimen.audit.models import AuditEvent
from kaimen.briefings import services
from kaimen.briefings.models import Briefing
from kaimen.campaigns.demo import CAMPAIGN
from kaimen.campaigns.models import Campaign
from kaimen.lib.errors import PermissionDenied
from kaimen.org.models import User

pytestmark = pytest.mark.django_db

SECTIONS = ("总体情况", "主要指标", "图表", "排名与红黑榜", "逾期任务与督办")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo() -> Campaign:
    call_command("demo", stdout=StringIO())
    return Campaign.objects.get(name=CAMPAIGN)


@pytest.fixture
def office(demo) -> User:
    return User.objects.get(username="office.li")


@pytest.fixture
def built(demo, office) -> Briefing:
    return services.briefing_build(actor=office, campaign=demo)


def _document_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml")


def test_the_office_builds_a_briefing_from_the_demo_data(built):
    doc = Document(str(services.path_of(built.docx_name)))
    text = "\n".join(p.text for p in doc.paragraphs)
    for heading in SECTIONS:
        assert heading in text
    assert "开门红" in text
    # the demo's published March run, never a draft (tests/briefings/test_briefing_rankings.py)
    assert "排名与红黑榜采用2025年3月考核结果" in text
    assert len(doc.tables) >= 1
    assert len(doc.inline_shapes) >= 1
    assert built.number == 1
    assert len(built.docx_sha256) == 64
    assert AuditEvent.objects.filter(action="briefings.briefing.build").count() == 1


def test_the_appendix_reads_back_with_openpyxl(built):
    wb = load_workbook(services.path_of(built.xlsx_name))
    assert len(wb.sheetnames) >= 1
    values = [c.value for ws in wb for row in ws.iter_rows() for c in row if c.value]
    assert any(isinstance(v, str) and "指标" in v for v in values)


def test_the_stored_snapshot_rebuilds_the_same_document(built):
    stored = services.path_of(built.docx_name).read_bytes()
    again = services.briefing_rebuild_from_snapshot(briefing=built)
    assert _document_xml(again.docx) == _document_xml(stored)


def test_issues_are_numbered_in_order(built, office, demo):
    second = services.briefing_build(actor=office, campaign=demo)
    assert second.number == built.number + 1
    assert second.docx_name != built.docx_name


def test_only_the_office_may_build(demo):
    leader = User.objects.get(username="leader.zhang")
    with pytest.raises(PermissionDenied):
        services.briefing_build(actor=leader, campaign=demo)
    assert not Briefing.objects.exists()


def test_the_files_are_removed_when_the_row_cannot_be_saved(demo, office, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "record", boom)
    with pytest.raises(RuntimeError):
        services.briefing_build(actor=office, campaign=demo)
    assert not Briefing.objects.exists()
    assert not any(services.files_root().iterdir())


def test_the_command_writes_the_file(demo, tmp_path):
    out = StringIO()
    target = tmp_path / "tongbao.docx"
    call_command("briefing", "build", "--campaign", str(demo.pk), "--out", str(target), stdout=out)
    assert target.exists()
    assert target.with_suffix(".xlsx").exists()
    assert str(target) in out.getvalue()
    assert "开门红" in "\n".join(p.text for p in Document(str(target)).paragraphs)


def test_the_command_is_audited_as_the_servers_operator(demo, tmp_path):
    target = tmp_path / "tongbao.docx"
    call_command("briefing", "build", "--year", "2025", "--out", str(target), stdout=StringIO())
    event = AuditEvent.objects.get(action="briefings.briefing.build")
    assert event.actor_name == "kaimen briefing build"


def test_an_earlier_period_can_be_asked_for(demo, office):
    briefing = services.briefing_build(actor=office, campaign=demo, period="1-2月")
    assert briefing.period == "2025年1-2月"


def test_the_command_refuses_a_period_it_cannot_read(demo, tmp_path):
    with pytest.raises(CommandError, match="1-3月"):
        call_command(
            "briefing",
            "build",
            "--year",
            "2025",
            "--period",
            "13月",
            "--out",
            str(tmp_path / "x.docx"),
            stdout=StringIO(),
        )
    assert not Briefing.objects.exists()
