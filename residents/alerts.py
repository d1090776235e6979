"""Residents' alerts (FixMyStreet's): new public reports in a community, or the public steps of
one public report, by SMS to a verified number or by e-mail to a confirmed address.

Every message goes through the outbox (channel ``sms`` or ``email``) in the transaction of the
change it tells of, each with its unsubscribe link, and says only what the public may know of a
report (``cases.public``): its number, its kind in plain words, its community, its plain status.
Never the description, the address, a photo or anyone's name.

Kinds and payloads:

- ``alert_confirm`` (e-mail only): ``{"confirm_url", "subject"}`` (``subject``: "new reports in
  <community>" or "the progress of report <number>");
- ``alert_new_report``: ``{"number", "category", "community", "follow_url", "unsubscribe_url"}``;
- ``alert_report_update``: ``{"number", "status", "unsubscribe_url"}``.

Links are absolute when ``SITE_URL`` is set (as on printed QR codes), paths otherwise.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cases.models import Action, State, Ticket, TicketEvent
from cases.public import PUBLIC_SOURCES, SHARED_ACTIONS, public_tickets
from grids.models import Community
from outbox.services import enqueue
from residents.models import Subscription, SubscriptionChannel
from residents.tracking import PLAIN_STATUS

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def unsubscribe_url(subscription: Subscription) -> str:
    return absolute(reverse("residents:alert_stop", args=[subscription.token]))


def followable(number: str) -> Ticket | None:
    """The public report of this number that anyone may follow, or None (unknown, not filed by
    the public, or rejected: the same answer)."""
    return (
        public_tickets()
        .exclude(state=State.REJECTED)
        .select_related("community")
        .filter(number=number.strip().upper())
        .first()
    )


def _subject(community: Community | None, ticket: Ticket | None) -> str:
    """What the confirmation says was subscribed to, in the site's language: a community's new
    reports, or one report's progress."""
    with translation.override(settings.LANGUAGE_CODE):
        if community is not None:
            return _("new reports in %(community)s") % {"community": community.name}
        if ticket is not None:
            return _("the progress of report %(number)s") % {"number": ticket.number}
    return ""


@transaction.atomic
def subscribe(
    channel: str,
    target: str,
    *,
    community: Community | None = None,
    ticket: Ticket | None = None,
) -> Subscription:
    """Subscribe ``target``: an SMS number is the resident's verified one (the view's check), so
    it counts at once; an e-mail address is sent a confirmation link first. Subscribing again
    returns the same subscription (and sends a new link while unconfirmed)."""
    verified = channel == SubscriptionChannel.SMS
    lookup = {"channel": channel, "target": target, "community": community, "ticket": ticket}
    subscription = Subscription.objects.filter(**lookup).first()
    if subscription is None:
        try:
            with transaction.atomic():
                subscription = Subscription.objects.create(
                    **lookup, confirmed_at=timezone.now() if verified else None
                )
        except IntegrityError:  # the same request twice at once
            subscription = Subscription.objects.get(**lookup)
    if subscription.confirmed_at is None:
        if verified:
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["confirmed_at"])
        else:
            enqueue(
                SubscriptionChannel.EMAIL,
                target,
                "alert_confirm",
                {
                    "confirm_url": absolute(
                        reverse("residents:alert_confirm", args=[subscription.token])
                    ),
                    "subject": _subject(community, ticket),
                },
                ref=f"subscription:{subscription.pk}",
            )
    return subscription


def confirm(token: str) -> Subscription | None:
    subscription = Subscription.objects.filter(token=token).first()
    if subscription is not None and subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription


def unsubscribe(token: str) -> bool:
    deleted, _rows = Subscription.objects.filter(token=token).delete()
    return bool(deleted)


def _community_subscriptions(ticket: Ticket) -> list[Subscription]:
    if ticket.community_id is None or ticket.duplicate_of_id is not None:
        return []
    return list(
        Subscription.objects.filter(community_id=ticket.community_id, confirmed_at__isnull=False)
    )


def _ticket_subscriptions(ticket: Ticket) -> list[Subscription]:
    return list(Subscription.objects.filter(ticket_id=ticket.pk, confirmed_at__isnull=False))


def _new_report(ticket: Ticket, event: TicketEvent, subscriptions: list[Subscription]) -> int:
    category = ticket.category.public_name or ticket.category.name
    follow = absolute(f"{reverse('residents:alert_new')}?{urlencode({'number': ticket.number})}")
    community = Community.objects.only("name").get(pk=ticket.community_id).name
    for subscription in subscriptions:
        enqueue(
            subscription.channel,
            subscription.target,
            "alert_new_report",
            {
                "number": ticket.number,
                "category": category,
                "community": community,
                "follow_url": follow,
                "unsubscribe_url": unsubscribe_url(subscription),
            },
            ref=f"ticket:{ticket.pk}",
            dedupe_key=f"alert:{subscription.pk}:{event.pk}",
        )
    return len(subscriptions)


def _update(ticket: Ticket, event: TicketEvent, subscriptions: list[Subscription]) -> int:
    for subscription in subscriptions:
        enqueue(
            subscription.channel,
            subscription.target,
            "alert_report_update",
            {
                "number": ticket.number,
                # The tracking page's sentence without its full stop: the templates put the
                # status mid-sentence and in the subject.
                "status": str(PLAIN_STATUS[ticket.state]).rstrip("。."),
                "unsubscribe_url": unsubscribe_url(subscription),
            },
            ref=f"ticket:{ticket.pk}",
            dedupe_key=f"alert:{subscription.pk}:{event.pk}",
        )
    return len(subscriptions)


def on_ticket_event(event: TicketEvent) -> int:
    """``cases.hooks`` listener: the alerts an event makes. One narrow read of the subscribers;
    the messages, when there are any, under a savepoint (an alert that cannot be written never
    takes the ticket's change with it). Returns how many."""
    ticket = event.ticket
    if ticket.source not in PUBLIC_SOURCES:
        return 0
    if event.action == Action.CREATE:
        action, subscriptions = _new_report, _community_subscriptions(ticket)
    elif event.action in SHARED_ACTIONS:
        action, subscriptions = _update, _ticket_subscriptions(ticket)
    else:
        return 0
    if not subscriptions:
        return 0
    try:
        # In the site's language, whatever the language of the staff member who made the change.
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            return action(ticket, event, subscriptions)
    except Exception:
        logger.exception("Could not write the alerts of ticket event %s", event.pk)
        return 0
