"""Outbound webhooks: systems outside the site (the city's 运管服 platform, a district's
dashboard, a BI tool) are told of changes without polling. Endpoints are kept in the admin;
each event becomes an outbox message per subscribed endpoint, signed with Standard Webhooks
headers. ``python -m webhooks.receiver`` is a reference receiver to develop against."""
