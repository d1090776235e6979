"""Where the features above ``grids`` add a section to a community's notice board, without
``grids`` importing them (as ``cases.hooks`` does for the ticket page).

A feature registers a ``Section`` from its ``AppConfig.ready()``; the board draws each section's
template with what its ``context(request, community)`` returns, in the order registered, and
loads the section's scripts (static paths) after its own (``residents``: the community's month).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from grids.models import Community


@dataclass(frozen=True)
class Section:
    """A section of the notice board: ``context`` returns what ``template`` draws, or None when
    it has nothing to show for this community."""

    name: str
    template: str
    context: Callable[["HttpRequest", "Community"], dict[str, Any] | None]
    scripts: tuple[str, ...] = ()


sections: list[Section] = []


def add_section(section: Section) -> Section:
    """Register ``section`` on the board, after those registered before it (one of the same name
    is replaced, so a second ``ready()`` does not draw it twice)."""
    for index, registered in enumerate(sections):
        if registered.name == section.name:
            sections[index] = section
            return section
    sections.append(section)
    return section


def board_sections(request: "HttpRequest", community: "Community") -> list[dict[str, Any]]:
    """The sections shown on this community's board: ``{"section", "context"}`` each."""
    shown = []
    for section in sections:
        context = section.context(request, community)
        if context is not None:
            shown.append({"section": section, "context": context})
    return shown


def section_scripts(shown: list[dict[str, Any]]) -> list[str]:
    """The static paths the shown sections need, each once, in order."""
    paths: list[str] = []
    for entry in shown:
        paths.extend(path for path in entry["section"].scripts if path not in paths)
    return paths
