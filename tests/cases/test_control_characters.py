"""Control characters (C0, bar tab and line breaks) in what a resident types are a field error
on the complaint form, with the rest of the input kept; tabs and line breaks are fine."""

import pytest
from django.core.exceptions import ValidationError

from cases.models import Ticket
from citymgmt.text import no_control_characters, xml_safe
from tests.cases.conftest import GULOU_POINT

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_data(category, gulou_community):
    return {
        "category": str(category.pk),
        "description": "楼下垃圾堆了三天",
        "lat": f"{GULOU_POINT[0]:.6f}",
        "lng": f"{GULOU_POINT[1]:.6f}",
        "address": "黄楼街道菜场西口",
        "reporter_name": "刘女士",
        "reporter_phone": "13812345678",
        "consent": "on",
        "website": "",
        "follows": "",
    }


@pytest.mark.parametrize("field", ["description", "address", "reporter_name"])
@pytest.mark.parametrize("bad", ["\x01", "\x08", "\x0b", "\x1f"])
def test_a_control_character_is_a_field_error_and_the_input_is_kept(client, form_data, field, bad):
    data = {**form_data, field: f"菜场{bad}西口"}
    response = client.post("/report/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert "control characters" in form.errors[field][0]
    assert form["description"].value() == data["description"]
    assert not Ticket.objects.exists()


def test_tabs_and_line_breaks_are_welcome(client, form_data):
    data = {**form_data, "description": "第一行\r\n第二行\t完"}
    assert client.post("/report/", data).status_code == 302
    assert Ticket.objects.get().description == "第一行\r\n第二行\t完"


def test_the_shared_validator_and_the_xml_filter_agree_on_what_is_illegal():
    for char in map(chr, range(0x20)):
        legal = char in "\t\n\r"
        assert (xml_safe(char) == char) is legal
        if legal:
            no_control_characters(char)
        else:
            with pytest.raises(ValidationError) as refused:
                no_control_characters(f"a{char}b")
            assert refused.value.code == "control_characters"
    assert xml_safe("好\ufffe\uffff\ud800!") == "好!"
