"""Files from users (SECURITY.md): attachments to progress reports and uploaded speeches are
checked before anything is stored, kept outside the web root, and served only through a
permission-checked view."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from kaimen.ledger import services
from kaimen.ledger.models import Attachment, LedgerDraft, ProgressReport, SourceDocument
from tests.ledger.ledger_helpers import make_tasks

pytestmark = pytest.mark.django_db
CAP = 64 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def files_root(settings, tmp_path):
    settings.LEDGER_FILES_ROOT = tmp_path / "ledger-files"
    settings.LEDGER_ATTACHMENT_MAX_BYTES = CAP
    settings.LEDGER_SOURCE_MAX_BYTES = CAP
    return tmp_path / "ledger-files"


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def task(cast):
    (task,) = make_tasks(cast, [(cast.town_a, [cast.town_b])], deadline=date(2099, 12, 31))
    return task


def xlsx_bytes(*, macro: bool = False) -> bytes:
    out = io.BytesIO()
    wb = Workbook()
    wb.active["A1"] = "进展"
    wb.save(out)
    if not macro:
        return out.getvalue()
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\x00" * 128)
    return out.getvalue()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("进展情况")
    document.save(out)
    return out.getvalue()


def report(client, task, *files, text="本周完成招商对接3次"):
    return client.post(
        reverse("ledger:task_report", args=[task.pk]),
        {"text": text, "percent": "30", "files": list(files)},
        follow=True,
    )


def assert_refused(response, root, expected: str) -> None:
    page = response.content.decode()
    assert expected in page, page[:3000]
    assert not ProgressReport.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(root) == []


def test_a_good_report_with_excel_word_and_image_is_stored_under_generated_names(
    client, login, cast, task, files_root
):
    login(cast.liaison_a)
    response = report(
        client,
        task,
        SimpleUploadedFile("台账.xlsx", xlsx_bytes()),
        SimpleUploadedFile("说明.docx", docx_bytes()),
        SimpleUploadedFile("现场.png", PNG),
    )
    assert response.status_code == 200
    attachments = list(Attachment.objects.order_by("pk"))
    assert [a.kind for a in attachments] == ["xlsx", "docx", "png"]
    names = {p.name for p in stored_files(files_root)}
    assert names == {a.stored_name for a in attachments}
    assert not any("台账" in n for n in names)


def test_cap_plus_one_byte_is_refused_with_nothing_stored(client, login, cast, task, files_root):
    login(cast.liaison_a)
    too_big = SimpleUploadedFile("现场.png", PNG + b"\x00" * (CAP + 1 - len(PNG)))
    assert too_big.size == CAP + 1
    assert_refused(report(client, task, too_big), files_root, "超过上限")


def test_exactly_the_cap_is_accepted(client, login, cast, task):
    login(cast.liaison_a)
    report(client, task, SimpleUploadedFile("现场.png", PNG + b"\x00" * (CAP - len(PNG))))
    assert Attachment.objects.count() == 1


def test_a_renamed_exe_is_refused(client, login, cast, task, files_root):
    login(cast.liaison_a)
    exe = b"MZ\x90\x00\x03" + b"\x00" * 200
    assert_refused(
        report(client, task, SimpleUploadedFile("进展.pdf", exe)), files_root, "不是扩展名所说的"
    )
    assert_refused(
        report(client, task, SimpleUploadedFile("进展.docx", exe)), files_root, "不是 Word"
    )
    assert_refused(
        report(client, task, SimpleUploadedFile("进展.exe", exe)), files_root, "类型不受支持"
    )


def test_a_word_file_renamed_xlsx_is_refused(client, login, cast, task, files_root):
    login(cast.liaison_a)
    response = report(client, task, SimpleUploadedFile("台账.xlsx", docx_bytes()))
    assert_refused(response, files_root, "实际是 Word")


def test_an_xlsm_with_macros_is_refused(client, login, cast, task, files_root):
    login(cast.liaison_a)
    response = report(client, task, SimpleUploadedFile("台账.xlsx", xlsx_bytes(macro=True)))
    assert_refused(response, files_root, "含有宏代码")


def test_a_legacy_or_encrypted_ole_file_is_refused_with_a_message_to_resave(
    client, login, cast, task, files_root
):
    login(cast.liaison_a)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    response = report(client, task, SimpleUploadedFile("进展.docx", ole))
    assert_refused(response, files_root, "旧版文件请保留原来的扩展名（.doc、.xls）上传")


def test_a_zip_bomb_built_here_is_refused_quickly(client, login, cast, task, files_root, settings):
    settings.LEDGER_ATTACHMENT_MAX_BYTES = 1024 * 1024  # the bomb is small; its contents are not
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
        with zf.open("word/media/zeros.bin", "w", force_zip64=True) as part:
            block = b"\x00" * (1024 * 1024)
            for _ in range(150):
                part.write(block)
    assert len(bomb.getvalue()) < 1024 * 1024
    login(cast.liaison_a)
    started = time.monotonic()
    response = report(client, task, SimpleUploadedFile("炸弹.docx", bomb.getvalue()))
    assert time.monotonic() - started < 2
    assert_refused(response, files_root, "压缩炸弹")


def test_a_docx_declaring_xml_entities_is_refused_without_echoing_them(
    client, login, cast, task, files_root
):
    payload = io.BytesIO()
    source_zip = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    with source_zip as source, zipfile.ZipFile(payload, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = (
                    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                    + data.split(b"?>", 1)[1]
                )
            out.writestr(info, data)
    login(cast.liaison_a)
    response = report(client, task, SimpleUploadedFile("说明.docx", payload.getvalue()))
    assert_refused(response, files_root, "实体声明")
    assert "root:" not in response.content.decode()


def test_download_has_rfc6266_disposition_and_nosniff(client, login, cast, task):
    services.progress_report(
        actor=cast.liaison_a,
        task=task,
        text="见附件",
        percent=10,
        uploads=[SimpleUploadedFile("第一周进展.pdf", b"%PDF-1.4\n%%EOF\n")],
    )
    attachment = Attachment.objects.get()
    login(cast.liaison_a)
    response = client.get(reverse("ledger:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_co_unit_reads_the_attachment_but_another_town_does_not(client, login, cast, task):
    services.progress_report(
        actor=cast.liaison_a,
        task=task,
        text="见附件",
        percent=10,
        uploads=[SimpleUploadedFile("现场.png", PNG)],
    )
    attachment = Attachment.objects.get()
    url = reverse("ledger:attachment_download", args=[attachment.pk])
    login(cast.liaison_b)  # town_b is a co-unit of this task
    assert client.get(url).status_code == 200
    (other,) = make_tasks(cast, [(cast.town_b, [])], deadline=date(2099, 12, 31))
    services.progress_report(
        actor=cast.liaison_b,
        task=other,
        text="西城的进展",
        percent=10,
        uploads=[SimpleUploadedFile("西城.png", PNG)],
    )
    theirs = Attachment.objects.get(task=other)
    login(cast.liaison_a)
    response = client.get(reverse("ledger:attachment_download", args=[theirs.pk]))
    assert response.status_code in (403, 404)


def test_a_direct_get_of_the_storage_path_is_404(client, login, cast, task, files_root):
    services.progress_report(
        actor=cast.liaison_a,
        task=task,
        text="见附件",
        percent=10,
        uploads=[SimpleUploadedFile("现场.png", PNG)],
    )
    name = Attachment.objects.get().stored_name
    login(cast.liaison_a)
    for path in (
        f"/uploads/ledger/attachments/{name}",
        f"/media/ledger/attachments/{name}",
        f"/ledger/attachments/{name}",
        f"/var/uploads/ledger/attachments/{name}",
        f"/static/ledger/attachments/{name}",
    ):
        assert client.get(path).status_code == 404, path


def test_a_speech_over_the_cap_is_refused_and_nothing_is_stored(client, login, cast, files_root):
    login(cast.office)
    big = SimpleUploadedFile("讲话.txt", "一、要加快发展。".encode() * (CAP // 20))
    assert big.size > CAP
    response = client.post(reverse("ledger:draft_new"), {"file": big})
    assert response.status_code == 200
    assert "超过上限" in response.content.decode()
    assert not SourceDocument.objects.exists()
    assert not LedgerDraft.objects.exists()
    assert stored_files(files_root) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("讲话.txt", b"", "空"),
        ("讲话.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "另存为"),
        ("讲话.pdf", b"\x7fELF" + b"\x00" * 200, "扩展名"),
        ("讲话.txt", bytes(range(256)) * 4, "二进制"),
    ],
)
def test_unreadable_speeches_get_a_clear_message_and_nothing_is_stored(
    client, login, cast, files_root, name, content, message
):
    login(cast.office)
    response = client.post(reverse("ledger:draft_new"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SourceDocument.objects.exists()
    assert stored_files(files_root) == []


def test_a_refused_file_leaves_the_typed_text_and_percentage_beside_the_message(
    client, login, cast, task, files_root
):
    login(cast.liaison_a)
    exe = b"MZ\x90\x00\x03" + b"\x00" * 200
    response = client.post(
        reverse("ledger:task_report", args=[task.pk]),
        {
            "text": "本周完成招商对接5次",
            "percent": "45",
            "files": [SimpleUploadedFile("进展.doc", exe)],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "本周完成招商对接5次</textarea>" in page
    assert 'value="45"' in page
    field = page[page.index('id="id_files"') - 600 : page.index('id="id_files"') + 600]
    assert "has-error" in field
    assert "不是 Word（.doc）" in field
    assert not ProgressReport.objects.exists()
    assert stored_files(files_root) == []


def test_a_contribution_with_a_refused_file_keeps_its_text(client, login, cast, task, files_root):
    login(cast.liaison_b)
    response = client.post(
        reverse("ledger:task_contribute", args=[task.pk]),
        {
            "text": "配合完成现场踏勘",
            "files": [SimpleUploadedFile("说明.txt", b"\xff\xfe\xff\xff")],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "配合完成现场踏勘</textarea>" in page
    assert "UTF-8" in page
    assert stored_files(files_root) == []


def test_legacy_wps_ofd_and_text_attachments_are_stored(client, login, cast, task, files_root):
    from tests.lib.test_uploads import DOC, XLS, ofd_bytes

    login(cast.liaison_a)
    report(
        client,
        task,
        SimpleUploadedFile("进展.doc", DOC),
        SimpleUploadedFile("台账.xls", XLS),
        SimpleUploadedFile("进展.wps", DOC),
        SimpleUploadedFile("通知.ofd", ofd_bytes()),
        SimpleUploadedFile("说明.txt", "进展顺利".encode("gb18030")),
    )
    kinds = [a.kind for a in Attachment.objects.order_by("pk")]
    assert kinds == ["doc", "xls", "wps", "ofd", "txt"]
    download = client.get(
        reverse("ledger:attachment_download", args=[Attachment.objects.get(kind="doc").pk])
    )
    assert download["Content-Type"] == "application/msword"
