"""The coordinators' activity list as a CSV file to edit in a spreadsheet, and that file
read back: every row validated by the rules of the activity form, previewed, then saved
all or nothing (services.activities_import).

The file is UTF-8 with a byte order mark and semicolons between the columns: what
Swedish Excel opens and saves without asking (the public open-data files, for machines,
use commas). Reading, either delimiter is accepted, with or without the byte order mark.
The column names are fixed, in Swedish, whatever the page's language; dates are ISO 8601;
the status is its code (``done``, ``planned``, ``cancelled``; the words of either
language are read too); the organisations are their names separated by semicolons; one
column per measured quantity, named by its code. ``lofte`` (the promise's text) is there
to read and is ignored on import. Text that begins like a formula (``=``, ``+``, ``-``,
``@``) is written behind an apostrophe, so that a spreadsheet shows it instead of running
it; the import takes the apostrophe off. Row numbers are those of the spreadsheet: the
header is row 1.
"""

import csv
import dataclasses
import io

import tablib
from django import forms
from django.core import signing
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _

from core.forms import bad_pk
from places.models import Municipality, Organisation, Site

from .forms import ActivityForm
from .models import Activity, Commitment, Measurement, Quantity
from .permissions import can_act_for, can_read_internal_notes, notes_readable

# The columns of the file, before one per measured quantity, and the form field each is
# read into (None: shown, never read).
COLUMNS = {
    "id": None,
    "lofte_id": "commitment",
    "lofte": None,
    "datum": "date",
    "slutdatum": "end_date",
    "status": "status",
    "plats": "site",
    "organisationer": "organisations",
    "personer_nadda": "people_reached",
    "sammanfattning": "public_summary",
    "interna_anteckningar": "internal_notes",
}
# Text that a spreadsheet would run as a formula (CSV injection) is exported behind an
# apostrophe, which the import takes off again.
TEXT_COLUMNS = ("lofte", "plats", "organisationer", "sammanfattning", "interna_anteckningar")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DELIMITER = ";"
ORGANISATION_SEPARATOR = ";"
BOM = "\ufeff"
# What one import may hold: a year of a large municipality's activities. Each new or
# changed row is checked by the activity form (about a dozen queries): 500 of them take
# some ten seconds, well within a worker's timeout.
MAX_ROWS = 500
MAX_BYTES = 1_000_000


class _Echo:
    """A file whose write returns what was written: csv.writer's rows, for streaming."""

    def write(self, value):
        return value


def export_lines(activities, *, user):
    """The CSV file of ``activities`` (a queryset the user may see), as an iterator of
    lines: streamed, memory flat but for the organisations and figures by activity. The
    internal notes of a row are there only when the user may read them. Four queries,
    whatever the number of rows."""
    ids = activities.values("pk")
    organisations = {}
    for activity_id, pk, name in Activity.organisations.through.objects.filter(
        activity_id__in=ids
    ).values_list("activity_id", "organisation_id", "organisation__name"):
        organisations.setdefault(activity_id, {})[pk] = name
    measured = {}
    for activity_id, code, value in Measurement.objects.filter(activity_id__in=ids).values_list(
        "activity_id", "quantity_id", "value"
    ):
        measured.setdefault(activity_id, {})[code] = value
    quantities = list(
        Quantity.objects.filter(
            Q(code__in={code for values in measured.values() for code in values})
            | Q(activity_types__commitments__activities__in=ids)
        )
        .distinct()
        .order_by("position", "code")
        .values_list("code", flat=True)
    )
    rows = activities.values(
        "pk",
        "commitment_id",
        "date",
        "end_date",
        "status",
        "people_reached",
        "public_summary",
        "internal_notes",
        "logged_for_id",
        "logged_by_id",
        commitment_text=F("commitment__text"),
        municipality_id=F("commitment__pledge__municipality_id"),
        site_name=F("site__name"),
    ).iterator(chunk_size=500)
    writer = csv.writer(_Echo(), delimiter=DELIMITER)
    yield BOM + writer.writerow((*COLUMNS, *quantities))
    for row in rows:
        taking_part = organisations.get(row["pk"], {})
        readable = notes_readable(
            user,
            municipality_id=row["municipality_id"],
            organisation_ids=taking_part,
            logged_for_id=row["logged_for_id"],
            logged_by_id=row["logged_by_id"],
        )
        values = measured.get(row["pk"], {})
        yield writer.writerow(
            (
                row["pk"],
                row["commitment_id"],
                _escaped(row["commitment_text"]),
                row["date"].isoformat(),
                row["end_date"].isoformat() if row["end_date"] else "",
                row["status"],
                _escaped(row["site_name"] or ""),
                _escaped(f"{ORGANISATION_SEPARATOR} ".join(sorted(taking_part.values()))),
                "" if row["people_reached"] is None else row["people_reached"],
                _escaped(row["public_summary"]),
                _escaped(row["internal_notes"] if readable else ""),
                *(values.get(code, "") for code in quantities),
            )
        )


def _escaped(text):
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _unescaped(text):
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


@dataclasses.dataclass(frozen=True)
class Upload:
    """A CSV file read: its text (kept for the confirmation), its columns (lower-case
    names) and its data rows, each as (row number in the spreadsheet, cells)."""

    text: str
    columns: tuple
    rows: tuple


def _refuse(message, code):
    raise forms.ValidationError(message, code=code)


def read_upload(content: bytes) -> Upload:
    """The file's rows, read with tablib; ValidationError, for the file field, when it is
    not a CSV file of activities: empty, too large, not UTF-8 text, rows that do not fit
    the header, unknown, repeated or missing columns, too many rows."""
    if len(content) > MAX_BYTES:
        _refuse(
            _("The file is larger than %(size)s MB; split it into several files.")
            % {"size": MAX_BYTES // 1_000_000},
            "too_large",
        )
    if b"\x00" in content:
        _refuse(_("This is not a CSV file. Save the spreadsheet as CSV (UTF-8)."), "binary")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        _refuse(_("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”."), "encoding")
    if not text.strip():
        _refuse(_("The file is empty."), "empty")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    dataset = tablib.Dataset()
    try:
        dataset.load(io.StringIO(text, newline=""), format="csv", delimiter=delimiter)
    except (tablib.InvalidDimensions, csv.Error):
        _refuse(_("Some rows have more cells than the header has columns."), "ragged")
    # tablib drops blank lines; the spreadsheet's numbers count them (and count a record
    # with line breaks in a cell as one row).
    numbers = [
        number
        for number, record in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
        )
        if record and number > 1
    ]
    return Upload(
        text=text,
        columns=_checked_columns(dataset.headers or []),
        rows=_numbered(dataset, numbers),
    )


def _checked_columns(headers):
    columns = tuple(str(name).strip().casefold() for name in headers)
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        _refuse(
            _("These columns appear more than once: %(columns)s.")
            % {"columns": ", ".join(repeated)},
            "repeated_columns",
        )
    quantities = set(Quantity.objects.values_list("code", flat=True))
    unknown = [name for name in columns if name not in COLUMNS and name not in quantities]
    if unknown:
        _refuse(
            _(
                "Unknown columns: %(columns)s. Use the columns of the exported file; a "
                "measured quantity is named by its code."
            )
            % {"columns": ", ".join(unknown)},
            "unknown_columns",
        )
    missing = [name for name in COLUMNS if name != "lofte" and name not in columns]
    if missing:
        _refuse(
            _("Missing columns: %(columns)s. Use the columns of the exported file.")
            % {"columns": ", ".join(missing)},
            "missing_columns",
        )
    return columns


def _numbered(dataset, numbers):
    # Row 1 is the header; a row with no cell filled in (Excel leaves some) is skipped.
    rows = tuple(
        (number, tuple(_cell(value) for value in row))
        for number, row in zip(numbers, dataset, strict=True)
        if any(_cell(value) for value in row)
    )
    if not rows:
        _refuse(_("The file has a header but no rows."), "no_rows")
    if len(rows) > MAX_ROWS:
        _refuse(
            _("The file has %(count)s rows; at most %(max)s can be imported at once.")
            % {"count": len(rows), "max": MAX_ROWS},
            "too_many_rows",
        )
    return rows


def _cell(value):
    return "" if value is None else str(value).replace("\r\n", "\n").strip()


@dataclasses.dataclass
class RowCheck:
    """One row of a file checked: what it would do (``kind``), the activity it updates,
    the columns it changes, its errors as (column, message) and the valid form whose
    values would be saved."""

    number: int
    activity: Activity | None = None
    form: ActivityForm | None = None
    changes: list = dataclasses.field(default_factory=list)
    errors: list = dataclasses.field(default_factory=list)

    @property
    def kind(self):
        if self.errors:
            return "error"
        if self.activity is None:
            return "new"
        return "changed" if self.changes else "unchanged"

    def error(self, column, message):
        self.errors.append((column, str(message)))


@dataclasses.dataclass
class ImportCheck:
    """Every row of a file checked; it can be saved only when no row has an error."""

    rows: list

    @property
    def valid(self):
        return not any(row.errors for row in self.rows)

    def count(self, kind):
        return sum(1 for row in self.rows if row.kind == kind)

    @property
    def versions(self):
        """The version of each activity the file updates, as checked: the confirmation
        refuses one saved by someone else since."""
        return {str(row.activity.pk): row.activity.version for row in self.rows if row.activity}

    def to_save(self):
        """The rows that make or change something, as ``services.activities_import``
        takes them."""
        return [
            {
                "activity": row.activity,
                "values": row.form.values,
                "organisations": row.form.cleaned_data["organisations"],
                "measurements": row.form.measurements,
                "expected_version": row.activity.version if row.activity else None,
            }
            for row in self.rows
            if row.kind in ("new", "changed")
        ]


def check_upload(upload: Upload, *, user, versions=None) -> ImportCheck:
    """Check every row of ``upload`` as the activity form would check it for ``user``,
    saving nothing. A row with an id updates that activity, one without makes a new one;
    a row equal to its activity changes nothing. ``versions`` (activity id -> version, as
    previewed) refuses the rows of activities saved since."""
    checker = _RowChecker(upload, user=user, versions=versions)
    return ImportCheck(rows=[checker.check(number, cells) for number, cells in upload.rows])


class _RowChecker:
    """What every row needs, read once: the activities the file names, the places and
    organisations by name, the promises' municipalities."""

    def __init__(self, upload, *, user, versions):
        self.user = user
        self.columns = upload.columns
        self.versions = versions
        self.quantity_columns = [name for name in upload.columns if name not in COLUMNS]
        position = upload.columns.index("id")
        ids = {int(cells[position]) for _n, cells in upload.rows if _is_pk(cells[position])}
        self.activities = {
            activity.pk: activity
            for activity in Activity.objects.for_user(user)
            .filter(pk__in=ids)
            .select_related("commitment__pledge", "site")
            .prefetch_related("organisations", "measurements")
        }
        municipalities = Municipality.objects.for_user(user)
        self.municipality_of = dict(
            Commitment.objects.filter(pledge__municipality__in=municipalities).values_list(
                "pk", "pledge__municipality_id"
            )
        )
        self.sites = {
            (municipality, name.casefold()): pk
            for pk, municipality, name in Site.objects.filter(
                municipality__in=municipalities
            ).values_list("pk", "municipality_id", "name")
        }
        self.organisations = {}
        for pk, name in (
            Organisation.objects.filter(
                Q(municipality__in=municipalities)
                | Q(kind=Organisation.Kind.POLICE, police_area__municipalities__in=municipalities)
            )
            .distinct()
            .values_list("pk", "name")
        ):
            self.organisations.setdefault(name.casefold(), set()).add(pk)
        self.statuses = _status_words()
        self.seen = {}

    def check(self, number, cells):
        row = RowCheck(number=number)
        cells = dict(zip(self.columns, cells, strict=True))
        for name in TEXT_COLUMNS:
            if name in cells:
                cells[name] = _unescaped(cells[name])
        activity = self._activity(row, cells.get("id", ""))
        if row.errors:
            return row
        row.activity = activity
        if activity is not None:
            # A row as it was exported changes nothing and needs no check (most rows of a
            # file that was edited here and there). Rows the user may not change are in
            # the export too: as they are, unchanged; edited, refused.
            if _cells_of(activity, self.user, self.quantity_columns) == self._comparable(cells):
                return row
            if activity.status == Activity.Status.CANCELLED or not can_act_for(
                self.user, activity.commitment
            ):
                row.error("id", self._unchangeable(activity))
                return row
        data = self._form_data(row, cells, activity)
        readable = activity is None or can_read_internal_notes(self.user, activity)
        if not readable and cells.get("interna_anteckningar"):
            row.error(
                "interna_anteckningar",
                _("You may not read or change this activity's internal notes; leave it empty."),
            )
        form = ActivityForm(data, user=self.user, instance=activity, internal_notes=readable)
        if not form.is_valid():
            for field, messages in form.errors.items():
                column = _column_of(field)
                for message in messages:
                    row.error(column, message)
        if row.errors:
            return row
        row.form = form
        if activity is not None:
            row.changes = [
                _column_of(field)
                for field in form.changed_data
                if field not in ("version", "form_token")
            ]
            if (
                row.changes
                and self.versions is not None
                and self.versions.get(str(activity.pk)) != activity.version
            ):
                row.error(
                    "id",
                    _(
                        "Someone else saved activity %(id)s after the preview. Upload the "
                        "file again."
                    )
                    % {"id": activity.pk},
                )
        return row

    def _unchangeable(self, activity):
        if activity.status == Activity.Status.CANCELLED:
            return _("A cancelled activity cannot be changed.")
        return _(
            "Your organisation is not responsible for the promise of activity %(id)s; "
            "leave its row as it is."
        ) % {"id": activity.pk}

    def _activity(self, row, value):
        """The activity the row's id names (None for a new one); errors at the id."""
        if not value:
            return None
        if not _is_pk(value):
            row.error("id", _("“%(value)s” is not an activity id.") % {"value": value})
            return None
        pk = int(value)
        activity = self.activities.get(pk)
        if activity is None:
            row.error("id", _("There is no activity %(id)s in your municipalities.") % {"id": pk})
            return None
        if pk in self.seen:
            row.error(
                "id",
                _("The activity %(id)s is also on row %(row)s.") % {"id": pk, "row": self.seen[pk]},
            )
            return None
        self.seen[pk] = row.number
        return activity

    def _comparable(self, cells):
        """A row's cells as they are compared with an activity's (``_cells_of``)."""
        cells = {name: value for name, value in cells.items() if name not in ("id", "lofte")}
        cells["organisationer"] = sorted(_names(cells["organisationer"]))
        cells["status"] = self.statuses.get(cells["status"].casefold(), cells["status"])
        return cells

    def _form_data(self, row, cells, activity):
        """The activity form's data from the row's cells: places and organisations by
        name, the status by code or word; errors for those that name nothing known."""
        commitment = cells["lofte_id"]
        data = {
            "commitment": commitment,
            "status": self.statuses.get(cells["status"].casefold(), cells["status"]),
            "date": cells["datum"],
            "end_date": cells["slutdatum"],
            "people_reached": cells["personer_nadda"],
            "public_summary": cells["sammanfattning"],
            "internal_notes": cells["interna_anteckningar"],
            "site": "",
            "organisations": [],
        }
        if data["status"] == Activity.Status.CANCELLED:
            row.error(
                "status",
                _("An activity is cancelled on its own page, with a reason; not by import."),
            )
        if activity is not None:
            data["version"] = activity.version
            recorded = {m.quantity_id: m.value for m in activity.measurements.all()}
            for code, value in recorded.items():
                data[ActivityForm.QUANTITY_PREFIX + code] = value
        for code in self.quantity_columns:
            data[ActivityForm.QUANTITY_PREFIX + code] = cells[code]
        if cells["plats"]:
            municipality = self.municipality_of.get(int(commitment)) if _is_pk(commitment) else None
            site = self.sites.get((municipality, cells["plats"].casefold()))
            if site is None and municipality is not None:
                row.error(
                    "plats",
                    _("There is no place “%(name)s” in the promise's municipality.")
                    % {"name": cells["plats"]},
                )
            data["site"] = site or ""
        for name in _names(cells["organisationer"]):
            found = self.organisations.get(name.casefold(), set())
            if len(found) == 1:
                data["organisations"].append(str(next(iter(found))))
            elif found:
                row.error(
                    "organisationer",
                    _("Several organisations are called “%(name)s”.") % {"name": name},
                )
            else:
                row.error(
                    "organisationer", _("There is no organisation “%(name)s”.") % {"name": name}
                )
        return data


def _is_pk(value):
    return bool(value) and not bad_pk(value)


def _names(value):
    return [name.strip() for name in value.split(ORGANISATION_SEPARATOR) if name.strip()]


def _status_words():
    """Status codes by themselves and by their words in either language, lower case."""
    words = {}
    for language in ("sv", "en"):
        with translation.override(language):
            for status in Activity.Status:
                words[str(status.label).casefold()] = status.value
    return words | {status.value: status.value for status in Activity.Status}


def _column_of(field):
    """The file's column of a form field (None for an error about the whole row)."""
    if field.startswith(ActivityForm.QUANTITY_PREFIX):
        return field.removeprefix(ActivityForm.QUANTITY_PREFIX)
    names = {field: column for column, field in COLUMNS.items() if field}
    return names.get(field)


def _cells_of(activity, user, quantity_columns):
    """The activity as the cells of its exported row; the internal notes as in the row
    when the user may not read them (left empty by the export, never compared)."""
    recorded = {m.quantity_id: m.value for m in activity.measurements.all()}
    notes = activity.internal_notes if can_read_internal_notes(user, activity) else ""
    cells = {
        "lofte_id": str(activity.commitment_id),
        "datum": activity.date.isoformat(),
        "slutdatum": activity.end_date.isoformat() if activity.end_date else "",
        "status": activity.status,
        "plats": activity.site.name if activity.site else "",
        "organisationer": sorted(o.name for o in activity.organisations.all()),
        "personer_nadda": "" if activity.people_reached is None else str(activity.people_reached),
        "sammanfattning": activity.public_summary.strip(),
        "interna_anteckningar": notes.strip(),
    }
    for code in quantity_columns:
        cells[code] = str(recorded[code]) if code in recorded else ""
    return cells


# The preview's file travels back with the confirmation signed (nobody else can read or
# alter it: no file on disk), for as long as someone may study a preview.
SALT = "pledges.transfer.activity-import"
MAX_AGE = 3 * 60 * 60


def sign(upload: Upload, check: ImportCheck, *, user, token) -> str:
    """The preview of ``upload`` for ``user`` as a signed, compressed string: its text,
    the versions of the activities it updates, and the form token of its confirmation."""
    return signing.dumps(
        {"user": user.pk, "text": upload.text, "versions": check.versions, "token": str(token)},
        salt=SALT,
        compress=True,
    )


def unsign(value: str, *, user):
    """The file, versions and token of a signed preview (``sign``); ValidationError when
    it has expired, was altered or is someone else's."""
    try:
        data = signing.loads(value, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        data = None
    if not isinstance(data, dict) or data.get("user") != user.pk:
        raise forms.ValidationError(
            _("The preview has expired or is not valid. Upload the file again."),
            code="bad_preview",
        )
    return read_upload(data["text"].encode()), data["versions"], data["token"]
