"""Sites are offered once: two places of a municipality whose names differ only in case,
spaces or punctuation cannot both exist (at the name field wherever a site is made, and
in the database), the migration merges those already there, and the activity form
names each place once, with its municipality when the places are of several.

Messages are read in English (/en/admin/): the catalogue's Swedish may come later."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from dialogues.models import Concern, Dialogue
from places.forms import SiteChoiceField
from places.models import Municipality, Site, site_name_key
from pledges.forms import ActivityForm
from pledges.models import Activity, ProgressCount
from tests.pledges.factories import (
    ActivityFactory,
    CommitmentFactory,
    MunicipalityFactory,
    PledgeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_kept():
    """A request to /en/ leaves English active in the thread: put back the language the
    test started in."""
    with translation.override(translation.get_language()):
        yield


@pytest.mark.parametrize(
    "name", ["tätorten", "Tätorten ", "  TÄTORTEN", "Tät-orten", "Tät orten", "Tätorten."]
)
def test_names_that_differ_in_case_spaces_or_punctuation_are_one_place(name):
    assert site_name_key(name) == site_name_key("Tätorten")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # Å, ä and ö are letters of their own in Swedish.
        ("Tätorten", "Tatorten"),
        ("Åsele", "Asele"),
        ("Öster", "Oster"),
        ("Skola 1", "Skola 11"),
    ],
)
def test_swedish_letters_and_digits_tell_places_apart(one, other):
    assert site_name_key(one) != site_name_key(other)


def test_other_marks_are_folded():
    assert site_name_key("Café Torget") == site_name_key("cafe torget")


class TestModel:
    def test_a_near_identical_name_is_refused_at_the_name_naming_the_place(self):
        municipality = MunicipalityFactory(name="Provkommun")
        Site.objects.create(municipality=municipality, name="Tätorten")
        site = Site(municipality=municipality, name=" tät-orten ")
        with translation.override("en"):
            with pytest.raises(ValidationError) as refused:
                site.full_clean()
            (message,) = refused.value.message_dict["name"]
        assert "Provkommun already has the place “Tätorten”" in message
        assert set(refused.value.message_dict) == {"name"}

    def test_the_database_refuses_it_too(self):
        municipality = MunicipalityFactory()
        Site.objects.create(municipality=municipality, name="Tätorten")
        with pytest.raises(IntegrityError), transaction.atomic():
            Site.objects.create(municipality=municipality, name="TÄTORTEN")

    def test_the_same_name_in_another_municipality_is_another_place(self):
        Site.objects.create(municipality=MunicipalityFactory(), name="Centrum")
        site = Site(municipality=MunicipalityFactory(), name="Centrum")
        site.full_clean()
        site.save()

    def test_a_site_may_be_saved_again_under_its_own_name(self):
        site = Site.objects.create(municipality=MunicipalityFactory(), name="Torget")
        site.name = "torget"
        site.full_clean()
        site.save()
        assert site.name_key == "torget"

    def test_spaces_are_tidied_and_a_name_needs_letters(self):
        municipality = MunicipalityFactory()
        site = Site(municipality=municipality, name="  Norra   torget ")
        site.full_clean()
        assert site.name == "Norra torget"
        with pytest.raises(ValidationError) as refused:
            Site(municipality=municipality, name="--").full_clean()
        assert "name" in refused.value.message_dict


class TestAdmin:
    def test_a_near_duplicate_is_refused_at_the_field_and_the_input_kept(self, client):
        user = get_user_model().objects.create_superuser("platser", password="pw")
        client.force_login(user)
        asele = Municipality.objects.get(slug="asele")
        existing = Site.objects.filter(municipality=asele).first()
        typed = f" {existing.name.upper()} "
        count = Site.objects.count()
        response = client.post(
            "/en/admin/places/site/add/",
            {"municipality": asele.pk, "name": typed, "kind": "other"},
        )
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert list(errors) == ["name"]
        assert f"already has the place “{existing.name}”" in errors["name"][0]
        assert Site.objects.count() == count
        # What was typed stays in the field.
        assert response.context["adminform"].form["name"].value() == typed

    def test_a_new_place_is_added(self, client):
        client.force_login(get_user_model().objects.create_superuser("platser", password="pw"))
        asele = Municipality.objects.get(slug="asele")
        response = client.post(
            "/en/admin/places/site/add/",
            {"municipality": asele.pk, "name": "Nya torget", "kind": "square"},
        )
        assert response.status_code == 302
        assert Site.objects.get(municipality=asele, name="Nya torget").name_key == "nyatorget"


class TestMigration:
    """The migration that merges the near-identical sites already registered."""

    merge = staticmethod(
        importlib.import_module("places.migrations.0005_merge_near_duplicate_sites").merge
    )

    def test_near_duplicates_are_merged_into_the_first_with_everything_moved(self):
        municipality = MunicipalityFactory()
        elsewhere = MunicipalityFactory()
        # Registered before the constraint: their keys were not yet compared.
        kept, duplicate, other_spelling = Site.objects.bulk_create(
            [
                Site(municipality=municipality, name="Tätorten", name_key="a"),
                Site(municipality=municipality, name="tätorten ", name_key="b"),
                Site(municipality=municipality, name="Tät-orten", name_key="c"),
            ]
        )
        same_name_elsewhere = Site.objects.create(municipality=elsewhere, name="Tätorten")
        pledge = PledgeFactory(municipality=municipality)
        per_site = CommitmentFactory(pledge=pledge, per_site=True)
        per_site.target_sites.set([kept, duplicate])
        only_duplicate = CommitmentFactory(pledge=pledge)
        only_duplicate.target_sites.set([other_spelling])
        at_kept = ActivityFactory(commitment=per_site, site=kept, date=date(2017, 3, 1))
        at_duplicate = ActivityFactory(commitment=per_site, site=duplicate, date=date(2017, 4, 1))
        dialogue = Dialogue.objects.create(
            municipality=municipality,
            title="Vandring",
            format=Dialogue.Format.SAFETY_WALK,
            starts_on=date(2017, 5, 1),
        )
        concern = Concern.objects.create(
            dialogue=dialogue, theme="lighting", summary="Mörkt", site=other_spelling
        )
        assert ProgressCount.objects.filter(commitment=per_site).count() == 2

        self.merge(apps, None)

        assert list(Site.objects.filter(municipality=municipality)) == [kept]
        kept.refresh_from_db()
        assert kept.name_key == "tätorten"
        assert Activity.objects.get(pk=at_duplicate.pk).site == kept
        assert Activity.objects.get(pk=at_kept.pk).site == kept
        assert list(per_site.target_sites.all()) == [kept]
        assert list(only_duplicate.target_sites.all()) == [kept]
        concern.refresh_from_db()
        assert concern.site == kept
        (count,) = ProgressCount.objects.filter(commitment=per_site)
        assert (count.site_id, count.done) == (kept.pk, 2)
        # The activity's history names the place it is at now.
        assert set(at_duplicate.history.values_list("site_id", flat=True)) == {kept.pk}
        assert Site.objects.filter(pk=same_name_elsewhere.pk).exists()


class TestActivityForm:
    def test_each_place_once_with_its_municipality_when_of_several(self):
        asele = MunicipalityFactory(name="Åsele")
        vilhelmina = MunicipalityFactory(name="Vilhelmina")
        for municipality in (asele, vilhelmina):
            Site.objects.create(municipality=municipality, name="Centrum")
        field = SiteChoiceField(
            queryset=Site.objects.filter(municipality__in=[asele, vilhelmina]).select_related(
                "municipality"
            )
        )
        labels = [label for _value, label in field.choices][1:]
        assert sorted(labels) == ["Centrum (Vilhelmina)", "Centrum (Åsele)"]

    def test_plain_names_for_one_municipality(self, demo_pledge):
        polis = get_user_model().objects.get(username="polis")
        form = ActivityForm(user=polis)
        labels = [label for _value, label in form.fields["site"].choices][1:]
        names = list(
            Site.objects.filter(municipality=demo_pledge.municipality).values_list(
                "name", flat=True
            )
        )
        assert sorted(labels) == sorted(names)
        assert len(set(labels)) == len(labels)
