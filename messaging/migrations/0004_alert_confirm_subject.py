"""The alert confirmation's text names what was subscribed to as a whole ("黄楼社区的新问题提醒",
"问题XZ…的进展提醒"): 0003's "{subject}的新问题提醒" told a resident following one report that
they had subscribed to new reports. Changed only where an admin has not edited it."""

from django.db import migrations

OLD = "您订阅了{subject}的新问题提醒。请打开链接确认：{confirm_url}"
NEW = "您订阅了{subject}。请打开链接确认：{confirm_url}"


def forward(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.filter(kind="alert_confirm", text=OLD).update(text=NEW)


def backward(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.filter(kind="alert_confirm", text=NEW).update(text=OLD)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0003_alert_templates")]

    operations = [migrations.RunPython(forward, backward)]
