"""The printable follow-up report, the CSV files of a year and the measured totals."""

import csv
import io
import re
from datetime import date

import pytest
import time_machine

from pledges.models import Activity, Measurement
from tests.pledges.factories import (
    ActivityFactory,
    CommitmentFactory,
    MeasurementFactory,
    PledgeFactory,
)
from tests.reports.test_views import build_pledge, grow, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False):
        yield


def figures(html):
    """The "done of target" figures of a page, in order."""
    return re.findall(r'<p class="figure-text">\s*<strong>(.*?)</strong>', html, re.S)


class TestReport:
    def test_has_the_year_pages_figures_and_texts_and_nothing_private(self, client):
        pledge, commitments, _sites = build_pledge(8, 40)
        Activity.objects.filter(commitment=commitments[0]).update(internal_notes="HEMLIGT")
        slug = pledge.municipality.slug
        report = text_of(client.get(f"/kommun/{slug}/2017/rapport/"))
        page = text_of(client.get(f"/kommun/{slug}/2017/"))
        assert figures(report) == figures(page)
        assert len(figures(report)) == 8
        for commitment in commitments:
            assert commitment.text in report
            assert f"Motivering {commitment.pk}" in report
            assert f"Uppföljning {commitment.pk} 2017-01-01 publ" in report
        assert "UTKAST" not in report
        assert "HEMLIGT" not in report
        for text in ("Lägesbild", "Sammanfattning.", "Fokus 0", "Trygghetsindex", "<table"):
            assert text in report
        assert f"/kommun/{slug}/2017/loften.csv" in report

    @pytest.mark.parametrize(
        "path", ["/kommun/finns-inte/2017/rapport/", "/kommun/{slug}/2019/rapport/"]
    )
    def test_404_as_the_year_page(self, client, path):
        pledge = PledgeFactory(valid_from=date(2017, 1, 1), valid_to=date(2017, 12, 31))
        assert client.get(path.format(slug=pledge.municipality.slug)).status_code == 404

    def test_a_draft_has_no_report(self, client):
        pledge = PledgeFactory(
            valid_from=date(2017, 1, 1), valid_to=date(2017, 12, 31), status="draft"
        )
        assert client.get(f"/kommun/{pledge.municipality.slug}/2017/rapport/").status_code == 404


class TestQuantityTotals:
    def test_year_page_sums_each_measured_quantity_of_the_public_activities(self, client):
        pledge = PledgeFactory(valid_from=date(2017, 1, 1), valid_to=date(2017, 12, 31))
        commitment = CommitmentFactory(pledge=pledge)
        for i, status in enumerate(["done"] * 7 + ["planned", "cancelled"]):
            activity = ActivityFactory(
                commitment=commitment, date=date(2017, 3, 1 + i), status=status
            )
            MeasurementFactory(activity=activity, quantity="vehicles_checked", value=40 + i)
            if i < 2:
                MeasurementFactory(activity=activity, quantity="breath_tests", value=10)
        # Another year's activity is not on the 2017 page.
        other = ActivityFactory(commitment=commitment, date=date(2016, 6, 1), status="done")
        MeasurementFactory(activity=other, value=1000)
        html = text_of(client.get(f"/kommun/{pledge.municipality.slug}/2017/"))
        vehicles = sum(40 + i for i in range(7))
        totals = re.search(r'<p class="quantity-totals">(.*?)</p>', html, re.S).group(1)
        assert f"{vehicles} " in totals
        assert "20 " in totals
        # Only five activities are listed; the totals count all seven.
        assert re.search(r"\b7 \w+:", totals)
        report = text_of(client.get(f"/kommun/{pledge.municipality.slug}/2017/rapport/"))
        assert f"{vehicles} " in report


class TestCsv:
    def rows(self, response):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body.startswith("\ufeff".encode())
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))

    def test_promises_with_the_figures_of_the_year_page(self, client):
        pledge, commitments, _sites = build_pledge(4, 20)
        response = client.get(f"/kommun/{pledge.municipality.slug}/2017/loften.csv")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith("attachment;")
        header, *rows = self.rows(response)
        assert header[:6] == [
            "loftesdokument_id",
            "loftesdokument",
            "giltigt_fran",
            "giltigt_till",
            "lofte_id",
            "lofte_nr",
        ]
        assert [int(r[header.index("lofte_id")]) for r in rows] == [c.pk for c in commitments]
        page = text_of(client.get(f"/kommun/{pledge.municipality.slug}/2017/"))
        done = [r[header.index("utfort")] for r in rows]
        for figure, value in zip(figures(page), done, strict=True):
            if "av" in figure:
                assert figure.strip().startswith(value), (figure, value)

    def test_activities_public_only_with_a_column_per_quantity(self, client):
        pledge = PledgeFactory(valid_from=date(2017, 1, 1), valid_to=date(2017, 12, 31))
        commitment = CommitmentFactory(pledge=pledge)
        shown = ActivityFactory(
            commitment=commitment,
            date=date(2017, 3, 1),
            status="done",
            public_summary="Kontroll vid skolan, åäö",
            internal_notes="HEMLIGT",
        )
        MeasurementFactory(activity=shown, quantity="vehicles_checked", value=312)
        MeasurementFactory(activity=shown, quantity="breath_tests", value=254)
        ActivityFactory(commitment=commitment, date=date(2017, 4, 1), status="done")
        ActivityFactory(commitment=commitment, date=date(2017, 5, 1), status="planned")
        ActivityFactory(commitment=commitment, date=date(2017, 6, 1), status="cancelled")
        response = client.get(f"/kommun/{pledge.municipality.slug}/2017/aktiviteter.csv")
        assert response.status_code == 200
        assert response.streaming
        assert response["Content-Disposition"].startswith("attachment;")
        header, *rows = self.rows(response)
        assert header[:7] == [
            "lofte_id",
            "lofte_nr",
            "datum",
            "slutdatum",
            "plats",
            "sammanfattning",
            "personer_nadda",
        ]
        assert sorted(header[7:]) == ["breath_tests", "vehicles_checked"]
        assert len(rows) == 2
        first = dict(zip(header, rows[0], strict=True))
        assert first["datum"] == "2017-03-01"
        assert first["sammanfattning"] == "Kontroll vid skolan, åäö"
        assert (first["vehicles_checked"], first["breath_tests"]) == ("312", "254")
        assert rows[1][7:] == ["", ""]
        body = ",".join(",".join(r) for r in rows)
        assert "HEMLIGT" not in body

    def test_404s(self, client):
        pledge = PledgeFactory(valid_from=date(2017, 1, 1), valid_to=date(2017, 12, 31))
        slug = pledge.municipality.slug
        for path in (
            f"/kommun/{slug}/2019/loften.csv",
            f"/kommun/{slug}/2019/aktiviteter.csv",
            "/kommun/finns-inte/2017/loften.csv",
        ):
            assert client.get(path).status_code == 404, path


class TestQueryCounts:
    def test_report(self, client, django_assert_num_queries):
        pledge, commitments, sites = build_pledge(8, 40)
        url = f"/kommun/{pledge.municipality.slug}/2017/rapport/"
        # pledges (with the municipality, the pledge revised and the successor),
        # commitments (with those carried on or dropped), target sites, amendments, done
        # counts, focus tags and parties, published follow-ups and verdicts, the activity
        # counts and measured totals, the newest situational picture with its focus
        # areas, indicators with their values
        with django_assert_num_queries(10):
            assert client.get(url).status_code == 200
        grow(pledge, commitments, sites)
        with django_assert_num_queries(10):
            assert client.get(url).status_code == 200

    def test_csv_files(self, client, django_assert_num_queries):
        pledge, commitments, sites = build_pledge(4, 20)
        slug = pledge.municipality.slug
        for size in range(2):
            if size:
                grow(pledge, commitments, sites)
            # pledges, then as the report's first seven without the picture and indicators
            with django_assert_num_queries(8):
                assert client.get(f"/kommun/{slug}/2017/loften.csv").status_code == 200
            # pledges, commitments, the quantities measured, the activities
            with django_assert_num_queries(4):
                response = client.get(f"/kommun/{slug}/2017/aktiviteter.csv")
                b"".join(response.streaming_content)
        assert Measurement.objects.count() > 100
