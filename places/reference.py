"""Load the shipped reference data (counties, municipalities, police regions and areas)."""

import csv
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from .models import County, Municipality, PoliceArea, PoliceRegion

DATA_DIR = Path(__file__).resolve().parent / "data"


def _rows(name):
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def municipality_slugs(rows, county_names):
    """Slug per municipality code: the ASCII name, or name + county where two collide."""
    by_slug = {}
    for row in rows:
        by_slug.setdefault(slugify(row["municipality_name"]), []).append(row)
    slugs = {}
    for slug, group in by_slug.items():
        for row in group:
            name = row["municipality_name"]
            if len(group) == 1 or name.isascii():
                slugs[row["municipality_code"]] = slug
            else:
                county = county_names[row["county_code"]].removesuffix(" län")
                slugs[row["municipality_code"]] = slugify(f"{name} {county}")
    return slugs


@transaction.atomic
def load_reference_data():
    """Create or update every county, municipality, police region and police area.

    Idempotent; returns the number of (counties, municipalities) in the database.
    """
    region_of_county = {r["county_code"]: r["police_region"] for r in _rows("police_regions.csv")}
    regions = {}
    for name in sorted(set(region_of_county.values())):
        regions[name], _created = PoliceRegion.objects.get_or_create(name=name)

    county_rows = _rows("counties.csv")
    counties = {}
    for row in county_rows:
        counties[row["county_code"]], _created = County.objects.update_or_create(
            code=row["county_code"],
            defaults={
                "name": row["county_name"],
                "police_region": regions[region_of_county[row["county_code"]]],
            },
        )

    municipality_rows = _rows("municipalities.csv")
    slugs = municipality_slugs(
        municipality_rows, {code: county.name for code, county in counties.items()}
    )
    existing = {m.code: m for m in Municipality.objects.all()}
    to_create, to_update = [], []
    for row in municipality_rows:
        code = row["municipality_code"]
        values = {
            "name": row["municipality_name"],
            "slug": slugs[code],
            "county": counties[row["county_code"]],
        }
        if code in existing:
            municipality = existing[code]
            for attr, value in values.items():
                setattr(municipality, attr, value)
            to_update.append(municipality)
        else:
            to_create.append(Municipality(code=code, **values))
    Municipality.objects.bulk_create(to_create)
    Municipality.objects.bulk_update(to_update, ["name", "slug", "county"])

    for row in _rows("police_areas.csv"):
        area, _created = PoliceArea.objects.update_or_create(
            name=row["police_area"], defaults={"region": regions[row["police_region"]]}
        )
        Municipality.objects.filter(code__in=row["municipality_codes"].split()).update(
            police_area=area
        )
    return County.objects.count(), Municipality.objects.count()
