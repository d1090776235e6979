"""Roles are Django groups; this module names them and what each may do.

The permissions here gate pages and admin screens; *which* objects a person may see is decided
by selectors from their unit and assignments, never by the group alone.
"""

from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS, models


class Role(models.TextChoices):
    RESIDENT = "resident", "resident"
    OFFICER = "officer", "officer"
    HANDLER = "handler", "department handler"
    SUPERVISOR = "supervisor", "supervisor"
    ASSESSOR = "assessor", "assessor"


# app_label.codename → roles holding it. Model permissions exist after migrate; custom ones are
# declared in each model's Meta.permissions.
ROLE_PERMISSIONS: dict[str, tuple[Role, ...]] = {
    "grids.view_district": (Role.SUPERVISOR, Role.ASSESSOR),
    "grids.view_street": (Role.SUPERVISOR, Role.ASSESSOR),
    "grids.view_community": (Role.OFFICER, Role.SUPERVISOR, Role.ASSESSOR),
    "grids.view_gridcell": (Role.OFFICER, Role.SUPERVISOR, Role.ASSESSOR),
    "grids.view_assignment": (Role.OFFICER, Role.SUPERVISOR, Role.ASSESSOR),
    "grids.add_assignment": (Role.ASSESSOR,),
    "grids.change_assignment": (Role.ASSESSOR,),
    "grids.add_gridcell": (Role.ASSESSOR,),
    "grids.change_gridcell": (Role.ASSESSOR,),
    "grids.change_community": (Role.ASSESSOR,),
    "grids.add_community": (Role.ASSESSOR,),
    "grids.change_street": (Role.ASSESSOR,),
    "grids.change_district": (Role.ASSESSOR,),
    "accounts.view_unit": (Role.SUPERVISOR, Role.ASSESSOR),
    "accounts.change_unit": (Role.ASSESSOR,),
    "accounts.add_unit": (Role.ASSESSOR,),
    "accounts.view_officer": (Role.SUPERVISOR, Role.ASSESSOR),
    "accounts.change_officer": (Role.ASSESSOR,),
    "accounts.add_officer": (Role.ASSESSOR,),
    # Assessors keep the category tree (deadlines, units) in the admin; tickets change only
    # through the casework pages, so the admin shows them read-only.
    "cases.view_category": (Role.SUPERVISOR, Role.ASSESSOR),
    "cases.add_category": (Role.ASSESSOR,),
    "cases.change_category": (Role.ASSESSOR,),
    "cases.view_ticket": (Role.ASSESSOR,),
    # Reply templates the action forms offer; the 12345 platform's category codes.
    "cases.view_replytemplate": (Role.ASSESSOR,),
    "cases.add_replytemplate": (Role.ASSESSOR,),
    "cases.change_replytemplate": (Role.ASSESSOR,),
    "cases.delete_replytemplate": (Role.ASSESSOR,),
    "hotline.view_categorymapping": (Role.ASSESSOR,),
    "hotline.add_categorymapping": (Role.ASSESSOR,),
    "hotline.change_categorymapping": (Role.ASSESSOR,),
    "hotline.delete_categorymapping": (Role.ASSESSOR,),
    "hotline.view_hotlineorder": (Role.ASSESSOR,),
    # Patrols and daily logs: read-only records in the admin; they change on the patrol pages.
    "patrols.view_patrolsession": (Role.ASSESSOR,),
    "patrols.view_dailylog": (Role.ASSESSOR,),
    "patrols.view_leadershippatrol": (Role.ASSESSOR,),
    # Shops (门前三包): assessors keep the scoring policy; shops are kept on the shop pages.
    "shops.view_shoppolicy": (Role.ASSESSOR,),
    "shops.change_shoppolicy": (Role.ASSESSOR,),
    "shops.add_categorydeduction": (Role.ASSESSOR,),
    "shops.change_categorydeduction": (Role.ASSESSOR,),
    "shops.delete_categorydeduction": (Role.ASSESSOR,),
    "shops.view_categorydeduction": (Role.ASSESSOR,),
    "shops.view_merchant": (Role.ASSESSOR,),
    # The monthly assessment: assessors keep the schemes; runs, scores and surveys are made by
    # the engine and the assessment pages, so the admin shows them read-only.
    "assessments.view_scheme": (Role.ASSESSOR,),
    "assessments.change_scheme": (Role.ASSESSOR,),
    "assessments.add_scheme": (Role.ASSESSOR,),
    "assessments.view_run": (Role.ASSESSOR,),
    "assessments.view_score": (Role.ASSESSOR,),
    "assessments.view_survey": (Role.ASSESSOR,),
    "assessments.view_surveylink": (Role.ASSESSOR,),
    "assessments.view_surveyresponse": (Role.ASSESSOR,),
    # The beat schedule (linked from the operations page): assessors may retime or pause a task.
    "django_celery_beat.view_periodictask": (Role.ASSESSOR,),
    "django_celery_beat.change_periodictask": (Role.ASSESSOR,),
    "django_celery_beat.view_intervalschedule": (Role.ASSESSOR,),
    "django_celery_beat.add_intervalschedule": (Role.ASSESSOR,),
    "django_celery_beat.view_crontabschedule": (Role.ASSESSOR,),
    "django_celery_beat.add_crontabschedule": (Role.ASSESSOR,),
}


def ensure_role_groups(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """Create the role groups and (re)grant their permissions; safe to run after every migrate.

    post_migrate reaches this app before later apps have their permissions, so create those of
    every app named here first.
    """
    labels = {dotted.split(".")[0] for dotted in ROLE_PERMISSIONS}
    for label in labels:
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    by_name = {
        f"{app_label}.{codename}": perm
        for perm, app_label, codename in (
            (p, p.content_type.app_label, p.codename)
            for p in Permission.objects.using(using)
            .filter(content_type__app_label__in=labels)
            .select_related("content_type")
        )
    }
    wanted: dict[Role, set[Permission]] = {role: set() for role in Role}
    for dotted, roles in ROLE_PERMISSIONS.items():
        perm = by_name.get(dotted)
        if perm is None:  # a model whose migration has not run yet (partial migrate)
            continue
        for role in roles:
            wanted[role].add(perm)
    for role, perms in wanted.items():
        group, _created = Group.objects.using(using).get_or_create(name=role.value)
        group.permissions.add(*perms)


def roles_of(user: Any) -> set[str]:
    """The role names of a user, cached on the instance for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user: Any, *roles: Role) -> bool:
    return bool(roles_of(user) & {role.value for role in roles})
