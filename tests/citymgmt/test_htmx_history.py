"""Going back to a page htmx changed shows the whole page, never the bare fragment.

The queue answers htmx with its results only, at the URL it pushes to the history; the patrol
page's counters likewise. A browser keeps one cached answer per URL unless told that the answer
depends on ``HX-Request``; htmx itself, on a history-cache miss, must ask for the whole page.
"""

import pytest
from django.urls import reverse
from django.utils.cache import has_vary_header

from patrols import services

pytestmark = pytest.mark.django_db


def varies_on_htmx(response) -> bool:
    return has_vary_header(response, "HX-Request")


@pytest.mark.parametrize("htmx", [True, False], ids=["fragment", "whole page"])
def test_the_queue_says_its_answer_depends_on_hx_request(client, supervisor_gulou, htmx):
    client.force_login(supervisor_gulou)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.get("/cases/?q=abc", headers=headers)

    assert response.status_code == 200
    assert ("<html" in response.content.decode()) is not htmx
    assert varies_on_htmx(response)


@pytest.mark.parametrize("htmx", [True, False], ids=["fragment", "whole page"])
def test_the_patrol_counters_say_their_answer_depends_on_hx_request(client, officer_gulou, htmx):
    client.force_login(officer_gulou)
    services.start_patrol(actor=officer_gulou)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(reverse("patrols:outreach"), {"kind": "visit"}, headers=headers)

    assert response.status_code == (200 if htmx else 302)
    assert varies_on_htmx(response)
    assert varies_on_htmx(client.get(reverse("patrols:patrol"), headers=headers))


def test_the_other_htmx_fragments_and_pages_say_so_too(client, gulou_community):
    for url in ("/report/", "/report/where/?lat=0.5&lng=0.5", "/communities/"):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert varies_on_htmx(response), (url, headers)


def test_json_answers_are_left_alone(client, gulou_community):
    response = client.get("/healthz")
    assert not varies_on_htmx(response)


def test_htmx_restores_history_by_asking_for_the_whole_page(client):
    html = client.get("/communities/").content.decode()
    assert '"historyRestoreAsHxRequest": false' in html
    assert "{#" not in html  # the template's comments stay comments
