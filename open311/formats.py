"""GeoReport v2 answers in JSON or XML, errors included (``[{"code", "description"}]``)."""

import json
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse

from citymgmt.text import xml_safe

# XML names the items of a list after the list (GeoReport v2's examples).
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    # ElementTree writes any character it is given, so an illegal one makes the whole answer
    # unreadable: drop it here (JSON can carry it escaped, and keeps it).
    return xml_safe(str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        tag = ITEM_TAGS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """``data`` as JSON, or as XML under ``<root>`` (a list's items named after the root)."""
    if fmt == "xml":
        return HttpResponse(
            to_xml(root, data), status=status, content_type="text/xml; charset=utf-8"
        )
    body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def error(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    items = [{"code": status, "description": str(text)} for text in descriptions]
    return respond(fmt, "errors", items, status=status)
