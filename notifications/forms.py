from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from citymgmt.forms import style_widgets


class NotificationSettingsForm(forms.ModelForm):
    """A user's own e-mail address and whether notifications are e-mailed to it too."""

    class Meta:
        model = User
        fields = ["email", "email_notifications"]
        labels = {"email": _("E-mail address")}
        help_texts = {"email": _("Leave empty to receive notifications in this site only.")}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean_email(self) -> str:
        # The domain is case-insensitive, the mailbox name need not be.
        return User.objects.normalize_email(self.cleaned_data["email"].strip())
