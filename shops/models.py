"""门前三包: shops and their frontage pledges, monthly points and cards, and the offence ladder
(一规劝、二教育、三暂扣) of the parties named on street-order tickets.

The models hold facts; ``shops.services`` writes them (with the ticket's audit event) and
``shops.points`` turns a month's offences and volunteer acts into points and a card colour.
"""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# GB 32100-2015 统一社会信用代码: 18 characters from 31 (no I, O, Z, S, V), the last a check digit.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 whose first 17 are given."""
    total = sum(
        CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    if (
        len(value) != 18
        or any(c not in CREDIT_CODE_CHARS for c in value)
        or credit_code_check_char(value[:17]) != value[17]
    ):
        raise ValidationError(
            _("Enter the 18-character unified social credit code from the business licence."),
            code="bad_licence",
        )


def new_public_slug() -> str:
    # 16 base32 characters = 80 bits: a door card's link cannot be guessed from another's.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _i in range(16))


class BusinessKind(models.TextChoices):
    CATERING = "catering", _("Catering")
    GROCERY = "grocery", _("Fruit, vegetables and groceries")
    RETAIL = "retail", _("Retail")
    REPAIR = "repair", _("Repairs")
    SERVICES = "services", _("Personal services")
    OTHER = "other", _("Other")


class CardColour(models.TextChoices):
    GREEN = "green", _("Green card")
    YELLOW = "yellow", _("Yellow card")
    RED = "red", _("Red card")


class ShopPolicy(models.Model):
    """How shops are scored and how the ladder counts: one current row (the latest), edited by
    assessors in the admin. A month already computed keeps its points until it is recomputed."""

    base_points = models.PositiveSmallIntegerField(_("base points each month"), default=100)
    default_deduction = models.PositiveSmallIntegerField(
        _("points deducted per confirmed violation"),
        default=10,
        help_text=_("Categories may override this below."),
    )
    deduct_waived = models.BooleanField(
        _("deduct for waived first offences"),
        default=False,
        help_text=_("Off: a first offence waived on a signed promise costs no points."),
    )
    volunteer_points = models.PositiveSmallIntegerField(
        _("points added per volunteer act"), default=5
    )
    max_points = models.PositiveSmallIntegerField(
        _("highest monthly points"), default=120, help_text=_("Additions stop here.")
    )
    green_min = models.PositiveSmallIntegerField(_("green card from (points)"), default=90)
    yellow_min = models.PositiveSmallIntegerField(
        _("yellow card from (points)"),
        default=75,
        help_text=_("Below this a shop gets a red card."),
    )
    yellow_months_to_flag = models.PositiveSmallIntegerField(
        _("consecutive yellow months before referral"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("Then the shop is flagged for referral to market supervision."),
    )
    ladder_window_months = models.PositiveSmallIntegerField(
        _("offence ladder window (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Earlier offences no longer count towards the next step."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("shop scoring policy")
        verbose_name_plural = _("shop scoring policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(green_min__gt=models.F("yellow_min")),
                name="shoppolicy_green_above_yellow",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Shop scoring policy"))

    def clean(self) -> None:
        if None not in (self.green_min, self.yellow_min) and self.green_min <= self.yellow_min:
            raise ValidationError(
                {"green_min": _("The green threshold must be above the yellow one.")}
            )

    @classmethod
    def current(cls) -> "ShopPolicy":
        """The policy in force; the defaults are created on first use."""
        policy = cls.objects.order_by("-pk").first()
        if policy is None:
            policy = cls.objects.create()
        return policy

    def colour_for(self, points: int) -> str:
        if points >= self.green_min:
            return CardColour.GREEN
        if points >= self.yellow_min:
            return CardColour.YELLOW
        return CardColour.RED

    def window_start(self, at: datetime.datetime) -> datetime.datetime:
        """The start of the ladder window ending at ``at`` (calendar months back, counted in
        local time: at 07:00 on 31 March in Xuzhou it is still the 30th in UTC)."""
        at = timezone.localtime(at)
        months = self.ladder_window_months
        year, month = divmod(at.month - 1 - months, 12)
        year, month = at.year + year, month + 1
        day = min(at.day, _days_in_month(year, month))
        return at.replace(year=year, month=month, day=day)


def _days_in_month(year: int, month: int) -> int:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (following - datetime.timedelta(days=1)).day


class CategoryDeduction(models.Model):
    """A category whose violations cost more (or less) than the policy's default."""

    policy = models.ForeignKey(ShopPolicy, on_delete=models.CASCADE, related_name="deductions")
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"enforceable": True},
    )
    points = models.PositiveSmallIntegerField(_("points deducted"))

    class Meta:
        verbose_name = _("deduction for a category")
        verbose_name_plural = _("deductions by category")
        constraints = [
            models.UniqueConstraint(fields=["policy", "category"], name="categorydeduction_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: −{self.points}"


credit_code_field_validators = [validate_credit_code]
phone_validator = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
    _("Enter a mobile number (13812345678) or a landline (0516-83880001)."),
)


class Merchant(models.Model):
    """A shop with a frontage (门店): placed on a unit grid by ``locate()``; its community's
    brigade is copied down so lists filter on this table alone."""

    public_slug = models.CharField(
        max_length=20, unique=True, default=new_public_slug, editable=False
    )
    name = models.CharField(_("shop name"), max_length=80)
    licence_number = models.CharField(
        _("licence number"),
        max_length=18,
        unique=True,
        validators=credit_code_field_validators,
        help_text=_("统一社会信用代码, 18 characters."),
    )
    business_kind = models.CharField(
        _("line of business"), max_length=20, choices=BusinessKind.choices
    )
    owner_name = models.CharField(_("owner"), max_length=50)
    owner_phone = models.CharField(_("owner's phone"), max_length=20, validators=[phone_validator])
    address = models.CharField(_("address"), max_length=200)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    frontage_m = models.DecimalField(
        _("frontage length (m)"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(0)],
        null=True,
        blank=True,
    )
    # SET_NULL: re-drawing the grids must not be blocked by shops; they keep their community.
    grid_cell = models.ForeignKey(
        "grids.GridCell",
        verbose_name=_("unit grid"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merchants",
    )
    community = models.ForeignKey(
        "grids.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="merchants",
    )
    brigade = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("brigade"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("open for business"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["community__code", "name"]
        indexes = [
            models.Index(fields=["community", "name"], name="merchant_community_name"),
            models.Index(fields=["brigade", "name"], name="merchant_brigade_name"),
            models.Index(fields=["grid_cell"], name="merchant_grid"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shops:detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("shops:public", args=[self.public_slug])


class Duty(models.TextChoices):
    SANITATION = "sanitation", _("Keep it clean (包卫生)")
    GREENING = "greening", _("Keep it green (包绿化)")
    ORDER = "order", _("Keep it orderly (包秩序)")


class FrontagePledge(models.Model):
    """A signed 门前三包 责任书: the shop answers for its frontage for the valid period."""

    merchant = models.ForeignKey(
        Merchant, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="pledges"
    )
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by (officer)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    keeps_clean = models.BooleanField(_("keep it clean (包卫生)"), default=True)
    keeps_green = models.BooleanField(_("keep it green (包绿化)"), default=True)
    keeps_order = models.BooleanField(_("keep it orderly (包秩序)"), default=True)
    scan = models.ImageField(_("scan of the signed sheet"), upload_to="pledges/%Y/%m/", blank=True)
    scan_thumbnail = models.ImageField(upload_to="pledges/%Y/%m/", blank=True, editable=False)
    scan_content_type = models.CharField(max_length=20, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("frontage pledge")
        verbose_name_plural = _("frontage pledges")
        ordering = ["-signed_on", "-pk"]
        indexes = [
            models.Index(fields=["merchant", "-valid_until"], name="pledge_merchant_valid"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("signed_on")),
                name="pledge_valid_after_signed",
            ),
            models.CheckConstraint(
                condition=Q(keeps_clean=True) | Q(keeps_green=True) | Q(keeps_order=True),
                name="pledge_has_a_duty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant} {self.signed_on}–{self.valid_until}"

    @property
    def duties(self) -> list[str]:
        flags = [
            (self.keeps_clean, Duty.SANITATION),
            (self.keeps_green, Duty.GREENING),
            (self.keeps_order, Duty.ORDER),
        ]
        return [str(duty.label) for on, duty in flags if on]

    def in_force_on(self, day: datetime.date) -> bool:
        return self.signed_on <= day <= self.valid_until


class StreetVendor(models.Model):
    """An unnamed party (a mobile stall, a hawker): the officer's description is what the
    ladder follows from one ticket to the next in the same community."""

    description = models.CharField(
        _("description"),
        max_length=200,
        help_text=_("What identifies them: goods, cart, usual spot, appearance."),
    )
    community = models.ForeignKey(
        "grids.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="street_vendors",
    )
    brigade = models.ForeignKey(
        "accounts.Unit", verbose_name=_("brigade"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("street vendor")
        verbose_name_plural = _("street vendors")
        ordering = ["community__code", "description"]
        indexes = [models.Index(fields=["community", "created_at"], name="vendor_community")]

    def __str__(self) -> str:
        return self.description


class Step(models.TextChoices):
    """The rungs of the ladder, with the 721 share each belongs to."""

    PERSUADE = "persuade", pgettext_lazy("enforcement step", "Persuade (规劝)")
    WAIVE = "waive", pgettext_lazy("enforcement step", "Waive a first offence (免罚承诺)")
    EDUCATE = "educate", pgettext_lazy("enforcement step", "Educate: warning notice (教育)")
    SEIZE = "seize", pgettext_lazy("enforcement step", "Seize goods (暂扣)")
    PENALTY = "penalty", pgettext_lazy("enforcement step", "Open a penalty case (立案处罚)")


class EnforcementEvent(models.TextChoices):
    """What a step leaves on the ticket's timeline (``TicketEvent.action``, registered with
    ``cases.hooks`` from ``ShopsConfig.ready``): what was done to the named party."""

    PERSUADE = "persuade", pgettext_lazy("ticket event", "Persuaded")
    WAIVE = "waive", pgettext_lazy("ticket event", "First offence waived on a signed promise")
    EDUCATE = "educate", pgettext_lazy("ticket event", "Warning notice issued")
    SEIZE = "seize", pgettext_lazy("ticket event", "Goods seized")
    PENALTY_CASE = "penalty_case", pgettext_lazy("ticket event", "Penalty case opened")


class Share(models.TextChoices):
    """The "721" way of working: 70% service, 20% management, 10% enforcement."""

    SERVICE = "service", pgettext_lazy("721 share", "Service")
    MANAGEMENT = "management", pgettext_lazy("721 share", "Management")
    ENFORCEMENT = "enforcement", pgettext_lazy("721 share", "Enforcement")


SHARE_OF_STEP = {
    Step.PERSUADE: Share.SERVICE,
    Step.WAIVE: Share.SERVICE,
    Step.EDUCATE: Share.MANAGEMENT,
    Step.SEIZE: Share.ENFORCEMENT,
    Step.PENALTY: Share.ENFORCEMENT,
}


class Offence(models.Model):
    """What was done about one ticket's party: one step of its ladder, recorded with the
    ticket's event (``event``) in the same transaction."""

    ticket = models.OneToOneField(
        "cases.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="offence"
    )
    merchant = models.ForeignKey(
        Merchant,
        verbose_name=_("shop"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offences",
    )
    vendor = models.ForeignKey(
        StreetVendor,
        verbose_name=_("street vendor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offences",
    )
    step = models.CharField(_("step taken"), max_length=10, choices=Step.choices)
    share = models.CharField(_("721 share"), max_length=12, choices=Share.choices, editable=False)
    note = models.TextField(_("what was done"), blank=True)
    notice_number = models.CharField(_("warning notice number"), max_length=40, blank=True)
    promise_photo = models.ForeignKey(
        "cases.Photo",
        verbose_name=_("signed promise (photo)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    seized_items = models.JSONField(_("seized goods"), default=list, blank=True)
    return_on = models.DateField(_("goods returned on"), null=True, blank=True)
    penalty_case_number = models.CharField(_("penalty case number"), max_length=40, blank=True)
    event = models.OneToOneField(
        "cases.TicketEvent", on_delete=models.PROTECT, related_name="offence", editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("offence")
        verbose_name_plural = _("offences")
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["merchant", "recorded_at"], name="offence_merchant_time"),
            models.Index(fields=["vendor", "recorded_at"], name="offence_vendor_time"),
            models.Index(fields=["recorded_at", "share"], name="offence_time_share"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(merchant__isnull=False, vendor__isnull=True)
                | Q(merchant__isnull=True, vendor__isnull=False),
                name="offence_one_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.step}"

    @property
    def party(self) -> Merchant | StreetVendor:
        return self.merchant if self.merchant_id else self.vendor


class VolunteerAct(models.Model):
    """Something a shop did for the street (helped clear snow, joined a clean-up): points."""

    merchant = models.ForeignKey(
        Merchant, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="volunteer_acts"
    )
    done_on = models.DateField(_("date"))
    description = models.CharField(_("what they did"), max_length=200)
    points = models.PositiveSmallIntegerField(_("points"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("volunteer act")
        verbose_name_plural = _("volunteer acts")
        ordering = ["-done_on", "-pk"]
        indexes = [models.Index(fields=["merchant", "done_on"], name="volunteer_merchant_day")]

    def __str__(self) -> str:
        return f"{self.merchant} {self.done_on} +{self.points}"


class MerchantMonth(models.Model):
    """A shop's points and card for a month, computed by ``shops.points``."""

    merchant = models.ForeignKey(
        Merchant, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="months"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    points = models.SmallIntegerField(_("points"))
    deducted = models.PositiveSmallIntegerField(_("deducted"), default=0)
    added = models.PositiveSmallIntegerField(_("added"), default=0)
    violations = models.PositiveSmallIntegerField(_("violations"), default=0)
    colour = models.CharField(_("card"), max_length=10, choices=CardColour.choices)
    yellow_streak = models.PositiveSmallIntegerField(_("consecutive yellow months"), default=0)
    flagged = models.BooleanField(
        _("flagged for market supervision"),
        default=False,
        help_text=_("Yellow cards for the policy's number of consecutive months."),
    )
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("monthly points")
        verbose_name_plural = _("monthly points")
        ordering = ["-month", "merchant__name"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "month"], name="merchantmonth_unique"),
        ]
        indexes = [models.Index(fields=["month", "colour"], name="merchantmonth_month_colour")]

    def __str__(self) -> str:
        return f"{self.merchant} {self.month:%Y-%m}: {self.points}"
