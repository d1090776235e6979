"""Edits made in the admin to the things assessments are argued over (category deadlines,
postings, unit grids, units) are kept with who made them, and shown on the admin history page."""

import datetime

import pytest
from django.utils import timezone

from cases.models import Category
from grids.models import Assignment
from tests.factories import square

pytestmark = pytest.mark.django_db


def category_form(category: Category, **changes: object) -> dict:
    data = {
        "kind": category.kind,
        "code": category.code,
        "name": category.name,
        "public_name": category.public_name,
        "parent": category.parent_id or "",
        "is_active": "on" if category.is_active else "",
        "deadline_value": category.deadline_value or "",
        "deadline_unit": category.deadline_unit,
        "urgent_hours": category.urgent_hours or "",
        "default_unit": category.default_unit_id or "",
        "enforceable": "on" if category.enforceable else "",
        "duplicate_radius_m": category.duplicate_radius_m,
        "register_minutes": category.register_minutes,
        "dispatch_minutes": category.dispatch_minutes,
        "verify_minutes": category.verify_minutes,
    }
    return data | changes


def assignment_form(assignment: Assignment, **changes: object) -> dict:
    data = {
        "officer": assignment.officer_id,
        "community": assignment.community_id,
        "grid_cells": [cell.pk for cell in assignment.grid_cells.all()],
        "post": assignment.post,
        "duties": assignment.duties,
        "weekdays": assignment.weekdays,
        "start_time": assignment.start_time.strftime("%H:%M"),
        "end_time": assignment.end_time.strftime("%H:%M"),
        "valid_from": assignment.valid_from.isoformat(),
        "valid_to": assignment.valid_to.isoformat() if assignment.valid_to else "",
    }
    return data | changes


def test_an_assessors_change_of_a_category_deadline_is_kept_with_their_name(client, assessor):
    category = Category.objects.get(kind="event", code="0102")  # 暴露垃圾, 4 working hours
    assert category.deadline_value == 4
    client.force_login(assessor)

    response = client.post(
        f"/admin/cases/category/{category.pk}/change/", category_form(category, deadline_value=8)
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    latest = category.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == assessor
    assert latest.deadline_value == 8
    baseline = latest.prev_record  # the migration's row, written before the first edit
    assert (baseline.history_type, baseline.history_user, baseline.deadline_value) == ("+", None, 4)
    delta = latest.diff_against(baseline)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("deadline_value", 4, 8)]

    page = client.get(f"/admin/cases/category/{category.pk}/history/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "assessor" in html or assessor.display_name in html
    assert "4" in html and "8" in html
    assert "处置时限" in html  # the changed field, by its label


def test_a_category_history_page_is_closed_to_officers(client, officer_gulou):
    category = Category.objects.get(kind="event", code="0102")
    client.force_login(officer_gulou)
    response = client.get(f"/admin/cases/category/{category.pk}/history/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_assessors_change_of_an_assignment_is_kept_with_its_grid_cells(
    client, assessor, officer_gulou, gulou_community
):
    assignment = officer_gulou.officer.assignments.get()
    first, _second = gulou_community.grid_cells.order_by("code")
    before = assignment.history.latest()
    client.force_login(assessor)

    response = client.post(
        f"/admin/grids/assignment/{assignment.pk}/change/",
        assignment_form(assignment, weekdays="135", grid_cells=[first.pk], post="巡查组长"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]

    latest = assignment.history.latest()
    assert latest.history_user == assessor
    assert (latest.weekdays, latest.post) == ("135", "巡查组长")
    assert [row.gridcell_id for row in latest.grid_cells.all()] == [first.pk]
    # The fields and the grid cells are saved one after the other: two records, one edit.
    changed = {c.field for c in latest.diff_against(before).changes}
    assert changed == {"weekdays", "post", "grid_cells"}

    page = client.get(f"/admin/grids/assignment/{assignment.pk}/history/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "巡查组长" in html and "135" in html
    assert assessor.display_name in html or "assessor" in html


def test_a_grid_cells_boundary_edit_is_kept(client, assessor, gulou_community):
    cell = gulou_community.grid_cells.order_by("code").first()
    client.force_login(assessor)
    response = client.post(
        f"/admin/grids/gridcell/{cell.pk}/change/",
        {
            "community": gulou_community.pk,
            "code": cell.code,
            "name": "黄楼一网格",
            "boundary": '{"type": "Polygon", "coordinates": '
            + str(square(5, 5)["coordinates"]).replace("(", "[").replace(")", "]")
            + "}",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    old, new = cell.history.order_by("history_id")[:2]
    assert old.boundary != new.boundary and new.name == "黄楼一网格"
    assert new.history_user == assessor
    assert client.get(f"/admin/grids/gridcell/{cell.pk}/history/").status_code == 200


def test_a_unit_edit_is_kept(client, assessor, handler_sanitation):
    unit = handler_sanitation.unit
    client.force_login(assessor)
    response = client.post(
        f"/admin/accounts/unit/{unit.pk}/change/",
        {
            "code": unit.code,
            "name": "市环境卫生管理处",
            "kind": unit.kind,
            "parent": "",
            "district": "",
            "phone": "0516-83720000",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = unit.history.latest()
    assert (latest.name, latest.history_user) == ("市环境卫生管理处", assessor)
    html = client.get(f"/admin/accounts/unit/{unit.pk}/history/").content.decode()
    assert "市环境卫生管理处" in html


def test_ending_an_assignment_from_the_admin_action_is_kept(client, assessor, officer_gulou):
    assignment = officer_gulou.officer.assignments.get()
    client.force_login(assessor)
    response = client.post(
        "/admin/grids/assignment/",
        {"action": "end_today", "_selected_action": [assignment.pk]},
    )
    assert response.status_code == 302
    latest = assignment.history.latest()
    assert latest.valid_to == timezone.localdate()
    assert latest.valid_to > datetime.date(2022, 11, 1)
