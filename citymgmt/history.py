"""The admin's edit history (django-simple-history) of the records assessments are argued over:
category deadlines, postings, unit grids and units."""

from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_m2m_field_name

# The history page's "Changes" column heading has no Chinese in simple-history's catalogue; this
# puts the msgid in ours, which Django reads first.
gettext_noop("Changes")


def record_baseline(obj: models.Model) -> None:
    """Write the stored row as a first history record if it has none yet.

    The category tree (a data migration), the demo city and the archive import create rows with
    bulk_create, which writes no history; without a baseline the first admin edit of such a row
    would show no "old → new" on the history page.
    """
    model = type(obj)
    manager = getattr(model, model._meta.simple_history_manager_attribute)
    if manager.filter(**{model._meta.pk.attname: obj.pk}).exists():
        return
    stored = model._default_manager.get(pk=obj.pk)
    (baseline,) = manager.bulk_history_create(
        [stored], default_change_reason=str(_("As stored before its first recorded edit"))
    )
    # bulk_history_create credits the request's user; nobody we know wrote the stored row.
    manager.filter(pk=baseline.pk).update(history_user=None)
    for field in baseline._history_m2m_fields:
        through = getattr(stored, field.name).through
        rows = through._default_manager.filter(**{get_m2m_field_name(field): stored})
        history_model = getattr(baseline, field.name).model
        history_model._default_manager.bulk_create(
            history_model(
                history=baseline,
                **{f.attname: getattr(row, f.attname) for f in through._meta.concrete_fields},
            )
            for row in rows
        )


class HistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose first edit of a row without history records a baseline first."""

    def save_model(
        self, request: HttpRequest, obj: models.Model, form: ModelForm, change: bool
    ) -> None:
        if change:
            with transaction.atomic():
                record_baseline(obj)
                super().save_model(request, obj, form, change)
        else:
            super().save_model(request, obj, form, change)
