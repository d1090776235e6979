"""How a reporter's name and phone look to someone who may not call them back.

The one place that masks: the templates (``privacy_tags``), the API (``cases.contact_fields``) and
``Ticket.masked_phone`` all call these, so 刘** and 138****5678 look the same everywhere.
"""


def mask_phone(phone: str) -> str:
    """138****5678: enough for the reporter to recognise, not enough to call. Shorter numbers
    (a local landline from Open311) keep at most half their characters: ****1234."""
    n = len(phone)
    if n >= 11:
        return f"{phone[:3]}{'*' * (n - 7)}{phone[-4:]}"
    if n >= 8:
        return "*" * (n - 4) + phone[-4:]
    if n >= 5:
        return "*" * (n - 2) + phone[-2:]
    return "*" * n


def mask_name(name: str) -> str:
    """刘** for 刘女士: the family name (the first character) and one star for each other one,
    so a colleague can say "Ms Liu's report" without learning who she is."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)
