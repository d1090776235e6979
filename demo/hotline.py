"""The 12345 connector's demo setup for seed_demo: the platform's category codes mapped to ours
(the codes the reference platform's example orders carry, hotline/reference.py), and a reply
template for each step, so that ``make run HOTLINE=1`` files a pushed order under its category
and the action forms offer prepared replies."""

from typing import Any

from django.db import transaction

from cases.models import Category, ReplyStep, ReplyTemplate
from hotline.models import CategoryMapping

# The platform's code and name → our category code (GB/T 30428.2 minor).
MAPPINGS = [
    ("0301", "环境卫生", "0102"),
    ("0302", "占道经营", "0504"),
    ("0303", "违章搭建", "0101"),
    ("0304", "施工噪音", "0301"),
    ("0305", "乱贴小广告", "0201"),
    ("0306", "车辆乱停", "0505"),
]

REPLIES = [
    (
        ReplyStep.REGISTER,
        "受理",
        "您反映的问题（编号{number}）已受理，{community}城管队员将在{deadline}前处理。",
    ),
    (ReplyStep.REJECT, "非城管职责", "经核实，该问题不属于城市管理职责范围，已转相关部门。"),
    (ReplyStep.RESOLVE, "已清理", "队员已到场处置，{category}问题已整改到位。"),
    (ReplyStep.CLOSE, "核查办结", "经现场核查，{community}的{category}问题已处置到位，予以办结。"),
    (
        ReplyStep.HOTLINE_DONE,
        "12345办结答复",
        "您好，您反映的{category}问题（编号{number}）已由{community}所属城管中队处置完毕，"
        "感谢您对城市管理工作的支持。",
    ),
]


def seed_hotline(*, stdout: Any = None) -> dict[str, Any]:
    """Add the mappings and replies that are missing (by code and by step and title)."""
    created = {"hotline_mappings": 0, "reply_templates": 0}
    categories = dict(Category.objects.filter(kind="event").values_list("code", "pk"))
    with transaction.atomic():
        for code, name, ours in MAPPINGS:
            if ours in categories:
                _row, made = CategoryMapping.objects.get_or_create(
                    code=code, defaults={"name": name, "category_id": categories[ours]}
                )
                created["hotline_mappings"] += made
        for step, title, text in REPLIES:
            _row, made = ReplyTemplate.objects.get_or_create(
                step=step, title=title, category=None, defaults={"text": text}
            )
            created["reply_templates"] += made
    if stdout is not None:
        stdout.write(f"  hotline: {created}\n")
    return {"created": created}
