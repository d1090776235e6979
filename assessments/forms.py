"""The assessors' publish button on a month's page (running a month asks nothing: the month is
the URL's), and the ranking's brigade filter."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, UnitKind
from assessments.models import Run, RunStatus, Score
from citymgmt.forms import style_widgets


class PublishRunForm(forms.Form):
    run = forms.ModelChoiceField(
        queryset=Run.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This run cannot be published.")},
    )

    def __init__(self, *args, month, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the month's finished, unpublished run: a stale or forged id is a form error.
        self.fields["run"].queryset = Run.objects.filter(
            month=month, published=False, status=RunStatus.DONE
        )


class OfficerScoreFilter(django_filters.FilterSet):
    """Officer rows by brigade (``Score.brigade``, indexed with the run and kind)."""

    brigade = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.none(), label=_("Brigade"), empty_label=_("All brigades")
    )

    class Meta:
        model = Score
        fields = ["brigade"]

    def __init__(self, *args, brigades: QuerySet[Unit] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["brigade"].queryset = (
            brigades
            if brigades is not None
            else Unit.objects.filter(kind=UnitKind.BRIGADE).order_by("code")
        )
        style_widgets(self.form)
