"""The ledger in the JSON API: read-only, scoped exactly as the pages are."""

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from kaimen.ledger import selectors
from kaimen.ledger.models import Light, TaskStatus
from kaimen.lib.apikit import ERRORS, Pagination

router = Router(tags=["ledger"])


class TaskOut(Schema):
    id: int
    campaign_id: int
    path: str
    title: str
    lead_unit_id: int
    co_unit_ids: list[int]
    deadline: date
    status: str
    light: str
    percent: int

    @staticmethod
    def resolve_co_unit_ids(obj) -> list[int]:
        return obj.co_unit_ids()


@router.get("/tasks", response={200: list[TaskOut], **ERRORS})
@paginate(Pagination)
def tasks(request: HttpRequest, status: str = "", light: str = "", overdue: bool = False):
    return selectors.task_list_for_user(
        user=request.user,
        status=status if status in TaskStatus.values else "",
        light=light if light in Light.values else "",
        overdue=overdue,
    )


@router.get("/tasks/{task_id}", response={200: TaskOut, **ERRORS})
def task(request: HttpRequest, task_id: int):
    return selectors.task_get_for_user(user=request.user, task_id=task_id)
