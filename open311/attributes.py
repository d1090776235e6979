"""The extra questions (GeoReport v2 service ``attributes``) a category asks of a client.

Two, derived from the category itself so nobody keeps a second list: categories with an urgent
deadline ask whether the problem is dangerous now (a yes makes the ticket urgent), and
enforceable ones (street trading, shop-front business) ask for the shop's name.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import Category


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string | number | datetime | text | singlevaluelist | multivaluelist
    description: Any
    datatype_description: Any = ""
    required: bool = False
    values: tuple[tuple[str, Any], ...] = field(default=())

    def clean(self, value: str) -> str:
        """The answer as stored; ValidationError for one the question does not allow."""
        value = value.strip()
        if self.values and value not in {key for key, _name in self.values}:
            raise ValidationError(
                _("attribute[%(code)s] must be one of: %(keys)s.")
                % {"code": self.code, "keys": ", ".join(key for key, _name in self.values)}
            )
        if len(value) > 100 or "\x00" in value:
            raise ValidationError(
                _("attribute[%(code)s] must be at most 100 characters.") % {"code": self.code}
            )
        return value

    def as_open311(self, order: int) -> dict[str, Any]:
        return {
            "variable": True,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": str(self.datatype_description),
            "order": order,
            "description": str(self.description),
            "values": [{"key": key, "name": str(name)} for key, name in self.values],
        }


URGENT = Attribute(
    "urgent",
    "singlevaluelist",
    _("Is it dangerous or blocking the way right now?"),
    _("Answer yes to have it handled as urgent."),
    values=(("yes", _("Yes")), ("no", _("No"))),
)
SHOP_NAME = Attribute(
    "shop_name",
    "string",
    _("Name of the shop or stall, if any"),
    _("As on its sign."),
)


def attributes_for(category: Category) -> list[Attribute]:
    attributes = []
    if category.urgent_hours:
        attributes.append(URGENT)
    if category.enforceable:
        attributes.append(SHOP_NAME)
    return attributes
