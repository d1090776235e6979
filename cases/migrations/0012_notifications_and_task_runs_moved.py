from django.db import migrations


class Migration(migrations.Migration):
    """Notification and DeadlineReminder now belong to notifications, TaskRun to ops (their 0001
    migrations): state only, the tables keep their names and rows."""

    dependencies = [
        ("cases", "0011_category_queue_index"),
        ("notifications", "0001_initial"),
        ("ops", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="DeadlineReminder"),
                migrations.DeleteModel(name="TaskRun"),
            ],
            database_operations=[],
        ),
    ]
