from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kaimen.org.models import Role, Unit, UnitKind


class LoginForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), max_length=128, widget=forms.PasswordInput)


class OTPForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("Enter the six digits shown in your authenticator app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), max_length=128, widget=forms.PasswordInput
    )
    new_password = forms.CharField(
        label=_("New password"), max_length=128, widget=forms.PasswordInput
    )
    new_password2 = forms.CharField(
        label=_("New password again"), max_length=128, widget=forms.PasswordInput
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class UnitForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=60)
    short_name = forms.CharField(label=_("Short name"), max_length=20, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    parent = forms.ModelChoiceField(
        label=_("Parent unit"), queryset=Unit.objects.filter(is_active=True), required=False
    )
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=9999, initial=100)
    duties = forms.CharField(
        label=_("Duties"), widget=forms.Textarea, required=False, max_length=2000
    )
    contact_phone = forms.CharField(label=_("Office phone"), max_length=30, required=False)


class UnitCreateForm(UnitForm):
    version = None


class UnitContactForm(VersionedForm):
    duties = forms.CharField(
        label=_("Duties"), widget=forms.Textarea, required=False, max_length=2000
    )
    contact_phone = forms.CharField(label=_("Office phone"), max_length=30, required=False)


class PersonCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    display_name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    initial_password = forms.CharField(
        label=_("Initial password"),
        max_length=128,
        widget=forms.PasswordInput,
        help_text=_("The person must change it at first sign-in."),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.filter(is_active=True), required=False
    )
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)


class PersonEditForm(VersionedForm):
    display_name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class TemporaryPasswordForm(forms.Form):
    temporary_password = forms.CharField(
        label=_("Temporary password"), max_length=128, widget=forms.PasswordInput
    )


class MembershipForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.filter(is_active=True))
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices])


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=50, required=False)
    inactive = forms.BooleanField(label=_("Include deactivated"), required=False)


class UnitFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=50, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *UnitKind.choices], required=False
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Purpose"), max_length=60)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=90)
