"""A refused form whose errors are shown on the next page names the field each is about:
"「原因」：请填写内容。", not a bare "请填写内容。"."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.urls import reverse

from kaimen.lib.errors import ValidationError
from kaimen.lib.flash import with_field
from tests.ledger.ledger_helpers import make_tasks


class NoteForm(forms.Form):
    note = forms.CharField(label="说明")


def test_a_message_names_its_field_by_label():
    form = NoteForm()
    assert with_field(form, "note", "请填写内容。") == "「说明」：请填写内容。"
    assert with_field(form, None, "整表有误。") == "整表有误。"  # an error of the whole form
    assert with_field(form, "other", "请填写内容。") == "请填写内容。"  # not a field of this form
    assert with_field(form, "note", "请填写说明。") == "请填写说明。"  # already named
    assert with_field(None, "note", "x") == "x"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "reason",
    [
        "",  # refused by the form: Django's "required"
        "\u200b\u200b",  # passes the form, refused by the service: "请填写内容。"
    ],
)
def test_a_refused_send_back_says_which_field(client, login, cast, reason):
    (task,) = make_tasks(cast, [(cast.town_a, [])], deadline=date(2099, 12, 31))
    login(cast.office)
    response = client.post(reverse("ledger:task_send_back", args=[task.pk]), {"reason": reason})
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown
    assert all(text.startswith("「原因」：") for text in shown), shown


def test_the_service_error_keeps_its_field():
    exc = ValidationError("请填写内容。", field="note")
    assert with_field(NoteForm(), exc.field, exc.message) == "「说明」：请填写内容。"
