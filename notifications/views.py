"""The inbox behind the bell, and each person's e-mail settings."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from cases.selectors import tickets_visible_to
from citymgmt.text import as_id
from notifications import forms, selectors, services


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "cases/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    # Anything but an id (``as_id``) is simply not one of the user's ids.
    posted = request.POST.getlist("id")
    ids = [i for i in map(as_id, posted) if i is not None]
    if not posted:
        ids = None  # "mark all read"
    services.mark_notifications_read(user=request.user, ids=ids)
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification to its ticket (or its page), marking it read."""
    note = get_object_or_404(selectors.inbox(request.user), pk=pk)
    services.mark_notifications_read(user=request.user, ids=[note.pk])
    if note.ticket_id and tickets_visible_to(request.user).filter(pk=note.ticket_id):
        return redirect(note.ticket)
    if note.link.startswith("/") and not note.link.startswith("//"):
        return redirect(note.link)
    return redirect("notifications:inbox")


@role_required(Role.OFFICER, Role.HANDLER, Role.SUPERVISOR, Role.ASSESSOR)
def notification_settings(request: HttpRequest) -> HttpResponse:
    """The user's own e-mail address and e-mail preference (no id in the URL: only one's own)."""
    form = forms.NotificationSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_notification_settings(
            user=request.user,
            email=form.cleaned_data["email"],
            email_notifications=form.cleaned_data["email_notifications"],
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:notification_settings")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "cases/notification_settings.html",
        {"form": form, "email_enabled": settings.EMAIL_ENABLED},
        status=status,
    )
