from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import mainland_mobile


class LoginForm(AuthenticationForm):
    """The stock form with phone-friendly widgets."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "username",
                "autocapitalize": "none",
                "class": "form-control form-control-lg",
            }
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control form-control-lg"}
        ),
    )


class CodeForm(forms.Form):
    """Six digits from the authenticator app."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "class": "form-control form-control-lg",
            }
        ),
    )


class MobileField(forms.CharField):
    """A mainland mobile number, however it was typed (spaces, dashes, +86)."""

    default_validators = [mainland_mobile]

    def to_python(self, value: object) -> str:
        text = super().to_python(value)
        digits = "".join(ch for ch in text if ch not in " -()")
        if digits.startswith("+86"):
            digits = digits[3:]
        elif digits.startswith("0086"):
            digits = digits[4:]
        return digits
