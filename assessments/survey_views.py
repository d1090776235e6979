"""The survey pages: the assessors' list, new survey, per-brigade links and printable sheet, and
the public answer page that a one-time link opens (no account).

The public page's token is the respondent's only credential: it is refused before any query
when it cannot be one, never cached, kept out of search engines and out of Referer headers, and
posts are limited per IP like the residents' complaint form.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from accounts.permissions import role_required
from accounts.roles import Role
from assessments import surveys
from assessments.survey_forms import AnswerForm, IssueLinksForm, SurveyForm
from citymgmt.client_ip import ratelimit_key
from citymgmt.forms import add_service_errors
from grids.qr import public_url, qr_svg

PAGE_SIZE = 20
ANSWER_RATE = "20/10m"  # posts per IP: a street office answers a handful of links at most


def _private(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page whose URL is a credential: not cached, not indexed, not sent on as a Referer.

    ``same-origin`` rather than ``no-referrer``: with no-referrer the browser posts the form with
    ``Origin: null``, which Django's CSRF check refuses. A same-origin Referer never leaves us.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
        return response

    return never_cache(wrapped)


def _link_url(request: HttpRequest, token: str) -> str:
    return public_url(request, reverse("surveys:answer", args=[token]))


# --- assessors --------------------------------------------------------------------------------


@role_required(Role.ASSESSOR)
def survey_list(request: HttpRequest) -> HttpResponse:
    """Every survey, newest month first, with how many links were answered."""
    page = Paginator(surveys.surveys_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessments/survey_list.html", {"page": page})


@role_required(Role.ASSESSOR)
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest) -> HttpResponse:
    """A new survey sheet; the form comes back as typed with its errors."""
    if request.method != "POST":
        form = SurveyForm(initial=SurveyForm.initial_values())
        return render(request, "assessments/survey_form.html", {"form": form})
    form = SurveyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            survey = surveys.create_survey(
                month=data["month"],
                title=data["title"],
                questions=data["questions"],
                closes_at=data["closes_at"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Survey created. Now issue links for each brigade."))
            return redirect("surveys:detail", pk=survey.pk)
    return render(request, "assessments/survey_form.html", {"form": form}, status=400)


@role_required(Role.ASSESSOR)
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The survey's questions and, per brigade, links issued, answered, the mean score and each
    question's mean rating."""
    survey = surveys.survey_for(request.user, pk)
    context = {"survey": survey, "brigades": surveys.brigade_summary(survey)}
    return render(request, "assessments/survey_detail.html", context)


@role_required(Role.ASSESSOR)
@require_http_methods(["GET", "POST"])
def survey_brigade(request: HttpRequest, pk: int, brigade_pk: int) -> HttpResponse:
    """One brigade's links in a survey (status, URL, QR code) and the form issuing more."""
    survey = surveys.survey_for(request.user, pk)
    brigade = surveys.brigade_for(brigade_pk)
    choices = surveys.respondent_choices(brigade)
    status = 200
    if request.method == "POST":
        form = IssueLinksForm(request.POST, choices=choices)
        if form.is_valid():
            try:
                issued = surveys.issue_links(
                    survey=survey,
                    brigade=brigade,
                    respondents=form.respondents(),
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                count = len(issued)
                messages.success(
                    request,
                    ngettext(
                        "%(count)d new link issued; respondents who had one keep it.",
                        "%(count)d new links issued; respondents who had one keep it.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("surveys:brigade", pk=survey.pk, brigade_pk=brigade.pk)
        status = 400
    else:
        form = IssueLinksForm(choices=choices)
    links = list(surveys.links_of(survey, brigade))
    for link in links:
        link.url = _link_url(request, link.token)
        link.status_label = surveys.LinkStatus.LABELS[link.status]
        if link.status == surveys.LinkStatus.UNUSED:
            link.qr = qr_svg(link.url, scale=3)
    context = {"survey": survey, "brigade": brigade, "links": links, "form": form}
    return render(request, "assessments/survey_brigade.html", context, status=status)


@role_required(Role.ASSESSOR)
def survey_print(request: HttpRequest, pk: int, brigade_pk: int) -> HttpResponse:
    """A printable sheet of a brigade's unanswered links, each with its QR code, to hand out."""
    survey = surveys.survey_for(request.user, pk)
    brigade = surveys.brigade_for(brigade_pk)
    links = [
        link
        for link in surveys.links_of(survey, brigade)
        if link.status == surveys.LinkStatus.UNUSED
    ]
    for link in links:
        link.url = _link_url(request, link.token)
        link.qr = qr_svg(link.url, scale=3)
    context = {"survey": survey, "brigade": brigade, "links": links}
    return render(request, "assessments/survey_print.html", context)


# --- respondents (no account) -----------------------------------------------------------------


def _gone(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "assessments/survey_gone.html", {"reason": reason}, status=410)


@_private
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The respondent's sheet: the brigade rated, the questions with 1–5 choices, a comment.
    Unknown token: 404; used or expired: 410 with a plain explanation."""
    link = surveys.link_for_token(token)
    status = surveys.availability(link)
    if status != surveys.LinkStatus.UNUSED:
        return _gone(request, status)
    questions = link.survey.questions
    context: dict[str, Any] = {"link": link, "survey": link.survey}
    if request.method != "POST":
        context["form"] = AnswerForm(questions=questions)
        return render(request, "assessments/survey_answer.html", context)

    form = AnswerForm(request.POST, questions=questions)
    context["form"] = form
    if is_ratelimited(
        request,
        group="survey-answer",
        key=ratelimit_key,
        rate=ANSWER_RATE,
        method="POST",
        increment=True,
    ):
        context["limited"] = True
        return render(request, "assessments/survey_answer.html", context, status=429)
    if form.is_valid():
        try:
            surveys.answer(
                token=token, ratings=form.ratings(), comment=form.cleaned_data["comment"]
            )
        except surveys.LinkUnavailable as refused:
            return _gone(request, refused.reason)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("surveys:thanks")
    return render(request, "assessments/survey_answer.html", context, status=400)


@_private
def thanks(request: HttpRequest) -> HttpResponse:
    """The same thank-you for everyone: it names no link."""
    return render(request, "assessments/survey_thanks.html")
