"""The activity list as CSV and back (export, preview, all-or-nothing import), and the
implementation plan as an iCalendar file."""

import csv
import html
import io
import re
from datetime import date, timedelta

import icalendar
import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext, pgettext

from places.models import Organisation, Site
from pledges import services, transfer
from pledges.models import Activity, Commitment, Measurement

pytestmark = pytest.mark.django_db

EXPORT = "/samordnare/aktiviteter/export/"
IMPORT = "/samordnare/aktiviteter/importera/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False):
        yield


def traffic(pledge):
    return Commitment.objects.get(pledge=pledge, position=1)


def export(client, query=""):
    response = client.get(f"{EXPORT}{query}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def rows_of(content):
    text = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def to_csv(rows, delimiter=";", bom=True):
    stream = io.StringIO(newline="")
    writer = csv.DictWriter(stream, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + stream.getvalue()).encode()


def upload(client, content, name="aktiviteter.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(IMPORT, {"file": file})


def preview_of(response):
    match = re.search(r'name="preview" value="([^"]+)"', response.content.decode())
    assert match, "no confirmation on the preview"
    return match.group(1)


def confirm(client, response):
    return client.post(IMPORT, {"preview": preview_of(response)})


def history_count():
    return Activity.history.count()


def state():
    """What an import could change: every activity with its figures and organisations."""
    return {
        a.pk: (
            a.version,
            a.status,
            a.date,
            a.end_date,
            a.site_id,
            a.people_reached,
            a.public_summary,
            a.internal_notes,
            frozenset(o.pk for o in a.organisations.all()),
            frozenset((m.quantity_id, m.value) for m in a.measurements.all()),
        )
        for a in Activity.objects.prefetch_related("organisations", "measurements")
    }


def text_of(response):
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def counts(new, changed, unchanged):
    return gettext(
        "%(new)s new, %(changed)s changed and %(unchanged)s unchanged. Nothing has been saved yet."
    ) % {"new": new, "changed": changed, "unchanged": unchanged}


def row_error(number, column):
    """The start of a row's error in the preview's list of errors."""
    return gettext("Row %(number)s, column %(column)s: %(message)s") % {
        "number": number,
        "column": column,
        "message": "",
    }


def has_error(response, number, column, message):
    """True when the preview lists ``message`` as the error of the row and column."""
    listed = re.search(r'<ul class="errorlist">(.*?)</ul>', text_of(response))
    items = re.findall(r"<li>(.*?)</li>", listed.group(1)) if listed else []
    return any(
        item.strip().startswith(row_error(number, column)) and message in item for item in items
    )


def changed(columns):
    return pgettext("import row", "changed: %(columns)s") % {"columns": columns}


class TestExport:
    def test_the_filtered_list_every_page_with_its_columns(self, client_for, demo_pledge):
        polis = client_for("polis")
        commitment = traffic(demo_pledge)
        for _ in range(60):  # more than one page of the list
            Activity.objects.create(commitment=commitment, date=date(2017, 5, 1), status="planned")
        rows = rows_of(export(polis, f"?commitment={commitment.pk}"))
        expected = Activity.objects.filter(commitment=commitment)
        assert len(rows) == expected.count() > 60
        assert {int(r["id"]) for r in rows} == set(expected.values_list("pk", flat=True))
        first = rows[0]
        assert list(first)[:11] == [
            "id",
            "lofte_id",
            "lofte",
            "datum",
            "slutdatum",
            "status",
            "plats",
            "organisationer",
            "personer_nadda",
            "sammanfattning",
            "interna_anteckningar",
        ]
        assert "vehicles_checked" in first
        assert first["lofte"] == commitment.text
        measured = Measurement.objects.filter(activity__commitment=commitment).first()
        row = next(r for r in rows if r["id"] == str(measured.activity_id))
        assert row[measured.quantity_id] == str(measured.value)

    def test_a_filter_by_status_and_the_file_name(self, client_for, demo_pledge):
        polis = client_for("polis")
        response = polis.get(f"{EXPORT}?status=planned")
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert 'filename="asele-aktiviteter-2026-11-27.csv"' in response["Content-Disposition"]
        rows = rows_of(b"".join(response.streaming_content))
        assert rows
        assert {r["status"] for r in rows} == {"planned"}

    def test_the_list_links_to_the_export_with_its_filter(self, client_for, demo_pledge):
        page = client_for("polis").get("/samordnare/aktiviteter/?status=done").content.decode()
        assert f'href="{EXPORT}?status=done"' in page
        assert f'href="{IMPORT}"' in page

    def test_internal_notes_only_where_readable(self, client_for, demo_pledge):
        commitment = traffic(demo_pledge)
        police = Organisation.objects.get(kind="police", police_area__municipalities__slug="asele")
        secret = Activity.objects.create(
            commitment=commitment,
            date=date(2017, 6, 1),
            internal_notes="Polisens hemlighet.",
            logged_for=police,
        )
        secret.organisations.set([police])
        polis_rows = rows_of(export(client_for("polis")))
        assert next(r for r in polis_rows if r["id"] == str(secret.pk))["interna_anteckningar"] == (
            "Polisens hemlighet."
        )
        content = export(client_for("kommun"))
        assert "Polisens hemlighet." not in content.decode("utf-8-sig")
        kommun_row = next(r for r in rows_of(content) if r["id"] == str(secret.pk))
        assert kommun_row["interna_anteckningar"] == ""


class TestRoundTrip:
    def test_the_exported_file_imported_again_changes_nothing(self, client_for, demo_pledge):
        polis = client_for("polis")
        content = export(polis)
        assert len(rows_of(content)) >= 10
        before, history = state(), history_count()
        response = upload(polis, content)
        assert response.status_code == 200
        page = text_of(response)
        assert counts(0, 0, len(rows_of(content))) in page
        response = confirm(polis, response)
        assert response.status_code == 302
        assert state() == before
        assert history_count() == history

    def test_formulas_are_exported_as_text_and_read_back(self, client_for, demo_pledge):
        polis = client_for("polis")
        formula = '=HYPERLINK("http://example.com","Klicka")'
        activity = Activity.objects.create(
            commitment=traffic(demo_pledge),
            date=date(2017, 6, 1),
            public_summary=formula,
            internal_notes="-1 i kylan",
            logged_for=Organisation.objects.get(
                kind="police", police_area__municipalities__slug="asele"
            ),
        )
        content = export(polis)
        rows = rows_of(content)
        row = next(r for r in rows if r["id"] == str(activity.pk))
        assert row["sammanfattning"] == f"'{formula}"
        assert row["interna_anteckningar"] == "'-1 i kylan"
        response = upload(polis, content)
        assert counts(0, 0, len(rows)) in text_of(response)
        row["sammanfattning"] = "'=1+1"
        response = upload(polis, to_csv(rows))
        assert changed("sammanfattning") in text_of(response)
        assert confirm(polis, response).status_code == 302
        activity.refresh_from_db()
        assert activity.public_summary == "=1+1"
        assert activity.internal_notes == "-1 i kylan"

    def test_kommun_round_trip_keeps_the_notes_it_cannot_read(self, client_for, demo_pledge):
        commitment = Commitment.objects.get(pledge=demo_pledge, responsible="joint")
        police = Organisation.objects.get(kind="police", police_area__municipalities__slug="asele")
        secret = Activity.objects.create(
            commitment=commitment,
            date=date(2017, 6, 1),
            public_summary="Gemensam insats.",
            internal_notes="Polisens hemlighet.",
            logged_for=police,
        )
        secret.organisations.set([police])
        kommun = client_for("kommun")
        rows = [r for r in rows_of(export(kommun)) if r["lofte_id"] == str(commitment.pk)]
        row = next(r for r in rows if r["id"] == str(secret.pk))
        row["sammanfattning"] = "Gemensam insats vid torget."
        response = upload(kommun, to_csv(rows))
        assert response.status_code == 200, text_of(response)
        assert changed("sammanfattning") in text_of(response)
        assert confirm(kommun, response).status_code == 302
        secret.refresh_from_db()
        assert secret.public_summary == "Gemensam insats vid torget."
        assert secret.internal_notes == "Polisens hemlighet."
        assert secret.version == 2

    def test_notes_typed_where_they_cannot_be_read_are_refused(self, client_for, demo_pledge):
        commitment = Commitment.objects.get(pledge=demo_pledge, responsible="joint")
        police = Organisation.objects.get(kind="police", police_area__municipalities__slug="asele")
        secret = Activity.objects.create(
            commitment=commitment,
            date=date(2017, 6, 1),
            internal_notes="Hemligt.",
            logged_for=police,
        )
        kommun = client_for("kommun")
        rows = [r for r in rows_of(export(kommun)) if r["id"] == str(secret.pk)]
        rows[0]["interna_anteckningar"] = "Skrivet över."
        response = upload(kommun, to_csv(rows))
        assert response.status_code == 400
        message = gettext(
            "You may not read or change this activity's internal notes; leave it empty."
        )
        assert has_error(response, 2, "interna_anteckningar", message)
        secret.refresh_from_db()
        assert secret.internal_notes == "Hemligt."


class TestImport:
    def test_an_edited_file_is_previewed_then_saved_with_history(self, client_for, demo_pledge):
        polis = client_for("polis")
        commitment = traffic(demo_pledge)
        rows = rows_of(export(polis, f"?commitment={commitment.pk}&status=done"))
        edited = rows[0]
        activity = Activity.objects.get(pk=edited["id"])
        edited["sammanfattning"] = "Ändrad i Excel."
        edited["vehicles_checked"] = "77"
        new = dict(rows[0], id="", datum="2017-10-02", sammanfattning="Ny från fil.")
        new["interna_anteckningar"] = "Ny anteckning."
        before, activity_history = history_count(), activity.history.count()
        response = upload(polis, to_csv([*rows, new]))
        assert response.status_code == 200, text_of(response)
        page = text_of(response)
        assert counts(1, 1, len(rows) - 1) in page
        assert changed("sammanfattning, vehicles_checked") in page
        # Nothing is saved by the preview.
        activity.refresh_from_db()
        assert activity.public_summary != "Ändrad i Excel."
        assert history_count() == before

        response = confirm(polis, response)
        assert response.status_code == 302
        assert response["Location"] == "/samordnare/aktiviteter/"
        activity.refresh_from_db()
        assert activity.public_summary == "Ändrad i Excel."
        assert activity.measurements.get(quantity_id="vehicles_checked").value == 77
        assert activity.history.first().public_summary == "Ändrad i Excel."
        created = Activity.objects.get(public_summary="Ny från fil.")
        assert created.logged_by.username == "polis"
        assert created.internal_notes == "Ny anteckning."
        assert created.commitment == commitment
        # One entry for the change; the new activity has its own.
        assert activity.history.count() == activity_history + 1
        assert created.history.exists()
        assert history_count() > before
        messages = polis.get("/samordnare/aktiviteter/").content.decode()
        assert gettext("Imported: %(new)d new and %(changed)d changed activities.") % {
            "new": 1,
            "changed": 1,
        } in html.unescape(messages)

    def test_confirming_twice_saves_once(self, client_for, demo_pledge):
        polis = client_for("polis")
        rows = rows_of(export(polis, f"?commitment={traffic(demo_pledge).pk}"))[:1]
        rows[0].update(id="", datum="2017-10-02", status="planned", sammanfattning="En gång.")
        response = upload(polis, to_csv(rows))
        assert confirm(polis, response).status_code == 302
        assert confirm(polis, response).status_code == 302
        assert Activity.objects.filter(public_summary="En gång.").count() == 1

    def test_comma_separated_without_bom_and_swedish_status_words(self, client_for, demo_pledge):
        polis = client_for("polis")
        rows = rows_of(export(polis, f"?commitment={traffic(demo_pledge).pk}"))[:1]
        rows[0].update(id="", datum="2017-12-20", status="planerad", sammanfattning="Komma.")
        response = upload(polis, to_csv(rows, delimiter=",", bom=False))
        assert response.status_code == 200, text_of(response)
        assert confirm(polis, response).status_code == 302
        assert Activity.objects.get(public_summary="Komma.").status == "planned"

    @pytest.mark.parametrize(
        ("column", "value", "message"),
        [
            ("datum", "2018-02-01", "Datumet måste ligga inom medborgarlöftets giltighetstid"),
            ("datum", "1/2/2017", "Fyll i ett giltigt datum"),
            ("plats", "Månen", "There is no place “%(name)s” in the promise's municipality."),
            ("organisationer", "Okänd förening", "There is no organisation “%(name)s”."),
            ("vehicles_checked", "-5", "större än eller lika med 0"),
            (
                "status",
                "cancelled",
                "An activity is cancelled on its own page, with a reason; not by import.",
            ),
            ("id", "999999999", "There is no activity %(id)s in your municipalities."),
        ],
    )
    def test_one_bad_row_rejects_the_whole_file(
        self, client_for, demo_pledge, column, value, message
    ):
        polis = client_for("polis")
        rows = rows_of(export(polis, f"?commitment={traffic(demo_pledge).pk}&status=done"))
        rows[0]["sammanfattning"] = "Skulle ändras."
        new = dict(rows[0], id="", sammanfattning="Skulle skapas.")
        bad = dict(rows[1], sammanfattning="Felaktig.")
        bad[column] = value
        before, history = state(), history_count()
        response = upload(polis, to_csv([rows[0], new, bad, *rows[2:]]))
        assert response.status_code == 400
        page = text_of(response)
        message = gettext(message) % {"name": value, "id": value}
        assert has_error(response, 4, column, message)
        assert 'name="preview"' not in page
        assert state() == before
        assert history_count() == history

    def test_row_numbers_are_the_spreadsheets_with_blank_lines_and_line_breaks(
        self, client_for, demo_pledge
    ):
        polis = client_for("polis")
        rows = rows_of(export(polis, f"?commitment={traffic(demo_pledge).pk}&status=done"))
        rows[0]["sammanfattning"] = "Två\nrader."
        rows[1]["datum"] = "2018-02-01"
        lines = to_csv(rows[:2]).split(b"\r\n")
        # header, a record over two lines, a blank line, the bad row
        content = b"\r\n".join([lines[0], lines[1], b"", *lines[2:]])
        response = upload(polis, content)
        assert response.status_code == 400
        assert has_error(response, 4, "datum", "Datumet måste ligga inom")

    def test_a_promise_of_another_party_is_a_row_error(self, client_for, demo_pledge):
        kommun = client_for("kommun")
        joint = Commitment.objects.get(pledge=demo_pledge, responsible="joint")
        rows = rows_of(export(kommun, f"?commitment={joint.pk}"))[:1]
        rows[0].update(id="", lofte_id=str(traffic(demo_pledge).pk), status="planned")
        rows[0].update(datum="2017-12-01", plats="")
        count = Activity.objects.count()
        response = upload(kommun, to_csv(rows))
        assert response.status_code == 400
        assert has_error(response, 2, "lofte_id", "Välj ett giltigt alternativ")
        assert Activity.objects.count() == count

    def test_an_activity_of_another_party_cannot_be_updated(self, client_for, demo_pledge):
        kommun = client_for("kommun")
        rows = rows_of(export(kommun, f"?commitment={traffic(demo_pledge).pk}&status=done"))[:1]
        rows[0]["sammanfattning"] = "Kommunen ändrar polisens."
        before = state()
        response = upload(kommun, to_csv(rows))
        assert response.status_code == 400
        message = gettext(
            "Your organisation is not responsible for the promise of activity %(id)s; "
            "leave its row as it is."
        ) % {"id": rows[0]["id"]}
        assert has_error(response, 2, "id", message)
        assert state() == before

    def test_another_municipality_cannot_reach_these_activities(
        self, client, outsider, client_for, demo_pledge
    ):
        rows = rows_of(export(client_for("polis"), f"?commitment={traffic(demo_pledge).pk}"))
        rows = rows[:1]
        rows[0]["sammanfattning"] = "Från Vingåker."
        new = dict(rows[0], id="", status="planned", datum="2017-12-01", plats="")
        new["organisationer"] = ""
        client.force_login(outsider)
        before = state()
        response = upload(client, to_csv([rows[0], new]))
        assert response.status_code == 400
        message = gettext("There is no activity %(id)s in your municipalities.")
        assert has_error(response, 2, "id", message % {"id": rows[0]["id"]})
        # Nor can a new activity be logged for Åsele's promise.
        assert has_error(response, 3, "lofte_id", "Välj ett giltigt alternativ")
        assert state() == before

    def test_a_cancelled_activity_stays_as_it_is(self, client_for, demo_pledge):
        polis = client_for("polis")
        cancelled = Activity.objects.create(
            commitment=traffic(demo_pledge), date=date(2017, 4, 4), status="cancelled"
        )
        rows = [r for r in rows_of(export(polis)) if r["id"] == str(cancelled.pk)]
        assert rows[0]["status"] == "cancelled"
        response = upload(polis, to_csv(rows))
        assert response.status_code == 200
        assert counts(0, 0, 1) in text_of(response)
        rows[0]["datum"] = "2017-04-05"
        response = upload(polis, to_csv(rows))
        assert response.status_code == 400
        message = gettext("A cancelled activity cannot be changed.")
        assert has_error(response, 2, "id", message)
        cancelled.refresh_from_db()
        assert (cancelled.date, cancelled.version) == (date(2017, 4, 4), 1)

    def test_a_change_made_after_the_preview_stops_the_import(self, client_for, demo_pledge):
        polis = client_for("polis")
        rows = rows_of(export(polis, f"?commitment={traffic(demo_pledge).pk}&status=done"))
        rows[0]["sammanfattning"] = "Från filen."
        new = dict(rows[1], id="", sammanfattning="Ny, men inte sparad.")
        response = upload(polis, to_csv([*rows, new]))
        assert response.status_code == 200
        other = Activity.objects.get(pk=rows[1]["id"])
        other.public_summary = "Ändrad av någon annan."
        other.version += 1
        other.save()
        response = confirm(polis, response)
        assert response.status_code == 400
        message = gettext(
            "Someone else saved activity %(id)s after the preview. Upload the file again."
        )
        assert has_error(response, 3, "id", message % {"id": other.pk})
        assert not Activity.objects.filter(public_summary="Ny, men inte sparad.").exists()
        assert Activity.objects.get(pk=rows[0]["id"]).public_summary != "Från filen."

    def test_an_altered_preview_is_refused(self, client_for, demo_pledge):
        polis = client_for("polis")
        response = polis.post(IMPORT, {"preview": "eyJ1c2VyIjoxfQ:forged:signature"})
        assert response.status_code == 400
        message = gettext("The preview has expired or is not valid. Upload the file again.")
        assert message in text_of(response)

    @pytest.mark.parametrize(
        ("content", "message", "params"),
        [
            (b"", "The submitted file is empty.", {}),
            (b"\xef\xbb\xbf  \n", "The file is empty.", {}),
            (
                b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
                "This is not a CSV file. Save the spreadsheet as CSV (UTF-8).",
                {},
            ),
            (
                "id;lofte_id\n1;2\n".encode("utf-16"),
                "This is not a CSV file. Save the spreadsheet as CSV (UTF-8).",
                {},
            ),
            (
                "id;datum\nå;ä\n".encode("latin-1"),
                "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”.",
                {},
            ),
            (
                b"id;lofte_id;datum;status;plats;organisationer\n1;2;3;4;5;6\n",
                "Missing columns: %(columns)s. Use the columns of the exported file.",
                {"columns": "slutdatum, personer_nadda, sammanfattning, interna_anteckningar"},
            ),
            (
                b"id;lofte_id;fargkod\n1;2;3\n",
                "Unknown columns: %(columns)s. Use the columns of the exported file; a "
                "measured quantity is named by its code.",
                {"columns": "fargkod"},
            ),
            (
                b"id;ID\n1;2\n",
                "These columns appear more than once: %(columns)s.",
                {"columns": "id"},
            ),
            (
                b"a;b\n1;2;3\n",
                "Some rows have more cells than the header has columns.",
                {},
            ),
        ],
    )
    def test_bad_files_get_a_message_at_the_field(
        self, client_for, demo_pledge, content, message, params
    ):
        count = Activity.objects.count()
        response = upload(client_for("polis"), content)
        assert response.status_code == 400
        page = text_of(response)
        error = re.search(r'<p class="error" id="id_file_error">(.*?)</p>', page)
        assert error, "no error at the file field"
        assert (gettext(message) % params if params else gettext(message)) in error.group(1)
        assert Activity.objects.count() == count

    def test_a_header_without_rows(self, client_for, demo_pledge):
        header = export(client_for("polis"), "?status=planned").split(b"\r\n")[0] + b"\r\n"
        response = upload(client_for("polis"), header)
        assert response.status_code == 400
        assert gettext("The file has a header but no rows.") in text_of(response)


# view -> (member of another municipality, wrong party `kommun`, right party `polis`)
MATRIX = {"export": (200, 200, 200), "import": (200, 200, 200), "calendar": (404, 200, 200)}


@pytest.mark.parametrize("view", MATRIX)
def test_permission_matrix(client, client_for, outsider, demo_pledge, view):
    url = {
        "export": EXPORT,
        "import": IMPORT,
        "calendar": f"/samordnare/plan/{demo_pledge.pk}/plan.ics",
    }[view]
    other, wrong_party, right = MATRIX[view]

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/?next=")

    client.force_login(outsider)
    response = client.get(url)
    assert response.status_code == other
    if view == "export":
        # Another municipality's coordinator gets the header, none of these activities.
        assert rows_of(b"".join(response.streaming_content)) == []
    assert client_for("kommun").get(url).status_code == wrong_party
    response = client_for("polis").get(url)
    assert response.status_code == right
    if view == "import":
        page = response.content.decode()
        assert 'enctype="multipart/form-data"' in page
        assert '<label for="id_file"' in page


class TestCalendar:
    def test_the_planned_activities_as_all_day_events(self, client_for, demo_pledge):
        commitment = traffic(demo_pledge)
        school = Site.objects.filter(municipality__slug="asele").first()
        one_day = Activity.objects.create(
            commitment=commitment,
            date=date(2017, 12, 5),
            status="planned",
            site=school,
            internal_notes="Aldrig i kalendern.",
        )
        several = Activity.objects.create(
            commitment=commitment,
            date=date(2017, 12, 10),
            end_date=date(2017, 12, 12),
            status="planned",
        )
        response = client_for("kommun").get(f"/samordnare/plan/{demo_pledge.pk}/plan.ics")
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert "Aldrig i kalendern." not in response.content.decode()
        calendar = icalendar.Calendar.from_ical(response.content)
        events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
        planned = Activity.objects.filter(commitment__pledge=demo_pledge, status="planned")
        assert len(events) == planned.count()
        event = events[f"activity-{one_day.pk}@testserver"]
        assert event.decoded("dtstart") == date(2017, 12, 5)
        assert event.decoded("dtend") == date(2017, 12, 6)
        assert str(event["summary"]) == commitment.headline
        assert str(event["location"]) == school.name
        assert str(event["description"]) == (
            f"http://testserver/samordnare/aktiviteter/{one_day.pk}/"
        )
        event = events[f"activity-{several.pk}@testserver"]
        assert event.decoded("dtend") == date(2017, 12, 12) + timedelta(days=1)
        assert "location" not in event

    def test_the_plan_links_to_its_calendar(self, client_for, demo_pledge):
        page = client_for("polis").get(f"/samordnare/plan/{demo_pledge.pk}/").content.decode()
        assert f'href="/samordnare/plan/{demo_pledge.pk}/plan.ics"' in page


def add_activities(pledge, n):
    commitment = traffic(pledge)
    police = Organisation.objects.get(kind="police", police_area__municipalities__slug="asele")
    for i in range(n):
        activity = Activity.objects.create(
            commitment=commitment,
            date=date(2017, 1 + i % 12, 1 + i % 28),
            status=["done", "planned", "cancelled"][i % 3],
            public_summary=f"Aktivitet {i}",
            internal_notes=f"Anteckning {i}",
        )
        activity.organisations.set([police])
        Measurement.objects.create(activity=activity, quantity_id="vehicles_checked", value=i)


# Each count: savepoint and release, session, user, the user's and the groups' permissions,
# then the page's own queries, then the session's renewal.
def test_export_queries_do_not_grow(client_for, demo_pledge, django_assert_num_queries):
    polis = client_for("polis")
    add_activities(demo_pledge, 10)
    # Outside a transaction (streamed): session, user, permissions (2), the user's
    # memberships (file name, who reads which notes), the session's renewal in its
    # savepoint (3), then the organisations and the figures of the activities, the
    # quantity columns and the rows.
    with django_assert_num_queries(11):
        first = rows_of(export(polis))
    add_activities(demo_pledge, 40)
    with django_assert_num_queries(11):
        second = rows_of(export(polis))
    assert len(second) == len(first) + 40


def test_calendar_queries_do_not_grow(client_for, demo_pledge, django_assert_num_queries):
    kommun = client_for("kommun")
    url = f"/samordnare/plan/{demo_pledge.pk}/plan.ics"
    add_activities(demo_pledge, 10)
    # As the plan's page (13): the pledge, its planned activities, their organisations,
    # the user's memberships.
    with django_assert_num_queries(12):
        first = icalendar.Calendar.from_ical(kommun.get(url).content)
    add_activities(demo_pledge, 40)
    with django_assert_num_queries(12):
        second = icalendar.Calendar.from_ical(kommun.get(url).content)
    assert len(second.walk("VEVENT")) == len(first.walk("VEVENT")) + 13


def test_import_preview_queries_do_not_grow_with_the_activities(
    client_for, demo_pledge, django_assert_num_queries
):
    polis = client_for("polis")
    rows = rows_of(export(polis, f"?commitment={traffic(demo_pledge).pk}&status=done"))[:3]
    rows[1]["sammanfattning"] = "Ändrad."
    new = dict(rows[2], id="", sammanfattning="Ny.")
    content = to_csv([*rows, new])
    add_activities(demo_pledge, 10)
    # The file's quantity columns, its activities with their organisations and figures,
    # the promises, places and organisations of the user's municipalities; the activity
    # form's queries for the changed and the new row (an unchanged row needs none): as
    # many whatever the number of activities in the database.
    with django_assert_num_queries(42):
        response = upload(polis, content)
    assert counts(1, 1, 2) in text_of(response)
    add_activities(demo_pledge, 40)
    with django_assert_num_queries(42):
        assert upload(polis, content).status_code == 200


def test_the_import_saves_all_or_nothing_when_a_row_fails_halfway(client_for, demo_pledge):
    """Someone saves the second activity between the check and the save: the service
    refuses it and the first row's change is rolled back with it."""
    polis = client_for("polis")
    rows = rows_of(export(polis, f"?commitment={traffic(demo_pledge).pk}&status=done"))[:2]
    rows[0]["sammanfattning"] = "Första raden."
    rows[1]["sammanfattning"] = "Andra raden."
    user = get_user_model().objects.get(username="polis")
    check = transfer.check_upload(transfer.read_upload(to_csv(rows)), user=user)
    assert check.valid
    assert [row.kind for row in check.rows] == ["changed", "changed"]
    Activity.objects.filter(pk=rows[1]["id"]).update(version=F("version") + 1)
    before = history_count()
    with pytest.raises(ValidationError):
        services.activities_import(user=user, rows=check.to_save())
    assert Activity.objects.get(pk=rows[0]["id"]).public_summary != "Första raden."
    assert history_count() == before


def test_too_many_rows_are_refused(client_for, demo_pledge, monkeypatch):
    monkeypatch.setattr(transfer, "MAX_ROWS", 2)
    polis = client_for("polis")
    content = export(polis, f"?commitment={traffic(demo_pledge).pk}")
    response = upload(polis, content)
    assert response.status_code == 400
    message = gettext("The file has %(count)s rows; at most %(max)s can be imported at once.")
    assert message % {"count": len(rows_of(content)), "max": 2} in text_of(response)
