"""The category a form posts is checked against the cached categories (no query while they are
unchanged), and a change to the categories is seen at once: a retired category is refused, a
new one accepted, whatever this process held."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.categories import active_category
from cases.models import Category, Ticket
from tests.residents.test_report import IN_HUANGLOU, REPORT

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_data(category, gulou_community) -> dict[str, str]:
    lat, lng = IN_HUANGLOU
    return {
        "category": str(category.pk),
        "description": "小区门口垃圾桶满了两天没人清",
        "lat": f"{lat:.6f}",
        "lng": f"{lng:.6f}",
        "consent": "on",
        "website": "",
    }


def test_a_held_category_is_checked_without_a_query(category):
    active_category(category.pk)  # this process reads the categories once
    with CaptureQueriesContext(connection) as captured:
        held = active_category(category.pk)
    assert (held.pk, held.name) == (category.pk, category.name)
    assert captured.captured_queries == []


def test_each_caller_gets_its_own_copy_of_a_held_category(category):
    first = active_category(category.pk)
    first.name = "改掉的名字"
    assert active_category(category.pk).name == category.name


def test_a_category_retired_after_the_form_was_opened_is_refused(client, form_data, category):
    assert client.get(REPORT).status_code == 200
    active_category(category.pk)
    category.is_active = False
    category.save(update_fields=["is_active"])
    response = client.post(REPORT, form_data)
    assert response.status_code == 400
    assert response.context["form"].errors["category"]
    assert not Ticket.objects.exists()


def test_a_category_added_after_the_categories_were_read_is_accepted(client, form_data, category):
    active_category(category.pk)
    added = Category.objects.create(
        kind=category.kind,
        code="0199",
        name="新增小类",
        parent=category.parent,
        deadline_value=4,
        deadline_unit=category.deadline_unit,
    )
    response = client.post(REPORT, {**form_data, "category": str(added.pk)})
    assert response.status_code == 302
    assert Ticket.objects.get().category == added


def test_a_major_class_is_refused_even_when_held(client, form_data, category):
    active_category(category.parent_id)
    response = client.post(REPORT, {**form_data, "category": str(category.parent_id)})
    assert response.status_code == 400
    assert response.context["form"].errors["category"]


@pytest.mark.parametrize("value", ["abc", "-1", "0", "9" * 40, "1.5", "٩٩٩٩", "1\x00", " "])
def test_a_category_that_is_no_category_is_a_form_error(client, form_data, value):
    response = client.post(REPORT, {**form_data, "category": value})
    assert response.status_code == 400
    assert response.context["form"].errors["category"]
    assert not Ticket.objects.exists()
