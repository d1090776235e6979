"""Each role's home page: where a person lands after logging in, with the day's figures."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.models import Officer
from accounts.permissions import role_required
from accounts.roles import Role, roles_of
from accounts.scope import scope_of
from accounts.selectors import brigade_of, brigade_summaries
from cases.selectors import officer_tasks, tickets_visible_to, unit_queue, work_summary
from grids.selectors import (
    current_assignments_of,
    roster,
    supervised_communities,
    uncovered_communities,
)
from patrols.duty import is_duty_day
from patrols.selectors import patrol_board_summary, patrol_summary

# Where each role starts its day, in order of precedence for people holding several roles.
ROLE_HOMES = [
    (Role.SUPERVISOR, "web:supervisor_home"),
    (Role.ASSESSOR, "web:assessor_home"),
    (Role.HANDLER, "web:handler_home"),
    (Role.OFFICER, "web:officer_home"),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    names = roles_of(request.user)
    for role, url_name in ROLE_HOMES:
        if role.value in names:
            return redirect(url_name)
    if request.user.is_superuser:
        return redirect("admin:index")
    return redirect("grids:board_index")


@role_required(Role.OFFICER)
def officer_home(request: HttpRequest) -> HttpResponse:
    officer = Officer.objects.select_related("brigade").filter(user=request.user).first()
    if officer is None:
        raise PermissionDenied
    return render(
        request,
        "accounts/officer_home.html",
        {
            "officer": officer,
            "assignments": current_assignments_of(officer),
            "tasks": work_summary(officer_tasks(request.user).order_by()),
            **patrol_summary(officer),
        },
    )


@role_required(Role.SUPERVISOR)
def supervisor_home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    communities = supervised_communities(request.user)
    command_centre = scope_of(request.user).unit_covers_city
    context = {
        "brigade": brigade_of(request.user),
        "command_centre": command_centre,
        "today": today,
        "community_count": communities.count(),
        "uncovered": uncovered_communities(communities, today),
        "tickets": work_summary(tickets_visible_to(request.user), reopen_requests=True),
        **patrol_board_summary(request.user, today),
    }
    if command_centre:
        # The whole city does not fit in a roster: one row per brigade, counted in SQL.
        context["brigades"] = brigade_summaries()
    else:
        # The roster lists postings (an officer covering two communities has two rows); the
        # figures above it count people, once, from patrol_board_summary.
        postings = list(roster(communities, today))
        for posting in postings:
            posting.on_duty = is_duty_day(posting, today)  # holidays too, as the figures do
        context["roster"] = postings
    return render(request, "accounts/supervisor_home.html", context)


@role_required(Role.HANDLER)
def handler_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/handler_home.html",
        {"unit": request.user.unit, "tickets": work_summary(unit_queue(request.user).order_by())},
    )


@role_required(Role.ASSESSOR)
def assessor_home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/assessor_home.html")
