"""Importing shops from a sheet: CSV (UTF-8 with or without BOM, or GB18030 as Excel writes it
in China) or XLSX (openpyxl), headers in Chinese or English.

Each row is checked by ``MerchantRowForm`` (licence format and uniqueness, phone, a point inside
the city and inside the importer's communities); the good rows are imported together, the bad
ones listed with their row numbers and messages.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import openpyxl
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from shops import selectors, services
from shops.models import BusinessKind, Merchant, phone_validator, validate_credit_code

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

# Column → accepted headers (compared case-insensitively, spaces ignored).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("店铺名称", "店名", "商户名称", "name", "shopname"),
    "licence_number": ("统一社会信用代码", "营业执照号", "licence", "licencenumber", "license"),
    "business_kind": ("经营类别", "业态", "category", "businesskind", "lineofbusiness"),
    "owner_name": ("负责人", "经营者", "owner", "ownername"),
    "owner_phone": ("联系电话", "电话", "phone", "ownerphone"),
    "address": ("地址", "门牌地址", "address"),
    "lat": ("纬度", "lat", "latitude"),
    "lng": ("经度", "lng", "lon", "longitude"),
    "frontage_m": ("门前长度", "门前长度(米)", "门前长度（米）", "frontage", "frontagem"),
}
TEMPLATE_HEADERS = [
    "店铺名称",
    "统一社会信用代码",
    "经营类别",
    "负责人",
    "联系电话",
    "地址",
    "纬度",
    "经度",
    "门前长度（米）",
]
TEMPLATE_EXAMPLE = [
    "老王水果店",
    "92320302MA1XYC001F",
    "果蔬",
    "王建华",
    "13852001234",
    "鼓楼区黄楼街道中山北路12号",
    "34.2731",
    "117.1915",
    "6.5",
]


def _business_kind_aliases() -> dict[str, str]:
    aliases = {kind.value: kind.value for kind in BusinessKind}
    aliases.update(
        {
            "餐饮": BusinessKind.CATERING,
            "果蔬": BusinessKind.GROCERY,
            "副食": BusinessKind.GROCERY,
            "零售": BusinessKind.RETAIL,
            "维修": BusinessKind.REPAIR,
            "生活服务": BusinessKind.SERVICES,
            "服务": BusinessKind.SERVICES,
            "其他": BusinessKind.OTHER,
        }
    )
    return aliases


class MerchantRowForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("shop name"), max_length=80)
    licence_number = forms.CharField(
        label=gettext_lazy("licence number"), max_length=18, validators=[validate_credit_code]
    )
    business_kind = forms.CharField(label=gettext_lazy("line of business"), required=False)
    owner_name = forms.CharField(label=gettext_lazy("owner"), max_length=50)
    owner_phone = forms.CharField(
        label=gettext_lazy("owner's phone"), max_length=20, validators=[phone_validator]
    )
    address = forms.CharField(label=gettext_lazy("address"), max_length=200)
    lat = forms.FloatField(label=gettext_lazy("latitude"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=gettext_lazy("longitude"), min_value=-180, max_value=180)
    frontage_m = forms.DecimalField(
        label=gettext_lazy("frontage length (m)"),
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=1,
    )

    def __init__(self, *args, allowed_communities: set[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_communities = allowed_communities
        self.placed: tuple | None = None

    def clean_licence_number(self) -> str:
        return self.cleaned_data["licence_number"].strip().upper()

    def clean_business_kind(self) -> str:
        value = self.cleaned_data["business_kind"].strip()
        if not value:
            return BusinessKind.OTHER
        kind = _business_kind_aliases().get(value.lower()) or _business_kind_aliases().get(value)
        if kind is None:
            raise forms.ValidationError(
                _("Unknown line of business “%(value)s”.") % {"value": value}
            )
        return kind

    def clean(self) -> dict:
        data = super().clean()
        lat, lng = data.get("lat"), data.get("lng")
        if lat is not None and lng is not None:
            self.placed = services.place(lat, lng)
            if self.placed is None:
                self.add_error("lat", _("The point is outside the city's unit grids."))
            elif self.placed[1].pk not in self.allowed_communities:
                self.add_error(
                    "lat",
                    _("The point is in %(community)s, which is not yours to import.")
                    % {"community": self.placed[1].name},
                )
        return data

    def to_data(self) -> services.MerchantData:
        data = self.cleaned_data
        grid_cell_id, community = self.placed
        return services.MerchantData(
            name=data["name"].strip(),
            licence_number=data["licence_number"],
            business_kind=data["business_kind"],
            owner_name=data["owner_name"].strip(),
            owner_phone=data["owner_phone"].strip(),
            address=data["address"].strip(),
            lat=data["lat"],
            lng=data["lng"],
            frontage_m=data["frontage_m"],
            grid_cell_id=grid_cell_id,
            community=community,
        )


@dataclass
class ImportResult:
    created: list[Merchant] = field(default_factory=list)
    errors: list[tuple[int, list[str]]] = field(default_factory=list)
    problem: str = ""  # the file as a whole could not be read

    @property
    def rows_read(self) -> int:
        return len(self.created) + len(self.errors)


class SheetError(Exception):
    pass


def _normalise(header: object) -> str:
    return "".join(str(header or "").split()).lower()


def _column_map(headers: list[object]) -> dict[int, str]:
    wanted = {_normalise(alias): column for column, names in COLUMNS.items() for alias in names}
    mapping = {}
    for index, header in enumerate(headers):
        column = wanted.get(_normalise(header))
        if column is not None and column not in mapping.values():
            mapping[index] = column
    missing = [c for c in ("name", "licence_number", "lat", "lng") if c not in mapping.values()]
    if missing:
        raise SheetError(
            _("The sheet has no column for: %(columns)s. Download the template to see the headers.")
            % {"columns": ", ".join(COLUMNS[c][0] for c in missing)}
        )
    return mapping


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError(_("The file's text encoding is not UTF-8 or GB18030."))


def _xlsx_rows(raw: bytes) -> Iterator[list[object]]:
    """The first sheet's rows. A read-only workbook parses its XML lazily, so a damaged file can
    fail on any row (a shared-string index out of range, XML cut short, a bad cell value): every
    such failure, on opening or while reading, is the same ``SheetError`` for the user."""
    unreadable = _("This is not an Excel (.xlsx) file we can read.")
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file; all mean the same here
        raise SheetError(unreadable) from None
    try:
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
        except Exception:  # no sheet at all
            raise SheetError(unreadable) from None
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:  # as above, while reading a row
                raise SheetError(unreadable) from None
            yield ["" if v is None else v for v in row]
    finally:
        book.close()


def _rows(upload: UploadedFile) -> Iterator[list[object]]:
    name = (upload.name or "").lower()
    upload.seek(0)
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise SheetError(_("The file is larger than 5 MB."))
    if name.endswith(".xlsx") or raw[:2] == b"PK":
        yield from _xlsx_rows(raw)
        return
    if b"\x00" in raw[:1024]:
        raise SheetError(_("Upload a CSV or XLSX file."))
    yield from csv.reader(io.StringIO(_decode(raw)))


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def import_sheet(*, actor: User, upload: UploadedFile) -> ImportResult:
    """Read the sheet, check each row, import the good rows in one transaction."""
    result = ImportResult()
    try:
        rows = _rows(upload)
        headers = next(rows, None)
        if headers is None:
            raise SheetError(_("The file is empty."))
        mapping = _column_map(list(headers))
        allowed = set(selectors.communities_visible_to(actor).values_list("pk", flat=True))
        known = set()
        good: list[tuple[int, services.MerchantData]] = []
        for number, row in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                raise SheetError(_("At most 5000 shops per file, please."))
            values = {col: _cell(row[i]) for i, col in mapping.items() if i < len(row)}
            if not any(values.values()):
                continue
            form = MerchantRowForm(values, allowed_communities=allowed)
            if not form.is_valid():
                result.errors.append((number, _messages(form)))
                continue
            licence = form.cleaned_data["licence_number"]
            if licence in known:
                result.errors.append(
                    (
                        number,
                        [
                            _("Licence %(licence)s appears twice in the file.")
                            % {"licence": licence}
                        ],
                    )
                )
                continue
            known.add(licence)
            good.append((number, form.to_data()))
    except SheetError as error:
        return ImportResult(problem=str(error))
    except csv.Error:
        return ImportResult(problem=_("The CSV file is malformed."))
    taken = set(
        Merchant.objects.filter(
            licence_number__in=[data.licence_number for _n, data in good]
        ).values_list("licence_number", flat=True)
    )
    fresh = []
    for number, data in good:
        if data.licence_number in taken:
            result.errors.append(
                (
                    number,
                    [
                        _("A shop with licence %(licence)s is already registered.")
                        % {"licence": data.licence_number}
                    ],
                )
            )
        else:
            fresh.append(data)
    result.errors.sort()
    try:
        result.created = services.import_merchants(actor=actor, rows=fresh) if fresh else []
    except IntegrityError:
        # Someone registered one of these licences between the check and the insert.
        return ImportResult(
            problem=_("Some of these shops were registered meanwhile; please upload again.")
        )
    return result


def _messages(form: forms.Form) -> list[str]:
    messages = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.append(f"{label}: {error}" if label else str(error))
    return messages


def template_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "商户"
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(TEMPLATE_EXAMPLE)
    for column in "ABCDEFGHI":
        sheet.column_dimensions[column].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow(TEMPLATE_EXAMPLE)
    # With a BOM, Excel in China opens UTF-8 correctly.
    return out.getvalue().encode("utf-8-sig")
