from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

mainland_mobile = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number, e.g. 13812345678.")
)


class User(AbstractUser):
    """Anyone who logs in. Staff belong to a unit; the unit decides what they may see."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=11, blank=True, validators=[mainland_mobile])
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text=_("The brigade, squadron, department or street office this person works for."),
    )
    email_notifications = models.BooleanField(
        _("e-mail my notifications"),
        default=True,
        help_text=_("Also send notifications to my e-mail address, when the site can send e-mail."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def name(self) -> str:
        return str(self)


class UnitKind(models.TextChoices):
    BUREAU = "bureau", _("Bureau")
    DISTRICT_BUREAU = "district_bureau", _("District bureau")
    BRIGADE = "brigade", _("Supervision brigade")
    SQUADRON = "squadron", _("Squadron")
    STREET_OFFICE = "street_office", _("Street office")
    DEPARTMENT = "department", _("Department")


class Unit(models.Model):
    """An organisation in the tree: bureau → district bureau → brigade → squadron, and the
    responsible units (departments, street offices) that tickets are referred to."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    district = models.ForeignKey(
        "grids.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(
        verbose_name=_("unit history"), verbose_name_plural=_("unit history")
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def brigade(self) -> "Unit | None":
        """The brigade this unit is or belongs to (a squadron's parent), else None."""
        if self.kind == UnitKind.BRIGADE:
            return self
        if self.kind == UnitKind.SQUADRON and self.parent and self.parent.kind == UnitKind.BRIGADE:
            return self.parent
        return None


# A badge number is part of URLs (contact cards, assessment pages): no slash, space or control
# character, which a URL path cannot carry as one segment.
badge_number_validator = RegexValidator(
    r"^[^/\x00-\x20\x7f]+$", _("A badge number has no slash, space or control character.")
)


class Officer(models.Model):
    """The field profile of a 执法监督网格员: what the public notice board shows of them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="officer",
    )
    brigade = models.ForeignKey(
        Unit,
        verbose_name=_("brigade"),
        on_delete=models.PROTECT,
        related_name="officers",
        limit_choices_to={"kind": UnitKind.BRIGADE},
        help_text=_("The supervision brigade the officer serves in (scoping and assessment)."),
    )
    badge_number = models.CharField(
        _("badge number"), max_length=20, unique=True, validators=[badge_number_validator]
    )
    title = models.CharField(_("title"), max_length=40, blank=True)
    public_phone = models.CharField(_("public phone"), max_length=20, blank=True)
    photo = models.ImageField(_("photo"), upload_to="officers/", blank=True)
    duties = models.TextField(_("duties"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["badge_number"]

    def __str__(self) -> str:
        return f"{self.user} ({self.badge_number})"
