"""The shared pager keeps the rest of the query string (a run, a filter) when it turns a page."""

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def test_next_and_previous_keep_the_other_parameters():
    request = RequestFactory().get(
        "/assessments/2026-10/officers/GL1-001/on_time/den/?run=7&page=2"
    )
    request.user = AnonymousUser()
    page = Paginator(list(range(150)), 50).get_page(2)
    html = render_to_string("cases/_pager.html", {"page": page}, request=request)
    assert 'href="?run=7&amp;page=3"' in html
    assert 'href="?run=7&amp;page=1"' in html
