"""Every date field in Kaimen renders an ISO value that ``<input type="date">`` accepts, in
Chinese as in English: a date the browser rejects looks empty and is erased on save."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from datetime import date

import pytest
from django import forms
from django.utils import translation

import kaimen
from kaimen.lib.forms import DateInput, MultipleFileField
from kaimen.lib.uploads import ACCEPT_ATTR


def _form_modules():
    for info in pkgutil.walk_packages(kaimen.__path__, "kaimen."):
        leaf = info.name.rsplit(".", 1)[-1]
        if leaf in ("forms", "calendar_views") or leaf.endswith("_forms"):
            yield importlib.import_module(info.name)


def _date_fields():
    found = []
    for module in _form_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            for field_name, field in cls.base_fields.items():
                if isinstance(field, forms.DateField):
                    found.append((f"{cls.__module__}.{cls.__name__}.{field_name}", field))
    return found


def test_the_project_has_date_fields_to_check():
    names = {name for name, _field in _date_fields()}
    assert "kaimen.ledger.forms.DraftItemForm.deadline" in names
    assert "kaimen.ledger.forms.TaskEditForm.deadline" in names
    assert "kaimen.audit.forms.AuditFilterForm.date_from" in names
    assert "kaimen.core.calendar_views.OverrideForm.day" in names


@pytest.mark.parametrize(
    ("name", "field"), _date_fields(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_date_field_uses_the_iso_date_input(name, field):
    assert isinstance(field.widget, DateInput), name
    assert field.widget.input_type == "date"
    for language in ("zh-hans", "en"):
        with translation.override(language):
            html = field.widget.render("d", date(2025, 3, 31))
        assert 'value="2025-03-31"' in html, (name, language, html)


def test_an_unchanged_iso_date_comes_back_as_the_same_date():
    class Form(forms.Form):
        deadline = forms.DateField(widget=DateInput)

    with translation.override("zh-hans"):
        rendered = Form(initial={"deadline": date(2025, 3, 31)})["deadline"].value()
        html = str(Form(initial={"deadline": date(2025, 3, 31)})["deadline"])
        bound = Form({"deadline": "2025-03-31"})
        assert bound.is_valid()
    assert rendered == date(2025, 3, 31)
    assert 'value="2025-03-31"' in html
    assert bound.cleaned_data["deadline"] == date(2025, 3, 31)


def test_the_attachment_field_offers_the_accepted_kinds():
    html = MultipleFileField().widget.render("files", None)
    assert "multiple" in html
    assert f'accept="{ACCEPT_ATTR}"' in html
    assert ".ofd" in ACCEPT_ATTR


# --- selects written directly ---------------------------------------------------------------


def _normalised(html: str) -> str:
    """Django's select template puts each option on its own line; the markup is otherwise the same."""
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("value", [None, "2", ["1", "3"]])
def test_direct_select_writes_what_djangos_template_writes(value):
    from django import forms as dj

    from kaimen.lib.forms import Select, SelectMultiple

    choices = [("", "全部"), ("1", "区发展和改革局"), ("2", "<b>甲</b>镇"), ("3", "区商务局")]
    ours, theirs = (
        (SelectMultiple, dj.SelectMultiple) if isinstance(value, list) else (Select, dj.Select)
    )
    attrs = {"id": "id_unit", "required": True, "data-x": "y"}
    expected = theirs(choices=choices).render("unit", value, attrs)
    got = ours(choices=choices).render("unit", value, attrs)
    assert _normalised(got) == _normalised(expected)
    assert "&lt;b&gt;甲&lt;/b&gt;镇" in got  # labels are escaped


@pytest.mark.django_db
def test_unit_select_keeps_its_groups_by_kind():
    from django import forms as dj

    from kaimen.org.models import Unit, UnitKind
    from kaimen.org.widgets import UnitSelect

    Unit.objects.create(name="区商务局", kind=UnitKind.DEPARTMENT)
    Unit.objects.create(name="城关镇", kind=UnitKind.TOWN)

    class F(dj.Form):
        unit = dj.ModelChoiceField(Unit.objects.order_by("name"), widget=UnitSelect)

    html = str(F(initial={"unit": Unit.objects.get(name="城关镇").pk})["unit"])
    assert 'data-unit-picker=""' in html or "data-unit-picker" in html
    assert re.search(
        r'<optgroup label="[^"]+"><option value="\d+">区商务局</option></optgroup>', html
    )
    assert re.search(r'<option value="\d+" selected>城关镇</option>', html)
