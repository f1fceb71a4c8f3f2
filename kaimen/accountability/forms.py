"""Forms check the shape of input and return real types; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kaimen.accountability import selectors
from kaimen.accountability.models import RuleChoice, RuleSettings, Status, StepChoice
from kaimen.accountability.services.common import MAX_EXPLANATION, MAX_REASON
from kaimen.lib.forms import DateInput, MultipleFileField
from kaimen.org.models import Unit
from kaimen.org.selectors import unit_choices


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("confirm", _("Confirm")), ("dismiss", _("Dismiss"))]
    )
    reason = forms.CharField(
        label=_("Reason for the decision"),
        max_length=MAX_REASON,
        required=False,  # the service says what is missing, in the words of the decision
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExplanationForm(forms.Form):
    text = forms.CharField(
        label=_("Explanation of the unit"),
        max_length=MAX_EXPLANATION,
        required=False,  # the service refuses an empty one with a clear message
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = MultipleFileField(label=_("Attachments"))


class RecordFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=selectors.campaign_choices(), required=False
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    step = forms.ChoiceField(
        label=_("Proposed step"), choices=[("", _("All")), *StepChoice.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Status.choices], required=False
    )
    rule = forms.ChoiceField(
        label=_("Rule"), choices=[("", _("All")), *RuleChoice.choices], required=False
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = selectors.campaign_choices()
        self.fields["unit"].queryset = unit_choices()

    def filters(self) -> selectors.RecordFilters:
        if not self.is_valid():
            return selectors.RecordFilters()
        data = self.cleaned_data
        return selectors.RecordFilters(
            campaign_id=data["campaign"].pk if data.get("campaign") else None,
            unit_id=data["unit"].pk if data.get("unit") else None,
            step=data.get("step") or "",
            status=data.get("status") or "",
            rule=data.get("rule") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class RulesForm(forms.ModelForm):
    """The thresholds; the service validates them again and saves them (versioned)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    class Meta:
        model = RuleSettings
        fields = [
            "red_periods",
            "red_periods_to_escalate",
            "order_limit_workdays",
            "overdue_workdays_to_escalate",
            "missed_reports",
            "missed_reports_to_escalate",
            "highest_step",
        ]
        help_texts = {
            "red_periods": _("How many statistics periods in a row a unit's indicator must be red before the rules propose a reminder."),
            "order_limit_workdays": _("The ledger's supervision orders carry no due date: the unit has this many working days after an order is issued (or until the task's deadline, if later)."),
            "overdue_workdays_to_escalate": _("After a step is confirmed, how many more working days the task must stay overdue before the next step is proposed."),
            "missed_reports": _("How many progress reports a unit must miss (or file late) before the rules propose a reminder."),
            "highest_step": _("The rules never propose a step above this one."),
        }  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in ("version", "highest_step"):
                field.min_value = 1
                field.widget.attrs.update({"min": 1, "max": 60})
