"""The Content-Security-Policy breaks nothing: maps, htmx and forms run with no violation.

Violations are caught twice: the page's ``securitypolicyviolation`` events (recorded by a script
the browser injects before any page script, which the policy does not cover) and Chromium's
console messages about the policy.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import shot
from tests.e2e.test_casework_journey import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""


@pytest.fixture
def violations(page: Page) -> list[str]:
    found: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield found


def page_violations(page: Page, console: list[str]) -> list[str]:
    return console + page.evaluate("() => window.__cspViolations || []")


def test_the_report_form_and_a_map_page_run_without_a_csp_violation(
    page: Page, violations, gulou_community, supervisor_gulou, officer_gulou
):
    # The public report form: Leaflet map, grid outlines, htmx look-ups, the category search.
    response = page.goto(f"/report/?community={gulou_community.code}")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state()
    expect(page.locator("#report-form[data-ready]")).to_be_attached()
    cells = page.locator("[data-grid-map] path.leaflet-interactive")
    expect(cells).to_have_count(2)
    cells.first.scroll_into_view_if_needed()
    cells.first.tap()
    expect(page.locator("#where-text .where-found")).to_contain_text("黄楼社区", timeout=15_000)
    shot(page, "csp-01-report-form")
    assert page_violations(page, violations) == []

    # A staff map page: the supervisor's patrols of the day (Leaflet, the page's CSS classes).
    log_in(page, "supervisor_gulou")
    page.goto("/patrols/today/")
    expect(page.locator(".patrol-map.leaflet-container")).to_be_visible()
    box = page.locator(".patrol-map").bounding_box()
    assert box and box["height"] >= 350  # the height now comes from a class, not style=
    # The language switcher, once an onchange= attribute, still switches.
    page.locator("#mainnav").evaluate("el => el.classList.add('show')")
    page.locator("#language-select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "csp-02-patrol-map")
    assert page_violations(page, violations) == []


def test_a_violation_would_be_seen(page: Page, violations, live_server):
    """The twin: an inline script on our pages is blocked, and the test notices."""
    page.goto("/communities/")
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__ran = true"; document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__ran === true") is False
    assert any(re.search(r"script-src", v) for v in page_violations(page, violations))


def test_the_api_reader_and_the_admin_run_without_a_violation(page: Page, violations, assessor):
    page.goto("/api/docs/")  # Swagger UI, under the wider policy of its own
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("citymgmt API")
    assert page_violations(page, violations) == []

    log_in(page, "assessor")
    page.goto("/admin/grids/gridcell/add/")
    expect(page.locator("#gridcell_form")).to_be_visible()
    page.goto("/admin/grids/assignment/")
    expect(page.locator("#changelist")).to_be_visible()
    assert page_violations(page, violations) == []
