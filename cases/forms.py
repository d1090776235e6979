"""Forms for staff casework. Each action form carries the state the user saw (``expected_state``)
so a second person acting on a ticket that has just moved gets a clear message, not a surprise."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Officer, mainland_mobile
from cases import deadlines
from cases.categories import active_category, leaf_choices
from cases.models import Category, Priority, RejectReason, Source
from cases.photos import MAX_PHOTOS_PER_STEP, decode_photo, read_photo
from cases.selectors import DispatchRank
from citymgmt.forms import NOTE_WIDGET, CostlyField, StyledForm
from citymgmt.images import CheckedImage, ProcessedImage
from citymgmt.text import no_control_characters
from grids.models import Community

INTAKE_SOURCES = [
    (Source.HOTLINE, Source.HOTLINE.label),
    (Source.DIGITAL_CITY, Source.DIGITAL_CITY.label),
    (Source.LEADERSHIP_PATROL, Source.LEADERSHIP_PATROL.label),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _named(upload_name: str, error: ValidationError) -> list[str]:
    return [f"{upload_name}: {message}" for message in error.messages]


class PhotosField(CostlyField, forms.FileField):
    """Up to three photos. Cleaning reads their headers (``cases.photos.read_photo``); the form
    decodes them (``finish``) once the rest of it is valid, and hands on a list of
    ``ProcessedImage``."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def __init__(self, *args, max_count: int = MAX_PHOTOS_PER_STEP, **kwargs) -> None:
        self.max_count = max_count
        kwargs.setdefault(
            "help_text",
            _("JPEG, PNG or WebP, up to 10 MB each, at most %(n)s.") % {"n": max_count},
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[CheckedImage]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_count:
            raise ValidationError(
                _("At most %(n)s photos, please.") % {"n": self.max_count}, code="too_many"
            )
        checked, errors = [], []
        for upload in files:
            try:
                checked.append(read_photo(upload))
            except ValidationError as exc:
                errors.extend(_named(upload.name, exc))
        if errors:
            raise ValidationError(errors)
        return checked

    def finish(self, value: list[CheckedImage]) -> list[ProcessedImage]:
        processed, errors = [], []
        for checked in value:  # one at a time: a request holds one full-size image at most
            try:
                processed.append(decode_photo(checked))
            except ValidationError as exc:
                errors.extend(_named(checked.upload.name, exc))
        if errors:
            raise ValidationError(errors)
        return processed


class CategoryField(forms.ModelChoiceField):
    """Active minor classes, grouped under their majors in the select."""

    def __init__(self, **kwargs) -> None:
        super().__init__(queryset=Category.objects.filter(is_active=True), **kwargs)

    def __deepcopy__(self, memo: dict) -> "CategoryField":
        # Each form instance gets the grouped list (cached; one query at most when it changed),
        # built only if the form is rendered: a valid POST never needs it.
        field = super().__deepcopy__(memo)
        field.widget.choices = self.grouped_choices
        return field

    @staticmethod
    def grouped_choices() -> list:
        return [("", "---------"), *leaf_choices()]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        try:
            # Checked against the cached categories (no query), as the queryset would check it;
            # an id the cache does not hold is asked of the database, and refused there.
            category = active_category(int(value))
        except (TypeError, ValueError):
            category = None
        if category is None:
            category = super().to_python(value)
        if category is not None and category.is_major:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return category


class StateForm(StyledForm):
    expected_state = forms.CharField(widget=forms.HiddenInput)


# --- creating tickets -------------------------------------------------------------------------


class PlacedForm(StyledForm):
    """Where a problem is: a point tapped on the map (or the phone's position), located to a
    unit grid; or, when the point is on no grid or missing, a community chosen by hand."""

    address = forms.CharField(
        label=_("Address"), max_length=200, required=False, validators=[no_control_characters]
    )
    # Hidden fields a tap fills: a point that is no number (NaN, inf, text) was not tapped.
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Tap the map where the problem is.")},
    )
    lng = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Tap the map where the problem is.")},
    )
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Community.objects.none(),
        required=False,
        help_text=_("Needed only when the point is on no unit grid, or no point is given."),
    )

    def __init__(self, *args, communities=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities.order_by("code")

    def clean(self) -> dict:
        data = super().clean()
        has_point = data.get("lat") is not None and data.get("lng") is not None
        if not has_point and not data.get("community") and "community" not in self.errors:
            self.add_error(
                "community", _("Tap the map where the problem is, or choose the community.")
            )
        return data


class IntakeForm(PlacedForm):
    """A supervisor takes a complaint from the 12345 hotline, the digital-city platform or a
    leadership patrol."""

    source = forms.ChoiceField(label=_("Source"), choices=INTAKE_SOURCES)
    category = CategoryField(label=_("Category"))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    description = forms.CharField(
        label=_("What is wrong"),
        max_length=4000,
        widget=NOTE_WIDGET,
        validators=[no_control_characters],
    )
    reporter_name = forms.CharField(
        label=_("Caller's name"), max_length=50, required=False, validators=[no_control_characters]
    )
    reporter_phone = forms.CharField(
        label=_("Caller's phone"), max_length=11, required=False, validators=[mainland_mobile]
    )
    photos = PhotosField(label=_("Photos"), required=False)
    internal_note = forms.CharField(
        label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reporter_phone"].widget.attrs.update(inputmode="tel", autocomplete="off")


class OnSiteForm(PlacedForm):
    """An officer fixed a problem on the spot (现场整改): record it with before/after photos."""

    category = CategoryField(label=_("Category"))
    description = forms.CharField(label=_("What was wrong"), max_length=4000, widget=NOTE_WIDGET)
    note = forms.CharField(label=_("What was done"), max_length=2000, widget=NOTE_WIDGET)
    before = PhotosField(label=_("Photo before"))
    after = PhotosField(label=_("Photo after"))


# --- transitions ------------------------------------------------------------------------------


class NoteForm(StateForm):
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE_WIDGET)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Subclasses add the decision (officer, unit, result…); the optional note reads last.
        self.order_fields([name for name in self.fields if name != "note"] + ["note"])


class RegisterForm(NoteForm):
    category = CategoryField(label=_("Category"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)


class RejectForm(StateForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=RejectReason.choices)
    duplicate_of = forms.CharField(
        label=_("Original ticket number"),
        required=False,
        max_length=20,
        help_text=_("For a duplicate: the number of the ticket it repeats."),
    )
    note = forms.CharField(label=_("Explanation for the reporter"), widget=NOTE_WIDGET)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("reason") == RejectReason.DUPLICATE and not data.get("duplicate_of"):
            self.add_error("duplicate_of", _("Give the number of the original ticket."))
        return data


def officer_choice_label(officer: Officer) -> str:
    """An officer in a dispatch list: name and badge, and why they stand where they do when the
    list is ``selectors.suggested_officers`` (★ for the suggestion)."""
    label = f"{officer.user} ({officer.badge_number})"
    rank = getattr(officer, "dispatch_rank", None)
    if rank is None or rank == DispatchRank.OTHER:
        return label
    mark = "★ " if rank == DispatchRank.SUGGESTED else ""
    return f"{mark}{label} · {DispatchRank(rank).label}"


class OfficerChoiceForm(NoteForm):
    officer = forms.ModelChoiceField(label=_("Officer"), queryset=None)

    def __init__(self, *args, officers=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].label_from_instance = officer_choice_label


class ReferForm(NoteForm):
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=None)
    person = forms.CharField(label=_("Responsible person"), max_length=50)
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for the category's standard deadline."),
    )

    def __init__(self, *args, units=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean_deadline(self) -> datetime.datetime | None:
        deadline = self.cleaned_data.get("deadline")
        if deadline is not None and deadline <= timezone.now():
            raise ValidationError(_("The deadline must be in the future."))
        if deadline is not None and deadline > timezone.now() + deadlines.MAX_AHEAD:
            raise ValidationError(_("The deadline can be at most one year ahead."))
        return deadline


class ReasonForm(StateForm):
    reason = forms.CharField(label=_("Reason"), widget=NOTE_WIDGET)


class ExtensionRequestForm(StateForm):
    extra_hours = forms.IntegerField(
        label=_("Extra time (working hours)"), min_value=1, max_value=24 * 30
    )
    reason = forms.CharField(label=_("Reason"), widget=NOTE_WIDGET)


class ExtensionDecisionForm(NoteForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("deny", _("Deny"))],
        widget=forms.RadioSelect,
    )


class ResolveForm(StateForm):
    note = forms.CharField(label=_("What was done"), widget=NOTE_WIDGET)
    photos = PhotosField(label=_("Photos of the result"))


class ConcludeForm(StateForm):
    note = forms.CharField(label=_("Outcome of the enforcement"), widget=NOTE_WIDGET)
    photos = PhotosField(label=_("Evidence photos"), required=False)


class VerifyForm(NoteForm):
    result = forms.ChoiceField(
        label=_("Result of the check"),
        choices=[("pass", _("Fixed: close the ticket")), ("fail", _("Not fixed: send back"))],
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("result") == "fail" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what still needs doing."))
        return data


class FieldCheckerForm(OfficerChoiceForm):
    """Send the check on site: the officers on duty today in the ticket's unit grid."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].label = _("Officer on duty in the grid")
        self.fields["officer"].help_text = _(
            "They check on site and confirm with a photo, or send it back for rework."
        )


WHERE_CHECKED = _("Share your position (“Use my position”): the check records where it was done.")


class OnSiteCheckForm(StateForm):
    """The check (核查) on site by the officer it was sent to: the result, a photo taken there,
    and where they stand (the phone's position fills ``lat`` and ``lng``)."""

    result = forms.ChoiceField(
        label=_("Result of the check"),
        choices=[("pass", _("Fixed: close the ticket")), ("fail", _("Not fixed: send back"))],
        widget=forms.RadioSelect,
    )
    photos = PhotosField(label=_("Photos taken on site"))
    note = forms.CharField(
        label=_("Note (for a failed check: what still needs doing)"),
        required=False,
        max_length=2000,
        widget=NOTE_WIDGET,
    )
    lat = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    lng = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("result") == "fail" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what still needs doing."))
        located = data.get("lat") is not None and data.get("lng") is not None
        if not located and "lat" not in self.errors and "lng" not in self.errors:
            self.add_error("lat", WHERE_CHECKED)
        return data


# --- the queue's bulk bar ---------------------------------------------------------------------


class BulkForm(StyledForm):
    ACTIONS = [
        ("register", _("Register")),
        ("dispatch", _("Dispatch to officer")),
        ("refer", _("Refer to unit")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    tickets = forms.TypedMultipleChoiceField(coerce=int, choices=())
    officer = forms.ModelChoiceField(queryset=None, required=False)
    unit = forms.ModelChoiceField(queryset=None, required=False)
    person = forms.CharField(max_length=50, required=False)

    def __init__(self, *args, ticket_ids=(), officers=None, units=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tickets"].choices = [(pk, pk) for pk in ticket_ids]
        self.fields["officer"].queryset = officers
        self.fields["unit"].queryset = units

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") == "dispatch" and not data.get("officer"):
            self.add_error("officer", _("Choose the officer to dispatch to."))
        if data.get("action") == "refer":
            if not data.get("unit"):
                self.add_error("unit", _("Choose the unit to refer to."))
            if not (data.get("person") or "").strip():
                self.add_error("person", _("Name the person responsible at the unit."))
        return data
