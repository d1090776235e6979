"""Forms of the survey pages: the assessor's new survey and links, the respondent's answers."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.scheme import default_questions
from assessments.surveys import COMMENT_MAX_LENGTH, MAX_QUESTIONS, Respondent
from cases.forms import StyledForm
from citymgmt.months import month_start, parse_month, previous_month
from citymgmt.text import no_control_characters

RATING_CHOICES = [
    (5, _("5 · very good")),
    (4, _("4 · good")),
    (3, _("3 · fair")),
    (2, _("2 · poor")),
    (1, _("1 · very poor")),
]


class SurveyForm(StyledForm):
    """A new survey sheet: the month it rates, a title, the questions (one a line), closing."""

    month = forms.CharField(
        label=_("Month rated"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("A month that has ended, or the current one (YYYY-MM)."),
    )
    title = forms.CharField(label=_("Title"), max_length=120, validators=[no_control_characters])
    questions = forms.CharField(
        label=_("Questions"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One question a line, at most 10; each is rated from 1 to 5."),
        max_length=3000,
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("The links stop working then."),
    )

    @classmethod
    def initial_values(cls) -> dict:
        last = previous_month(timezone.localdate())
        closes = timezone.localtime() + datetime.timedelta(days=14)
        return {
            "month": f"{last:%Y-%m}",
            "title": _("Satisfaction with the brigade's community work, %(month)s")
            % {"month": f"{last:%Y-%m}"},
            "questions": "\n".join(default_questions()),
            "closes_at": closes.replace(hour=18, minute=0, second=0, microsecond=0),
        }

    def clean_month(self) -> datetime.date:
        month = parse_month(self.cleaned_data["month"].strip())
        if month is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        return month_start(month)

    def clean_questions(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["questions"].splitlines()]
        lines = [line for line in lines if line]
        if not 1 <= len(lines) <= MAX_QUESTIONS:
            raise forms.ValidationError(
                _("Ask between 1 and %(max)d questions.") % {"max": MAX_QUESTIONS}
            )
        for line in lines:
            no_control_characters(line)
        return lines


class IssueLinksForm(forms.Form):
    """Whom to send links rating one brigade: its streets, communities and shops (ticked), and
    optionally a street office named by hand."""

    streets = forms.ModelMultipleChoiceField(
        label=_("Street offices"), queryset=None, required=False
    )
    communities = forms.ModelMultipleChoiceField(
        label=_("Community offices"), queryset=None, required=False
    )
    merchants = forms.ModelMultipleChoiceField(
        label=_("Shops in the area"), queryset=None, required=False
    )
    other_name = forms.CharField(
        label=_("Another street office (name)"),
        max_length=120,
        required=False,
        validators=[no_control_characters],
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, choices: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("streets", "communities", "merchants"):
            # the widget first: setting the queryset hands the choices to the widget in place
            self.fields[name].widget = forms.CheckboxSelectMultiple(
                attrs={"class": "form-check-input"}
            )
            self.fields[name].queryset = choices[name]

    def clean(self) -> dict:
        data = super().clean()
        if not (
            data.get("streets")
            or data.get("communities")
            or data.get("merchants")
            or data.get("other_name", "").strip()
        ):
            raise forms.ValidationError(_("Choose at least one respondent."))
        return data

    def respondents(self) -> list[Respondent]:
        data = self.cleaned_data
        chosen = [Respondent(kind="street", street=s) for s in data["streets"]]
        chosen += [Respondent(kind="community", community=c) for c in data["communities"]]
        chosen += [Respondent(kind="shop", merchant=m) for m in data["merchants"]]
        if data["other_name"].strip():
            chosen.append(Respondent(kind="street", name=data["other_name"].strip()))
        return chosen


class AnswerForm(StyledForm):
    """One rating (1–5) per question of the survey, and a comment if they wish."""

    comment = forms.CharField(
        label=_("Anything else you want to tell us (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[no_control_characters],
    )

    def __init__(self, *args, questions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        rated = {
            f"q{i}": forms.TypedChoiceField(
                label=question,
                choices=RATING_CHOICES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                error_messages={"required": _("Choose a rating for this question.")},
            )
            for i, question in enumerate(questions)
        }
        # the questions first, the comment last
        self.fields = {**rated, "comment": self.fields["comment"]}
        self.question_count = len(questions)

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q{i}"] for i in range(self.question_count)]

    def ratings(self) -> list[int]:
        return [self.cleaned_data[f"q{i}"] for i in range(self.question_count)]
