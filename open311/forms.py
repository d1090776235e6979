"""What a GeoReport v2 client may send, validated like any form: a bad value is a 400 naming
the parameter, never a 500."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citymgmt.text import no_control_characters
from open311.selectors import MAX_REQUESTS, WINDOW

STATUSES = ("open", "closed")
# Dates a query may name: wide enough for any ticket, narrow enough that moving one by the
# 90-day window can never leave the calendar (year 1 or 9999 would raise, not answer 400).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class RequestQueryForm(forms.Form):
    """GET requests.{format}: which service requests to list."""

    service_request_id = forms.CharField(required=False, max_length=21 * MAX_REQUESTS)
    service_code = forms.CharField(required=False, max_length=1000)
    start_date = forms.DateTimeField(required=False)
    end_date = forms.DateTimeField(required=False)
    status = forms.CharField(required=False, max_length=20)

    def clean_service_request_id(self) -> list[str]:
        ids = _split(self.cleaned_data["service_request_id"])
        if len(ids) > MAX_REQUESTS:
            raise ValidationError(
                _("Ask for at most %(n)s requests at once.") % {"n": MAX_REQUESTS}
            )
        return ids

    def _in_range(self, name: str) -> datetime.datetime | None:
        value = self.cleaned_data.get(name)
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(
                _("%(name)s must be between the years %(first)s and %(last)s.")
                % {"name": name, "first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return value

    def clean_start_date(self) -> datetime.datetime | None:
        return self._in_range("start_date")

    def clean_end_date(self) -> datetime.datetime | None:
        return self._in_range("end_date")

    def clean_service_code(self) -> list[str]:
        return _split(self.cleaned_data["service_code"])

    def clean_status(self) -> list[str]:
        statuses = _split(self.cleaned_data["status"].lower())
        if any(status not in STATUSES for status in statuses):
            raise ValidationError(_("status must be open or closed."))
        return statuses

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        start, end = data.get("start_date"), data.get("end_date")
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - WINDOW
        if end is None:
            end = start + WINDOW
        if end < start:
            raise ValidationError(_("end_date must not be before start_date."))
        if end - start > WINDOW:
            raise ValidationError(_("start_date and end_date may span at most 90 days."))
        data["start_date"], data["end_date"] = start, end
        return data


class ServiceRequestForm(forms.Form):
    """POST requests.{format}: a new service request (form-encoded)."""

    service_code = forms.CharField(max_length=10)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    address_string = forms.CharField(
        required=False, max_length=200, validators=[no_control_characters]
    )
    address_id = forms.CharField(required=False, max_length=100)
    description = forms.CharField(
        required=False, max_length=4000, validators=[no_control_characters]
    )
    media_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    first_name = forms.CharField(required=False, max_length=25, validators=[no_control_characters])
    last_name = forms.CharField(required=False, max_length=25, validators=[no_control_characters])
    phone = forms.CharField(required=False, max_length=20)
    email = forms.EmailField(required=False)
    device_id = forms.CharField(required=False, max_length=100)
    account_id = forms.CharField(required=False, max_length=100)

    def clean(self) -> dict:
        data = super().clean()
        has_lat, has_long = data.get("lat") is not None, data.get("long") is not None
        if "lat" in self.errors or "long" in self.errors:
            return data
        if has_lat != has_long:
            raise ValidationError(_("Give both lat and long, or neither."))
        if not has_lat and not data.get("address_string"):
            raise ValidationError(_("Give lat and long, or address_string."))
        return data


def error_text(form: forms.Form) -> str:
    """The form's errors as Open311 descriptions: ``parameter: message``."""
    parts = []
    for name, messages in form.errors.items():
        for message in messages:
            parts.append(str(message) if name == "__all__" else f"{name}: {message}")
    return "; ".join(parts)
