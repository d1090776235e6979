import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grids.geometry import polygon_metrics


class District(models.Model):
    code = models.CharField(
        _("code"), max_length=6, unique=True, validators=[RegexValidator(r"^\d{6}$")]
    )
    name = models.CharField(_("name"), max_length=40)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    """A 街道 (sub-district), coded district code + 3 digits."""

    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="streets"
    )
    code = models.CharField(
        _("code"), max_length=9, unique=True, validators=[RegexValidator(r"^\d{9}$")]
    )
    name = models.CharField(_("name"), max_length=40)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.district_id and self.code and not self.code.startswith(self.district.code):
            raise ValidationError({"code": _("A street's code starts with its district's code.")})


class Community(models.Model):
    """A 社区, coded street code + 3 digits, covered by exactly one supervision brigade."""

    street = models.ForeignKey(
        Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="communities"
    )
    code = models.CharField(
        _("code"), max_length=12, unique=True, validators=[RegexValidator(r"^\d{12}$")]
    )
    name = models.CharField(_("name"), max_length=40)
    brigade = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("brigade"),
        on_delete=models.PROTECT,
        related_name="communities",
        limit_choices_to={"kind": "brigade"},
    )
    address = models.CharField(_("office address"), max_length=120, blank=True)
    phone = models.CharField(_("office phone"), max_length=20, blank=True)
    center_lat = models.FloatField(_("centre latitude"), null=True, blank=True)
    center_lng = models.FloatField(_("centre longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("grids:community_board", args=[self.code])

    def clean(self) -> None:
        if self.street_id and self.code and not self.code.startswith(self.street.code):
            raise ValidationError({"code": _("A community's code starts with its street's code.")})


class GridCell(models.Model):
    """A 单元网格: a WGS84 polygon (GeoJSON, lng/lat order) with its bbox, centroid and area."""

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="grid_cells"
    )
    code = models.CharField(
        _("code"), max_length=15, unique=True, validators=[RegexValidator(r"^\d{15}$")]
    )
    name = models.CharField(_("name"), max_length=60, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON polygon)"))
    min_lng = models.FloatField(editable=False)
    min_lat = models.FloatField(editable=False)
    max_lng = models.FloatField(editable=False)
    max_lat = models.FloatField(editable=False)
    centroid_lng = models.FloatField(editable=False)
    centroid_lat = models.FloatField(editable=False)
    area_m2 = models.FloatField(_("area (m²)"), editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Admin edits only: the demo and imports bulk_create cells, which writes no history rows.
    history = HistoricalRecords(
        verbose_name=_("unit grid history"), verbose_name_plural=_("unit grid history")
    )

    class Meta:
        verbose_name = _("unit grid")
        verbose_name_plural = _("unit grids")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code

    def save(self, *args, **kwargs) -> None:
        # Derived columns always follow the boundary; they are what the queues filter on.
        metrics = polygon_metrics(self.boundary)
        self.min_lng, self.min_lat, self.max_lng, self.max_lat = metrics.bbox
        self.centroid_lng, self.centroid_lat = metrics.centroid
        self.area_m2 = metrics.area_m2
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "boundary" in update_fields:
            kwargs["update_fields"] = {
                *update_fields,
                "min_lng",
                "min_lat",
                "max_lng",
                "max_lat",
                "centroid_lng",
                "centroid_lat",
                "area_m2",
                "updated_at",
            }
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.community_id and self.code and not self.code.startswith(self.community.code):
            raise ValidationError(
                {"code": _("A unit grid's code starts with its community's code.")}
            )
        try:
            polygon_metrics(self.boundary)
        except ValueError as exc:
            raise ValidationError({"boundary": str(exc)}) from None


WEEKDAY_CHOICES = [
    (1, _("Mon")),
    (2, _("Tue")),
    (3, _("Wed")),
    (4, _("Thu")),
    (5, _("Fri")),
    (6, _("Sat")),
    (7, _("Sun")),
]
weekdays_validator = RegexValidator(
    r"^(?!.*(.).*\1)[1-7]{1,7}$", _("List the duty days as digits 1 (Monday) to 7 (Sunday).")
)


class AssignmentQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date) -> "AssignmentQuerySet":
        """Assignments in force on a day: history is kept, so a past month reads its own."""
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def on_duty(self, day: datetime.date) -> "AssignmentQuerySet":
        return self.valid_on(day).filter(weekdays__contains=str(day.isoweekday()))


class Assignment(models.Model):
    """定人 定岗 定责 定时: an officer posted to a community (and some of its grids) for a period.

    Never deleted: ending one sets ``valid_to``, so the assessment of a past month uses the
    postings of that month.
    """

    officer = models.ForeignKey(
        "accounts.Officer",
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="assignments"
    )
    grid_cells = models.ManyToManyField(
        GridCell, verbose_name=_("unit grids"), related_name="assignments", blank=True
    )
    post = models.CharField(_("post"), max_length=60)
    duties = models.TextField(_("duties"))
    weekdays = models.CharField(
        _("duty days"),
        max_length=7,
        default="12345",
        validators=[weekdays_validator],
        help_text=_("Digits 1 (Monday) to 7 (Sunday), e.g. 12345."),
    )
    start_time = models.TimeField(_("on duty from"), default=datetime.time(8, 30))
    end_time = models.TimeField(_("on duty until"), default=datetime.time(17, 30))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()
    # valid_to keeps which posting was in force; this keeps who edited a posting and how
    # (its grid cells included), which the assessment of a disputed month needs.
    history = HistoricalRecords(
        verbose_name=_("assignment history"),
        verbose_name_plural=_("assignment history"),
        m2m_fields=[grid_cells],
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["community__code", "officer__badge_number", "-valid_from"]
        indexes = [
            models.Index(fields=["community", "valid_from", "valid_to"]),
            models.Index(fields=["officer", "valid_from", "valid_to"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="assignment_valid_to_after_from",
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="assignment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer.user} @ {self.community} ({self.post})"

    def clean(self) -> None:
        errors = {}
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end date cannot be before the start date.")
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The duty hours must end after they start.")
        if errors:
            raise ValidationError(errors)

    @property
    def weekday_labels(self) -> list[str]:
        labels = dict(WEEKDAY_CHOICES)
        return [str(labels[int(d)]) for d in sorted(self.weekdays)]
