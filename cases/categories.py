"""The 部件/事件 category tree: loading it from data/categories.json, linking its default units,
and the grouped choices the report forms offer.

The JSON is the starting point only: migration 0002 loads it once and admins edit the rows from
then on, so nothing here overwrites a row that already exists.
"""

import copy
import json
import uuid
from functools import cache as memoize
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Unit
from cases.models import Category, CategoryKind

DATA_PATH = Path(__file__).resolve().parent / "data" / "categories.json"
KINDS = (CategoryKind.COMPONENT, CategoryKind.EVENT)
MINOR_FIELDS = (
    "public_name",
    "deadline_value",
    "deadline_unit",
    "urgent_hours",
    "enforceable",
    "duplicate_radius_m",
)

CHOICES_TIMEOUT = 5 * 60
VERSION_KEY = "cases:categories:version"

Choices = list[tuple[str, list[tuple[int, str]]]]


@memoize
def read_tree() -> dict[str, Any]:
    """The parsed JSON: ``{"component": [major, ...], "event": [...]}``, each major with
    ``minors``."""
    return json.loads(DATA_PATH.read_text(encoding="utf-8"))


def load_categories() -> int:
    """Create the majors and minors of the JSON that are missing; return how many were created.

    Existing rows are left as they are, edits and deactivations included.
    """
    created = 0
    with transaction.atomic():
        for kind in KINDS:
            for major_data in read_tree()[kind]:
                major, was_created = Category.objects.get_or_create(
                    kind=kind, code=major_data["code"], defaults={"name": major_data["name"]}
                )
                created += was_created
                for minor in major_data["minors"]:
                    _minor, was_created = Category.objects.get_or_create(
                        kind=kind,
                        code=minor["code"],
                        defaults={
                            "name": minor["name"],
                            "parent": major,
                            **{field: minor[field] for field in MINOR_FIELDS},
                        },
                    )
                    created += was_created
    return created


def link_default_units() -> int:
    """Set each category's default unit from the JSON's unit codes, where that unit exists and is
    active and the category has none yet; return how many were linked.

    Units are created after migrate (by the demo seeding or by hand), hence a separate step.
    """
    wanted = {
        (kind, minor["code"]): minor["default_unit"]
        for kind in KINDS
        for major in read_tree()[kind]
        for minor in major["minors"]
        if minor.get("default_unit")
    }
    units = {
        unit.code: unit
        for unit in Unit.objects.filter(code__in=set(wanted.values()), is_active=True)
    }
    linked = []
    for category in Category.objects.filter(
        default_unit__isnull=True, code__in={c for _k, c in wanted}
    ):
        unit = units.get(wanted.get((category.kind, category.code), ""))
        if unit is not None:
            category.default_unit = unit
            linked.append(category)
    if linked:
        Category.objects.bulk_update(linked, ["default_unit"])
        # bulk_update sends no post_save.
        invalidate_choices()
    return len(linked)


def _version() -> str:
    return cache.get_or_set(VERSION_KEY, lambda: uuid.uuid4().hex, timeout=None)


def invalidate_choices() -> None:
    """Retire every cached ``leaf_choices`` list (all kinds and languages) at once."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


# This process's copy of the active categories, by id, under the version it was read at: the
# version is shared (the cache), so a change anywhere retires every process's copy.
_active: tuple[str, dict[int, Category]] = ("", {})


def active_category(pk: int) -> Category | None:
    """The active category ``pk`` (major or minor), or None if there is none: what a posted
    form's category is checked against. One cache read (the version), no query while the
    categories are unchanged; the instance is the caller's own copy."""
    global _active
    version = _version()
    held, by_id = _active
    if held != version:
        by_id = {category.pk: category for category in Category.objects.filter(is_active=True)}
        _active = (version, by_id)
    category = by_id.get(pk)
    return copy.copy(category) if category is not None else None


def leaf_choices(kind: str | None = None) -> Choices:
    """Active minors grouped by their (active) major, for a grouped ``<select>``:
    ``[("公用设施", [(id, "0101 上水井盖"), ...]), ...]``.

    ``kind`` narrows to components or events; with both, each group names its kind, since both
    have a 市容环境. One query when the cache is cold, none when warm.
    """
    key = f"cases:leaf_choices:{_version()}:{kind or 'all'}:{translation.get_language()}"
    choices = cache.get(key)
    if choices is None:
        choices = _build_choices(kind)
        cache.set(key, choices, CHOICES_TIMEOUT)
    return choices


def _build_choices(kind: str | None) -> Choices:
    minors = (
        Category.objects.filter(is_active=True, parent__isnull=False, parent__is_active=True)
        .select_related("parent")
        .order_by("kind", "parent__code", "code")
    )
    if kind is not None:
        minors = minors.filter(kind=kind)
    groups: Choices = []
    current = None
    for minor in minors:
        if minor.parent_id != current:
            current = minor.parent_id
            label = minor.parent.name
            if kind is None:
                label = f"{label} ({CategoryKind(minor.kind).label})"
            groups.append((str(label), []))
        groups[-1][1].append((minor.pk, str(minor)))
    return groups


def public_choices() -> Choices:
    """The same minors for the public form, in a resident's words: events (what people see go
    wrong) before components (broken facilities), each as "plain name（official name）" so that
    both are found by the picker's search. Cached like ``leaf_choices``."""
    key = f"cases:public_choices:{_version()}:{translation.get_language()}"
    choices = cache.get(key)
    if choices is None:
        choices = _build_public_choices()
        cache.set(key, choices, CHOICES_TIMEOUT)
    return choices


def _build_public_choices() -> Choices:
    minors = (
        Category.objects.filter(is_active=True, parent__isnull=False, parent__is_active=True)
        .select_related("parent")
        .order_by("-kind", "parent__code", "code")  # "event" sorts after "component"
    )
    groups: Choices = []
    current = None
    for minor in minors:
        if minor.parent_id != current:
            current = minor.parent_id
            label = minor.parent.name
            if minor.kind == CategoryKind.COMPONENT:
                label = _("%(group)s: broken or missing facilities") % {"group": label}
            groups.append((str(label), []))
        plain = minor.public_name or minor.name
        text = plain if plain == minor.name else f"{plain}（{minor.name}）"
        groups[-1][1].append((minor.pk, text))
    return groups
