"""Forms of the notification pages: the shape of the input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kaimen.lib.contracts import events
from kaimen.notifications.delivery import masked_target
from kaimen.notifications.models import ChannelConfig, ChannelKind, DeliveryState


def _event_choices() -> list[tuple[str, str]]:
    """The events a channel may carry, as the apps registered them (read when the form is made)."""
    return events.choices(subscribable_only=True)


def _event_filter_choices() -> list[tuple[str, str]]:
    return [("", _("All events")), *events.choices()]


class ChannelForm(forms.Form):
    """Create (``channel=None``) or edit a channel. Editing never shows the stored webhook URL or
    secret: an empty field keeps what is stored."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices)
    name = forms.CharField(label=_("Name"), max_length=60)
    target = forms.CharField(
        label=_("Webhook URL or e-mail addresses"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "A group robot: the full webhook address from the group's robot settings. "
            "E-mail: the addresses, one a line."
        ),
    )
    secret = forms.CharField(
        label=_("DingTalk signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Only for a DingTalk robot with the 加签 security setting (starts with SEC)."),
    )
    clear_secret = forms.BooleanField(label=_("Remove the stored secret"), required=False)
    events = forms.MultipleChoiceField(
        label=_("Events it carries"),
        choices=_event_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, channel: ChannelConfig | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        if channel is None:
            del self.fields["clear_secret"]
            del self.fields["version"]
            return
        # The kind of a channel is fixed: a robot's URL is not a mailing list.
        del self.fields["kind"]
        self.fields["target"].help_text = _(
            "Stored: %(masked)s. Leave empty to keep it; type a new one to replace it."
        ) % {"masked": masked_target(channel)}
        if channel.kind != ChannelKind.DINGTALK:
            del self.fields["secret"]
            del self.fields["clear_secret"]
        elif channel.secret:
            self.fields["secret"].help_text = _(
                "A secret is stored. Leave empty to keep it; type a new one to replace it."
            )

    def clean(self):
        data = super().clean()
        if self.channel is None and not (data.get("target") or "").strip():
            self.add_error("target", _("Enter the webhook URL or the e-mail addresses."))
        return data


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *DeliveryState.choices],
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"),
        required=False,
        queryset=ChannelConfig.objects.order_by("name"),
        empty_label=_("All channels"),
    )
    event = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=_event_filter_choices,
    )
