"""The resident's request to remove their name and phone from a report."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import MobileField
from cases.forms import StyledForm
from cases.public import CODE_LENGTH, normalize_code


class ErasureRequestForm(StyledForm):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        help_text=_("The code you were given when you filed the report."),
    )
    phone = MobileField(
        label=_("Your mobile number"),
        max_length=20,
        help_text=_("The number you gave with the report."),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that staff will no longer be able to call me about this report, and "
            "that this cannot be undone."
        ),
        error_messages={"required": _("Please tick to confirm.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            autocapitalize="characters", autocomplete="off", maxlength=CODE_LENGTH + 10
        )
        self.fields["phone"].widget.attrs.update(
            inputmode="tel", autocomplete="tel", placeholder="13812345678"
        )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("Enter the tracking code of your report."))
        return code
