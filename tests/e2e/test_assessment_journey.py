"""The monthly assessment on a phone, in Chinese: an assessor opens last month, reads the totals
and the charts, the officers' ranking, an officer's page and the tickets behind a number, and
downloads the Excel; then runs a month that has no run yet, watches its progress bar finish (the
page then shows the results and the publish button by itself), and publishes it.

Until the engine part is merged there is no worker result to wait for and no tickets behind a
number: the test advances the run itself as a worker would, and skips the drill-down's list.
"""

import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from assessments.models import Run, RunStatus
from assessments.services import report_progress
from citymgmt.months import previous_month
from tests.assessments import scored
from tests.assessments.factories import RunFactory, SchemeFactory
from tests.e2e.conftest import shot
from tests.e2e.test_casework_journey import log_in
from tests.e2e.test_csp import RECORD_VIOLATIONS, page_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def last_month(assessor, officer_gulou, officer_quanshan, handler_sanitation, gulou_community):
    """Last month (by the live server's clock), published, scored as ``tests.assessments``'s
    October; the month before it has no run yet."""
    month = previous_month(timezone.localdate())
    run = RunFactory(
        month=month,
        scheme=SchemeFactory(is_current=True),
        published=True,
        published_at=timezone.now(),
        totals=scored.TOTALS,
    )
    scored.score_month(
        run,
        gulou=officer_gulou,
        quanshan=officer_quanshan,
        department=handler_sanitation.unit,
        regions=gulou_community,
    )
    return month


def watch_csp(page: Page) -> list[str]:
    found: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return found


def test_assessor_reads_last_month_downloads_it_and_publishes_another(
    page: Page, last_month, officer_gulou, officer_quanshan, tmp_path
):
    last = f"{last_month:%Y-%m}"
    before = f"{previous_month(last_month):%Y-%m}"
    month_url = re.compile(rf"/assessments/{before}/\?run=(\d+)$")

    violations = watch_csp(page)
    # 1. The month's overview: totals, the published badge, four charts, at 360 px.
    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, "assessor")
    page.goto("/assessments/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#run-published")).to_be_visible()
    expect(page.locator("#city-totals")).to_contain_text("317")
    expect(page.locator("#city-totals")).to_contain_text("82")
    expect(page.locator("#redistributed")).to_be_visible()
    for chart in ("grades", "brigades", "trend", "split"):
        drawn = page.locator(f'[data-chart="{chart}"][data-drawn] canvas')
        expect(drawn).to_have_count(1)
        box = page.locator(f'[data-chart="{chart}"]').bounding_box()
        assert box and 200 < box["width"] <= 360 and box["height"] > 150, chart
    page.locator('[data-chart="grades"]').scroll_into_view_if_needed()
    shot(page, "assessment-01-overview")

    # 2. The officers' ranking, then 王建国's page.
    page.locator("#ranking-links a[href$='/officer/']").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{last}/officer/$"))
    table = page.locator(".ranking-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first).to_contain_text("王建国")
    expect(table.locator("tbody tr").first.locator(".badge")).to_have_text("A")
    shot(page, "assessment-02-ranking")
    table.get_by_role("link", name="王建国").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{last}/officers/GL1-001/$"))
    on_time = page.locator("#indicator-on_time")
    expect(on_time).to_contain_text("90.0%")
    expect(page.locator('[data-chart="trend"][data-drawn] canvas')).to_have_count(1)
    shot(page, "assessment-03-officer")

    # 3. The tickets behind 按期处置率's denominator.
    links = on_time.locator("a[href$='/on_time/den/']")
    expect(links).to_have_count(1)
    links.click()
    expect(page).to_have_url(re.compile(r"/officers/GL1-001/on_time/den/$"))
    expect(page.locator("#tickets-behind")).to_be_visible()
    shot(page, "assessment-04-tickets")

    # 4. The month's Excel, opened as the bureau would.
    page.goto(f"/assessments/{last}/")
    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == f"考核-{last}.xlsx"
    path = tmp_path / "month.xlsx"
    download.save_as(path)
    book = load_workbook(io.BytesIO(path.read_bytes()))
    assert len(book.sheetnames) == 6
    officers = book.worksheets[0]
    assert officers["B2"].value == "王建国" and officers["E2"].value == 91.5
    assert officers["E2"].number_format == "0.00" and officers.freeze_panes == "A2"

    # 5. The month before has no run: start it and watch the progress bar.
    page.goto(f"/assessments/{before}/")
    expect(page.locator("#no-run")).to_be_visible()
    page.locator("#start-run").click()
    expect(page).to_have_url(month_url)
    run = Run.objects.get(pk=int(month_url.search(page.url).group(1)))
    bar = page.locator("#run-progress")
    started = page.locator(".alert-success")  # "the assessment of … has started"
    expect(started).to_be_visible()
    expect(bar).to_have_attribute("data-status", RunStatus.QUEUED)
    expect(bar).to_have_attribute("hx-trigger", "every 1s")
    # The worker picks it up (advanced here as the worker would: the engine is another part).
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=timezone.now())
    report_progress(run.pk, 40, "队员指标")
    expect(page.locator("#run-progress-bar")).to_have_attribute("value", "40")
    expect(bar).to_contain_text("队员指标")
    shot(page, "assessment-05-progress")
    scored.score_month(run, gulou=officer_gulou, quanshan=officer_quanshan, department=None)
    Run.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        progress=100,
        totals=scored.TOTALS,
        scheme_snapshot=run.scheme.rules,
        finished_at=timezone.now(),
    )
    # The poll that finds it done reloads the page: the results and the publish button are
    # there without a click, and the "started" banner has gone.
    expect(page.locator("#city-totals")).to_be_visible()
    expect(page.locator(".publish-confirm summary")).to_be_visible()
    expect(started).to_have_count(0)
    expect(page).to_have_url(month_url)
    expect(bar).to_have_attribute("data-status", RunStatus.DONE)
    expect(bar).not_to_have_attribute("hx-trigger", re.compile(".*"))
    shot(page, "assessment-06-done")

    # 6. Publish it: frozen from now on.
    page.locator(".publish-confirm summary").click()
    page.locator("#publish-run").click()
    expect(page.locator("#run-published")).to_be_visible()
    expect(page.locator(".alert-success")).to_be_visible()
    assert Run.objects.get(pk=run.pk).published
    shot(page, "assessment-07-published")
    # ECharts and htmx ran under the Content-Security-Policy without breaking it.
    assert page_violations(page, violations) == []
