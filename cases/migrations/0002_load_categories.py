"""Load the 部件/事件 tree from cases/data/categories.json.

Self-contained on purpose: a migration must keep working as cases.categories evolves, so it
copies the few lines of loading rather than importing them. Default units are linked later by
cases.categories.link_default_units(), because no Unit rows exist at migrate time.
"""

import json
from pathlib import Path

from django.db import migrations

DATA_PATH = Path(__file__).resolve().parent.parent / "data" / "categories.json"
MINOR_FIELDS = (
    "public_name",
    "deadline_value",
    "deadline_unit",
    "urgent_hours",
    "enforceable",
    "duplicate_radius_m",
)


def load(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    db = schema_editor.connection.alias
    tree = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    for kind in ("component", "event"):
        for major_data in tree[kind]:
            # get_or_create, not update_or_create: once loaded, the rows are the admins' to edit.
            major, _created = Category.objects.using(db).get_or_create(
                kind=kind, code=major_data["code"], defaults={"name": major_data["name"]}
            )
            for minor in major_data["minors"]:
                Category.objects.using(db).get_or_create(
                    kind=kind,
                    code=minor["code"],
                    defaults={
                        "name": minor["name"],
                        "parent": major,
                        **{field: minor[field] for field in MINOR_FIELDS},
                    },
                )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
