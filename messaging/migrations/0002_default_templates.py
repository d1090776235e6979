"""The default message templates (in Chinese: the site's residents read them, and the providers
approve Chinese templates) and the SMS policy's first row. The providers' template codes are
left empty: an admin fills them in once the provider has approved each template."""

from django.db import migrations

TEMPLATES = [
    (
        "ticket_registered",
        "您反映的问题{number}：已立案",
        "您反映的问题（编号{number}）已受理立案，我们会尽快处理。查看进展：{link}",
    ),
    (
        "ticket_rejected",
        "您反映的问题{number}：未予立案",
        "您反映的问题（编号{number}）未予立案，原因：{reason}。详情：{link}",
    ),
    (
        "ticket_dispatched",
        "您反映的问题{number}：已派遣",
        "您反映的问题（编号{number}）已派遣城管队员前往处理。查看进展：{link}",
    ),
    (
        "ticket_referred",
        "您反映的问题{number}：已转交{unit}",
        "您反映的问题（编号{number}）已转交{unit}处理。查看进展：{link}",
    ),
    (
        "ticket_resolved",
        "您反映的问题{number}：已处理",
        "您反映的问题（编号{number}）已处理完毕，正在核查。处理后的照片：{link}",
    ),
    (
        "ticket_closed",
        "您反映的问题{number}：已办结",
        "您反映的问题（编号{number}）已核查办结。请为处理结果评分：{link}",
    ),
    (
        "ticket_reopened",
        "您反映的问题{number}：已重新办理",
        "您反映的问题（编号{number}）已重新办理。查看进展：{link}",
    ),
    ("verify_code", "验证码", "您的验证码为{code}，请勿告诉他人。如非本人操作，请忽略。"),
]


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    SmsPolicy = apps.get_model("messaging", "SmsPolicy")
    for kind, subject, text in TEMPLATES:
        MessageTemplate.objects.get_or_create(
            kind=kind, defaults={"email_subject": subject, "text": text}
        )
    if not SmsPolicy.objects.exists():
        SmsPolicy.objects.create(daily_cap_per_number=10)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
