"""Templates for the residents' alerts (residents.alerts) and their e-mail confirmation: the
kinds it enqueues, with the parameters it gives. As in 0002, the providers' codes are left for
an admin to fill in once approved."""

from django.db import migrations

TEMPLATES = [
    (
        "alert_confirm",
        "请确认订阅：{subject}",
        "您订阅了{subject}的新问题提醒。请打开链接确认：{confirm_url}",
    ),
    (
        "alert_new_report",
        "{community}有新的群众反映：{number}",
        "{community}新收到一条{category}问题反映（编号{number}）。关注它：{follow_url}"
        " 退订：{unsubscribe_url}",
    ),
    (
        "alert_report_update",
        "您关注的问题{number}：{status}",
        "您关注的问题（编号{number}）有新进展：{status}。退订：{unsubscribe_url}",
    ),
]


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for kind, subject, text in TEMPLATES:
        MessageTemplate.objects.get_or_create(
            kind=kind, defaults={"email_subject": subject, "text": text}
        )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0002_default_templates")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
