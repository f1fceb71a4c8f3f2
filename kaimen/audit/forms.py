from django import forms
from django.utils.translation import gettext_lazy as _

from kaimen.audit.labels import ACTIONS, action_choices
from kaimen.audit.models import Outcome
from kaimen.lib.contracts import access
from kaimen.lib.forms import DateInput


class ActionField(forms.ChoiceField):
    """One action from the list of labels, or a prefix of codes ("ledger.draft", "role.") as an
    address bookmarked before the list existed may carry."""

    def valid_value(self, value) -> bool:
        value = str(value)
        if value in ACTIONS:
            return True
        prefix = value.rstrip(".") + "."
        return prefix != "." and any(code.startswith(prefix) for code in ACTIONS)


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who"), max_length=150, required=False)
    action = ActionField(label=_("What"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("All")), *Outcome.choices], required=False
    )
    # the units come from the layer that knows them (org), asked when the form is built
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = access.units()
        self.fields["action"].choices = [("", _("All")), *action_choices()]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "actor": data["actor"],
            "action": data["action"],
            "outcome": data["outcome"],
            "unit_id": data["unit"].pk if data["unit"] else None,
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
