from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cases.categories import invalidate_choices
from cases.models import Category


@receiver([post_save, post_delete], sender=Category, dispatch_uid="cases_invalidate_choices")
def category_changed(**kwargs: object) -> None:
    # Now, so this transaction sees its own change; and again at commit, because another process
    # may have cached the old rows under the new version in between.
    invalidate_choices()
    transaction.on_commit(invalidate_choices)
