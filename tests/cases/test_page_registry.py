"""What features plug into the ticket page through ``cases.hooks``: panels drawn in the order
registered (a panel returning None is not drawn), and a bound panel form handed back to its
own panel only."""

import copy

import pytest

from cases import hooks

pytestmark = pytest.mark.django_db


@pytest.fixture
def extra_panels(monkeypatch):
    """The registry as it is, plus what a test adds; put back afterwards."""
    monkeypatch.setattr(hooks, "panels", list(hooks.panels))
    return hooks.panels


def test_panels_are_drawn_in_order_and_a_panel_returning_none_is_not(
    client, supervisor_gulou, make_ticket, extra_panels, tmp_path, settings
):
    (tmp_path / "first.html").write_text('<p id="first">{{ word }} {{ ticket.number }}</p>')
    (tmp_path / "second.html").write_text('<p id="second">{{ word }}</p>')
    engines = copy.deepcopy(settings.TEMPLATES)
    engines[0]["DIRS"] = [*engines[0]["DIRS"], tmp_path]
    settings.TEMPLATES = engines  # assigned, so the template engines are built afresh
    hooks.add_panel(hooks.Panel("first", "first.html", lambda r, t, b: {"word": "one"}))
    hooks.add_panel(hooks.Panel("hidden", "second.html", lambda r, t, b: None))
    hooks.add_panel(hooks.Panel("second", "second.html", lambda r, t, b: {"word": "two"}))
    ticket = make_ticket("registered")
    client.force_login(supervisor_gulou)
    page = client.get(ticket.get_absolute_url()).content.decode()
    first = page.index(f'<p id="first">one {ticket.number}</p>')
    assert first < page.index('<p id="second">two</p>')
    assert page.count('id="second"') == 1


def test_a_panel_registered_twice_is_drawn_once(extra_panels):
    panel = hooks.Panel("twice", "first.html", lambda r, t, b: {})
    hooks.add_panel(panel)
    hooks.add_panel(panel)
    assert [p.name for p in hooks.panels].count("twice") == 1


def test_a_bound_form_goes_to_its_own_panel_only(rf, monkeypatch):
    monkeypatch.setattr(hooks, "panels", [])
    seen = {}
    for name in ("mine", "other"):
        hooks.add_panel(
            hooks.Panel(name, "x.html", lambda r, t, b, name=name: seen.update({name: b}) or {})
        )
    form = object()
    hooks.page_panels(rf.get("/"), ticket=None, bound=("mine", form))
    assert seen["mine"] is form and seen["other"] is None


def test_an_event_kind_may_not_take_a_tickets_own_code():
    with pytest.raises(ValueError):
        hooks.add_event_kinds([("dispatch", "Dispatched again")])
