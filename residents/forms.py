"""Forms of the public pages: the complaint form, finding a tracking code again, the rating.

Everything is checked here, on the server, whatever the browser did: the form re-renders with
what the resident typed (photos excepted: browsers cannot be given a file back).
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.forms import MobileField
from cases.categories import public_choices
from cases.forms import CategoryField, PhotosField, PlacedForm
from citymgmt.forms import StyledForm
from citymgmt.text import no_control_characters
from grids.locator import locate_id
from grids.models import Community


class PublicCategoryField(CategoryField):
    """The category list in a resident's words (see ``cases.categories.public_choices``)."""

    @staticmethod
    def grouped_choices() -> list:
        return [("", _("Choose the kind of problem")), *public_choices()]


class ComplaintForm(PlacedForm):
    """The public complaint form: no account, a minute on a phone."""

    category = PublicCategoryField(label=_("What kind of problem"))
    description = forms.CharField(
        label=_("What is wrong"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you see, since when, and anything that helps find it."),
        validators=[no_control_characters],
    )
    photos = PhotosField(label=_("Photos"), required=False)
    reporter_name = forms.CharField(
        label=_("Your name"), max_length=50, required=False, validators=[no_control_characters]
    )
    reporter_phone = MobileField(
        label=_("Your mobile number"),
        max_length=20,
        required=False,
        help_text=_(
            "Optional. An officer may call you about the problem; with it you can also find "
            "your tracking code again."
        ),
    )
    # Only while e-mail is configured (EMAIL_URL): the ticket's updates are e-mailed there.
    reporter_email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        required=False,
        help_text=_("Optional. We e-mail you at each step of your report; you can stop it."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that what I enter here, my name and number included, is used only to "
            "handle this report; my name and number are shown only to the staff handling it."
        ),
        required=True,
        error_messages={
            "required": _("Please tick to agree: we cannot take the report without it.")
        },
    )
    # Honeypot: hidden from people by CSS; bots that fill every field are dropped silently.
    website = forms.CharField(label=_("Leave this empty"), required=False)
    follows = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(
        self, *args, phone_check: str = "off", verified_phone: str | None = None, **kwargs
    ) -> None:
        super().__init__(*args, communities=Community.objects.all(), **kwargs)
        # SMS verification of the number (``residents.phone``): "required", "optional", "off".
        self.phone_check = phone_check
        self.verified_phone = verified_phone
        if phone_check == "required":
            self.fields["reporter_phone"].required = True
            self.fields["reporter_phone"].help_text = _(
                "Required, and verified by a code we send by SMS before you file."
            )
        if verified_phone and not self.is_bound:
            self.initial.setdefault("reporter_phone", verified_phone)
        community = self.fields["community"]
        community.label = _("Your community")
        community.help_text = _("Shows its unit grids on the map, so you can tap the spot.")
        community.empty_label = _("Choose to show it on the map")
        self.fields["address"].help_text = _("Street and number, or a landmark nearby.")
        self.fields["reporter_name"].widget.attrs.update(autocomplete="name")
        self.fields["reporter_phone"].widget.attrs.update(
            inputmode="tel", autocomplete="tel", placeholder="13812345678"
        )
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")
        if settings.SMS_URL:
            self.fields["reporter_phone"].help_text = _(
                "Optional. We send you an SMS at each step of your report (you can stop them); "
                "an officer may call you about the problem, and with it you can find your "
                "tracking code again."
            )
        if settings.EMAIL_ENABLED:
            self.fields["reporter_email"].widget.attrs.update(autocomplete="email")
        else:
            del self.fields["reporter_email"]
        self.cell_id: int | None = None

    @property
    def phone_verified(self) -> bool:
        """Whether the number on the form is the one this browser verified."""
        typed = self.cleaned_data.get("reporter_phone") if hasattr(self, "cleaned_data") else None
        if typed is None:
            typed = self["reporter_phone"].value()
        return bool(self.verified_phone) and typed == self.verified_phone

    def clean_reporter_phone(self) -> str:
        phone = self.cleaned_data["reporter_phone"]
        if self.phone_check == "required" and phone and phone != self.verified_phone:
            raise forms.ValidationError(
                _("Verify this number with the code we send by SMS, then file the report."),
                code="unverified",
            )
        return phone

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get(self.add_prefix("website"), "").strip())

    def clean(self) -> dict:
        # PlacedForm would accept a community instead of a point; a resident's report needs the
        # point itself, and one inside the city.
        data = forms.Form.clean(self)
        lat, lng = data.get("lat"), data.get("lng")
        if "lat" in self.errors or "lng" in self.errors:
            return data
        if lat is None or lng is None:
            self.add_error("lat", _("Tap the map where the problem is, or use your position."))
            return data
        cell_id = locate_id(lat, lng)
        if cell_id is None:
            self.add_error(
                "lat",
                _(
                    "This point is outside the area we serve (the Gulou, Yunlong and Quanshan "
                    "districts of Xuzhou). Tap the map where the problem is, or call 12345."
                ),
            )
            return data
        # Only the id: create_ticket() loads the cell with its places in one query, so loading
        # it here as well would be a second read of the same row on every report.
        self.cell_id = cell_id
        return data


class FindCodeForm(StyledForm):
    """Find one's tracking code again: the ticket number and the last 4 digits of the phone."""

    number = forms.CharField(
        label=_("Ticket number"),
        max_length=20,
        help_text=_("As on the confirmation page, e.g. XZ20261121-0042."),
    )
    phone_last4 = forms.RegexField(
        label=_("Last 4 digits of your mobile number"),
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={"invalid": _("Enter the last 4 digits, e.g. 5678.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].widget.attrs.update(autocapitalize="characters", autocomplete="off")
        self.fields["phone_last4"].widget.attrs.update(inputmode="numeric", autocomplete="off")

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip().upper()


class RatingForm(StyledForm):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with the result?"),
        coerce=int,
        choices=[
            (5, _("5 – Very satisfied")),
            (4, _("4 – Satisfied")),
            (3, _("3 – Acceptable")),
            (2, _("2 – Dissatisfied")),
            (1, _("1 – Very dissatisfied")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_comment(self) -> str:
        return self.cleaned_data["comment"].strip()


class ReopenDecisionForm(StyledForm):
    """A supervisor's answer to a dissatisfied reporter."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("reopen", _("Reopen the ticket")), ("decline", _("Keep it closed"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Answer to the reporter"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown on the reporter's tracking page."),
    )
