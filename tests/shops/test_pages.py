"""The shop pages: scoped lists and records, the pledge and door card, the public page a QR code
opens (public fields only), the enforcement panel on the ticket page, and the 721 split."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from shops.models import EnforcementEvent, FrontagePledge, Merchant, Offence, Step
from tests.factories import jpeg_bytes
from tests.maps import map_json

pytestmark = pytest.mark.django_db


def page_of(client, user, url: str, **params):
    client.force_login(user)
    return client.get(url, params)


# --- scope ------------------------------------------------------------------------------------


def test_officer_sees_the_shops_of_their_community(client, officer_gulou, shop, shop_quanshan):
    response = page_of(client, officer_gulou, reverse("shops:list"))
    assert response.status_code == 200
    assert [m.pk for m in response.context["page"]] == [shop.pk]


def test_officer_cannot_open_another_brigades_shop(client, officer_gulou, shop_quanshan):
    response = page_of(client, officer_gulou, reverse("shops:detail", args=[shop_quanshan.pk]))
    assert response.status_code == 404


def test_officer_opens_their_own_shop(client, officer_gulou, shop):
    response = page_of(client, officer_gulou, reverse("shops:detail", args=[shop.pk]))
    assert response.status_code == 200 and shop.licence_number in response.content.decode()


def test_the_shop_whose_id_is_721_opens_and_the_721_split_has_its_own_address(
    client, supervisor_gulou, make_merchant
):
    shop_721 = make_merchant(pk=721, name="七二一便利店")

    response = page_of(client, supervisor_gulou, shop_721.get_absolute_url())

    assert shop_721.get_absolute_url() == "/shops/721/"
    assert response.status_code == 200 and "七二一便利店" in response.content.decode()
    split = page_of(client, supervisor_gulou, reverse("shops:split_721"))
    assert split.status_code == 200 and split.templates[0].name == "shops/split_721.html"


def test_supervisor_sees_the_brigades_shops_only(client, supervisor_gulou, shop, shop_quanshan):
    response = page_of(client, supervisor_gulou, reverse("shops:list"))
    assert [m.pk for m in response.context["page"]] == [shop.pk]


def test_command_centre_sees_the_whole_city(client, command_supervisor, shop, shop_quanshan):
    response = page_of(client, command_supervisor, reverse("shops:list"))
    assert {m.pk for m in response.context["page"]} == {shop.pk, shop_quanshan.pk}


def test_residents_and_handlers_have_no_shop_pages(client, resident, handler_sanitation, shop):
    for user in (resident, handler_sanitation):
        assert page_of(client, user, reverse("shops:list")).status_code == 403
        assert page_of(client, user, reverse("shops:detail", args=[shop.pk])).status_code == 403


def test_list_runs_the_same_number_of_queries_for_any_page_size(
    client, command_supervisor, make_merchant, django_assert_max_num_queries
):
    client.force_login(command_supervisor)
    for _i in range(3):
        make_merchant()
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("shops:list"))
    for _i in range(22):
        make_merchant()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("shops:list"))
    assert len(response.context["page"]) == 25


def test_list_draws_the_community_options_once_not_through_an_option_template_each(
    client, command_supervisor, shop, shop_quanshan
):
    # The command centre's filter lists every community of the city: drawn through Django's
    # option template one by one it cost more than the rest of the page.
    client.force_login(command_supervisor)
    community = shop.community
    response = client.get(reverse("shops:list"), {"community": community.pk})
    options = [t for t in response.templates if t.name == "django/forms/widgets/select_option.html"]
    assert len(options) == len(response.context["form"].fields["card"].choices)  # the card's only
    html = response.content.decode()
    assert f'<option value="{community.pk}" selected>{community.name}</option>' in html
    assert f'<option value="{shop_quanshan.community.pk}">' in html
    assert {m.pk for m in response.context["page"]} == {shop.pk}


@pytest.mark.parametrize(
    "params", [{"community": "abc"}, {"community": "99999"}, {"page": "zzz"}, {"q": "x" * 500}]
)
def test_list_survives_garbage_in_the_url(client, officer_gulou, shop, params):
    assert page_of(client, officer_gulou, reverse("shops:list"), **params).status_code == 200


def test_list_filters_by_community_and_name(client, command_supervisor, shop, shop_quanshan):
    response = page_of(
        client, command_supervisor, reverse("shops:list"), community=shop_quanshan.community_id
    )
    assert [m.pk for m in response.context["page"]] == [shop_quanshan.pk]
    response = page_of(client, command_supervisor, reverse("shops:list"), q="老王")
    assert [m.pk for m in response.context["page"]] == [shop.pk]


# --- pledge, door card, public page ------------------------------------------------------------


def pledge_post(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "signed_on": today.isoformat(),
        "valid_until": (today + datetime.timedelta(days=364)).isoformat(),
        "keeps_clean": "on",
        "keeps_order": "on",
        "scan": SimpleUploadedFile("sheet.jpg", jpeg_bytes(), content_type="image/jpeg"),
    }
    data.update(overrides)
    return data


def test_officer_signs_a_pledge_with_the_scanned_sheet(client, officer_gulou, shop, media):
    client.force_login(officer_gulou)
    response = client.post(reverse("shops:pledge_new", args=[shop.pk]), pledge_post())
    assert response.status_code == 302
    pledge = FrontagePledge.objects.get()
    assert pledge.signed_by == officer_gulou and pledge.duties and pledge.scan
    assert (pledge.keeps_clean, pledge.keeps_green, pledge.keeps_order) == (True, False, True)
    scan = client.get(reverse("shops:pledge_scan", args=[pledge.pk]))
    assert scan.status_code == 200 and scan["Content-Type"] == "image/jpeg"


def test_another_brigade_cannot_see_the_scan(client, officer_gulou, officer_quanshan, shop, media):
    client.force_login(officer_gulou)
    client.post(reverse("shops:pledge_new", args=[shop.pk]), pledge_post())
    pledge = FrontagePledge.objects.get()
    client.force_login(officer_quanshan)
    assert client.get(reverse("shops:pledge_scan", args=[pledge.pk])).status_code == 404
    assert client.get(reverse("shops:pledge_print", args=[pledge.pk])).status_code == 404


def test_a_bad_pledge_form_is_shown_again_with_its_errors(client, officer_gulou, shop, media):
    client.force_login(officer_gulou)
    data = pledge_post(
        valid_until="2001-01-01",
        keeps_clean="",
        keeps_order="",
        scan=SimpleUploadedFile("x.jpg", b"not an image"),
    )
    data.pop("keeps_clean"), data.pop("keeps_order")
    response = client.post(reverse("shops:pledge_new", args=[shop.pk]), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert {"valid_until", "scan", "__all__"} <= set(form.errors)
    assert form["signed_on"].value() == data["signed_on"]
    assert not FrontagePledge.objects.exists()


def test_another_brigades_officer_cannot_sign_for_the_shop(client, officer_quanshan, shop, media):
    client.force_login(officer_quanshan)
    response = client.post(reverse("shops:pledge_new", args=[shop.pk]), pledge_post())
    assert response.status_code == 404 and not FrontagePledge.objects.exists()


def test_door_card_has_a_qr_code_to_the_public_page(client, officer_gulou, shop):
    response = page_of(client, officer_gulou, reverse("shops:door_card", args=[shop.pk]))
    page = response.content.decode()
    assert "<svg" in page and shop.public_slug in page
    png = client.get(reverse("shops:door_card_png", args=[shop.pk]))
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")


def test_public_page_shows_name_pledge_and_card_but_no_personal_data(client, shop, officer_gulou):
    FrontagePledge.objects.create(
        merchant=shop,
        signed_on=timezone.localdate(),
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
        signed_by=officer_gulou,
    )
    response = client.get(shop.get_public_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert shop.name in page and 'data-colour="green"' in page
    for private in (shop.licence_number, shop.owner_name, shop.owner_phone):
        assert private not in page
    assert str(shop.pk) not in shop.get_public_url()


def test_public_page_of_an_unknown_slug_is_a_404(client, shop):
    assert client.get(reverse("shops:public", args=["nosuchshop123456"])).status_code == 404


# --- the enforcement panel on the ticket page --------------------------------------------------


def test_ticket_page_suggests_persuasion_for_a_first_offence(
    client, officer_gulou, shop, street_ticket
):
    ticket = street_ticket()
    response = page_of(client, officer_gulou, ticket.get_absolute_url(), party=f"m{shop.pk}")
    page = response.content.decode()
    assert 'id="suggested-step" data-step="persuade"' in page
    assert 'value="waive"' in page


def test_ticket_page_suggests_education_for_a_second_offence_without_waiver(
    client, officer_gulou, shop, street_ticket, record_step
):
    record_step(Step.PERSUADE, merchant=shop)
    ticket = street_ticket()
    page = page_of(client, officer_gulou, ticket.get_absolute_url(), party=f"m{shop.pk}")
    html = page.content.decode()
    assert 'data-step="educate"' in html and 'value="waive"' not in html


def test_ticket_page_ignores_a_garbage_party(client, officer_gulou, street_ticket):
    ticket = street_ticket()
    for party in ("m", "mabc", "v999999", "x1", "m" + "9" * 30):
        response = page_of(client, officer_gulou, ticket.get_absolute_url(), party=party)
        assert response.status_code == 200 and "suggested-step" not in response.content.decode()


def test_non_street_order_tickets_have_no_panel(client, officer_gulou, make_ticket):
    ticket = make_ticket("dispatched")
    page = page_of(client, officer_gulou, ticket.get_absolute_url()).content.decode()
    assert "enforcement-panel" not in page


def test_officer_records_a_seizure_from_the_ticket_page(client, officer_gulou, shop, street_ticket):
    ticket = street_ticket()
    client.force_login(officer_gulou)
    back = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    response = client.post(
        reverse("shops:record_offence", args=[ticket.number]),
        {
            "party": f"m{shop.pk}",
            "step": "seize",
            "seized_items": "塑料凳 × 6\n遮阳伞 x 1\n水果筐",
            "return_on": back,
            "note": "店外摆摊，暂扣",
        },
    )
    assert response.status_code == 302
    offence = Offence.objects.get()
    assert offence.seized_items == [
        {"name": "塑料凳", "quantity": "6"},
        {"name": "遮阳伞", "quantity": "1"},
        {"name": "水果筐", "quantity": "1"},
    ]
    assert offence.event.action == EnforcementEvent.SEIZE
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'id="offence-recorded" data-step="seize" data-number="1"' in page
    assert "遮阳伞" in page


def test_a_bad_step_form_comes_back_with_errors_and_input(
    client, officer_gulou, shop, street_ticket
):
    ticket = street_ticket()
    client.force_login(officer_gulou)
    response = client.post(
        reverse("shops:record_offence", args=[ticket.number]),
        {"party": f"m{shop.pk}", "step": "seize", "note": "记下的话", "return_on": "not-a-date"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "记下的话" in page and "invalid-feedback" in page
    assert not Offence.objects.exists()


def test_a_waiver_for_a_second_offence_is_refused_on_the_page(
    client, officer_gulou, shop, street_ticket, record_step
):
    record_step(Step.PERSUADE, merchant=shop)
    ticket = street_ticket()
    client.force_login(officer_gulou)
    response = client.post(
        reverse("shops:record_offence", args=[ticket.number]),
        {"party": f"m{shop.pk}", "step": "waive"},
    )
    assert response.status_code == 400 and Offence.objects.count() == 1


def test_another_brigade_cannot_post_a_step(client, officer_quanshan, shop, street_ticket):
    ticket = street_ticket()
    client.force_login(officer_quanshan)
    response = client.post(
        reverse("shops:record_offence", args=[ticket.number]),
        {"party": f"m{shop.pk}", "step": "persuade"},
    )
    assert response.status_code == 404 and not Offence.objects.exists()


def test_a_colleague_who_can_see_but_not_work_the_ticket_gets_403(
    client, officer_gulou_colleague, shop, street_ticket
):
    ticket = street_ticket()
    client.force_login(officer_gulou_colleague)
    response = client.post(
        reverse("shops:record_offence", args=[ticket.number]),
        {"party": f"m{shop.pk}", "step": "persuade"},
    )
    assert response.status_code == 403 and not Offence.objects.exists()


@pytest.fixture
def referred_street_ticket(make_ticket):
    """A 店外经营 ticket referred to 环卫处, whose handler reported it resolved."""
    from cases.models import Category, Route, State

    return make_ticket(
        State.RESOLVED,
        route=Route.REFER,
        category=Category.objects.get(kind="event", code="0504"),
    )


def test_the_handler_of_a_referred_ticket_sees_no_panel_and_cannot_post_a_step(
    client, handler_sanitation, shop, referred_street_ticket
):
    ticket = referred_street_ticket
    page = page_of(client, handler_sanitation, ticket.get_absolute_url(), party=f"m{shop.pk}")
    assert page.status_code == 200  # the handler works the ticket…
    assert "enforcement-panel" not in page.content.decode()  # …but enforcement is not theirs
    response = client.post(
        reverse("shops:record_offence", args=[ticket.number]),
        {"party": f"m{shop.pk}", "step": "persuade"},
    )
    assert response.status_code == 403
    assert not Offence.objects.exists()
    assert not ticket.events.filter(action=EnforcementEvent.PERSUADE).exists()


def test_the_brigade_supervisor_records_a_step_on_a_referred_ticket(
    client, supervisor_gulou, shop, referred_street_ticket
):
    ticket = referred_street_ticket
    page = page_of(client, supervisor_gulou, ticket.get_absolute_url(), party=f"m{shop.pk}")
    assert 'id="suggested-step" data-step="persuade"' in page.content.decode()
    response = client.post(
        reverse("shops:record_offence", args=[ticket.number]),
        {"party": f"m{shop.pk}", "step": "persuade"},
    )
    assert response.status_code == 302
    event = ticket.events.get(action=EnforcementEvent.PERSUADE)
    assert event.actor == supervisor_gulou and Offence.objects.get().event == event


# --- 721 --------------------------------------------------------------------------------------


def test_721_split_counts_service_management_and_enforcement(
    client, supervisor_gulou, shop, record_step
):
    record_step(Step.PERSUADE, merchant=shop)
    record_step(Step.EDUCATE, merchant=shop)
    record_step(Step.SEIZE, merchant=shop)
    response = page_of(client, supervisor_gulou, reverse("shops:split_721"))
    (row,) = response.context["rows"]
    assert (row.service, row.management, row.enforcement, row.total) == (1, 1, 1, 3)


def test_721_split_of_another_brigade_shows_nothing_of_ours(
    client, supervisor_quanshan, shop, record_step
):
    record_step(Step.PERSUADE, merchant=shop)
    response = page_of(client, supervisor_quanshan, reverse("shops:split_721"), month="garbage")
    assert response.status_code == 200 and response.context["rows"] == []


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1999-12", "2100-01"])
def test_721_split_of_a_month_beyond_the_records_shows_this_month(
    client, supervisor_gulou, shop, record_step, month
):
    record_step(Step.PERSUADE, merchant=shop)
    response = page_of(client, supervisor_gulou, reverse("shops:split_721"), month=month)
    assert response.status_code == 200
    assert response.context["month"] == timezone.localdate().replace(day=1)
    assert response.context["totals"]["service"] == 1


def test_721_split_of_the_last_month_offered_still_opens(client, supervisor_gulou):
    response = page_of(client, supervisor_gulou, reverse("shops:split_721"), month="2099-12")
    assert response.status_code == 200
    assert response.context["month"] == datetime.date(2099, 12, 1)


def test_volunteer_act_form_rejects_a_future_date(client, officer_gulou, shop):
    client.force_login(officer_gulou)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("shops:volunteer_new", args=[shop.pk]), {"done_on": future, "description": "扫雪"}
    )
    assert response.status_code == 400 and not shop.volunteer_acts.exists()


def test_721_split_per_brigade_for_the_command_centre(
    client,
    command_supervisor,
    supervisor_gulou,
    shop,
    shop_quanshan,
    record_step,
    street_ticket,
    officer_quanshan,
):
    from shops import services

    record_step(Step.PERSUADE, merchant=shop)
    record_step(Step.EDUCATE, merchant=shop)
    ticket = street_ticket(place="quanshan")
    services.record_offence(
        actor=officer_quanshan,
        ticket_id=ticket.pk,
        step=Step.PERSUADE,
        merchant_id=shop_quanshan.pk,
    )
    city = page_of(client, command_supervisor, reverse("shops:split_721")).context
    by_brigade = {b.code: (b.service, b.management, b.enforcement) for b in city["brigades"]}
    assert by_brigade == {"gl1": (1, 1, 0), "qs3": (1, 0, 0)}
    assert city["totals"] == {"service": 2, "management": 1, "enforcement": 0, "total": 3}
    mine = page_of(client, supervisor_gulou, reverse("shops:split_721")).context
    assert [b.code for b in mine["brigades"]] == ["gl1"]
    assert mine["totals"]["total"] == 2


def test_shop_record_runs_the_same_number_of_queries_however_long_its_history(
    client, officer_gulou, shop, record_step, django_assert_max_num_queries
):
    client.force_login(officer_gulou)
    record_step(Step.PERSUADE, merchant=shop)
    url = reverse("shops:detail", args=[shop.pk])
    with django_assert_max_num_queries(20) as one:
        client.get(url)
    for step in (Step.EDUCATE, Step.SEIZE, Step.SEIZE, Step.PENALTY):
        record_step(step, merchant=shop)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["ladder"].history) == 5


def test_ticket_page_runs_the_same_number_of_queries_however_long_the_ladder(
    client, officer_gulou, shop, street_ticket, record_step, django_assert_max_num_queries
):
    client.force_login(officer_gulou)
    record_step(Step.PERSUADE, merchant=shop)
    ticket = street_ticket()
    url = f"{ticket.get_absolute_url()}?party=m{shop.pk}"
    with django_assert_max_num_queries(20) as short:
        client.get(url)
    for step in (Step.EDUCATE, Step.SEIZE, Step.SEIZE):
        record_step(step, merchant=shop)
    with django_assert_max_num_queries(len(short.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('<li data-step="') == 4


def test_list_filters_by_card_colour(client, supervisor_gulou, make_merchant, record_step):
    clean, warned = make_merchant(name="守规矩小店"), make_merchant(name="屡教不改小店")
    record_step(Step.PERSUADE, merchant=warned)
    record_step(Step.EDUCATE, merchant=warned)  # 80 points: yellow

    def shown(card: str) -> list[str]:
        response = page_of(client, supervisor_gulou, reverse("shops:list"), card=card)
        return [m.name for m in response.context["page"]]

    assert shown("yellow") == ["屡教不改小店"]
    assert shown("green") == ["守规矩小店"]
    assert shown("red") == [] and shown("flagged") == []
    assert sorted(shown("")) == sorted([clean.name, warned.name])
    assert page_of(client, supervisor_gulou, reverse("shops:list"), card="🟥").status_code == 200


def test_printable_pledge_has_the_duties_and_a_qr_code(client, officer_gulou, shop):
    pledge = FrontagePledge.objects.create(
        merchant=shop,
        signed_on=datetime.date(2026, 11, 2),
        valid_until=datetime.date(2027, 11, 1),
        signed_by=officer_gulou,
        keeps_green=False,
    )
    response = page_of(client, officer_gulou, reverse("shops:pledge_print", args=[pledge.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "<svg" in page and "2027-11-01" in page
    assert response.context["public_url"].endswith(shop.get_public_url())
    with translation.override("en"):
        assert pledge.duties == ["Keep it clean (包卫生)", "Keep it orderly (包秩序)"]


# --- registering one shop ---------------------------------------------------------------------


def new_shop_post(point, **overrides) -> dict:
    from tests.shops.conftest import licence

    data = {
        "name": "刘记早点",
        "licence_number": licence(77),
        "business_kind": "catering",
        "owner_name": "刘强",
        "owner_phone": "0516-83880001",
        "address": "中山北路20号",
        "frontage_m": "5.5",
        "lat": str(point[0]),
        "lng": str(point[1]),
    }
    data.update(overrides)
    return data


def test_officer_registers_a_shop_found_on_patrol(client, officer_gulou, gulou_community):
    from tests.shops.conftest import GULOU_POINT

    client.force_login(officer_gulou)
    assert client.get(reverse("shops:new")).status_code == 200
    response = client.post(reverse("shops:new"), new_shop_post(GULOU_POINT))
    assert response.status_code == 302
    merchant = Merchant.objects.get()
    assert (merchant.community, merchant.created_by) == (gulou_community, officer_gulou)
    assert merchant.grid_cell.community == gulou_community and str(merchant.frontage_m) == "5.5"


def test_officer_cannot_register_a_shop_in_another_brigades_community(
    client, officer_gulou, taishan_community
):
    from tests.shops.conftest import QUANSHAN_POINT

    client.force_login(officer_gulou)
    response = client.post(reverse("shops:new"), new_shop_post(QUANSHAN_POINT))
    assert response.status_code == 400 and "lat" in response.context["form"].errors
    assert not Merchant.objects.exists()


def test_registering_a_shop_twice_or_without_a_point_is_a_form_error(client, officer_gulou, shop):
    from tests.shops.conftest import GULOU_POINT

    client.force_login(officer_gulou)
    twice = client.post(
        reverse("shops:new"), new_shop_post(GULOU_POINT, licence_number=shop.licence_number)
    )
    assert "licence_number" in twice.context["form"].errors
    nowhere = client.post(reverse("shops:new"), new_shop_post(("", ""), name="刘记早点"))
    assert nowhere.status_code == 400 and "lat" in nowhere.context["form"].errors
    assert nowhere.context["form"]["name"].value() == "刘记早点"
    assert Merchant.objects.count() == 1


def test_a_shop_at_a_point_that_is_no_number_is_a_clear_error_not_a_broken_map(
    client, officer_gulou, gulou_community
):
    client.force_login(officer_gulou)
    response = client.post(
        reverse("shops:new"), new_shop_post(("NaN", "NaN")), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "where-error" in page and "Tap the map where the shop is." in page
    assert json.loads(map_json(page))["point"] is None  # NaN is not JSON: the map would not load
    assert not Merchant.objects.exists()


def test_handlers_and_assessors_do_not_register_shops(client, handler_sanitation, assessor):
    for user in (handler_sanitation, assessor):
        client.force_login(user)
        assert client.get(reverse("shops:new")).status_code == 403
