from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from openpyxl import Workbook

from kaimen.audit import selectors
from kaimen.audit.forms import AuditFilterForm
from kaimen.audit.labels import action_label, object_type_label
from kaimen.audit.services import record
from kaimen.lib.xlsx import row

EXPORT_LIMIT = 100_000
COLUMNS = [
    "编号",
    "时间",
    "操作人",
    "所在单位",
    "操作",
    "操作代码",
    "结果",
    "对象类型",
    "对象类型代码",
    "对象编号",
    "对象",
    "说明",
    "来源IP",
]


@login_required
@never_cache
def event_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = selectors.audit_events_for_user(user=request.user, **form.filters())
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": request.GET.urlencode()}
    template = "audit/event_list.html#event-table" if request.htmx else "audit/event_list.html"
    return render(request, template, context)


@login_required
@never_cache
def event_export(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    events = selectors.audit_events_for_user(user=request.user, **filters)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计日志")
    sheet.append(row(sheet, COLUMNS, bold=True))
    count = 0
    for event in events[:EXPORT_LIMIT].iterator(chunk_size=2000):
        sheet.append(
            row(
                sheet,
                [
                    event.pk,
                    timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                    event.actor_name,
                    event.actor_unit,
                    action_label(event.action),
                    event.action,
                    event.get_outcome_display(),
                    object_type_label(event.object_type),
                    event.object_type,
                    event.object_id,
                    event.object_repr,
                    event.message,
                    event.ip,
                ],
            )
        )
        count += 1
    record(
        actor=request.user,
        action="audit.export",
        after={"rows": count, "filters": filters},
    )
    # The workbook goes to a temporary file that is removed once sent (剩余信息保护).
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    workbook.save(tmp)
    tmp.seek(0)
    filename = f"audit-{timezone.localdate():%Y%m%d}.xlsx"
    response = FileResponse(tmp, as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response
