"""Reporters' contact details in templates, masked as ``cases.contacts`` decides:
``{{ ticket|contact_name:user }}``, ``{{ ticket|contact_phone:user }}``; and plain masking for
lists that show everyone the masked form: ``{{ phone|masked_phone }}``, ``{{ name|masked_name }}``.
"""

from typing import Any

from django import template

from cases.contacts import reporter_name_for, reporter_phone_for
from citymgmt import masking

register = template.Library()


@register.filter
def contact_name(ticket: Any, user: Any) -> str:
    return reporter_name_for(user, ticket)


@register.filter
def contact_phone(ticket: Any, user: Any) -> str:
    return reporter_phone_for(user, ticket)


@register.filter
def masked_name(name: str) -> str:
    return masking.mask_name(name or "")


@register.filter
def masked_phone(phone: str) -> str:
    return masking.mask_phone(phone or "")
