"""Reads of the briefings. Leaders and the office read every issue; nobody else reads any."""

from __future__ import annotations

from django.db.models import QuerySet

from kaimen.briefings.models import Briefing
from kaimen.lib.errors import NotFound
from kaimen.org import scope
from kaimen.org.scope import Perm


def briefing_list_for_user(*, user) -> QuerySet[Briefing]:
    scope.require(user, Perm.BRIEFING_VIEW)
    return Briefing.objects.select_related("campaign", "created_by").defer("snapshot")


def briefing_get_for_user(*, user, briefing_id: int) -> Briefing:
    scope.require(user, Perm.BRIEFING_VIEW)
    briefing = Briefing.objects.filter(pk=briefing_id).first()
    if briefing is None:
        raise NotFound()
    return briefing
