"""The resident's page for removing their contact details from a report (no account).

The answer is the same whether or not the code and phone matched, so the page cannot be used to
learn which codes exist or which number filed a report; the per-IP limit stops guessing.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from cases.public import normalize_code
from citymgmt.ratelimits import RETRY_AFTER_SECONDS, Attempt, count_attempt
from privacy import services
from privacy.forms import ErasureRequestForm


def _page(request: HttpRequest, form: ErasureRequestForm, *, status: int = 200, **extra):
    context = {
        "form": form,
        "retention_months": settings.CITYMGMT_CONTACT_RETENTION_MONTHS,
        **extra,
    }
    return render(request, "privacy/erase.html", context, status=status)


@never_cache
def erase_contact(request: HttpRequest) -> HttpResponse:
    """Tracking code + phone number → the name and phone given with the report are blanked."""
    if request.method != "POST":
        code = normalize_code(request.GET.get("code", ""))
        form = ErasureRequestForm(initial={"code": code} if code else None)
        return _page(request, form)
    form = ErasureRequestForm(request.POST)
    attempt = count_attempt(request, group="erase-contact", rate=settings.CITYMGMT_RATE_ERASURE)
    if attempt is Attempt.UNCOUNTED:
        # The limit is what keeps the form from being a guessing machine for codes: no count,
        # no request (the cache is down; the complaint form stays open).
        response = _page(request, form, status=503, unavailable=True)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if attempt is Attempt.LIMITED:
        return _page(request, form, status=429, limited=True)
    if not form.is_valid():
        return _page(request, form, status=400)
    services.erase_contact_on_request(
        code=form.cleaned_data["code"], phone=form.cleaned_data["phone"]
    )
    return redirect("privacy:erase_done")


@never_cache
def erase_done(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/erase_done.html")
