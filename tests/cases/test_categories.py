"""The 部件/事件 tree: what migration 0002 loads, unit linking, the grouped choices, the admin."""

import pytest
from django.core.cache import cache

from accounts.models import UnitKind
from cases import categories
from cases.categories import leaf_choices, link_default_units, load_categories, read_tree
from cases.models import Action, Category, CategoryKind, DeadlineUnit, Ticket, TicketEvent
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/cases/category/"


@pytest.fixture(autouse=True)
def fresh_cache():
    # Test transactions roll back, the local-memory cache does not.
    cache.clear()
    yield
    cache.clear()


def event(code: str) -> Category:
    return Category.objects.get(kind=CategoryKind.EVENT, code=code)


def component(code: str) -> Category:
    return Category.objects.get(kind=CategoryKind.COMPONENT, code=code)


def file_ticket(category: Category) -> Ticket:
    return Ticket.objects.create(
        number="XZ20261121-0001", source="hotline_12345", category=category, description="x"
    )


# --- what the migration loaded ---


def test_the_migration_loaded_every_major_and_minor_of_the_data_file():
    in_file = {
        (kind, code)
        for kind in categories.KINDS
        for major in read_tree()[kind]
        for code in [major["code"], *(minor["code"] for minor in major["minors"])]
    }
    in_db = set(Category.objects.values_list("kind", "code"))
    assert in_db == in_file
    assert Category.objects.filter(parent__isnull=True).count() == 12
    assert Category.objects.filter(parent__isnull=False).count() == 65


def test_a_street_vendor_is_an_enforceable_street_order_event():
    vendor = event("0501")
    assert vendor.name == "无照经营游商"
    assert vendor.service_code == "E0501"
    assert vendor.enforceable
    assert vendor.parent.name == "街面秩序"
    assert vendor.default_unit is None  # 先属地: the street office is chosen at referral


def test_every_minor_has_a_deadline_and_a_major_of_its_kind_whose_code_it_extends():
    minors = Category.objects.filter(parent__isnull=False).select_related("parent")
    for minor in minors:
        assert minor.deadline_value, minor
        assert minor.urgent_hours, minor
        assert minor.parent.kind == minor.kind, minor
        assert minor.code.startswith(minor.parent.code), minor
        minor.full_clean()


def test_residents_see_plain_words_for_the_jargon():
    assert event("0201").public_name == "乱贴小广告"
    assert all(Category.objects.filter(parent__isnull=False).values_list("public_name", flat=True))


def test_manhole_covers_run_on_natural_hours_and_exposed_rubbish_on_working_hours():
    cover = component("0101")
    assert (cover.deadline_value, cover.deadline_unit) == (6, DeadlineUnit.NATURAL_HOURS)
    assert cover.duplicate_radius_m < 50
    rubbish = event("0102")
    assert (rubbish.deadline_value, rubbish.deadline_unit) == (4, DeadlineUnit.WORKING_HOURS)
    assert event("0101").deadline_unit == DeadlineUnit.WORKING_DAYS


def test_loading_again_adds_only_what_is_missing_and_keeps_admin_edits():
    rubbish = event("0102")
    rubbish.deadline_value = 1
    rubbish.deadline_unit = DeadlineUnit.WORKING_DAYS
    rubbish.save()
    event("0510").delete()

    assert load_categories() == 1
    assert load_categories() == 0
    rubbish.refresh_from_db()
    assert (rubbish.deadline_value, rubbish.deadline_unit) == (1, DeadlineUnit.WORKING_DAYS)
    assert event("0510").parent == event("05")


# --- default units ---


def test_default_units_are_linked_by_code_once_the_units_exist():
    sanitation = UnitFactory(code="sanitation", name="环卫处", kind=UnitKind.DEPARTMENT)
    water = UnitFactory(code="water", name="供水公司", kind=UnitKind.DEPARTMENT)
    expected = sum(
        minor.get("default_unit") in {"sanitation", "water"}
        for kind in categories.KINDS
        for major in read_tree()[kind]
        for minor in major["minors"]
    )

    assert link_default_units() == expected
    assert event("0102").default_unit == sanitation
    assert component("0101").default_unit == water
    assert event("0402").default_unit == water
    assert component("0107").default_unit is None  # gas: no such unit yet
    assert event("0501").default_unit is None


def test_linking_default_units_again_changes_nothing_and_keeps_an_admin_choice():
    UnitFactory(code="sanitation", name="环卫处", kind=UnitKind.DEPARTMENT)
    other = UnitFactory(code="street-hl", name="黄楼街道办事处", kind=UnitKind.STREET_OFFICE)
    road_dirt = event("0104")
    road_dirt.default_unit = other
    road_dirt.save()

    assert link_default_units() > 0
    assert link_default_units() == 0
    road_dirt.refresh_from_db()
    assert road_dirt.default_unit == other


def test_an_inactive_unit_is_not_linked():
    UnitFactory(code="gas", name="燃气公司", kind=UnitKind.DEPARTMENT, is_active=False)
    assert link_default_units() == 0


# --- grouped choices ---


def test_event_choices_are_grouped_by_major_in_code_order():
    choices = leaf_choices(CategoryKind.EVENT)
    assert [group for group, _options in choices] == [
        "市容环境",
        "宣传广告",
        "施工管理",
        "突发事件",
        "街面秩序",
        "扩展事件",
    ]
    street_order = dict(choices)["街面秩序"]
    assert street_order[0] == (event("0501").pk, "0501 无照经营游商")
    assert len(street_order) == 10


def test_choices_for_both_kinds_tell_the_two_city_appearance_majors_apart():
    labels = [group for group, _options in leaf_choices()]
    assert len(labels) == 12
    assert len(set(labels)) == 12
    assert sum("市容环境" in label for label in labels) == 2


def test_choices_take_at_most_one_query_and_none_once_cached(django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        leaf_choices(CategoryKind.COMPONENT)
    with django_assert_max_num_queries(0):
        leaf_choices(CategoryKind.COMPONENT)


def test_saving_a_category_refreshes_the_cached_choices():
    leaf_choices(CategoryKind.EVENT)
    vendor = event("0501")
    vendor.name = "流动摊点"
    vendor.save()
    assert (vendor.pk, "0501 流动摊点") in dict(leaf_choices(CategoryKind.EVENT))["街面秩序"]


def test_inactive_minors_and_the_minors_of_an_inactive_major_are_not_offered():
    leaf_choices(CategoryKind.EVENT)
    barbecue = event("0508")
    barbecue.is_active = False
    barbecue.save()
    extended = event("06")
    extended.is_active = False
    extended.save()

    choices = dict(leaf_choices(CategoryKind.EVENT))
    assert barbecue.pk not in dict(choices["街面秩序"])
    assert "扩展事件" not in choices


# --- admin ---


def test_the_admin_refuses_to_delete_a_category_with_tickets(admin_client):
    vendor = event("0501")
    file_ticket(vendor)
    response = admin_client.post(f"{CHANGELIST}{vendor.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Category.objects.filter(pk=vendor.pk).exists()


def test_the_admin_refuses_to_delete_a_major_with_minors(admin_client):
    assert admin_client.get(f"{CHANGELIST}{event('05').pk}/delete/").status_code == 403


def test_the_admin_deletes_an_unused_minor(admin_client):
    dogs = event("0510")
    response = admin_client.post(f"{CHANGELIST}{dogs.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Category.objects.filter(pk=dogs.pk).exists()


def test_the_admin_deactivates_categories_in_use_with_an_action(admin_client):
    vendor, barbecue = event("0501"), event("0508")
    file_ticket(vendor)
    leaf_choices(CategoryKind.EVENT)
    response = admin_client.post(
        CHANGELIST,
        {"action": "deactivate_selected", "_selected_action": [vendor.pk, barbecue.pk]},
    )
    assert response.status_code == 302
    assert not Category.objects.filter(pk__in=[vendor.pk, barbecue.pk], is_active=True).exists()
    assert vendor.pk not in dict(dict(leaf_choices(CategoryKind.EVENT))["街面秩序"])


def test_the_admin_offers_no_bulk_delete(admin_client):
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert "deactivate_selected" in response.content.decode()
    assert "delete_selected" not in response.content.decode()


def test_the_admin_form_refuses_a_minor_under_a_major_of_the_other_kind(admin_client):
    response = admin_client.post(
        f"{CHANGELIST}add/",
        {
            "kind": CategoryKind.EVENT,
            "code": "0199",
            "name": "测试",
            "parent": component("01").pk,
            "deadline_value": 4,
            "deadline_unit": DeadlineUnit.WORKING_HOURS,
            "duplicate_radius_m": 50,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "小类必须属于同一种类的大类。" in response.content.decode()  # the UI speaks Chinese
    assert response.context["adminform"].form.errors["parent"]
    assert not Category.objects.filter(code="0199").exists()


def test_an_assessor_reads_tickets_in_the_admin_but_cannot_change_them(client, assessor):
    ticket = file_ticket(event("0501"))
    TicketEvent.objects.create(ticket=ticket, action=Action.CREATE, public_note="市民来电反映")
    client.force_login(assessor)
    assert client.get("/admin/cases/ticket/").status_code == 200
    page = client.get(f"/admin/cases/ticket/{ticket.pk}/change/")
    assert page.status_code == 200
    assert "XZ20261121-0001" in page.content.decode()
    assert "市民来电反映" in page.content.decode()
    assert client.post(f"/admin/cases/ticket/{ticket.pk}/change/", {}).status_code == 403
    assert client.get("/admin/cases/ticket/add/").status_code == 403


def test_a_supervisor_cannot_read_tickets_in_the_admin(client, supervisor_gulou):
    supervisor_gulou.is_staff = True
    supervisor_gulou.save()
    client.force_login(supervisor_gulou)
    assert client.get("/admin/cases/ticket/").status_code == 403
