"""A resident proves their mobile number with an SMS code (``/phone/``), then lists their own
reports (``/my-reports/``). Only when SMS is configured: otherwise both are 404.

Limits: codes asked for per address (``CITYMGMT_RATE_PHONE_CODE``) and per number
(``residents.phone``), codes tried per address (``CITYMGMT_RATE_PHONE_CHECK``) and per code; the
per-address counts refuse when the cache cannot count (guessing a code is what they stop).
"""

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.forms import MobileField
from cases.models import Ticket
from citymgmt.forms import StyledForm
from citymgmt.masking import mask_phone
from citymgmt.ratelimits import RETRY_AFTER_SECONDS, Attempt, count_attempt
from residents import phone as phones
from residents.tracking import PLAIN_STATUS

MY_REPORTS_SHOWN = 50


class PhoneForm(StyledForm):
    phone = MobileField(label=gettext_lazy("Your mobile number"), max_length=20)


class CodeForm(StyledForm):
    phone = MobileField(max_length=20, widget=forms.HiddenInput)
    code = forms.RegexField(
        label=gettext_lazy("Code from the SMS"),
        regex=r"^\s*\d{6}\s*$",
        max_length=10,
        error_messages={"invalid": gettext_lazy("The code has 6 digits.")},
    )


def _sms_on() -> None:
    if not settings.SMS_URL:
        raise Http404


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("residents:my_reports")


def _refused(request: HttpRequest, attempt: Attempt, context: dict) -> HttpResponse | None:
    """The answer to an attempt over its limit (429) or that could not be counted (503)."""
    if attempt is Attempt.ALLOWED:
        return None
    status = 503 if attempt is Attempt.UNCOUNTED else 429
    response = render(
        request, "residents/phone.html", {**context, "refused": status}, status=status
    )
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@never_cache
def verify_phone(request: HttpRequest) -> HttpResponse:
    """Step 1: the number (a code is sent); step 2: the code (the browser holds the number)."""
    _sms_on()
    next_url = _next_url(request)
    context: dict = {"next": next_url}
    if request.method != "POST":
        context["form"] = PhoneForm()
        return render(request, "residents/phone.html", context)

    if "code" not in request.POST:
        form = PhoneForm(request.POST)
        context["form"] = form
        attempt = count_attempt(request, group="phone-code", rate=settings.CITYMGMT_RATE_PHONE_CODE)
        if (refused := _refused(request, attempt, context)) is not None:
            return refused
        if not form.is_valid():
            return render(request, "residents/phone.html", context, status=400)
        number = form.cleaned_data["phone"]
        try:
            phones.send_code(number)
        except phones.TooManyCodes:
            form.add_error(
                "phone", _("This number has had enough codes for now: try again in an hour.")
            )
            return render(request, "residents/phone.html", context, status=429)
        context.update(code_form=CodeForm(initial={"phone": number}), masked=mask_phone(number))
        return render(request, "residents/phone.html", context)

    code_form = CodeForm(request.POST)
    number = code_form["phone"].value() or ""
    context.update(code_form=code_form, masked=mask_phone(str(number)))
    attempt = count_attempt(request, group="phone-check", rate=settings.CITYMGMT_RATE_PHONE_CHECK)
    if (refused := _refused(request, attempt, context)) is not None:
        return refused
    if code_form.is_valid():
        number = code_form.cleaned_data["phone"]
        if phones.check_code(number, code_form.cleaned_data["code"]):
            response = redirect(next_url)
            phones.remember(response, number)
            return response
        code_form.add_error(
            "code", _("This code is wrong or no longer valid. Check it, or ask for a new one.")
        )
    return render(request, "residents/phone.html", context, status=400)


@require_POST
def forget_phone(request: HttpRequest) -> HttpResponse:
    """The resident ends the verified session on this browser."""
    response = redirect("residents:find_code")
    phones.forget(response)
    return response


@never_cache
def my_reports(request: HttpRequest) -> HttpResponse:
    """The reports filed with the verified number, newest first, each with its tracking page."""
    _sms_on()
    number = phones.verified_phone(request)
    if number is None:
        return redirect(
            f"{reverse('residents:verify_phone')}?next={reverse('residents:my_reports')}"
        )
    tickets = list(
        Ticket.objects.filter(reporter_phone=number)
        .select_related("category")
        .only(
            "number",
            "tracking_code",
            "state",
            "reported_at",
            "category__name",
            "category__public_name",
        )
        .order_by("-reported_at", "-pk")[:MY_REPORTS_SHOWN]
    )
    rows = [(ticket, PLAIN_STATUS[ticket.state]) for ticket in tickets]
    return render(
        request,
        "residents/my_reports.html",
        {"rows": rows, "masked": mask_phone(number), "shown": MY_REPORTS_SHOWN},
    )
