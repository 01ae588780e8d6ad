from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice


class StaffLoginForm(OTPAuthenticationFormMixin, AuthenticationForm):
    """Username and password, plus the 6-digit code when the user has set up TOTP."""

    otp_error_messages = dict(
        OTPAuthenticationFormMixin.otp_error_messages,
        token_required=_("Enter the 6-digit code from your authenticator app."),
        invalid_token=_(
            "The verification code is wrong or has expired. Check the time on your phone and try again."
        ),
        n_failed_attempts=_(
            "Verification is temporarily blocked after %(failure_count)d failed attempts; try again in a few minutes."
        ),
        verification_not_allowed=_("Verification is not allowed at the moment; try again later."),
        device_required=_("Set up an authenticator app first."),
    )
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_token = forms.CharField(
        label=_("Verification code (if you have set up an authenticator app)"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def _chosen_device(self, user: Any) -> Any:
        """Staff have at most one confirmed authenticator (setting up a new one replaces it),
        so without an explicit choice the user's own confirmed TOTP device is used."""
        device = super()._chosen_device(user)
        if device is None:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        return device

    def clean(self) -> dict[str, object]:
        self.cleaned_data = super().clean()
        user: Any = self.get_user()  # None when a field is empty (errors are on the fields)
        if user is not None and user_has_device(user, confirmed=True):
            self.clean_otp(user)  # the second factor is required once it is set up
        return self.cleaned_data


class TotpConfirmForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who (username)"), required=False, max_length=150)
    verb = forms.CharField(label=_("Action starts with"), required=False, max_length=80)
    target_type = forms.CharField(label=_("Object type"), required=False, max_length=80)
    target_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    since = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To (date, inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=100)
