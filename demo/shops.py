"""Demo shops (门前三包) for two streets of the demo city: a handful of shops per community, most
with a signed pledge, a few offences on the enforceable demo tickets there (so some ladders and
cards have moved), and the monthly points of the last three months.

Deterministic (names, places and licence numbers follow from the community codes) and
idempotent: shops are keyed on their licence numbers, offences on their tickets, months are
recomputed. 泰山社区's 老王水果店 is left with no pledge and no offence, for a walk-through.
"""

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from cases.models import State, Ticket, TicketEvent
from citymgmt import months
from demo.grids import Writer
from grids.locator import locate_id
from grids.models import Assignment, Community, GridCell
from shops import points
from shops.models import (
    SHARE_OF_STEP,
    FrontagePledge,
    Merchant,
    MerchantMonth,
    Offence,
    Step,
    credit_code_check_char,
)
from shops.services import ACTION_OF_STEP

__all__ = ["seed_shops"]

STREETS = ("320311010", "320302001")  # 泉山区泰山街道 (the notice-board example), 鼓楼区 one
SHOPS = [
    ("老王水果店", "grocery", "王建华"),
    ("张记牛肉面馆", "catering", "张德明"),
    ("惠民便利店", "retail", "李秀兰"),
    ("刘师傅电动车修理", "repair", "刘建军"),
    ("丽人美发", "services", "陈丽"),
    ("徐州烙馍卷饼", "catering", "赵红梅"),
    ("好邻居副食店", "grocery", "孙志强"),
]
# Every community gets shops of the same kinds, but a street of seven 老王水果店 would not look
# like a street: names and owners rotate per community. The walk-through community's first shop
# keeps its name (老王水果店, used by the browser journey).
NAMES_OF_KIND = {
    "grocery": ("老王水果店", "好邻居副食店", "鲜果园", "百姓粮油店", "徐记干货行", "丰收果蔬"),
    "catering": ("张记牛肉面馆", "徐州烙馍卷饼", "沛县羊肉汤", "老地方烧烤", "小胡馄饨"),
    "retail": ("惠民便利店", "万家日用百货", "恒通五金", "雅美文具", "宏达烟酒店"),
    "repair": ("刘师傅电动车修理", "老周修鞋配钥匙", "金手指家电维修", "顺达汽修"),
    "services": ("丽人美发", "洁净洗衣店", "阳光快印", "安心家政"),
}
SURNAMES = "王张李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
ROADS = ("解放南路", "淮海西路", "中山北路", "建国西路", "民主南路", "彭城路", "和平路")
STEP_OF_RUNG = (Step.PERSUADE, Step.EDUCATE, Step.SEIZE)
OFFENCE_STATES = (
    State.DISPATCHED,
    State.IN_PROGRESS,
    State.ENFORCEMENT,
    State.RESOLVED,
    State.CLOSED,
)
WALKTHROUGH_SHOP = ("320311010001", 0)  # 泰山社区, 老王水果店


def _local_name(community: Community, index: int, kind: str, owner: str) -> tuple[str, str]:
    """This community's shop of the kind: a name and an owner that vary from street to street."""
    turn = int(community.code[-3:]) + index
    names = NAMES_OF_KIND[kind]
    surname = SURNAMES[(turn * 7) % len(SURNAMES)]
    return names[turn % len(names)], surname + owner[1:]


def _licence(community: Community, index: int) -> str:
    first17 = "92" + community.code[:6] + community.code[6:] + f"{index:03d}"
    return first17 + credit_code_check_char(first17)


def _spot(cells: list[GridCell], index: int) -> tuple[float, float, GridCell]:
    """A point inside one of the community's unit grids, spread along its width."""
    cell = cells[index % len(cells)]
    share = 0.2 + 0.6 * ((index * 37) % 10) / 10
    lat = cell.centroid_lat
    lng = cell.min_lng + (cell.max_lng - cell.min_lng) * share
    if locate_id(lat, lng) != cell.pk:
        lat, lng = cell.centroid_lat, cell.centroid_lng
    return lat, lng, cell


def seed_shops(*, stdout: Writer | None = None) -> dict[str, Any]:
    """Create the demo shops, pledges and offences that are missing; recompute three months."""

    def say(msg: str) -> None:
        if stdout is not None:
            stdout.write(msg + "\n")

    created = {"shops": 0, "pledges": 0, "offences": 0}
    communities = list(
        Community.objects.filter(street__code__in=STREETS).select_related("street").order_by("code")
    )
    if not communities:
        say("  shops: no demo streets to put shops in")
        return {"counts": _counts(), "created": created}
    today = timezone.localdate()
    with transaction.atomic():
        cells = defaultdict(list)
        for cell in GridCell.objects.filter(community__in=communities, is_active=True).order_by(
            "code"
        ):
            cells[cell.community_id].append(cell)
        existing = set(Merchant.objects.values_list("licence_number", flat=True))
        fresh = []
        for community in communities:
            if not cells[community.pk]:
                continue
            for index, (name, kind, owner) in enumerate(SHOPS[: 5 + int(community.code[-2:]) % 3]):
                if (community.code, index) != WALKTHROUGH_SHOP:
                    name, owner = _local_name(community, index, kind, owner)
                licence = _licence(community, index)
                if licence in existing:
                    continue
                lat, lng, cell = _spot(cells[community.pk], index)
                fresh.append(
                    Merchant(
                        name=name,
                        licence_number=licence,
                        business_kind=kind,
                        owner_name=owner,
                        owner_phone=f"138{community.code[-5:]}{index:03d}",
                        address=f"{ROADS[(index + int(community.code[-3:])) % len(ROADS)]}"
                        f"{index * 6 + 8}号",
                        lat=lat,
                        lng=lng,
                        frontage_m=Decimal(4) + Decimal(index) * Decimal("1.5"),
                        grid_cell=cell,
                        community=community,
                        brigade_id=community.brigade_id,
                    )
                )
        Merchant.objects.bulk_create(fresh)
        created["shops"] = len(fresh)
        signer = _signers(communities)
        pledges = []
        for merchant in Merchant.objects.filter(
            licence_number__in=[m.licence_number for m in fresh]
        ).select_related("community"):
            index = int(merchant.licence_number[14:17])
            walkthrough = (merchant.community.code, index) == WALKTHROUGH_SHOP
            if walkthrough or index % 5 == 4 or signer.get(merchant.community_id) is None:
                continue
            signed = today - datetime.timedelta(days=40 + 9 * index)
            pledges.append(
                FrontagePledge(
                    merchant=merchant,
                    signed_on=signed,
                    valid_until=signed + datetime.timedelta(days=364),
                    signed_by_id=signer[merchant.community_id],
                    keeps_green=index % 3 != 1,
                )
            )
        FrontagePledge.objects.bulk_create(pledges)
        created["pledges"] = len(pledges)
        created["offences"] = _offences(communities)
        month = today.replace(day=1)
        for back in (2, 1, 0):
            target = month
            for _i in range(back):
                target = months.previous_month(target)
            points.compute_month(month=target)
    say(
        f"  shops: {created['shops']} shops, {created['pledges']} pledges, "
        f"{created['offences']} offences created"
    )
    return {"counts": _counts(), "created": created}


def _signers(communities: list[Community]) -> dict[int, int]:
    """The user who signs a community's pledges: an officer posted there (else none)."""
    postings = (
        Assignment.objects.valid_on(timezone.localdate())
        .filter(community__in=communities, officer__user__groups__name=Role.OFFICER)
        .order_by("community_id", "officer__badge_number")
        .values_list("community_id", "officer__user_id")
    )
    signer: dict[int, int] = {}
    for community_id, user_id in postings:
        signer.setdefault(community_id, user_id)
    return signer


def _offences(communities: list[Community]) -> int:
    """Name a shop on the enforceable demo tickets of each community that have no party yet:
    the first shop gets a full ladder (规劝, 教育, 暂扣), the next one a single persuasion."""
    tickets = (
        Ticket.objects.filter(
            community__in=communities,
            category__enforceable=True,
            state__in=OFFENCE_STATES,
            offence__isnull=True,
            assignee__isnull=False,
        )
        .select_related("assignee")
        .order_by("community_id", "reported_at")
    )
    by_community: dict[int, list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        by_community[ticket.community_id].append(ticket)
    shops = defaultdict(list)
    for merchant in Merchant.objects.filter(community__in=communities).order_by("licence_number"):
        shops[merchant.community_id].append(merchant)
    taken = set(Offence.objects.values_list("merchant_id", flat=True))
    count = 0
    for community_id, queue in by_community.items():
        candidates = [
            m
            for m in shops[community_id][1:3]  # never the walk-through shop (index 0)
            if m.pk not in taken
        ]
        plan = []
        if candidates:
            plan += [(candidates[0], rung) for rung in range(3)]
        if len(candidates) > 1:
            plan.append((candidates[1], 0))
        for (merchant, rung), ticket in zip(plan, queue, strict=False):
            count += _record(ticket, merchant, STEP_OF_RUNG[rung], rung)
    return count


def _record(ticket: Ticket, merchant: Merchant, step: str, rung: int) -> int:
    at = min(
        (ticket.dispatched_at or ticket.reported_at) + datetime.timedelta(hours=1), timezone.now()
    )
    actor_id = ticket.assignee.user_id
    items = [{"name": "货架", "quantity": "2"}] if step == Step.SEIZE else []
    return_on = timezone.localdate(at) + datetime.timedelta(days=7) if items else None
    # Seeding a past step, not taking one: the row is written as it would have been then,
    # without ``cases.audit.record_event``'s notifications (demo data, not production code).
    event = TicketEvent.objects.create(
        ticket=ticket,
        actor_id=actor_id,
        action=ACTION_OF_STEP[step],
        from_state=ticket.state,
        to_state=ticket.state,
        public_note="店外摆放商品，已当面处理。",
        data={
            "party": merchant.name,
            "offence_number": rung + 1,
            "suggested": step,
            "items": items,
            "return_on": return_on.isoformat() if return_on else "",
        },
        created_at=at,
    )
    Offence.objects.create(
        ticket=ticket,
        merchant=merchant,
        step=step,
        share=SHARE_OF_STEP[step],
        note=event.public_note,
        seized_items=items,
        return_on=return_on,
        event=event,
        recorded_by_id=actor_id,
        recorded_at=at,
    )
    return 1


def _counts() -> dict[str, int]:
    return {
        "shops": Merchant.objects.count(),
        "pledges": FrontagePledge.objects.count(),
        "offences": Offence.objects.count(),
        "shop_months": MerchantMonth.objects.count(),
    }
