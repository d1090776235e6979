"""Messages to residents: SMS as a channel of the outbox (console, file, Alibaba Cloud, Tencent
Cloud), e-mail likewise, the providers' templates per message kind, the per-number daily cap,
and the updates a reporter receives as their ticket moves (``messaging.updates``)."""
