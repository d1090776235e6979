from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from grids import locator
from grids.models import GridCell


@receiver([post_save, post_delete], sender=GridCell, dispatch_uid="grids_invalidate_locator")
def invalidate_locator(**kwargs: object) -> None:
    locator.invalidate()
