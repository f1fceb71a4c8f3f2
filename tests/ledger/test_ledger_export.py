"""The 任务分解表 export (xlsx and docx, read back), and ``kaimen parse`` on the command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import date

import docx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from kaimen.audit.models import AuditEvent
from kaimen.ledger import services
from tests.ledger.ledger_helpers import SPEECH, add_departments, make_tasks, publish_speech

COLUMNS = ["序号", "任务内容", "牵头单位", "配合单位", "完成时限", "进展情况", "状态"]


@pytest.fixture
def published(cast, settings, tmp_path):
    settings.LEDGER_FILES_ROOT = tmp_path / "files"
    add_departments(cast)
    campaign, tasks = publish_speech(cast)
    return cast, campaign, tasks


@pytest.mark.django_db
def test_xlsx_export_reads_back_with_the_usual_columns_on_a4_landscape(client, login, published):
    cast, campaign, tasks = published
    login(cast.office)
    response = client.get(reverse("ledger:campaign_export", args=[campaign.pk, "xlsx"]))
    assert response.status_code == 200
    assert "attachment;" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    content = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in ws[2]] == COLUMNS
    numbers = [
        row[0] for row in ws.iter_rows(min_row=3, values_only=True) if isinstance(row[0], int)
    ]
    assert numbers == list(range(1, 10))
    leads = [row[2] for row in ws.iter_rows(min_row=3, values_only=True) if isinstance(row[0], int)]
    assert leads == [t.lead_unit.name for t in tasks]
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert AuditEvent.objects.filter(action="ledger.export").count() == 1


@pytest.mark.django_db
def test_a_cell_starting_with_equals_is_text_not_a_formula(cast, settings, tmp_path):
    settings.LEDGER_FILES_ROOT = tmp_path
    (task,) = make_tasks(cast, [(cast.town_a, [])], deadline=date(2099, 12, 31))
    services.progress_report(
        actor=cast.liaison_a, task=task, text='=HYPERLINK("http://evil","x")', percent=5
    )
    services.task_update(
        actor=cast.office,
        task=task,
        expected_version=task.version,
        title="@SUM(A1)",
        lead_unit=cast.town_a,
        co_units=[],
        deadline=date(2099, 12, 31),
        cadence="weekly",
    )
    exported = services.ledger_export(actor=cast.office, campaign=task.campaign, fmt="xlsx")
    content = exported.content.read()
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    ws = load_workbook(io.BytesIO(content)).active
    progress = [
        row[5] for row in ws.iter_rows(min_row=3, values_only=True) if isinstance(row[0], int)
    ]
    assert progress[0].split(":", 1)[1].startswith("=HYPERLINK")
    assert ws.cell(row=4, column=1).value == 1  # a real number stays a number
    assert ws.cell(row=4, column=5).is_date


@pytest.mark.django_db
def test_docx_export_reads_back_with_python_docx(client, login, published):
    cast, campaign, tasks = published
    login(cast.leader)
    response = client.get(reverse("ledger:campaign_export", args=[campaign.pk, "docx"]))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == COLUMNS
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    task_rows = [r for r in rows if r[0].isdigit()]
    assert len(task_rows) == 9
    assert task_rows[0][2] == tasks[0].lead_unit.name
    assert task_rows[0][4] == "2025年3月31日前"
    assert any(r[0].startswith("一、") for r in rows)  # grouped under the speech's sections


@pytest.mark.django_db
def test_a_liaison_cannot_export(client, login, published):
    cast, campaign, _tasks = published
    login(cast.liaison_a)
    response = client.get(reverse("ledger:campaign_export", args=[campaign.pk, "xlsx"]))
    assert response.status_code == 403


def test_kaimen_parse_prints_the_json_contract(capsys):
    call_command("parse", str(SPEECH))
    data = json.loads(capsys.readouterr().out)
    assert [n["level"] for n in data["nodes"]] == [1, 1]
    assert data["title"].startswith("区委书记在")
    leaf = data["nodes"][1]["children"][0]["children"][0]
    assert set(leaf["task"]) >= {"kind", "reason", "lead_units", "co_units", "deadline"}


def test_kaimen_parse_as_a_subprocess_with_year_and_a_bad_file(tmp_path):
    cli = [sys.executable, "-m", "kaimen.cli", "parse"]
    env_ok = subprocess.run([*cli, str(SPEECH), "--year", "2025"], capture_output=True, timeout=120)
    assert env_ok.returncode == 0, env_ok.stderr.decode()
    assert len(json.loads(env_ok.stdout)["nodes"]) == 2
    bad = tmp_path / "讲话.docx"
    bad.write_bytes(b"not a word file at all")
    failed = subprocess.run([*cli, str(bad)], capture_output=True, timeout=120)
    assert failed.returncode != 0
    assert "讲话.docx" in failed.stderr.decode()
    assert failed.stdout == b""


def test_kaimen_parse_writes_xlsx_and_docx(tmp_path):
    xlsx = tmp_path / "out.xlsx"
    call_command("parse", str(SPEECH), "--format", "xlsx", "--out", str(xlsx))
    assert [c.value for c in load_workbook(xlsx).active[2]] == COLUMNS
    out = tmp_path / "out.docx"
    call_command("parse", str(SPEECH), "--format", "docx", "--out", str(out))
    assert docx.Document(str(out)).tables[0].rows[0].cells[0].text == "序号"


def test_kaimen_parse_of_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="找不到"):
        call_command("parse", str(tmp_path / "nope.txt"))
