# ruff: noqa: F811  (pytest fixtures imported from tests/cases/conftest.py)
"""The officer's field app on a phone without signal (issue 22), in Chromium with
``context.set_offline``: the staff pages are installable (manifest linked, a service worker
controlling the page); with the network gone my tasks and a task's page still open, a finding
with two photos and a task's resolve with its after photo are kept on the phone ("待发送（2）"),
and when the network is back both arrive once, in order, with their photos, for the supervisor
to see; the same when the connection drops in the middle of a photo; and a task reassigned while
the officer was offline comes back as a conflict the officer reads."""

import random
import time
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from cases.categories import invalidate_choices, load_categories
from cases.models import (
    Action,
    Category,
    ClientWrite,
    Photo,
    PhotoUploadPart,
    Source,
    State,
    Ticket,
    TicketEvent,
)
from tests.cases.conftest import (  # noqa: F401  (the casework cast and tickets)
    category,
    enforceable_category,
    make_ticket,
    officer_gulou_colleague,
)
from tests.e2e.test_casework_journey import log_in, log_out, open_action, photo_file, snap

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.service_worker,
    pytest.mark.django_db(transaction=True),
]

WAITING = "#field-app-waiting"


@pytest.fixture
def garbage(db) -> Category:
    load_categories()
    invalidate_choices()
    return Category.objects.get(kind="event", code="0102")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def noisy_photo(tmp_path: Path, name: str) -> Path:
    """A camera-like JPEG (noise does not compress): several upload parts even once shrunk."""
    rng = random.Random(name)
    image = Image.frombytes("RGB", (900, 700), bytes(rng.getrandbits(8) for _ in range(1_890_000)))
    path = tmp_path / name
    image.save(path, "JPEG", quality=90)
    return path


def wait_until(page: Page, script: str, timeout: float = 15) -> None:
    """Poll ``script`` in the page until it is truthy (``wait_for_function`` evaluates strings,
    which the pages' Content-Security-Policy refuses)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {script}"
        page.wait_for_timeout(100)


def ready_offline(page: Page, *urls: str) -> None:
    """The officer's home with the service worker in control, then ``urls`` opened once with
    network (kept on the phone as an officer's phone would keep them).

    The language is the cookie's (as the language menu sets it): Playwright's Chinese locale
    reaches the page's requests but not the service worker's own."""
    origin = "/".join(page.url.split("/")[:3])
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": origin}])
    page.goto("/officer/")
    wait_until(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)")
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("networkidle")


def test_install_criteria_the_manifest_and_a_controlling_service_worker(page: Page, officer_gulou):
    log_in(page, "officer_gulou")
    page.goto("/officer/")
    manifest_url = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(manifest_url).json()
    assert manifest["name"] == "城管通"
    assert manifest["start_url"] == "/officer/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert page.request.get(icon["src"]).headers["content-type"] == "image/png"
    wait_until(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)")
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope.endswith("/")


def test_offline_finding_and_resolve_arrive_once_in_order_with_photos(
    page: Page, officer_gulou, supervisor_gulou, garbage, make_ticket, media, tmp_path
):
    task = make_ticket(State.IN_PROGRESS)
    log_in(page, "officer_gulou")
    ready_offline(page, "/cases/mine/", task.get_absolute_url(), "/patrols/", "/patrols/finding/")

    page.context.set_offline(True)
    page.goto("/cases/mine/")
    expect(page.locator("h1")).to_contain_text("我的任务")
    expect(page.locator("#field-app-copy")).to_contain_text("无网络")

    # A finding with two photos, written where there is no signal.
    page.goto("/patrols/finding/")
    page.get_by_label("上报待派遣").check()
    page.locator("#id_category").select_option(value=str(garbage.pk))
    page.locator("#id_description").fill("小区门口垃圾桶破损")
    page.locator("#id_community").select_option(index=1)
    page.locator("#id_photos").set_input_files(
        [photo_file(tmp_path, "a.jpg", "#2f6fb3"), photo_file(tmp_path, "b.jpg", "#7a5a3a")]
    )
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(f"{page.url.split('/patrols/')[0]}/patrols/")
    expect(page.locator(WAITING)).to_have_text("待发送（1）")

    # The task: resolved with its after photo, still offline.
    page.goto(task.get_absolute_url())
    form = open_action(page, "resolve", "处置完毕")
    form.locator("#id_resolve-note").fill("已清运，现场已恢复整洁")
    form.locator("#id_resolve-photos").set_input_files(photo_file(tmp_path, "after.jpg", "#4a7f3a"))
    form.get_by_role("button", name="处置完毕").click()
    expect(page.locator(WAITING)).to_have_text("待发送（2）")
    snap(page, "offline-01-two-waiting")
    assert not Ticket.objects.filter(source=Source.PATROL).exists()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator(WAITING)).to_be_hidden(timeout=30_000)
    snap(page, "offline-02-sent")
    expect(page.locator("#field-app-problems li")).to_have_count(0)

    finding = Ticket.objects.get(source=Source.PATROL)
    assert finding.photos.count() == 2
    task.refresh_from_db()
    assert task.state == State.RESOLVED
    resolve = TicketEvent.objects.get(ticket=task, action=Action.RESOLVE)
    assert Photo.objects.filter(ticket=task, kind="after").count() == 1
    made = TicketEvent.objects.filter(ticket=finding).order_by("id").first()
    assert made.pk < resolve.pk  # in the order they were made
    assert ClientWrite.objects.count() == 2

    # The supervisor sees both.
    log_out(page)
    log_in(page, "supervisor_gulou")
    page.goto(finding.get_absolute_url())
    expect(page.locator("main")).to_contain_text("小区门口垃圾桶破损")
    expect(page.locator("main figure")).to_have_count(2)
    page.goto(task.get_absolute_url())
    expect(page.locator("main")).to_contain_text("已清运，现场已恢复整洁")


# The connection drops as the second part of a photo goes out (the page's fetch fails as it
# would), on a browser without Background Sync: what is left is sent at the next page load.
DROP_SECOND_PART = """
(() => {
  const real = window.fetch;
  let parts = 0;
  window.fetch = function (url, options) {
    if (window.dropSecondPart && /[?]offset=[0-9]+$/.test(String(url)) && ++parts === 2) {
      window.dropped = true;
      return Promise.reject(new TypeError("Failed to fetch"));
    }
    return real.apply(this, arguments);
  };
  if (self.SyncManager) SyncManager.prototype.register = () => Promise.resolve();
})();
"""


def test_a_photo_cut_off_halfway_is_resumed_and_arrives_once(
    page: Page, officer_gulou, garbage, make_ticket, media, tmp_path
):
    task = make_ticket(State.IN_PROGRESS)
    page.add_init_script(DROP_SECOND_PART)
    log_in(page, "officer_gulou")
    ready_offline(page, task.get_absolute_url())

    page.context.set_offline(True)
    page.goto(task.get_absolute_url())
    form = open_action(page, "resolve", "处置完毕")
    form.locator("#id_resolve-note").fill("已清理")
    form.locator("#id_resolve-photos").set_input_files(noisy_photo(tmp_path, "after.jpg"))
    form.get_by_role("button", name="处置完毕").click()
    expect(page.locator(WAITING)).to_have_text("待发送（1）")

    # Back in signal, but it drops as the second part of the photo goes out.
    page.evaluate("window.dropSecondPart = true")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, "window.dropped === true")
    expect(page.locator(WAITING)).to_have_text("待发送（1）")
    wait_until(page, "navigator.locks.query().then(s => s.held.length === 0)")
    assert PhotoUploadPart.objects.count() == 1  # the first part is on the server
    task.refresh_from_db()
    assert task.state == State.IN_PROGRESS

    # The next page load goes on from where the server stopped.
    page.reload()
    expect(page.locator("#field-app-flash")).to_contain_text("已发送", timeout=30_000)
    expect(page.locator(WAITING)).to_be_hidden()
    task.refresh_from_db()
    assert task.state == State.RESOLVED
    assert Photo.objects.filter(ticket=task, kind="after").count() == 1
    assert TicketEvent.objects.filter(ticket=task, action=Action.RESOLVE).count() == 1


def test_a_task_reassigned_while_offline_shows_the_conflict(
    page: Page, officer_gulou, officer_gulou_colleague, garbage, make_ticket, media
):
    task = make_ticket(State.DISPATCHED)
    log_in(page, "officer_gulou")
    ready_offline(page, task.get_absolute_url())

    page.context.set_offline(True)
    page.goto(task.get_absolute_url())
    form = open_action(page, "start", "开始处置")
    form.get_by_role("button", name="开始处置").click()
    expect(page.locator(WAITING)).to_have_text("待发送（1）")

    # Meanwhile the brigade gave the task to a colleague.
    Ticket.objects.filter(pk=task.pk).update(assignee=officer_gulou_colleague.officer)

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    conflict = page.locator("[data-outbox-problem=conflict]")
    expect(conflict).to_contain_text(task.number, timeout=30_000)
    expect(conflict).to_contain_text("GL1-002")
    expect(page.locator(WAITING)).to_be_hidden()
    snap(page, "offline-03-conflict")
    task.refresh_from_db()
    assert task.state == State.DISPATCHED
    assert not TicketEvent.objects.filter(ticket=task, action=Action.START).exists()
    # Kept until the officer has read it.
    page.reload()
    expect(page.locator("[data-outbox-problem=conflict]")).to_have_count(1)
    page.locator("[data-outbox-problem=conflict]").get_by_role("button").click()
    expect(page.locator("[data-outbox-problem=conflict]")).to_have_count(0)
