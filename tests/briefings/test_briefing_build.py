"""Building an issue of the dispatch briefing (调度通报) from the demo district's stored data:
the files read back, the snapshot rebuilds the same document, and only the office builds."""

from __future__ import annotations

import getpass
import io
import zipfile
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

from kaimen.audit.models import AuditEvent
from kaimen.briefings import charts, services
from kaimen.briefings.models import Briefing, BriefingSource, BriefingStatus
from kaimen.campaigns.demo import CAMPAIGN
from kaimen.campaigns.models import Campaign
from kaimen.lib.errors import PermissionDenied, ValidationError
from kaimen.org.models import User
from kaimen.targets.selectors import latest_period_with_figures

pytestmark = pytest.mark.django_db

SECTIONS = ("总体情况", "主要指标", "图表", "排名与红黑榜", "逾期任务与督办")
MASTHEAD_RED = "FF0000"


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
    assert built.number is None  # a draft: numbered when the office issues it
    assert built.status == BriefingStatus.DRAFT
    assert doc.paragraphs[1].text == "（草稿，签发时编号）"
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


def test_building_the_same_period_again_rebuilds_the_draft_in_place(
    built, office, demo, django_capture_on_commit_callbacks
):
    old_docx = services.path_of(built.docx_name)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.briefing_build(actor=office, campaign=demo)
    assert again.pk == built.pk
    assert again.number is None
    assert again.docx_name != built.docx_name
    assert not old_docx.exists()  # the replaced files are removed
    assert Briefing.objects.count() == 1
    assert sorted(p.name for p in services.files_root().iterdir()) == sorted(
        [again.docx_name, again.xlsx_name]
    )


def test_the_office_issues_a_draft_which_takes_the_next_number(built, office, demo, clock):
    # 17:30 UTC on 7 April is 01:30 on 8 April in the district: the date of issue is the 8th
    clock.current = datetime(2025, 4, 7, 17, 30, tzinfo=UTC)
    issued = services.briefing_issue(actor=office, briefing_id=built.pk)
    assert (issued.pk, issued.number, issued.status) == (built.pk, 1, BriefingStatus.ISSUED)
    assert issued.issued_by == office
    doc = Document(str(services.path_of(issued.docx_name)))
    masthead, number, line = doc.paragraphs[:3]
    assert masthead.text == "开门红工作调度通报"
    assert str(masthead.runs[0].font.color.rgb) == MASTHEAD_RED
    assert number.text == "第1期"
    assert line.text.endswith("2025年4月8日")
    assert doc.paragraphs[-1].text == "2025年4月8日"  # the date under the signature
    event = AuditEvent.objects.get(action="briefings.briefing.issue")
    assert event.before["number"] is None
    assert event.after["number"] == 1
    # the issued file is rebuilt from its stored snapshot byte for byte
    again = services.briefing_rebuild_from_snapshot(briefing=issued)
    assert _document_xml(again.docx) == _document_xml(
        services.path_of(issued.docx_name).read_bytes()
    )
    # building the period again makes a new draft; the issued one keeps its number and files
    draft = services.briefing_build(actor=office, campaign=demo)
    assert draft.pk != issued.pk
    assert draft.number is None
    assert services.path_of(issued.docx_name).exists()
    second = services.briefing_issue(actor=office, briefing_id=draft.pk)
    assert second.number == 2


def test_an_issued_briefing_is_not_issued_twice(built, office):
    services.briefing_issue(actor=office, briefing_id=built.pk)
    with pytest.raises(ValidationError, match="已签发"):
        services.briefing_issue(actor=office, briefing_id=built.pk)
    assert AuditEvent.objects.filter(action="briefings.briefing.issue").count() == 1


def test_a_leader_cannot_issue(built):
    leader = User.objects.get(username="leader.zhang")
    with pytest.raises(PermissionDenied):
        services.briefing_issue(actor=leader, briefing_id=built.pk)
    assert Briefing.objects.get(pk=built.pk).number is None


def test_the_source_of_each_build_is_recorded(built, office, demo, tmp_path):
    assert (built.source, built.created_by) == (BriefingSource.WEB, office)
    assert built.source_label == office.display_name
    call_command("briefing", "build", "--out", str(tmp_path / "x.docx"), stdout=StringIO())
    by_command = Briefing.objects.get(pk=built.pk)  # the same period's draft, rebuilt
    assert by_command.source == BriefingSource.COMMAND
    assert by_command.created_by is None
    assert by_command.built_by_name == getpass.getuser()
    label = by_command.source_label
    assert label == f"{BriefingSource.COMMAND.label}（{getpass.getuser()}）"
    assert str(BriefingSource.SCHEDULE.label) not in label


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


def test_the_command_builds_the_current_campaigns_latest_period_without_arguments(demo, tmp_path):
    out = StringIO()
    target = tmp_path / "tongbao.docx"
    call_command("briefing", "build", "--out", str(target), stdout=out)
    briefing = Briefing.objects.get()
    assert briefing.campaign == demo
    assert briefing.year == demo.year
    latest = latest_period_with_figures(demo.year)
    assert briefing.period == f"{demo.year}年1-{latest}月"
    assert demo.name in out.getvalue()
    doc = Document(str(target))
    assert len(doc.inline_shapes) >= 1
    assert f"截至{latest}月底" in "\n".join(p.text for p in doc.paragraphs)


def test_the_command_says_when_the_charts_could_not_be_drawn(demo, tmp_path, monkeypatch):
    monkeypatch.setattr(charts, "_installed_families", set)
    err = StringIO()
    target = tmp_path / "tongbao.docx"
    call_command("briefing", "build", "--out", str(target), stdout=StringIO(), stderr=err)
    assert "no charts" in err.getvalue()
    assert "中文字体" in err.getvalue()
    doc = Document(str(target))
    assert len(doc.inline_shapes) == 0
    assert any("图表未能绘制" in p.text for p in doc.paragraphs)
    assert "中文字体" in Briefing.objects.get().chart_note


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
