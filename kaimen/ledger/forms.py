"""Forms check the shape of input and return real types; the rules live in the services."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from kaimen.campaigns.models import Campaign
from kaimen.campaigns.selectors import default_campaign, running_on
from kaimen.ledger.models import Cadence, Light, TaskKind, TaskStatus
from kaimen.lib import clock
from kaimen.lib.forms import DateInput, MultipleFileField
from kaimen.org.models import Unit
from kaimen.org.selectors import unit_choices
from kaimen.org.widgets import UnitSelect, UnitSelectMultiple

ATTACHMENT_HELP = _(
    "Word (.docx, .doc), Excel (.xlsx, .xls), WPS (.wps, .et), OFD, PDF, text (.txt) or "
    "images (.png, .jpg)."
)


def _campaigns():
    return Campaign.objects.order_by("-year", "-start")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Speech or plan file"),
        required=False,
        help_text=_(".txt, .docx or .pdf (a PDF needs a text layer)."),
    )
    text = forms.CharField(
        label=_("…or paste the text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    year = forms.IntegerField(
        label=_("Campaign year"),
        min_value=2000,
        max_value=2099,
        required=False,
        help_text=_(
            "Used to turn 3月底前 into a date. When empty: the year in the title, else the "
            "current campaign's year."
        ),
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = _campaigns()
        current = running_on(clock.today()) or default_campaign()
        if current is not None:
            self.fields["year"].widget.attrs["placeholder"] = str(current.year)

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the text."))
        if data.get("file") and (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the text, not both."))
        return data


def _milestone_lines(raw: str) -> list[dict[str, str]]:
    """Lines "2025-02-28 完成方案" → [{"date": "2025-02-28", "label": "完成方案"}]."""
    out = []
    for number, line in enumerate((raw or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        head, _sep, label = line.partition(" ")
        try:
            when = date.fromisoformat(head)
        except ValueError as exc:
            raise forms.ValidationError(
                _("Line %(n)s: start with a date like 2025-02-28, then the milestone.")
                % {"n": number}
            ) from exc
        out.append({"date": when.isoformat(), "label": label.strip() or head})
    return out


class DraftItemForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    heading = forms.CharField(label=_("Task"), max_length=300)
    text = forms.CharField(label=_("The leader's words"), widget=forms.Textarea(attrs={"rows": 4}))
    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices)
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=unit_choices(), required=False, widget=UnitSelect
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-units"),
        queryset=unit_choices(),
        required=False,
        widget=UnitSelectMultiple,
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput)
    cadence = forms.ChoiceField(label=_("Report cadence"), choices=Cadence.choices)
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line: 2025-02-28 完成方案"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Fresh querysets per form: a unit created a moment ago (an accepted 专班) is offered.
        self.fields["lead_unit"].queryset = unit_choices()
        self.fields["co_units"].queryset = unit_choices()

    def clean_milestones(self) -> list[dict[str, str]]:
        return _milestone_lines(self.cleaned_data.get("milestones", ""))


class MapUnitForm(forms.Form):
    """An unmatched name of the document → one of the district's units."""

    name = forms.CharField(max_length=120)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=unit_choices())
    remember = forms.BooleanField(label=_("Remember this name for next time"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices()


class UnitAliasForm(forms.Form):
    name = forms.CharField(label=_("Name as documents write it"), max_length=60)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=unit_choices())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices()


class UnmatchedNameForm(forms.Form):
    name = forms.CharField(max_length=120)


class SplitForm(forms.Form):
    at = forms.IntegerField(label=_("Split before"), min_value=1)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accepted", "accepted"), ("rejected", "rejected"), ("pending", "pending")]
    )


class PublishForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Publish into the campaign"), queryset=Campaign.objects.none(), required=False
    )
    new_name = forms.CharField(label=_("…or a new campaign named"), max_length=60, required=False)
    new_start = forms.DateField(label=_("Starts"), required=False, widget=DateInput)
    new_end = forms.DateField(label=_("Ends"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = _campaigns()

    def clean(self):
        data = super().clean()
        if data.get("campaign") is None:
            missing = [f for f in ("new_name", "new_start", "new_end") if not data.get(f)]
            if missing:
                raise forms.ValidationError(
                    _("Choose a campaign, or give the new campaign's name, start and end.")
                )
        return data


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    start = forms.DateField(label=_("Starts"), widget=DateInput)
    end = forms.DateField(label=_("Ends"), widget=DateInput)
    spring_festival_exempt = forms.BooleanField(
        label=_("Spring Festival months feed no accountability"),
        required=False,
        initial=True,
        help_text=_(
            "When the Spring Festival falls in another month than the year before, the "
            "January–February and first-quarter lights are shown with a note and are not "
            "used for accountability proposals or scoring."
        ),
    )


class TaskFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=unit_choices(), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *TaskStatus.choices], required=False
    )
    light = forms.ChoiceField(
        label=_("Light"), choices=[("", _("All")), *Light.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Search"), max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = _campaigns()
        self.fields["unit"].queryset = unit_choices()

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "campaign": data.get("campaign"),
            "unit_id": data["unit"].pk if data.get("unit") else None,
            "status": data.get("status") or "",
            "light": data.get("light") or "",
            "overdue": bool(data.get("overdue")),
            "query": data.get("q") or "",
        }


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("Progress"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    percent = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100)
    milestones = forms.TypedMultipleChoiceField(
        label=_("Milestones reached"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    files = MultipleFileField(
        label=_("Attachments"),
        help_text=ATTACHMENT_HELP,
    )

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestones"].choices = [
            (m.pk, f"{m.due:%Y-%m-%d} {m.label}") for m in milestones if m.reached_at is None
        ]
        if not self.fields["milestones"].choices:
            del self.fields["milestones"]


class ContributionForm(forms.Form):
    text = forms.CharField(
        label=_("Our contribution"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(label=_("Attachments"), help_text=ATTACHMENT_HELP)


class ClosureForm(forms.Form):
    summary = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class StepDecisionForm(forms.Form):
    confirm = forms.TypedChoiceField(
        choices=[("1", _("Confirm")), ("0", _("Dismiss"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("Reason"), max_length=300, required=False)


class TaskEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = forms.CharField(label=_("Task"), max_length=300)
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=unit_choices(), widget=UnitSelect
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-units"),
        queryset=unit_choices(),
        required=False,
        widget=UnitSelectMultiple,
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    cadence = forms.ChoiceField(label=_("Report cadence"), choices=Cadence.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = unit_choices()
        self.fields["co_units"].queryset = unit_choices()


class ResponsibilityForm(forms.Form):
    keywords = forms.CharField(
        label=_("Keywords"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Words in a speech that point at this unit, separated by 、 , or new lines."),
    )
    duties = forms.CharField(
        label=_("Duties"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class ResponsibilityNewForm(ResponsibilityForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.filter(is_active=True))
    field_order = ["unit", "keywords", "duties"]
