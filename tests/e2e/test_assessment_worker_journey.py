"""The issue's "done means", for real: on the demo city an assessor starts last month's run on a
phone, a real Celery worker (another process, consuming from Redis and writing to this test's
PostgreSQL database) computes it while the progress bar polls, and the assessor reads the
totals, the officers' ranking, an officer's 按期处置率 down to its tickets, files the Excel and
publishes the month.

A worker sees only committed rows: the test runs in real transactions against the live server,
and needs PostgreSQL and Redis (CI sets DATABASE_URL and REDIS_URL); it skips otherwise.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from accounts.models import User
from assessments.models import Run, RunStatus, Score, SubjectKind
from assessments.services import current_scheme
from citymgmt.months import previous_month
from demo.grids import DEMO_PASSWORD

# The real workers of tests/celery, shared rather than copied.
from tests.celery.conftest import (  # noqa: F401
    needs_postgresql_and_redis,
    start_worker,
    wait_for,
    worker_env,
)
from tests.e2e.conftest import shot
from tests.e2e.test_csp import RECORD_VIOLATIONS, page_violations

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.worker,
    needs_postgresql_and_redis,
    pytest.mark.django_db(transaction=True),
]

TICKET_NUMBER = re.compile(r"XZ\d{8}-\d{4}")
TICKETS_PAGE = 25  # assessments.views.TICKETS_PAGE
# The city's workbook: one sheet a subject type, then the command centre's desk-step rates.
SHEETS = ["队员", "大队", "责任单位", "社区", "街道", "区", "指挥中心"]
OFFICER_HEADER = ["排名", "名称", "执法证号", "大队", "综合得分", "等次", "环比"]
STATUS_ORDER = [RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.DONE]

# What the progress box showed, each time htmx swapped it ("status:value"), for the whole visit
# (kept in sessionStorage: the poll that finds the run done reloads the page).
RECORD_PROGRESS = """
window.__progress = JSON.parse(sessionStorage.getItem("progress") || "[]");
const recordProgress = () => {
  const box = document.getElementById("run-progress");
  if (!box) return;
  const bar = document.getElementById("run-progress-bar");
  const seen = `${box.dataset.status}:${bar ? bar.getAttribute("value") : ""}`;
  if (window.__progress[window.__progress.length - 1] !== seen) window.__progress.push(seen);
  sessionStorage.setItem("progress", JSON.stringify(window.__progress));
};
new MutationObserver(recordProgress).observe(document, {
  childList: true, subtree: true, attributes: true,
});
"""


@pytest.fixture
def demo_city(transactional_db) -> User:
    """The demo city as `seed_demo` makes it, relative to today: casework over the last 90 days,
    the months before last published, last month left for the assessor. Returns the assessor."""
    call_command("seed_demo", verbosity=0)
    return User.objects.get(username="assessor")


def log_in_as_demo_assessor(page: Page) -> None:
    page.goto("/login/")
    page.get_by_label("用户名").fill("assessor")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def progress_seen(page: Page) -> list[tuple[str, str]]:
    entries = page.evaluate("() => window.__progress || []")
    return [tuple(entry.split(":", 1)) for entry in entries]


def test_assessor_runs_last_month_on_a_real_worker_and_files_the_excel(
    page: Page,
    demo_city: User,
    start_worker,  # noqa: F811  (the fixture imported above)
    tmp_path,
):
    month = previous_month(timezone.localdate())  # the live server's and the worker's today
    last = f"{month:%Y-%m}"
    assert not Run.objects.filter(month=month).exists()  # the demo leaves it to the assessor

    console: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.add_init_script(RECORD_PROGRESS)
    page.on(
        "console",
        lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    # 1. Last month has no run: start it. No worker is up yet, so the run waits in the queue.
    log_in_as_demo_assessor(page)
    page.goto("/assessments/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_contain_text(last)
    expect(page.locator("#no-run")).to_be_visible()
    page.get_by_role("button", name="开始本月考核").click()
    month_url = re.compile(rf"/assessments/{last}/\?run=(\d+)$")
    expect(page).to_have_url(month_url)
    run_id = int(month_url.search(page.url).group(1))
    box = page.locator("#run-progress")
    bar = page.locator("#run-progress-bar")
    expect(box).to_have_attribute("data-status", RunStatus.QUEUED)
    expect(box).to_have_attribute("hx-trigger", "every 1s")
    expect(bar).to_be_visible()
    value = bar.get_attribute("value")
    assert value is not None and value.isdigit() and 0 <= int(value) <= 100, value
    shot(page, "assessment-worker-01-queued")

    # 2. A real worker picks the run up; the page polls until it shows the finished state.
    worker = start_worker("assessment", concurrency=1)
    worker.wait_ready()
    wait_for(
        lambda: (
            Run.objects.filter(pk=run_id, status__in=[RunStatus.DONE, RunStatus.FAILED])
            .values_list("status", flat=True)
            .first()
        ),
        timeout=180,
        what="the worker to finish the run",
        worker=worker,
    )
    run = Run.objects.get(pk=run_id)
    assert run.status == RunStatus.DONE, f"{run.error}\n{worker.log()[-6000:]}"
    expect(box).to_have_attribute("data-status", RunStatus.DONE, timeout=10_000)
    expect(box).not_to_have_attribute("hx-trigger", re.compile(".*"))
    expect(bar).to_have_count(0)
    # The page reloaded by itself: the results and the publish button, no "started" banner.
    expect(page.locator("#city-totals")).to_be_visible()
    expect(page.locator(".publish-confirm summary")).to_be_visible()
    expect(page.locator(".alert-success")).to_have_count(0)
    shot(page, "assessment-worker-02-done")
    # The bar only ever moved forward: queued, (running,) done, never back, never past 100.
    seen = progress_seen(page)
    assert seen[0] == (RunStatus.QUEUED, "0"), seen
    assert seen[-1] == (RunStatus.DONE, ""), seen
    steps = [STATUS_ORDER.index(status) for status, _value in seen]
    assert steps == sorted(steps), seen
    values = [int(v) for status, v in seen if status != RunStatus.DONE]
    assert values == sorted(values) and all(0 <= v <= 100 for v in values), seen

    box.get_by_role("link", name="查看结果").click()
    totals = page.locator("#city-totals")
    sentence = re.compile(
        r"发现问题 (\d+) 件，现场处置 (\d+) 件（(\d+)%），群众反映 (\d+) 件，办结 (\d+) 件，"
        r"满意率 (\d+)%。"
    )
    expect(totals).to_have_text(sentence)
    found, fixed, on_site, reports, resolved, satisfied = map(
        int, sentence.search(totals.inner_text()).groups()
    )
    assert 0 < fixed <= found and 0 < resolved <= reports
    assert on_site == round(100 * fixed / found) and 0 < satisfied <= 100
    expect(page.locator("#run-unpublished")).to_be_visible()
    shot(page, "assessment-worker-03-overview")

    # 3. The officers' ranking: the first row, and the first officer whose 按期处置率 counted
    # something (a zero denominator reads n/a).
    page.locator("#ranking-links").get_by_role("link", name="队员").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{last}/officer/(\?run={run_id})?$"))
    table = page.locator(".ranking-table")
    rows = table.locator("tbody tr")
    expect(rows.first.locator("th a")).to_be_visible()
    first_name = rows.first.locator("th a").inner_text().strip()
    first_composite = rows.first.locator("td").nth(1).inner_text().strip()
    assert re.fullmatch(r"\d+(\.\d+)?", first_composite), first_composite
    headers = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    # DESIGN §8's order, as the bureau reads it (not the order the jsonb snapshot kept).
    assert headers[5:9] == ["有效上报率", "现场处置率", "按期处置率", "返工率"], headers
    on_time_column = headers.index("按期处置率") - 1  # the name is a <th>, not a <td>
    rates = [row.locator("td").nth(on_time_column).inner_text().strip() for row in rows.all()]
    counted = next((i for i, rate in enumerate(rates) if rate != "不适用"), None)
    assert counted is not None, f"no officer on the first page had tickets due: {rates}"
    assert re.fullmatch(r"\d+\.\d%", rates[counted]), rates[counted]
    shot(page, "assessment-worker-04-ranking")
    rows.nth(counted).locator("th a").click()

    # 4. The officer's 按期处置率: its numbers, then the tickets behind its denominator.
    expect(page).to_have_url(re.compile(rf"/assessments/{last}/officers/[^/]+/"))
    on_time = page.locator("#indicator-on_time")
    expect(on_time).to_contain_text(rates[counted])
    due = on_time.locator("dd").nth(1)
    due_count = int(re.match(r"\d+", due.inner_text().strip()).group(0))
    assert due_count > 0
    shot(page, "assessment-worker-05-officer")
    due.get_by_role("link", name="查看案件").click()
    expect(page).to_have_url(re.compile(r"/on_time/den/(\?run=\d+)?$"))
    expect(page.locator("h1 .badge")).to_have_text(str(due_count))
    items = page.locator("#tickets-behind .ticket-number")
    expect(items).to_have_count(min(due_count, TICKETS_PAGE))
    expect(items.first).to_have_text(TICKET_NUMBER)
    shot(page, "assessment-worker-06-tickets")

    # 5. Back to the month; the Excel as the bureau files it.
    page.locator(".breadcrumb a").first.click()
    expect(page.locator("#city-totals")).to_be_visible()
    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == f"考核-{last}.xlsx"
    path = tmp_path / "month.xlsx"
    download.save_as(path)
    book = load_workbook(io.BytesIO(path.read_bytes()))
    assert book.sheetnames == SHEETS
    officers = book["队员"]
    header = [cell.value for cell in officers[1]]
    assert header[: len(OFFICER_HEADER)] == OFFICER_HEADER
    assert header[7:11] == [
        "有效上报率",
        "有效上报率：分子",
        "有效上报率：分母",
        "有效上报率：得分",
    ]
    assert "按期处置率" in header and "按期处置率：分母" in header
    assert officers.freeze_panes == "A2"
    assert officers["B2"].value == first_name
    assert officers["E2"].value == pytest.approx(float(first_composite))
    assert officers["E2"].number_format == "0.00"
    assert officers.max_row - 1 == Score.objects.filter(run=run, kind=SubjectKind.OFFICER).count()

    # 6. Publish it (the <details> asks first): frozen from now on.
    page.locator(".publish-confirm summary").click()
    expect(page.locator("#publish-run")).to_be_visible()
    page.locator("#publish-run").click()
    expect(page.locator("#run-published")).to_be_visible()
    expect(page.locator(".alert-success")).to_be_visible()
    shot(page, "assessment-worker-07-published")
    # htmx and ECharts ran under the Content-Security-Policy without breaking it.
    assert page_violations(page, console) == []

    # 7. What the worker and the assessor left in the database.
    run = Run.objects.get(pk=run_id)
    assert run.status == RunStatus.DONE and run.published
    assert run.published_by == demo_city and run.started_by == demo_city
    assert run.progress == 100 and run.finished_at is not None
    kinds = set(Score.objects.filter(run=run).values_list("kind", flat=True).distinct())
    assert kinds == set(SubjectKind.values)
    assert run.scheme_snapshot == current_scheme().rules
