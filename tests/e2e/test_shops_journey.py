"""门前三包 end to end on a phone, in Chinese: an officer signs a pledge with a fruit shop, then
over three weeks records the shop's goods out on the pavement (店外经营) three times. The ticket
page suggests 规劝, then 教育, then 暂扣; the seizure list is recorded; the shop's points fall
from 100 to 70 and its card turns red, which the door card's public page shows to anyone.

The steps are found by their data attributes: the shops' strings reach the Chinese catalogue
when the branch is merged (see /tmp/i18n/zh_shops.py).
"""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from PIL import Image
from playwright.sync_api import Page, expect

from cases import services as case_services
from cases.categories import invalidate_choices, load_categories
from cases.models import Category, Source, Ticket
from grids.services import locate
from shops.models import FrontagePledge, Merchant, MerchantMonth, Offence
from tests.cases.conftest import GULOU_POINT
from tests.e2e.conftest import shot
from tests.e2e.test_casework_journey import log_in, open_menu
from tests.shops.conftest import licence

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
# The steps' labels carry their Chinese names in English too: "Persuade (规劝)".
IN_CHINESE = {"persuade": "规劝", "educate": "教育", "seize": "暂扣"}
WEEKS = [datetime.datetime(2026, 11, d, 9, 30, tzinfo=SHANGHAI) for d in (2, 9, 16)]


@pytest.fixture
def street_order(db) -> Category:
    load_categories()
    invalidate_choices()
    return Category.objects.get(kind="event", code="0504")  # 店外经营


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def fruit_shop(gulou_community) -> Merchant:
    cell = locate(*GULOU_POINT)
    return Merchant.objects.create(
        name="老王水果店",
        licence_number=licence(42),
        business_kind="grocery",
        owner_name="王建华",
        owner_phone="13852001234",
        address="黄楼社区中山北路18号",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
        grid_cell=cell,
        community=cell.community,
        brigade=cell.community.brigade,
    )


def dispatched_ticket(category: Category, supervisor, officer) -> Ticket:
    """A resident's report of fruit crates on the pavement, registered and dispatched to the
    officer (the casework journey covers those pages)."""
    ticket = case_services.create_ticket(
        actor=None,
        source=Source.RESIDENT,
        category=category,
        description="老王水果店门口水果筐摆到人行道上，行人只能走机动车道。",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
    )
    case_services.register_ticket(actor=supervisor, ticket_id=ticket.pk)
    case_services.dispatch_ticket(
        actor=supervisor, ticket_id=ticket.pk, officer_id=officer.officer.pk
    )
    return ticket


def sheet_photo(tmp_path: Path) -> Path:
    path = tmp_path / "pledge.jpg"
    Image.new("RGB", (800, 1100), "white").save(path, "JPEG", quality=85)
    return path


def record_step(page: Page, ticket: Ticket, shop: Merchant, suggested: str, week: int) -> None:
    # The officer finds the ticket among their tasks.
    open_menu(page)
    page.locator("#mainnav").get_by_role("link", name="我的任务").click()
    page.locator(".my-tasks a.ticket-number", has_text=ticket.number).click()
    expect(page.locator("h1")).to_have_text(ticket.number)
    panel = page.locator("#enforcement")
    panel.scroll_into_view_if_needed()
    # Choosing the party brings up its record in place (htmx); the button does it without JS.
    panel.locator("select[name=party]").select_option(value=f"m{shop.pk}")
    expect(page).to_have_url(re.compile(rf"\?party=m{shop.pk}$"))
    suggestion = page.locator("#suggested-step")
    expect(suggestion).to_have_attribute("data-step", suggested)
    expect(suggestion).to_contain_text(IN_CHINESE[suggested])
    chosen = page.locator(f"input[name=step][value={suggested}]")
    expect(chosen).to_be_checked()  # the suggestion is preselected
    waiver = page.locator("input[name=step][value=waive]")
    expect(waiver).to_have_count(1 if week == 1 else 0)  # 首违不罚: a first offence only
    shot(page, f"shops-0{week + 1}-suggests-{suggested}")
    form = page.locator("form.offence-form")
    form.locator("textarea[name=note]").fill(f"第{week}次发现店外经营，已{suggested}")
    if suggested == "seize":
        form.locator("textarea[name=seized_items]").fill("水果筐 × 4\n遮阳伞 × 1")
        form.locator("input[name=return_on]").fill("2026-11-23")
    form.locator("button[type=submit]").click()
    recorded = page.locator("#offence-recorded")
    expect(recorded).to_have_attribute("data-step", suggested)
    expect(recorded).to_contain_text("老王水果店")
    expect(page.locator("#timeline .timeline-item").last).to_contain_text(
        re.compile("规劝|教育|暂扣|Persuaded|Warning notice|Goods seized")
    )


def test_officer_signs_a_pledge_then_the_ladder_climbs_to_a_seizure_and_a_red_card(
    page: Page,
    supervisor_gulou,
    officer_gulou,
    street_order,
    fruit_shop,
    media,
    tmp_path,
    live_server,
):
    with time_machine.travel(WEEKS[0], tick=True):
        # Week 1: the officer signs the pledge with the shop.
        log_in(page, "officer_gulou")
        open_menu(page)
        page.locator("#mainnav a[href='/shops/']").click()
        page.locator(".merchant-item", has_text="老王水果店").click()
        expect(page.locator("h1")).to_have_text("老王水果店")
        page.locator(f"a[href='/shops/{fruit_shop.pk}/pledge/']").click()
        page.locator("input[name=scan]").set_input_files(sheet_photo(tmp_path))
        page.locator("form.pledge-form button[type=submit]").click()
        expect(page.locator("#pledge-in-force")).to_contain_text("2026-11-02")
        expect(page.locator("#pledge-in-force")).to_contain_text("2027-11-01")
        expect(page.locator("#merchant-card .card-colour")).to_have_attribute(
            "data-colour", "green"
        )
        shot(page, "shops-01-pledge-signed")
        assert FrontagePledge.objects.get().signed_by == officer_gulou

        # ...and, the same week, the first 店外经营: persuade.
        first = dispatched_ticket(street_order, supervisor_gulou, officer_gulou)
        record_step(page, first, fruit_shop, "persuade", 1)

    with time_machine.travel(WEEKS[1], tick=True):
        page.context.clear_cookies()
        log_in(page, "officer_gulou")
        second = dispatched_ticket(street_order, supervisor_gulou, officer_gulou)
        record_step(page, second, fruit_shop, "educate", 2)

    with time_machine.travel(WEEKS[2], tick=True):
        page.context.clear_cookies()
        log_in(page, "officer_gulou")
        third = dispatched_ticket(street_order, supervisor_gulou, officer_gulou)
        record_step(page, third, fruit_shop, "seize", 3)
        expect(page.locator(".seized-items li")).to_have_text(["水果筐 × 4", "遮阳伞 × 1"])
        shot(page, "shops-05-seizure-recorded")

        # The shop's record: 70 points, a red card, the three steps in its ladder.
        page.goto(fruit_shop.get_absolute_url())
        card = page.locator("#merchant-card .card-colour")
        expect(card).to_have_attribute("data-colour", "red")
        expect(card).to_contain_text("70")
        expect(page.locator(".ladder-history li")).to_have_count(3)
        shot(page, "shops-06-shop-red-card")

        # The door card's QR code opens the public page: the red card, no personal data.
        page.goto(f"/shops/{fruit_shop.pk}/door-card/")
        expect(page.locator(".door-card svg")).to_have_count(1)
        shot(page, "shops-07-door-card")
        public_url = page.locator(".door-card + p").inner_text().strip()
        page.context.clear_cookies()
        page.goto(public_url)
        expect(page.locator("#shop-name")).to_have_text("老王水果店")
        expect(page.locator("#public-card")).to_have_attribute("data-colour", "red")
        body = page.locator("main").inner_text()
        assert "13852001234" not in body and "王建华" not in body
        assert fruit_shop.licence_number not in body
        shot(page, "shops-08-public-red-card")

    steps = list(Offence.objects.order_by("recorded_at").values_list("step", flat=True))
    assert steps == ["persuade", "educate", "seize"]
    month = MerchantMonth.objects.get(merchant=fruit_shop, month=datetime.date(2026, 11, 1))
    assert (month.points, month.colour) == (70, "red")
