"""Every write that matters to shops: pledges, volunteer acts, imports, and the steps of the
offence ladder recorded on tickets (each with its ticket event, in one transaction)."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role
from cases.audit import record_event
from cases.models import PhotoKind
from cases.photos import store_photos
from cases.selectors import access_ticket_by_id
from citymgmt.images import ProcessedImage
from grids.models import Community
from grids.services import locate
from shops import points, selectors
from shops.models import (
    SHARE_OF_STEP,
    EnforcementEvent,
    FrontagePledge,
    Merchant,
    Offence,
    ShopPolicy,
    Step,
    StreetVendor,
    VolunteerAct,
)
from shops.permissions import NAMING_STATES, enforces_on

ACTION_OF_STEP = {
    Step.PERSUADE: EnforcementEvent.PERSUADE,
    Step.WAIVE: EnforcementEvent.WAIVE,
    Step.EDUCATE: EnforcementEvent.EDUCATE,
    Step.SEIZE: EnforcementEvent.SEIZE,
    Step.PENALTY: EnforcementEvent.PENALTY_CASE,
}


def _require_field_staff(actor: User) -> None:
    if not (actor.is_superuser or has_role(actor, Role.OFFICER, Role.SUPERVISOR)):
        raise PermissionDenied(_("Only officers and supervisors keep shop records."))


def _lock_merchant(actor: User, merchant_id: int) -> Merchant:
    """The shop, row-locked, if the actor may see it (else Http404)."""
    return get_object_or_404(
        selectors.merchants_visible_to(actor).select_for_update(of=("self",)), pk=merchant_id
    )


# --- the ladder on a ticket -------------------------------------------------------------------


@dataclass(frozen=True)
class SeizedItem:
    name: str
    quantity: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "quantity": self.quantity}


@transaction.atomic
def record_offence(
    *,
    actor: User,
    ticket_id: int,
    step: str,
    merchant_id: int | None = None,
    vendor_id: int | None = None,
    vendor_description: str = "",
    note: str = "",
    promise_photo: ProcessedImage | None = None,
    evidence: Sequence[ProcessedImage] = (),
    notice_number: str = "",
    seized_items: Sequence[SeizedItem] = (),
    return_on: datetime.date | None = None,
    penalty_case_number: str = "",
) -> Offence:
    """The ticket's assigned officer or a supervisor of its brigade (never a department handler,
    even of the unit the ticket was referred to: enforcement is 城管's alone): name the party of
    a street-order ticket (a shop of its community, a known street vendor, or a new one
    described) and record the step taken. Writes the ``Offence`` and one ticket event
    (规劝/免罚/教育/暂扣/立案; the state does not move) and recomputes the shop's points for the
    month.

    A first-offence waiver (免罚承诺) is refused unless the party has no offence in the policy's
    window, and needs a photo of the signed promise; a seizure needs its list of goods and a
    return date; a penalty case its number.
    """
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    if not enforces_on(ticket, actor):
        raise PermissionDenied(
            _("You may not do this to ticket %(number)s.") % {"number": ticket.number}
        )
    if not ticket.category.enforceable:
        raise ValidationError(_("This ticket's category is not a street-order offence."))
    if ticket.state not in NAMING_STATES:
        raise ValidationError(_("Dispatch the ticket before recording what was done."))
    if Offence.objects.filter(ticket=ticket).exists():
        raise ValidationError(_("A step has already been recorded on this ticket."))
    merchants, vendors = selectors.party_choices(ticket)
    merchant = vendor = None
    if merchant_id is not None:
        merchant = merchants.select_for_update().filter(pk=merchant_id).first()
        if merchant is None:
            raise ValidationError({"party": _("Choose a shop of the ticket's community.")})
    elif vendor_id is not None:
        vendor = vendors.select_for_update().filter(pk=vendor_id).first()
        if vendor is None:
            raise ValidationError({"party": _("Choose a street vendor of this community.")})
    elif vendor_description.strip():
        vendor = StreetVendor.objects.create(
            description=vendor_description.strip(),
            community_id=ticket.community_id,
            brigade_id=ticket.brigade_id,
            created_by=actor,
        )
    else:
        raise ValidationError({"party": _("Name the party: a shop, or describe the vendor.")})

    policy = ShopPolicy.current()
    now = timezone.now()
    standing = selectors.ladder(
        merchant=merchant, vendor=vendor, at=now, exclude_ticket_id=ticket.pk, policy=policy
    )
    _check_step(
        step,
        standing,
        promise_photo=promise_photo,
        seized_items=seized_items,
        return_on=return_on,
        penalty_case_number=penalty_case_number,
        today=timezone.localdate(now),
    )
    items = [item.as_dict() for item in seized_items] if step == Step.SEIZE else []
    event = record_event(
        ticket,
        actor,
        ACTION_OF_STEP[step],
        public_note=note.strip(),
        data={
            "party": str(merchant or vendor),
            "offence_number": standing.count + 1,
            "suggested": standing.suggested,
            "notice_number": notice_number.strip() if step == Step.EDUCATE else "",
            "items": items,
            "return_on": return_on.isoformat() if step == Step.SEIZE and return_on else "",
            "case_number": penalty_case_number.strip() if step == Step.PENALTY else "",
        },
        at=now,
    )
    promise = None
    if step == Step.WAIVE and promise_photo is not None:
        (promise,) = store_photos(
            ticket=ticket,
            photos=[promise_photo],
            kind=PhotoKind.EVIDENCE,
            uploaded_by=actor,
            event=event,
        )
    store_photos(
        ticket=ticket, photos=evidence, kind=PhotoKind.EVIDENCE, uploaded_by=actor, event=event
    )
    offence = Offence.objects.create(
        ticket=ticket,
        merchant=merchant,
        vendor=vendor,
        step=step,
        share=SHARE_OF_STEP[step],
        note=note.strip(),
        notice_number=event.data["notice_number"],
        promise_photo=promise,
        seized_items=items,
        return_on=return_on if step == Step.SEIZE else None,
        penalty_case_number=event.data["case_number"],
        event=event,
        recorded_by=actor,
        recorded_at=now,
    )
    if merchant is not None:
        points.compute_month(
            month=timezone.localdate(now), merchant_ids=[merchant.pk], policy=policy
        )
    return offence


def _check_step(
    step: str,
    standing: selectors.Ladder,
    *,
    promise_photo: ProcessedImage | None,
    seized_items: Sequence[SeizedItem],
    return_on: datetime.date | None,
    penalty_case_number: str,
    today: datetime.date,
) -> None:
    if step not in Step.values:
        raise ValidationError({"step": _("Choose the step taken.")})
    if step not in standing.allowed:
        raise ValidationError(
            {
                "step": _(
                    "The first-offence waiver is only for a first offence: this party already "
                    "has %(count)s in the window."
                )
                % {"count": standing.count}
            }
        )
    errors = {}
    if step == Step.WAIVE and promise_photo is None:
        errors["promise_photo"] = _("Take a photo of the signed promise (免罚承诺书).")
    if step == Step.SEIZE:
        if not seized_items:
            errors["seized_items"] = _("List the goods seized, one item per line.")
        if return_on is None:
            errors["return_on"] = _("Give the date the goods may be collected.")
        elif return_on < today:
            errors["return_on"] = _("The return date cannot be in the past.")
    if step == Step.PENALTY and not penalty_case_number.strip():
        errors["penalty_case_number"] = _("Give the penalty case number.")
    if errors:
        raise ValidationError(errors)


# --- pledges and points -----------------------------------------------------------------------


@transaction.atomic
def sign_pledge(
    *,
    actor: User,
    merchant_id: int,
    signed_on: datetime.date,
    valid_until: datetime.date,
    keeps_clean: bool = True,
    keeps_green: bool = True,
    keeps_order: bool = True,
    scan: ProcessedImage | None = None,
) -> FrontagePledge:
    """An officer or supervisor with the shop in scope records a signed 门前三包 责任书, with
    the scan of the sheet. Earlier pledges stay as history."""
    _require_field_staff(actor)
    merchant = _lock_merchant(actor, merchant_id)
    if valid_until < signed_on:
        raise ValidationError({"valid_until": _("The pledge must end after it is signed.")})
    if not (keeps_clean or keeps_green or keeps_order):
        raise ValidationError(_("A pledge covers at least one of the three duties."))
    pledge = FrontagePledge(
        merchant=merchant,
        signed_on=signed_on,
        valid_until=valid_until,
        signed_by=actor,
        keeps_clean=keeps_clean,
        keeps_green=keeps_green,
        keeps_order=keeps_order,
    )
    if scan is not None:
        pledge.scan.save(scan.image.name, scan.image, save=False)
        pledge.scan_thumbnail.save(scan.thumbnail.name, scan.thumbnail, save=False)
        pledge.scan_content_type = scan.content_type
    pledge.save()
    return pledge


@transaction.atomic
def record_volunteer_act(
    *,
    actor: User,
    merchant_id: int,
    done_on: datetime.date,
    description: str,
    points_added: int | None = None,
) -> VolunteerAct:
    """An officer or supervisor credits a shop for something done for the street; the month's
    points are recomputed."""
    _require_field_staff(actor)
    merchant = _lock_merchant(actor, merchant_id)
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date cannot be in the future.")})
    policy = ShopPolicy.current()
    act = VolunteerAct.objects.create(
        merchant=merchant,
        done_on=done_on,
        description=description.strip(),
        points=policy.volunteer_points if points_added is None else points_added,
        recorded_by=actor,
    )
    points.compute_month(month=done_on, merchant_ids=[merchant.pk], policy=policy)
    return act


# --- import -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MerchantData:
    """One checked row of an import sheet, placed on its unit grid."""

    name: str
    licence_number: str
    business_kind: str
    owner_name: str
    owner_phone: str
    address: str
    lat: float
    lng: float
    frontage_m: Decimal | None
    grid_cell_id: int
    community: Community


def place(lat: float, lng: float) -> tuple[int, Community] | None:
    """The unit grid and community of a shop's point, or None when it is outside the city."""
    cell = locate(lat, lng)
    if cell is None:
        return None
    return cell.pk, cell.community


@transaction.atomic
def import_merchants(*, actor: User, rows: Sequence[MerchantData]) -> list[Merchant]:
    """A supervisor imports checked rows (``shops.importer``) in one transaction; every row must
    lie in a community the supervisor answers for."""
    if not (actor.is_superuser or has_role(actor, Role.SUPERVISOR)):
        raise PermissionDenied(_("Only supervisors import shops."))
    return _create_merchants(actor, rows)


@transaction.atomic
def register_merchant(*, actor: User, data: MerchantData) -> Merchant:
    """An officer or supervisor registers one shop found on patrol, in a community of theirs."""
    _require_field_staff(actor)
    (merchant,) = _create_merchants(actor, [data])
    return merchant


def _create_merchants(actor: User, rows: Sequence[MerchantData]) -> list[Merchant]:
    allowed = set(selectors.communities_visible_to(actor).values_list("pk", flat=True))
    if any(row.community.pk not in allowed for row in rows):
        raise PermissionDenied(_("A shop lies outside the communities you answer for."))
    merchants = [
        Merchant(
            name=row.name,
            licence_number=row.licence_number,
            business_kind=row.business_kind,
            owner_name=row.owner_name,
            owner_phone=row.owner_phone,
            address=row.address,
            lat=row.lat,
            lng=row.lng,
            frontage_m=row.frontage_m,
            grid_cell_id=row.grid_cell_id,
            community=row.community,
            brigade_id=row.community.brigade_id,
            created_by=actor,
        )
        for row in rows
    ]
    return Merchant.objects.bulk_create(merchants, batch_size=500)
