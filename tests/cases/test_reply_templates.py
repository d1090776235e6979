"""Reply templates: each action form offers the templates of its step for the ticket's category
(and those for any category); choosing one fills the note with the ticket's facts put in, in the
browser or, without JavaScript and from the API, on the server."""

import pytest

from cases.models import ReplyStep, ReplyTemplate, State
from cases.replies import render

pytestmark = pytest.mark.django_db


@pytest.fixture
def templates(category, enforceable_category):
    return {
        "any": ReplyTemplate.objects.create(
            title="受理",
            step=ReplyStep.REGISTER,
            text="案件{number}（{category}，{community}）已受理。",
        ),
        "theirs": ReplyTemplate.objects.create(
            title="垃圾", step=ReplyStep.REGISTER, category=category, text="将于{deadline}前清运。"
        ),
        "other": ReplyTemplate.objects.create(
            title="店外", step=ReplyStep.REGISTER, category=enforceable_category, text="店外经营"
        ),
        "inactive": ReplyTemplate.objects.create(
            title="旧", step=ReplyStep.REGISTER, text="旧模板", is_active=False
        ),
        "reject": ReplyTemplate.objects.create(
            title="重复", step=ReplyStep.REJECT, text="与{number}重复。"
        ),
    }


def test_the_register_form_offers_its_steps_templates_for_the_category(
    client, make_ticket, supervisor_gulou, templates
):
    ticket = make_ticket(State.REPORTED)
    client.force_login(supervisor_gulou)

    page = client.get(f"/cases/{ticket.number}/").content.decode()
    register = page[page.index('id="act-register"') : page.index('id="act-reject"')]

    offered = {
        title
        for title in ("受理", "垃圾", "店外", "旧", "重复")
        if f">{title}</option>" in register
    }
    assert offered == {"受理", "垃圾"}
    rendered = f"案件{ticket.number}（暴露垃圾，黄楼社区）已受理。"
    assert f'data-reply="{rendered}"' in register
    assert 'data-reply-target="id_register-note"' in register


def test_a_template_chosen_with_the_note_left_empty_becomes_the_note(
    client, make_ticket, supervisor_gulou, templates
):
    ticket = make_ticket(State.REPORTED)
    client.force_login(supervisor_gulou)

    client.post(
        f"/cases/{ticket.number}/register/",
        {
            "register-expected_state": "reported",
            "register-priority": "normal",
            "register-template": templates["any"].pk,
            "register-note": "",
        },
    )

    ticket.refresh_from_db()
    assert ticket.state == State.REGISTERED
    event = ticket.events.get(action="register")
    assert event.public_note == f"案件{ticket.number}（暴露垃圾，黄楼社区）已受理。"


def test_a_note_typed_over_the_template_wins(client, make_ticket, supervisor_gulou, templates):
    ticket = make_ticket(State.REPORTED)
    client.force_login(supervisor_gulou)

    client.post(
        f"/cases/{ticket.number}/register/",
        {
            "register-expected_state": "reported",
            "register-priority": "normal",
            "register-template": templates["any"].pk,
            "register-note": "我自己写的",
        },
    )

    assert ticket.events.get(action="register").public_note == "我自己写的"


def test_another_categorys_template_is_refused(client, make_ticket, supervisor_gulou, templates):
    ticket = make_ticket(State.REPORTED)
    client.force_login(supervisor_gulou)

    response = client.post(
        f"/cases/{ticket.number}/register/",
        {
            "register-expected_state": "reported",
            "register-priority": "normal",
            "register-template": templates["other"].pk,
        },
    )

    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.state == State.REPORTED


def test_the_api_takes_a_template_id_for_a_required_note(
    client, make_ticket, supervisor_gulou, templates
):
    ticket = make_ticket(State.REPORTED)
    client.force_login(supervisor_gulou)

    response = client.post(
        f"/api/v1/tickets/{ticket.number}/reject/",
        {"reason": "invalid", "template": templates["reject"].pk},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["event"]["public_note"] == f"与{ticket.number}重复。"


def test_a_required_note_without_a_template_is_still_required(
    client, make_ticket, supervisor_gulou, templates
):
    ticket = make_ticket(State.REPORTED)
    client.force_login(supervisor_gulou)

    response = client.post(
        f"/api/v1/tickets/{ticket.number}/reject/",
        {"reason": "invalid"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert [e["attr"] for e in response.json()["errors"]] == ["note"]


def test_placeholders_without_a_deadline_or_community_stay_blank(make_ticket, templates):
    ticket = make_ticket(State.REPORTED)

    assert render(templates["theirs"], ticket) == "将于前清运。"
    assert (
        render(ReplyTemplate(text="{nothing} {number}"), ticket) == f"{{nothing}} {ticket.number}"
    )


def test_assessors_keep_templates_in_the_admin_and_supervisors_do_not(
    client, assessor, supervisor_gulou
):
    client.force_login(assessor)
    assert client.get("/admin/cases/replytemplate/add/").status_code == 200

    supervisor_gulou.is_staff = True
    supervisor_gulou.save(update_fields=["is_staff"])
    client.force_login(supervisor_gulou)
    assert client.get("/admin/cases/replytemplate/add/").status_code == 403
