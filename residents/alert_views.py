"""Residents' alerts: subscribing (``/alerts/new/?community=<code>`` or ``?number=<ticket>``),
confirming an e-mail address and unsubscribing by the link each message carries.

By SMS only with the number this browser verified (``residents.phone``); by e-mail for anyone,
confirmed by a link. Requests are limited per address (``CITYMGMT_RATE_SUBSCRIBE``): each one
may send an e-mail to someone. Confirming and unsubscribing take a POST (the link's page has the
button), so a mail scanner following links changes nothing.
"""

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from citymgmt.forms import StyledForm
from citymgmt.masking import mask_phone
from citymgmt.ratelimits import RETRY_AFTER_SECONDS, Attempt, count_attempt
from citymgmt.text import ascii_digits, no_control_characters
from grids.models import Community
from residents import alerts
from residents import phone as phones
from residents.models import Subscription, SubscriptionChannel


class AlertForm(StyledForm):
    channel = forms.ChoiceField(
        label=gettext_lazy("How"), choices=SubscriptionChannel.choices, widget=forms.RadioSelect
    )
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"),
        required=False,
        max_length=254,
        validators=[no_control_characters],
    )

    def __init__(self, *args, verified_phone: str | None = None, sms_on: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.verified_phone = verified_phone
        if not sms_on:
            self.fields["channel"].choices = [
                (SubscriptionChannel.EMAIL, SubscriptionChannel.EMAIL.label)
            ]
            self.fields["channel"].initial = SubscriptionChannel.EMAIL

    def clean(self) -> dict:
        data = super().clean()
        channel = data.get("channel")
        if channel == SubscriptionChannel.SMS and not self.verified_phone:
            self.add_error("channel", _("Verify your mobile number first, then subscribe by SMS."))
        if channel == SubscriptionChannel.EMAIL and not data.get("email"):
            self.add_error("email", _("Give the address the alerts should go to."))
        return data

    @property
    def target(self) -> str:
        if self.cleaned_data["channel"] == SubscriptionChannel.SMS:
            return self.verified_phone or ""
        return self.cleaned_data["email"].strip().lower()


def _subject(request: HttpRequest) -> tuple[Community | None, object | None]:
    """The community (``?community=<12 digits>``) or the public report (``?number=``) asked
    for; 404 for anything else, the same for a report that exists but is not public."""
    code = request.GET.get("community", "")
    if code:
        if not (ascii_digits(code) and len(code) == 12):
            raise Http404
        return get_object_or_404(Community, code=code), None
    number = request.GET.get("number", "")[:30]
    ticket = alerts.followable(number) if number else None
    if ticket is None:
        raise Http404
    return None, ticket


@never_cache
def new_alert(request: HttpRequest) -> HttpResponse:
    community, ticket = _subject(request)
    sms_on = bool(settings.SMS_URL)
    verified = phones.verified_phone(request)
    form = AlertForm(request.POST or None, verified_phone=verified, sms_on=sms_on)
    context = {
        "form": form,
        "community": community,
        "ticket": ticket,
        "sms_on": sms_on,
        "masked": mask_phone(verified) if verified else "",
        "verify_url": f"{reverse('residents:verify_phone')}?"
        + urlencode({"next": request.get_full_path()}),
    }
    if request.method != "POST":
        return render(request, "residents/alert_new.html", context)
    attempt = count_attempt(request, group="subscribe", rate=settings.CITYMGMT_RATE_SUBSCRIBE)
    if attempt is not Attempt.ALLOWED:
        status = 429 if attempt is Attempt.LIMITED else 503
        response = render(
            request, "residents/alert_new.html", {**context, "refused": status}, status=status
        )
        if status == 503:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if not form.is_valid():
        return render(request, "residents/alert_new.html", context, status=400)
    subscription = alerts.subscribe(
        form.cleaned_data["channel"], form.target, community=community, ticket=ticket
    )
    return render(request, "residents/alert_done.html", {**context, "subscription": subscription})


@never_cache
def confirm_alert(request: HttpRequest, token: str) -> HttpResponse:
    subscription = get_object_or_404(Subscription, token=token[:40])
    if request.method == "POST":
        alerts.confirm(subscription.token)
        subscription.refresh_from_db()
    return render(request, "residents/alert_confirm.html", {"subscription": subscription})


@never_cache
def stop_alert(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        alerts.unsubscribe(token[:40])
        return render(request, "residents/alert_stop.html", {"stopped": True})
    subscription = get_object_or_404(Subscription, token=token[:40])
    return render(request, "residents/alert_stop.html", {"subscription": subscription})
