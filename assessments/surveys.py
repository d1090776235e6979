"""The survey sheets (调查表): writes and reads.

Streets, communities and shops rate a brigade on a few questions (1–5 each) through one-time
links that need no account. Assessors create a survey for a month and issue the links; a
respondent answers once, before the link expires. The month's brigade scores are the mean of the
responses' scores (``brigade_survey_scores``), the same figure the engine folds into a brigade's
composite.

Who may call what: ``create_survey`` and ``issue_links`` are for assessors; ``answer`` is public
(the token is the credential); the selectors take the user and return only what they may see.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Unit, UnitKind, User
from assessments.models import RespondentKind, Survey, SurveyLink, SurveyResponse
from assessments.permissions import can_run_assessments
from citymgmt.months import month_start
from citymgmt.text import no_control_characters
from grids.models import Community, Street
from shops.models import Merchant

MAX_QUESTIONS = 10
QUESTION_MAX_LENGTH = 200
COMMENT_MAX_LENGTH = 1000
# What new_survey_token() makes (22 characters) with room to spare: anything else is no link,
# refused before a query (PostgreSQL rejects NUL in text, and a megabyte of token is no token).
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,43}")

TWO_PLACES = Decimal("0.01")


class LinkStatus:
    UNUSED = "unused"
    ANSWERED = "answered"
    EXPIRED = "expired"

    LABELS = {
        UNUSED: gettext_lazy("Not answered yet"),
        ANSWERED: gettext_lazy("Answered"),
        EXPIRED: gettext_lazy("Expired"),
    }


class LinkUnavailable(Exception):
    """The link exists but can no longer be answered: used, expired, or its survey closed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # LinkStatus.ANSWERED or LinkStatus.EXPIRED


@dataclass(frozen=True)
class Respondent:
    """Who will answer one link: a street office, a community or a shop of the brigade's area.

    A street office may be named by hand (``name`` only); the others come with their record.
    """

    kind: str
    name: str = ""
    street: Street | None = None
    community: Community | None = None
    merchant: Merchant | None = None

    def key(self) -> tuple[str, Any]:
        """What makes two respondents the same person for one survey and brigade."""
        if self.merchant is not None:
            return (RespondentKind.SHOP, self.merchant.pk)
        if self.community is not None:
            return (RespondentKind.COMMUNITY, self.community.pk)
        if self.street is not None:
            return (RespondentKind.STREET, self.street.pk)
        return (self.kind, f"name:{self.name}")


def _require_assessor(actor: User) -> None:
    if not can_run_assessments(actor):
        raise PermissionDenied(_("Only assessors run surveys."))


def _clean_questions(questions: list[str]) -> list[str]:
    cleaned = [str(q).strip() for q in questions if str(q).strip()]
    if not 1 <= len(cleaned) <= MAX_QUESTIONS:
        raise ValidationError(
            {"questions": _("Ask between 1 and %(max)d questions.") % {"max": MAX_QUESTIONS}}
        )
    for question in cleaned:
        no_control_characters(question)
        if len(question) > QUESTION_MAX_LENGTH:
            raise ValidationError(
                {
                    "questions": _("A question is at most %(max)d characters long.")
                    % {"max": QUESTION_MAX_LENGTH}
                }
            )
    return cleaned


# --- writes -----------------------------------------------------------------------------------


@transaction.atomic
def create_survey(
    *,
    month: datetime.date,
    title: str,
    questions: list[str],
    closes_at: datetime.datetime,
    actor: User,
) -> Survey:
    """Create the survey sheet of ``month`` (an ended or the current month), open until
    ``closes_at`` (in the future), asking 1–10 questions. Assessors only."""
    _require_assessor(actor)
    month = month_start(month)
    errors: dict[str, str] = {}
    if month > month_start(timezone.localdate()):
        errors["month"] = _("A survey rates a month that has ended, or the current one.")
    if closes_at <= timezone.now():
        errors["closes_at"] = _("The closing time must be in the future.")
    title = title.strip()
    if not title:
        errors["title"] = _("Give the survey a title.")
    try:
        questions = _clean_questions(questions)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return Survey.objects.create(
        month=month, title=title, questions=questions, closes_at=closes_at, created_by=actor
    )


def _check_area(brigade: Unit, respondent: Respondent) -> None:
    """A respondent lies in the brigade's area: a community it covers, a street with one of
    them, a shop of one of them."""
    if respondent.merchant is not None:
        ok = respondent.merchant.brigade_id == brigade.pk
    elif respondent.community is not None:
        ok = respondent.community.brigade_id == brigade.pk
    elif respondent.street is not None:
        ok = Community.objects.filter(street=respondent.street, brigade=brigade).exists()
    else:
        ok = respondent.kind == RespondentKind.STREET and bool(respondent.name.strip())
    if not ok:
        name = _respondent_fields(respondent)["respondent_name"] or "?"
        raise ValidationError(_("%(name)s is not in this brigade's area.") % {"name": name})


def _respondent_fields(respondent: Respondent) -> dict[str, Any]:
    if respondent.merchant is not None:
        kind, name = RespondentKind.SHOP, respondent.merchant.name
    elif respondent.community is not None:
        kind, name = RespondentKind.COMMUNITY, respondent.community.name
    elif respondent.street is not None:
        kind, name = RespondentKind.STREET, respondent.street.name
    else:
        kind, name = RespondentKind.STREET, respondent.name.strip()
    return {
        "respondent_kind": kind,
        "respondent_name": name[:120],
        "street": respondent.street,
        "community": respondent.community,
        "merchant": respondent.merchant,
    }


def _existing_keys(survey: Survey, brigade: Unit) -> set[tuple[str, Any]]:
    keys = set()
    rows = SurveyLink.objects.filter(survey=survey, brigade=brigade).values_list(
        "respondent_kind", "respondent_name", "street_id", "community_id", "merchant_id"
    )
    for kind, name, street_id, community_id, merchant_id in rows:
        if merchant_id:
            keys.add((RespondentKind.SHOP, merchant_id))
        elif community_id:
            keys.add((RespondentKind.COMMUNITY, community_id))
        elif street_id:
            keys.add((RespondentKind.STREET, street_id))
        else:
            keys.add((kind, f"name:{name}"))
    return keys


@transaction.atomic
def issue_links(
    *, survey: Survey, brigade: Unit, respondents: list[Respondent], actor: User
) -> list[SurveyLink]:
    """Issue one link per respondent to rate ``brigade`` in ``survey``; the links expire when
    the survey closes. A respondent who already has a link keeps it (nothing is duplicated).
    Returns the new links, each recording who issued it. Assessors only; the survey must still
    be open."""
    _require_assessor(actor)
    # Serialises issuing for the survey, so two clicks cannot both add the same respondent.
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.closes_at <= timezone.now():
        raise ValidationError(_("This survey has closed; no more links can be issued."))
    if brigade.kind != UnitKind.BRIGADE:
        raise ValidationError(_("Only a brigade can be rated."))
    if not respondents:
        raise ValidationError(_("Choose at least one respondent."))
    seen = _existing_keys(survey, brigade)
    new_links = []
    for respondent in respondents:
        _check_area(brigade, respondent)
        key = respondent.key()
        if key in seen:
            continue
        seen.add(key)
        new_links.append(
            SurveyLink(
                survey=survey,
                brigade=brigade,
                expires_at=survey.closes_at,
                issued_by=actor,
                **_respondent_fields(respondent),
            )
        )
    return SurveyLink.objects.bulk_create(new_links)


def is_token(token: str) -> bool:
    return bool(TOKEN_PATTERN.fullmatch(token or ""))


def link_for_token(token: str) -> SurveyLink:
    """The link a token names, with its survey and brigade; 404 for anything else."""
    if not is_token(token):
        raise Http404
    return get_object_or_404(SurveyLink.objects.select_related("survey", "brigade"), token=token)


def availability(link: SurveyLink, now: datetime.datetime | None = None) -> str:
    """Whether a link can still be answered (LinkStatus)."""
    now = now or timezone.now()
    if link.used_at is not None:
        return LinkStatus.ANSWERED
    if link.expires_at <= now or link.survey.closes_at <= now:
        return LinkStatus.EXPIRED
    return LinkStatus.UNUSED


def _clean_ratings(ratings: list[Any], count: int) -> list[int]:
    if not isinstance(ratings, list | tuple) or len(ratings) != count:
        message = ngettext(
            "Give %(count)d rating, one per question.",
            "Give %(count)d ratings, one per question.",
            count,
        )
        raise ValidationError({"ratings": message % {"count": count}})
    cleaned = []
    for rating in ratings:
        try:
            value = int(str(rating).strip())
        except ValueError:
            value = 0
        if not 1 <= value <= 5:
            raise ValidationError({"ratings": _("Each rating is a whole number from 1 to 5.")})
        cleaned.append(value)
    return cleaned


@transaction.atomic
def answer(*, token: str, ratings: list[Any], comment: str = "") -> SurveyResponse:
    """Store a respondent's answers through their link, once. Public: no account, the token is
    the credential. Refuses (``LinkUnavailable``) a link already used, expired, or whose survey
    closed; refuses (ValidationError) anything but one rating 1–5 per question. Marks the link
    used in the same transaction, so of two submissions exactly one is stored."""
    if not is_token(token):
        raise Http404
    link = get_object_or_404(
        SurveyLink.objects.select_for_update().select_related("survey"), token=token
    )
    status = availability(link)
    if status != LinkStatus.UNUSED:
        raise LinkUnavailable(status)
    values = _clean_ratings(ratings, len(link.survey.questions))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": _("At most %(max)d characters.") % {"max": COMMENT_MAX_LENGTH}}
        )
    no_control_characters(comment)
    score = (Decimal(sum(values)) * 20 / len(values)).quantize(TWO_PLACES, ROUND_HALF_UP)
    now = timezone.now()
    response = SurveyResponse.objects.create(
        link=link, answers=values, score=score, comment=comment, submitted_at=now
    )
    link.used_at = now
    link.save(update_fields=["used_at"])
    return response


# --- reads ------------------------------------------------------------------------------------


def brigade_survey_totals(month: datetime.date) -> dict[int, tuple[Decimal, int]]:
    """Each brigade's survey answers for ``month``: (sum of the responses' scores, number of
    responses) over the links rating it in the surveys of that month. One query; the one
    definition the engine and the pages share."""
    rows = (
        SurveyResponse.objects.filter(link__survey__month=month_start(month))
        .order_by()
        .values("link__brigade_id")
        .annotate(total=Sum("score"), answers=Count("pk"))
        .values_list("link__brigade_id", "total", "answers")
    )
    return {brigade_id: (Decimal(total), answers) for brigade_id, total, answers in rows}


def brigade_survey_scores(month: datetime.date) -> dict[int, Decimal]:
    """Each brigade's survey score for ``month`` (0–100, 2 places): the mean score of its
    responses (``brigade_survey_totals``)."""
    return {
        brigade_id: (total / answers).quantize(TWO_PLACES, ROUND_HALF_UP)
        for brigade_id, (total, answers) in brigade_survey_totals(month).items()
    }


def surveys_for(user: User) -> QuerySet[Survey]:
    """The surveys a user may see (assessors: all), with link and answer counts."""
    if not can_run_assessments(user):
        return Survey.objects.none()
    return Survey.objects.annotate(
        link_count=Count("links"),
        answered_count=Count("links", filter=Q(links__used_at__isnull=False)),
    ).order_by("-month", "-created_at", "-pk")


def survey_for(user: User, pk: int) -> Survey:
    """One survey the user may see, or 404."""
    return get_object_or_404(surveys_for(user), pk=pk)


def brigade_for(pk: int) -> Unit:
    return get_object_or_404(Unit, pk=pk, kind=UnitKind.BRIGADE)


def brigade_summary(survey: Survey) -> list[Unit]:
    """Every brigade with, for this survey, its links, answers, mean score and each question's
    mean rating (``question_means``): one query, aggregated in SQL."""
    here = Q(survey_links__survey=survey)
    answered = here & Q(survey_links__response__isnull=False)
    per_question = {
        f"q{i}": Avg(
            Cast(KeyTextTransform(i, "survey_links__response__answers"), FloatField()),
            filter=answered,
        )
        for i in range(len(survey.questions))
    }
    brigades = list(
        Unit.objects.filter(kind=UnitKind.BRIGADE)
        .annotate(
            link_count=Count("survey_links", filter=here),
            answered_count=Count("survey_links__response", filter=answered),
            mean_score=Avg("survey_links__response__score", filter=answered),
            **per_question,
        )
        .order_by("code")
    )
    for brigade in brigades:
        brigade.question_means = [
            (question, getattr(brigade, f"q{i}")) for i, question in enumerate(survey.questions)
        ]
    return brigades


def links_of(survey: Survey, brigade: Unit) -> QuerySet[SurveyLink]:
    """The links rating ``brigade`` in ``survey``, each with its ``status`` (LinkStatus) and its
    response's score."""
    now = timezone.now()
    return (
        SurveyLink.objects.filter(survey=survey, brigade=brigade)
        .select_related("issued_by")
        .annotate(
            status=Case(
                When(used_at__isnull=False, then=Value(LinkStatus.ANSWERED)),
                When(
                    Q(expires_at__lte=now) | Q(survey__closes_at__lte=now),
                    then=Value(LinkStatus.EXPIRED),
                ),
                default=Value(LinkStatus.UNUSED),
                output_field=CharField(),
            ),
            score=F("response__score"),
        )
        .order_by("respondent_kind", "respondent_name", "pk")
    )


def respondent_choices(brigade: Unit) -> dict[str, QuerySet]:
    """What a brigade's links can be issued to: its streets, communities and open shops."""
    return {
        "streets": Street.objects.filter(communities__brigade=brigade).distinct().order_by("code"),
        "communities": Community.objects.filter(brigade=brigade).order_by("code"),
        "merchants": Merchant.objects.filter(brigade=brigade, is_active=True)
        .select_related("community")
        .order_by("community__code", "name"),
    }
