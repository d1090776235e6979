"""The outbox's ``email`` channel (registered unless another app registered one first): a
message to a resident's address, through Django's mail backend (``EMAIL_URL``).

A message's payload either carries its own ``subject`` and ``body``, or fills the
:class:`~messaging.models.MessageTemplate` of its kind, as an SMS does."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from messaging import updates
from messaging.models import MessageTemplate
from outbox import channels
from outbox.delivery import message_id
from outbox.models import Message


def compose(message: Message) -> tuple[str, str]:
    """Subject and body of ``message``, in the site's language."""
    payload = message.payload
    if payload.get("subject") and payload.get("body"):
        return str(payload["subject"]), str(payload["body"])
    template = MessageTemplate.objects.filter(kind=message.kind).first()
    if template is None:
        raise channels.Permanent(f"no message template for kind {message.kind!r}")
    with translation.override(settings.LANGUAGE_CODE):
        subject = template.email_subject or _("News of your report")
        lines = [template.render(payload)]
        if message.kind in updates.UpdateKind.ALL:
            lines += ["", _("You can stop these messages from your report's tracking page.")]
    # The subject may carry placeholders too ({number}).
    subject = MessageTemplate(text=str(subject)).render(payload)
    return settings.EMAIL_SUBJECT_PREFIX + subject, "\n".join(lines)


def send_message(message: Message) -> str:
    """The outbox's sender for the ``email`` channel."""
    if not settings.EMAIL_ENABLED:
        raise channels.Skip("e-mail is off (EMAIL_URL is not set)")
    if updates.stopped(message):
        raise channels.Skip("the resident stopped the updates")
    if not message.target:
        raise channels.Skip("no address: the contact details were erased")
    subject, body = compose(message)
    mail = EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [message.target],
        headers={"X-Citymgmt-Message-Id": message_id(message)},
    )
    mail.send()
    return "sent"
