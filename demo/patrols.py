"""Demo patrols: the last 30 days of every field officer's patrols (a track of at most
``MAX_POINTS`` points wandering through their posted grids; the points themselves for the last
``TRACK_DAYS`` days only, to keep the seed fast), the taps of visits and publicity,
and their daily logs — most submitted, most of those reviewed, a few returned, some missing —
with counts taken from the demo tickets they filed those days.

Deterministic (one seeded generator) and idempotent: once any patrol exists the step creates
nothing. Everything is bulk-created in one transaction.
"""

import datetime as dt
import itertools
import random
from collections import Counter, defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Officer
from cases.models import Action, Source, Ticket, TicketEvent
from cases.selectors import distance_m
from demo.cases.city import City, Posting
from demo.grids import Writer
from patrols.duty import is_duty_day
from patrols.models import (
    DailyLog,
    DailyLogEvent,
    LogAction,
    LogStatus,
    Outreach,
    OutreachKind,
    PatrolPoint,
    PatrolSession,
)
from patrols.selectors import enforcement_actions

__all__ = ["patrol_counts", "seed_patrols"]

DAYS = 30
TRACK_DAYS = 14  # older patrols keep their distance and grids, not every point (row count)
MAX_POINTS = 10
BATCH = 1000
SUMMARIES = [
    "按时巡查责任网格，沿街商铺秩序良好，劝导店外经营{n}起。",
    "巡查社区主次干道和背街小巷，发现问题{n}个，现场整改为主。",
    "上午巡查农贸市场周边，下午走访沿街商户，发放服务联系卡。",
    "重点巡查小区出入口及垃圾投放点，清理暴露垃圾，督促物业整改。",
    "配合社区开展市容环境整治宣传，巡查中发现的问题已按程序上报。",
]
PROBLEMS = [
    "",
    "",
    "",
    "部分井盖缺失，需市政部门协调处理。",
    "夜间占道经营反复，建议联合街道开展整治。",
    "小区内违规搭建，需住建部门认定。",
]
RETURN_NOTES = ["请补充当日发现问题的处理情况。", "工作小结过于简单，请补充巡查路线。"]


def patrol_counts() -> dict[str, int]:
    return {
        "patrol_sessions": PatrolSession.objects.count(),
        "patrol_points": PatrolPoint.objects.count(),
        "daily_logs": DailyLog.objects.count(),
    }


def _local(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _track(rng: random.Random, city: City, cell_ids: tuple[int, ...], start: dt.datetime):
    """A walk through the posted cells: a few points in each, minutes apart."""
    order = list(cell_ids)
    rng.shuffle(order)
    order = order[: max(1, min(len(order), rng.randint(2, 4)))]
    per_cell = max(2, MAX_POINTS // len(order))
    points, at = [], start
    for cell_id in order:
        cell = city.cell_by_id[cell_id]
        for _i in range(per_cell):
            if len(points) >= MAX_POINTS:
                break
            lat = rng.uniform(*cell.lat_range)
            lng = rng.uniform(*cell.lng_range)
            points.append((lat, lng, at, cell_id))
            at += dt.timedelta(minutes=rng.randint(3, 8))
    return points


def seed_patrols(*, stdout: Writer | None = None) -> dict[str, Any]:
    """Create the demo patrols and logs if there are none yet (else nothing)."""

    def say(msg: str) -> None:
        if stdout is not None:
            stdout.write(msg + "\n")

    created = dict.fromkeys(patrol_counts(), 0)
    with transaction.atomic():
        if PatrolSession.objects.exists() or DailyLog.objects.exists():
            say("  patrols: patrols exist already, nothing created")
            return {"counts": patrol_counts(), "created": created}
        city = City()
        if not city.postings:
            say("  patrols: no postings to patrol")
            return {"counts": patrol_counts(), "created": created}
        rng = random.Random(20221101)
        now = timezone.now()
        today = timezone.localdate(now)
        brigade_of = dict(Officer.objects.values_list("id", "brigade_id"))
        user_of = city.officer_user
        found, referred = _ticket_counts(today - dt.timedelta(days=DAYS))

        postings: dict[int, list[Posting]] = defaultdict(list)
        for posting in city.postings:
            postings[posting.officer_id].append(posting)

        sessions, tracks, taps, logs = [], [], [], []
        for officer_id in sorted(postings):
            for back in range(DAYS, -1, -1):
                day = today - dt.timedelta(days=back)
                duty = [p for p in postings[officer_id] if is_duty_day(p, day)]
                if not duty:
                    continue
                posting = duty[0]
                start = _local(day, posting.start) + dt.timedelta(minutes=rng.randint(10, 70))
                if start > now - dt.timedelta(minutes=30) or rng.random() < 0.06:
                    continue  # not out yet today, or a day in the office
                points = _track(rng, city, posting.cell_ids, start)
                end = points[-1][2] + dt.timedelta(minutes=rng.randint(5, 20))
                is_open = back == 0 and end > now
                points = [p for p in points if p[2] <= now]
                session = PatrolSession(
                    officer_id=officer_id,
                    brigade_id=brigade_of[officer_id],
                    started_at=start,
                    ended_at=None if is_open else end,
                    distance_m=sum(
                        distance_m(a[0], a[1], b[0], b[1]) for a, b in itertools.pairwise(points)
                    ),
                )
                if back > TRACK_DAYS:
                    visited_only = {p[3] for p in points}
                    points = [(None, None, None, cell_id) for cell_id in sorted(visited_only)]
                session.point_count = sum(1 for p in points if p[0] is not None)
                sessions.append(session)
                tracks.append(points)
                for _i in range(rng.choice([0, 1, 1, 2, 3])):
                    taps.append(
                        Outreach(
                            officer_id=officer_id,
                            kind=OutreachKind.VISIT,
                            at=start + dt.timedelta(minutes=rng.randint(5, 60)),
                        )
                    )
                if rng.random() < 0.3:
                    taps.append(
                        Outreach(
                            officer_id=officer_id,
                            kind=OutreachKind.PUBLICITY,
                            at=start + dt.timedelta(minutes=rng.randint(5, 60)),
                        )
                    )
                if back == 0:
                    continue  # today's log is the officer's to write
                brigade_id = brigade_of[officer_id]
                reviewers = city.supervisors.get(brigade_id) or city.command or [None]
                entry = _log(
                    rng,
                    (officer_id, user_of[officer_id], brigade_id, rng.choice(reviewers)),
                    day,
                    back,
                    end,
                    found.get((user_of[officer_id], day), (0, 0)),
                    referred.get((user_of[officer_id], day), (0, 0)),
                )
                if entry is not None:
                    logs.append(entry)

        PatrolSession.objects.bulk_create(sessions, batch_size=BATCH)
        point_rows, visited = [], []
        for session, points in zip(sessions, tracks, strict=True):
            point_rows += [
                PatrolPoint(
                    session=session,
                    lat=lat,
                    lng=lng,
                    accuracy_m=rng.choice([5, 8, 12, 20]),
                    recorded_at=at,
                    received_at=at,
                    grid_cell_id=cell_id,
                )
                for lat, lng, at, cell_id in points
                if lat is not None
            ]
            visited += [
                PatrolSession.grids_visited.through(patrolsession=session, gridcell_id=cell_id)
                for cell_id in sorted({p[3] for p in points})
            ]
        PatrolPoint.objects.bulk_create(point_rows, batch_size=BATCH)
        PatrolSession.grids_visited.through.objects.bulk_create(visited, batch_size=BATCH)
        _link_taps(taps, sessions)
        Outreach.objects.bulk_create(taps, batch_size=BATCH)
        _tally_taps(logs, taps)
        _tally_walks(logs, sessions)
        DailyLog.objects.bulk_create([log for log, _events in logs], batch_size=BATCH)
        DailyLogEvent.objects.bulk_create(
            [event for log, events in logs for event in _bind(log, events)], batch_size=BATCH
        )
        created = {
            "patrol_sessions": len(sessions),
            "patrol_points": len(point_rows),
            "daily_logs": len(logs),
        }
        say(f"  patrols: {len(sessions)} patrols, {len(point_rows)} points, {len(logs)} logs")
    return {"counts": patrol_counts(), "created": created}


def _ticket_counts(since: dt.date) -> tuple[dict, dict]:
    """(reporter user, day) → (found, fixed on site) and (actor, day) → (referred, enforced),
    from the demo casebook, two grouped queries."""
    found = {
        (row["reporter_id"], row["day"]): (row["n"], row["on_site"])
        for row in Ticket.objects.filter(source=Source.PATROL, reported_at__date__gte=since)
        .annotate(day=TruncDate("reported_at"))
        .values("reporter_id", "day")
        .annotate(n=Count("id"), on_site=Count("id", filter=Q(on_site=True)))
    }
    referred = {
        (row["actor_id"], row["day"]): (row["referred"], row["enforced"])
        for row in TicketEvent.objects.filter(created_at__date__gte=since, actor__isnull=False)
        .annotate(day=TruncDate("created_at"))
        .values("actor_id", "day")
        .annotate(
            referred=Count("ticket_id", filter=Q(action=Action.REFER), distinct=True),
            enforced=Count("id", filter=Q(action__in=enforcement_actions())),
        )
    }
    return found, referred


def _log(rng, who, day, back, end, found, acts):
    """A past day's log and its trail: most submitted and then reviewed (a few returned), some
    begun and left as drafts, some never written (None)."""
    officer_id, user_id, brigade_id, reviewer_id = who
    roll = rng.random()
    if roll < 0.04:
        return None
    fields = {
        "officer_id": officer_id,
        "brigade_id": brigade_id,
        "date": day,
        "summary": rng.choice(SUMMARIES).format(n=max(found[0], 1)),
        "problems": rng.choice(PROBLEMS),
        "found": found[0],
        "fixed_on_site": found[1],
        "referred": acts[0],
        "enforced": acts[1],
    }
    events = []
    if roll < 0.08:
        # Begun and never submitted (the status is protected: set once, at construction).
        return DailyLog(**{**fields, "summary": ""}), events
    submitted = end + dt.timedelta(minutes=rng.randint(20, 120))
    fields.update(status=LogStatus.SUBMITTED, submitted_at=submitted)
    events.append((LogAction.SUBMIT, user_id, "", submitted))
    if back > 2 and roll < 0.88 and reviewer_id is not None:
        reviewed = submitted + dt.timedelta(hours=rng.randint(14, 20))
        fields.update(reviewed_at=reviewed, reviewed_by_id=reviewer_id)
        if roll < 0.11:
            note = rng.choice(RETURN_NOTES)
            fields.update(status=LogStatus.RETURNED, review_note=note)
            events.append((LogAction.RETURN, reviewer_id, note, reviewed))
        else:
            fields.update(status=LogStatus.APPROVED)
            events.append((LogAction.APPROVE, reviewer_id, "", reviewed))
    return DailyLog(**fields), events


def _bind(log: DailyLog, events: list) -> list[DailyLogEvent]:
    return [
        DailyLogEvent(log=log, actor_id=actor_id, action=action, note=note, created_at=at)
        for action, actor_id, note, at in events
    ]


def _link_taps(taps: list[Outreach], sessions: list[PatrolSession]) -> None:
    by_day = {(s.officer_id, timezone.localdate(s.started_at)): s for s in sessions}
    for tap in taps:
        tap.session = by_day.get((tap.officer_id, timezone.localdate(tap.at)))


def _tally_taps(logs: list, taps: list[Outreach]) -> None:
    tally: Counter = Counter((t.officer_id, timezone.localdate(t.at), t.kind) for t in taps)
    for log, _events in logs:
        log.contacts_visited = tally[(log.officer_id, log.date, OutreachKind.VISIT)]
        log.publicity_events = tally[(log.officer_id, log.date, OutreachKind.PUBLICITY)]


def _tally_walks(logs: list, sessions: list[PatrolSession]) -> None:
    walks = {(s.officer_id, timezone.localdate(s.started_at)): s for s in sessions}
    for log, _events in logs:
        walk = walks.get((log.officer_id, log.date))
        if walk is None or walk.ended_at is None:
            continue
        log.patrol_count = 1
        log.patrol_minutes = int((walk.ended_at - walk.started_at).total_seconds() // 60)
        log.distance_m = round(walk.distance_m)
