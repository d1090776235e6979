"""Shop pages: the list per community, a shop's record, pledges and door cards, the public page
a door card's QR code opens, the import, the 721 split, and the enforcement step posted from the
ticket page. Views parse input, call one selector or service, and render."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role, has_role
from cases import selectors as case_selectors
from cases import views as case_views
from citymgmt import months
from citymgmt.forms import add_service_errors
from citymgmt.images import image_response
from citymgmt.months import parse_month
from grids.maps import pick_map
from grids.qr import public_url, qr_png, qr_svg
from shops import forms, importer, panels, points, selectors, services
from shops.models import FrontagePledge, ShopPolicy
from shops.permissions import enforces_on

PAGE_SIZE = 25
STAFF = (Role.OFFICER, Role.SUPERVISOR, Role.ASSESSOR)


@role_required(*STAFF)
def merchant_list(request: HttpRequest) -> HttpResponse:
    """Shops of the user's communities with this month's points and card."""
    communities = selectors.communities_visible_to(request.user).order_by("code")
    form = forms.MerchantFilterForm(request.GET or None, communities=communities)
    community, query, card = None, "", ""
    if form.is_valid():
        community = form.cleaned_data["community"]
        query = form.cleaned_data["q"].strip()
        card = form.cleaned_data["card"]
    merchants = selectors.merchant_list(request.user, community=community, query=query, card=card)
    page = Paginator(merchants, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "shops/list.html",
        {
            "form": form,
            "page": page,
            "query": params.urlencode(),
            "month": timezone.localdate().replace(day=1),
            "base_points": ShopPolicy.current().base_points,
            "can_import": request.user.is_superuser or has_role(request.user, Role.SUPERVISOR),
            "can_register": request.user.is_superuser
            or has_role(request.user, Role.OFFICER, Role.SUPERVISOR),
        },
    )


@role_required(Role.OFFICER, Role.SUPERVISOR)
def merchant_new(request: HttpRequest) -> HttpResponse:
    """An officer or supervisor registers a shop found on patrol, tapping where it is."""
    communities = selectors.communities_visible_to(request.user)
    allowed = set(communities.values_list("pk", flat=True))
    form = forms.MerchantForm(request.POST or None, allowed_communities=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            merchant = services.register_merchant(actor=request.user, data=form.to_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(shop)s registered.") % {"shop": merchant})
            return redirect(merchant)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "shops/merchant_form.html",
        {
            "form": form,
            "map_data": pick_map(
                form, communities, cells_url=reverse("cases:community_cells", args=[0])
            ),
        },
        status=status,
    )


@role_required(*STAFF)
def merchant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = selectors.access_merchant(request.user, pk)
    return _detail(request, merchant)


def _detail(
    request: HttpRequest, merchant: Any, volunteer_form: Any = None, status: int = 200
) -> HttpResponse:
    policy = ShopPolicy.current()
    context = {
        "merchant": merchant,
        "standing": points.standing(merchant),
        "pledge": selectors.current_pledge(merchant),
        "pledges": merchant.pledges.select_related("signed_by"),
        "ladder": selectors.ladder(merchant=merchant, policy=policy),
        "offences": selectors.offences_of(merchant)[:50],
        "months": selectors.recent_months(merchant),
        "acts": merchant.volunteer_acts.all()[:20],
        "volunteer_form": volunteer_form
        or forms.VolunteerActForm(initial={"done_on": timezone.localdate()}),
        "policy": policy,
    }
    return render(request, "shops/detail.html", context, status=status)


@role_required(Role.OFFICER, Role.SUPERVISOR)
def pledge_new(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer signs a 门前三包 pledge with the shop and photographs the signed sheet."""
    merchant = selectors.access_merchant(request.user, pk)
    form = forms.PledgeForm(
        request.POST or None, request.FILES or None, initial=forms.default_pledge_initial()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sign_pledge(
                actor=request.user,
                merchant_id=merchant.pk,
                signed_on=data["signed_on"],
                valid_until=data["valid_until"],
                keeps_clean=data["keeps_clean"],
                keeps_green=data["keeps_green"],
                keeps_order=data["keeps_order"],
                scan=data["scan"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Pledge recorded for %(shop)s.") % {"shop": merchant})
            return redirect(merchant)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "shops/pledge_form.html", {"merchant": merchant, "form": form}, status=status
    )


@role_required(Role.OFFICER, Role.SUPERVISOR)
@require_POST
def volunteer_new(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = selectors.access_merchant(request.user, pk)
    form = forms.VolunteerActForm(request.POST)
    if form.is_valid():
        try:
            services.record_volunteer_act(
                actor=request.user,
                merchant_id=merchant.pk,
                done_on=form.cleaned_data["done_on"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Volunteer act recorded."))
            return redirect(merchant)
    return _detail(request, merchant, volunteer_form=form, status=400)


def _pledge_of(request: HttpRequest, pk: int) -> FrontagePledge:
    visible = selectors.merchants_visible_to(request.user)
    return get_object_or_404(
        FrontagePledge.objects.filter(merchant__in=visible).select_related(
            "merchant__community__street", "signed_by"
        ),
        pk=pk,
    )


@role_required(*STAFF)
def pledge_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The 门前三包 责任书 to print and sign, with the door card's QR code."""
    pledge = _pledge_of(request, pk)
    url = public_url(request, pledge.merchant.get_public_url())
    return render(
        request,
        "shops/pledge_print.html",
        {"pledge": pledge, "merchant": pledge.merchant, "qr": qr_svg(url), "public_url": url},
    )


@role_required(*STAFF)
def pledge_scan(request: HttpRequest, pk: int, size: str = "full") -> FileResponse:
    """The photographed signed sheet, only to staff who may see the shop."""
    pledge = _pledge_of(request, pk)
    field = pledge.scan_thumbnail if size == "thumb" else pledge.scan
    return image_response(field, pledge.scan_content_type or "image/jpeg")


@role_required(*STAFF)
def door_card(request: HttpRequest, pk: int) -> HttpResponse:
    """A card for the shop door: name, duties, this month's card, and a QR to the public page."""
    merchant = selectors.access_merchant(request.user, pk)
    url = public_url(request, merchant.get_public_url())
    return render(
        request,
        "shops/door_card.html",
        {
            "merchant": merchant,
            "pledge": selectors.current_pledge(merchant),
            "standing": points.standing(merchant),
            "qr": qr_svg(url, scale=5),
            "public_url": url,
        },
    )


@role_required(*STAFF)
def door_card_png(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = selectors.access_merchant(request.user, pk)
    png = qr_png(public_url(request, merchant.get_public_url()))
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="shop-{merchant.pk}-qr.png"'
    return response


def public(request: HttpRequest, slug: str) -> HttpResponse:
    """What a passer-by sees from the door card: the shop's name, pledge and this month's card.
    No licence number, no owner, no phone."""
    merchant = selectors.public_merchant(slug)
    return render(
        request,
        "shops/public.html",
        {
            "merchant": merchant,
            "pledge": selectors.current_pledge(merchant),
            "standing": points.standing(merchant),
        },
    )


# --- the step taken on a ticket ---------------------------------------------------------------


@login_required
@require_POST
def record_offence(request: HttpRequest, number: str) -> HttpResponse:
    """The enforcement panel's form: record the step; on a mistake, the ticket page again with
    the panel's form as it was filled in and its errors."""
    ticket = case_selectors.access_ticket(request.user, number)
    if not enforces_on(ticket, request.user):
        raise PermissionDenied
    party = selectors.named_party(ticket, request.POST.get("party", ""))
    form = forms.OffenceForm(
        request.POST,
        request.FILES,
        allowed=party.ladder.allowed,
        suggested=party.ladder.suggested,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_offence(
                actor=request.user,
                ticket_id=ticket.pk,
                step=data["step"],
                vendor_description=data["vendor_description"]
                if party.kind == selectors.NEW_VENDOR
                else "",
                note=data["note"],
                promise_photo=data["promise_photo"],
                evidence=data["evidence"],
                notice_number=data["notice_number"],
                seized_items=data["seized_items"],
                return_on=data["return_on"],
                penalty_case_number=data["penalty_case_number"],
                **forms.vendor_or_merchant(data["party"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Step recorded on ticket %(number)s.") % {"number": number})
            return redirect(ticket.get_absolute_url() + "#enforcement")
    return case_views.ticket_page(request, number, bound=(panels.ENFORCEMENT.name, form))


# --- import -----------------------------------------------------------------------------------


@role_required(Role.SUPERVISOR)
def import_merchants(request: HttpRequest) -> HttpResponse:
    """A supervisor uploads a sheet of shops of the brigade's communities."""
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = importer.import_sheet(actor=request.user, upload=form.cleaned_data["sheet"])
            if result.problem:
                form.add_error("sheet", result.problem)
            elif result.created:
                count = len(result.created)
                messages.success(
                    request,
                    ngettext("%(count)s shop imported.", "%(count)s shops imported.", count)
                    % {"count": count},
                )
        if not form.is_valid() or (result and (result.errors or result.problem)):
            status = 400
    return render(request, "shops/import.html", {"form": form, "result": result}, status=status)


@role_required(Role.SUPERVISOR)
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        body = importer.template_xlsx()
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        body, kind = importer.template_csv(), "text/csv; charset=utf-8"
    else:
        raise Http404
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="shops-template.{fmt}"'
    return response


# --- 721 --------------------------------------------------------------------------------------


@role_required(Role.SUPERVISOR, Role.ASSESSOR)
def split_721(request: HttpRequest) -> HttpResponse:
    """Service / management / enforcement per community for a month (this month by default)."""
    month = _month_param(request.GET.get("month", "")) or timezone.localdate().replace(day=1)
    since, until = months.month_bounds(month)
    rows = list(selectors.split_721(request.user, since=since, until=until))
    brigades = list(selectors.split_721_by_brigade(request.user, since=since, until=until))
    totals = selectors.split_721_totals(request.user, since=since, until=until)
    return render(
        request,
        "shops/split_721.html",
        {
            "rows": rows,
            "brigades": brigades,
            "totals": totals,
            "month": month,
            "previous": months.previous_month(month),
            "next": (month + datetime.timedelta(days=32)).replace(day=1),
        },
    )


def _month_param(value: str) -> datetime.date | None:
    """``YYYY-MM`` within ``months.FIRST_MONTH``…``months.LAST_MONTH``, else None (this month):
    near the ends of the calendar the month arithmetic would overflow."""
    return parse_month(value)
