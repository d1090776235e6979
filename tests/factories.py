"""Factories for the small cast the tests use. Places are built on a tiny lattice near 徐州."""

import datetime

import factory
from django.contrib.auth.models import Group

from accounts.models import Officer, Unit, UnitKind, User
from grids.geometry import offset, rectangle
from grids.models import Assignment, Community, District, GridCell, Street

ORIGIN = (117.18, 34.26)  # lng, lat


def square(col: int, row: int, size_m: float = 100.0) -> dict:
    """The lattice cell at (col, row), ``size_m`` metres a side, south-west corner at ORIGIN."""
    sw = offset(*ORIGIN, col * size_m, row * size_m)
    ne = offset(*ORIGIN, (col + 1) * size_m, (row + 1) * size_m)
    return rectangle(sw, ne)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["code"]

    code = "320302"
    name = "鼓楼区"


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street
        django_get_or_create = ["code"]

    district = factory.SubFactory(DistrictFactory)
    code = factory.LazyAttribute(lambda o: o.district.code + "001")
    name = "黄楼街道"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"unit{n}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = UnitKind.DEPARTMENT


class BrigadeFactory(UnitFactory):
    code = "gl1"
    name = "鼓楼执法监督一大队"
    kind = UnitKind.BRIGADE


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ["code"]

    street = factory.SubFactory(StreetFactory)
    # Three digits after the street's code: a long run makes more than 999 communities, so the
    # sequence wraps (rows of earlier tests are rolled back by then).
    code = factory.Sequence(lambda n: f"{(n + 1) % 1000:03d}")  # prefixed below by the street
    name = factory.Sequence(lambda n: f"测试{n}社区")
    brigade = factory.SubFactory(BrigadeFactory)

    @classmethod
    def _adjust_kwargs(cls, **kwargs: object) -> dict:
        code = str(kwargs["code"])
        if len(code) == 3:
            kwargs["code"] = kwargs["street"].code + code
        return kwargs


class GridCellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridCell
        django_get_or_create = ["code"]

    community = factory.SubFactory(CommunityFactory)
    code = factory.Sequence(lambda n: f"{n + 1:03d}")
    boundary = factory.Sequence(lambda n: square(n, 0))

    @classmethod
    def _adjust_kwargs(cls, **kwargs: object) -> dict:
        code = str(kwargs["code"])
        if len(code) == 3:
            kwargs["code"] = kwargs["community"].code + code
        return kwargs


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"张{n}")
    password = factory.django.Password("pw-for-tests-2026")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in extracted))


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer
        django_get_or_create = ["badge_number"]

    user = factory.SubFactory(
        UserFactory, roles=["officer"], unit=factory.SelfAttribute("..brigade")
    )
    brigade = factory.SubFactory(BrigadeFactory)
    badge_number = factory.Sequence(lambda n: f"T-{n:04d}")
    title = "执法队员"
    public_phone = factory.Sequence(lambda n: f"0516-8{n:07d}")
    duties = "巡查社区，劝导整改"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment
        skip_postgeneration_save = True

    officer = factory.SubFactory(OfficerFactory)
    community = factory.SubFactory(CommunityFactory)
    post = "社区执法监督网格员"
    duties = "巡查本社区市容秩序"
    weekdays = "12345"
    start_time = datetime.time(8, 30)
    end_time = datetime.time(17, 30)
    valid_from = datetime.date(2022, 11, 1)
    valid_to = None

    @factory.post_generation
    def grid_cells(self, create: bool, extracted: list[GridCell] | None, **kwargs: object) -> None:
        if create and extracted:
            self.grid_cells.set(extracted)


# --- casework (appended for tests/cases) ------------------------------------------------------


def jpeg_bytes(
    size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (90, 140, 60)
) -> bytes:
    """A small, valid JPEG made with Pillow (imports are local: this block is appended)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def processed_photo(name: str = "photo.jpg"):
    """A photo as the forms hand it to the services: checked and re-encoded."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.photos import check_photo

    return check_photo(SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg"))
