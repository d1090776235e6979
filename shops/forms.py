"""Forms of the shop pages and of the enforcement panel on the ticket page."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import PhotosField
from cases.photos import decode_photo, read_photo
from citymgmt.forms import NOTE_WIDGET, CostlyField, StyledForm, style_widgets
from citymgmt.images import CheckedImage, ProcessedImage
from grids.models import Community
from shops.importer import MerchantRowForm
from shops.models import BusinessKind, CardColour, Merchant, Step
from shops.selectors import NEW_VENDOR, parse_party
from shops.services import SeizedItem

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FLAGGED = "flagged"
MAX_SEIZED_ITEMS = 30


class PhotoField(CostlyField, forms.FileField):
    """One photo, checked and re-encoded (type, size, pixels, EXIF) like a ticket photo: its
    header while cleaning, its pixels once the rest of the form is valid."""

    widget = forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None) -> CheckedImage | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        return read_photo(upload)

    def finish(self, value: CheckedImage | None) -> ProcessedImage | None:
        return decode_photo(value) if value is not None else None


class MerchantFilterForm(StyledForm):
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Community.objects.none(), required=False
    )
    q = forms.CharField(label=_("Search"), max_length=80, required=False)
    card = forms.ChoiceField(
        label=_("Card"),
        required=False,
        choices=[("", _("Any card")), *CardColour.choices, (FLAGGED, _("Flagged for referral"))],
    )

    def __init__(self, *args, communities, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        field.queryset = communities  # what a chosen community is checked against
        field.empty_label = _("All my communities")
        # The options as plain pairs, read in one narrow query: the page draws them with
        # ``cases_tags.quick_select``, built once per list (the command centre's 254 communities
        # through Django's option templates cost more than the rest of the page).
        pairs = tuple(communities.values_list("pk", "name"))
        field.choices = (("", field.empty_label), *pairs)
        field.options_key = pairs


class PledgeForm(StyledForm):
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE_WIDGET)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE_WIDGET)
    keeps_clean = forms.BooleanField(label=_("Keep it clean (包卫生)"), required=False)
    keeps_green = forms.BooleanField(label=_("Keep it green (包绿化)"), required=False)
    keeps_order = forms.BooleanField(label=_("Keep it orderly (包秩序)"), required=False)
    scan = PhotoField(
        label=_("Photo of the signed sheet"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 10 MB."),
    )

    def clean(self) -> dict:
        data = super().clean()
        signed, until = data.get("signed_on"), data.get("valid_until")
        if signed and until and until < signed:
            self.add_error("valid_until", _("The pledge must end after it is signed."))
        if signed and signed > timezone.localdate():
            self.add_error("signed_on", _("The signing date cannot be in the future."))
        if not (data.get("keeps_clean") or data.get("keeps_green") or data.get("keeps_order")):
            raise ValidationError(_("Tick at least one of the three duties."))
        return data


def default_pledge_initial() -> dict:
    """Signed today, for a year, all three duties."""
    today = timezone.localdate()
    try:
        until = today.replace(year=today.year + 1) - datetime.timedelta(days=1)
    except ValueError:  # 29 February
        until = today + datetime.timedelta(days=364)
    return {
        "signed_on": today,
        "valid_until": until,
        "keeps_clean": True,
        "keeps_green": True,
        "keeps_order": True,
    }


class VolunteerActForm(StyledForm):
    done_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    description = forms.CharField(label=_("What they did"), max_length=200)

    def clean_done_on(self) -> datetime.date:
        day = self.cleaned_data["done_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day


class ImportForm(StyledForm):
    sheet = forms.FileField(
        label=_("Sheet (CSV or XLSX)"),
        help_text=_("One shop per row, headers in the first row; at most 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class PartyForm(StyledForm):
    """Who the ticket is about: a shop of its community, a known street vendor, or a new one."""

    party = forms.ChoiceField(label=_("Party"))

    def __init__(self, *args, merchants, vendors, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = party_choices(merchants, vendors)


def party_choices(merchants, vendors) -> list:
    shops = [(f"m{m.pk}", f"{m.name} · {m.address}") for m in merchants]
    known = [(f"v{v.pk}", v.description) for v in vendors]
    choices: list = [("", "---------")]
    if shops:
        choices.append((_("Shops"), shops))
    vendors_group = [*known, (NEW_VENDOR, _("Another street vendor (describe them)"))]
    choices.append((_("Street vendors"), vendors_group))
    return choices


class OffenceForm(StyledForm):
    """The step taken on a ticket: the party is carried over from the party picker."""

    party = forms.CharField(widget=forms.HiddenInput)
    vendor_description = forms.CharField(
        label=_("Describe the vendor"),
        max_length=200,
        required=False,
        help_text=_("What identifies them: goods, cart, usual spot, appearance."),
    )
    step = forms.ChoiceField(label=_("Step taken"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("What was done"), widget=NOTE_WIDGET, max_length=2000, required=False
    )
    promise_photo = PhotoField(
        label=_("Photo of the signed promise (免罚承诺书)"),
        required=False,
        help_text=_("Needed for a first-offence waiver."),
    )
    notice_number = forms.CharField(
        label=_("Warning notice number (警示告知书)"), max_length=40, required=False
    )
    seized_items = forms.CharField(
        label=_("Goods seized"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "塑料凳 × 6"}),
        required=False,
        help_text=_("One item per line: what, then × and how many."),
    )
    return_on = forms.DateField(
        label=_("Goods may be collected on"), widget=DATE_WIDGET, required=False
    )
    penalty_case_number = forms.CharField(
        label=_("Penalty case number"), max_length=40, required=False
    )
    evidence = PhotosField(label=_("Evidence photos"), required=False)

    def __init__(self, *args, allowed: list[str], suggested: str, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("step", suggested)
        super().__init__(*args, **kwargs)
        labels = dict(Step.choices)
        self.fields["step"].choices = [(step, labels[step]) for step in allowed]

    def clean_party(self) -> str:
        value = self.cleaned_data["party"]
        if parse_party(value)[0] == "":
            raise ValidationError(_("Choose the party first."))
        return value

    def clean_seized_items(self) -> list[SeizedItem]:
        items = []
        for line in self.cleaned_data["seized_items"].splitlines():
            line = line.strip()
            if not line:
                continue
            for mark in ("×", "x", "X", "*", "＊"):
                if mark in line:
                    name, _sep, quantity = line.rpartition(mark)
                    break
            else:
                name, quantity = line, "1"
            name, quantity = name.strip(), quantity.strip() or "1"
            if not name or len(name) > 60 or len(quantity) > 20:
                raise ValidationError(
                    _("Line “%(line)s”: write the item, then × and how many.") % {"line": line[:60]}
                )
            items.append(SeizedItem(name=name, quantity=quantity))
        if len(items) > MAX_SEIZED_ITEMS:
            raise ValidationError(_("At most 30 lines, please."))
        return items

    def clean(self) -> dict:
        data = super().clean()
        kind, _pk = parse_party(data.get("party", ""))
        if kind == NEW_VENDOR and not data.get("vendor_description", "").strip():
            self.add_error("vendor_description", _("Describe the vendor."))
        return data


def vendor_or_merchant(value: str) -> dict:
    """The service's keyword arguments for a party choice."""
    kind, pk = parse_party(value)
    if kind == "merchant":
        return {"merchant_id": pk}
    if kind == "vendor":
        return {"vendor_id": pk}
    return {}


class MerchantForm(MerchantRowForm):
    """One shop registered by hand: the import's row checks, a point tapped on the map."""

    business_kind = forms.ChoiceField(label=_("Line of business"), choices=BusinessKind.choices)
    lat = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Tap the map where the shop is.")},
    )
    lng = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Tap the map where the shop is.")},
    )
    field_order = [
        "name",
        "licence_number",
        "business_kind",
        "owner_name",
        "owner_phone",
        "address",
        "frontage_m",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
        self.fields["owner_phone"].widget.attrs.update(inputmode="tel")
        self.fields["name"].label = _("Shop name")
        self.fields["licence_number"].label = _("Unified social credit code")
        self.fields["owner_name"].label = _("Owner")
        self.fields["owner_phone"].label = _("Owner's phone")
        self.fields["address"].label = _("Address")
        self.fields["frontage_m"].label = _("Frontage length (m)")

    def clean_business_kind(self) -> str:
        return self.cleaned_data["business_kind"]

    def clean_licence_number(self) -> str:
        licence = super().clean_licence_number()
        if Merchant.objects.filter(licence_number=licence).exists():
            raise ValidationError(_("A shop with this licence is already registered."))
        return licence

    def clean(self) -> dict:
        if self.data.get("lat") in (None, "") and "lat" not in self.errors:
            self.add_error("lat", _("Tap the map where the shop is."))
        return super().clean()
