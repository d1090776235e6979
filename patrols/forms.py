"""Forms of the patrol pages. Photos go through ``cases.forms.PhotosField`` (checked, re-encoded,
EXIF stripped); places through ``cases.forms.PlacedForm`` (the phone's position prefilled)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import NOTE_WIDGET, CategoryField, PhotosField, PlacedForm, StyledForm
from cases.selectors import referral_units
from grids.models import Community

OUTCOMES = [
    ("on_site", _("Fixed on site")),
    ("dispatch", _("Report for dispatch")),
    ("refer", _("Refer to the responsible unit")),
]


def finding_arguments(data: dict) -> dict:
    """A valid ``FindingForm``'s data as ``services.file_finding``'s arguments (the page and the
    API file findings alike)."""
    return {
        "outcome": data["outcome"],
        "category": data["category"],
        "description": data["description"],
        "photos": data["photos"],
        "before": data["before"],
        "after": data["after"],
        "note": data["note"],
        "lat": data["lat"],
        "lng": data["lng"],
        "address": data["address"],
        "community": data["community"],
        "unit_id": data["unit"].pk if data["unit"] else None,
        "person": data["person"],
        "deadline": data["deadline"],
    }


class FindingForm(PlacedForm):
    """What an officer found on patrol, and what became of it (three outcomes)."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=OUTCOMES, initial="on_site", widget=forms.RadioSelect
    )
    category = CategoryField(label=_("Category"))
    description = forms.CharField(label=_("What is wrong"), max_length=4000, widget=NOTE_WIDGET)
    photos = PhotosField(label=_("Photos"), required=False)
    before = PhotosField(label=_("Photo before"), required=False)
    after = PhotosField(label=_("Photo after"), required=False)
    note = forms.CharField(
        label=_("What was done"), max_length=2000, required=False, widget=NOTE_WIDGET
    )
    unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=referral_units(), required=False
    )
    person = forms.CharField(label=_("Responsible person"), max_length=50, required=False)
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for the category's standard deadline."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = referral_units()

    def clean(self) -> dict:
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == "on_site":
            for name, message in (
                ("before", _("Add a photo from before the fix.")),
                ("after", _("Add a photo from after the fix.")),
                ("note", _("Say what was done.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        elif outcome == "refer":
            if not data.get("unit") and "unit" not in self.errors:
                self.add_error("unit", _("Choose the responsible unit."))
            if not (data.get("person") or "").strip() and "person" not in self.errors:
                self.add_error("person", _("Name the person responsible at the unit."))
        deadline = data.get("deadline")
        if outcome == "refer" and deadline is not None and deadline <= timezone.now():
            self.add_error("deadline", _("The deadline must be in the future."))
        return data


def from_epoch_ms(ms: int | None) -> datetime.datetime | None:
    """Milliseconds since the epoch (the phone's clock) as an aware time."""
    if ms is None:
        return None
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.UTC)


class PointForm(forms.Form):
    """A position from the browser (JSON): WGS84 degrees, accuracy in metres, time in ms (the
    fix's own time: a point queued offline keeps it, ``services.record_point`` bounds it)."""

    lat = forms.FloatField(min_value=-90, max_value=90)
    lng = forms.FloatField(min_value=-180, max_value=180)
    accuracy = forms.FloatField(min_value=0, max_value=100_000, required=False)
    timestamp = forms.IntegerField(min_value=0, max_value=10**14, required=False)

    def clean_timestamp(self) -> datetime.datetime | None:
        return from_epoch_ms(self.cleaned_data.get("timestamp"))


class DailyLogForm(StyledForm):
    summary = forms.CharField(
        label=_("Summary of the day"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    problems = forms.CharField(
        label=_("Problems needing coordination"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return with a note"))],
        initial="approve",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=NOTE_WIDGET)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what needs correcting."))
        return data


class LeadershipPatrolForm(StyledForm):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    route = forms.CharField(label=_("Route"), max_length=300)
    participants = forms.CharField(label=_("Participants"), max_length=300, required=False)

    def clean_date(self) -> datetime.date:
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day


class LeadershipProblemForm(StyledForm):
    category = CategoryField(label=_("Category"))
    description = forms.CharField(label=_("Problem"), max_length=4000, widget=NOTE_WIDGET)
    community = forms.ModelChoiceField(label=_("Community"), queryset=Community.objects.none())
    address = forms.CharField(label=_("Place"), max_length=200)
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=referral_units())
    person = forms.CharField(label=_("Responsible person"), max_length=50)
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, communities=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities.order_by("code")
        self.fields["unit"].queryset = referral_units()

    def clean_deadline(self) -> datetime.datetime:
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise ValidationError(_("The deadline must be in the future."))
        return deadline
