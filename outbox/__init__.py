"""The outbox: everything this site sends to a system outside it (SMS, residents' e-mails, the
12345 hotline's write-backs, webhooks) is first a row here, written in the same transaction as
the change it reports, then delivered by a Celery worker. See ``outbox.delivery`` for the
guarantees and ``outbox.services.enqueue`` / ``outbox.channels.register`` for how apps use it."""
