"""The API schema's words: descriptions for the operations and components that their views and
serializers leave without one, in English throughout (a drf-spectacular postprocessing hook).

Docstrings written for the code's readers name modules and functions; those are replaced here by
what an integrator needs, and the rest of the text has its docstring line breaks folded.
"""

import re
from typing import Any

OPERATIONS = {
    ("get", "/api/v1/me/"): "The signed-in user: name, unit and roles, as the web pages see them.",
    ("get", "/api/v1/districts/"): "The city's districts, in code order.",
    ("get", "/api/v1/streets/"): "Streets (街道), in code order; filter by district.",
    ("get", "/api/v1/communities/"): (
        "Communities (社区) with the brigade that covers each, in code order; filter by street."
    ),
    ("get", "/api/v1/notifications/"): (
        "The signed-in user's notifications, newest first; unread ones have no `read_at`."
    ),
    ("post", "/api/v1/notifications/read/"): (
        "Marks the given notifications read (or every unread one when `ids` is left out) and "
        "answers how many changed. Ids that are not the user's are ignored."
    ),
    ("get", "/api/v1/tickets/{number}/"): (
        "One ticket the user may see, with the steps the user may take on it now (`actions`). "
        "A ticket out of the user's scope is a 404, as one that does not exist."
    ),
    ("get", "/api/v1/tickets/{number}/events/"): (
        "Every step taken on the ticket, oldest first: who, when, from which state to which, "
        "and the notes and photos of the step."
    ),
    ("get", "/api/v1/photos/{photo_id}/"): (
        "The image of one photo of a ticket the user may see; `size=thumb` for the thumbnail."
    ),
    ("get", "/api/v1/patrols/{session_id}/"): (
        "One patrol the user may see, with its points in time order and its track as a GeoJSON "
        "LineString (none until it has two points)."
    ),
    ("get", "/api/v1/logs/{log_id}/"): (
        "One daily work log the user may see, with its audit trail (submitted, returned, "
        "approved, by whom and when)."
    ),
    ("post", "/api/v1/logs/save/"): (
        "The officer saves the day's text without submitting it: only while the log may still "
        "be edited (not yet submitted, or returned for changes) and, unless it was returned, "
        "only for a day still within the grace period for late logs."
    ),
}

COMPONENTS = {
    "Me": "The signed-in user.",
    "District": "A district (区) of the city.",
    "Street": "A street (街道) of a district.",
    "Community": "A community (社区) of a street, and the brigade that covers it.",
    "PlaceBrief": "A community, briefly.",
    "GridProperties": "A unit grid's code and community (a GeoJSON feature's properties).",
    "Officer": "An enforcement officer and their brigade.",
    "OfficerBrief": "An officer, briefly: id, badge number and name.",
    "UnitBrief": "A unit (brigade or responsible department), briefly.",
    "Assignment": "A posting: an officer's community, grids, duties and hours, and its dates.",
    "Category": "A category of problem: a major (大类) or a minor (小类) one with its deadline.",
    "CategoryBrief": "A ticket's category, briefly.",
    "Ticket": (
        "A ticket as listed. The reporter's name and phone are shown in full to those who may "
        "call the reporter back; anyone else gets them masked (刘**, 138****5678)."
    ),
    "Event": "One step taken on a ticket (the audit trail): who, when, from and to which state.",
    "Photo": "A photo of a ticket: before or after, its size, and the step it came with.",
    "Notification": "A notification to the signed-in user, with the ticket it is about.",
    "MarkReadResult": "How many notifications were marked read.",
    "PatrolSession": "A patrol: who, when, how far, and which grids it crossed.",
    "Point": "A recorded position of a patrol.",
    "TrackProperties": "A patrol track's properties (a GeoJSON feature's properties).",
    "LogEvent": "A step in a daily log's life: submitted, returned or approved, by whom.",
    "OutreachToday": "Today's counts of the officer's service visits and publicity events.",
    "AssessmentRun": "A monthly assessment run: its month, status and when it was published.",
    "AssessmentScore": "One subject's score in an assessment run, with its indicators and rank.",
    "AssessmentIndicator": "One indicator of a score: its value and the points it earned.",
    "PointRequestRequest": (
        "A position from the phone: WGS84 degrees, accuracy in metres, the fix's time in "
        "milliseconds since the epoch."
    ),
    "EndRequestRequest": "Ending a patrol, with an optional note.",
    "LogSubmitRequestRequest": "The day's log text: the summary is needed to submit.",
    "OutreachRequestRequest": "One tap: a service visit or a publicity event, where and when.",
    "MarkReadRequestRequest": "Which notifications to mark read; none given means all unread.",
    "TicketCreateRequestRequest": "A ticket to file: category, description, and a place.",
    "ErrorItem": "One error: a code, a message for people, and the field it is about.",
}

_PATTERNS = [
    (re.compile(r"^Paginated(\w+)List$"), "A page of {0} rows; follow `next` for the next page."),
    (re.compile(r"^(\w+)StepRequestRequest$"), "The input of the {0} step."),
    (re.compile(r"^Error(\d{3})$"), "One error of a {0} answer."),
    (re.compile(r"^ErrorResponse(\d{3})$"), "The body of a {0} answer."),
]


def _words(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def _fold(text: str) -> str:
    """A docstring's line breaks and indentation folded into single spaces."""
    return re.sub(r"\s*\n\s*", " ", text).strip()


def describe(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook: fill in the descriptions (see the module's)."""
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            text = OPERATIONS.get((method, path)) or operation.get("description", "")
            if text:
                operation["description"] = _fold(text)
    for name, component in result.get("components", {}).get("schemas", {}).items():
        text = COMPONENTS.get(name) or component.get("description", "")
        if not text:
            for pattern, template in _PATTERNS:
                if match := pattern.match(name):
                    text = template.format(_words(match.group(1)))
                    break
        if text:
            component["description"] = _fold(text)
    return result
