"""Writes of places that touch several rows: a local police area, the municipalities it
covers, and the police organisation that acts for it (which every police coordinator's
membership needs)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from .models import Municipality, Organisation, PoliceArea


def police_name(area_name):
    """The name of the police organisation of a local police area.

    The authority's own Swedish name, kept as data like the names of the areas and the
    municipalities: it is stored once, not translated with the interface."""
    return f"Polisen, lokalpolisområde {area_name}"


def _names(municipalities):
    return ", ".join(m.name for m in municipalities)


def check_police_area(*, area: PoliceArea, municipalities) -> None:
    """Raise a ValidationError (by field) unless ``area``, saved or not and with its name
    and region set, may cover exactly ``municipalities``: each lies in a county of the
    area's police region; none leaves a local police area (detached from this one, or
    moved here from another) while a member acts there for that area's police, whose
    membership would no longer hold; and the police organisation the area would be given
    has a name no other organisation has."""
    pks = [m.pk for m in municipalities]
    errors = {}
    outside = Municipality.objects.filter(pk__in=pks).exclude(county__police_region=area.region)
    if outside:
        errors.setdefault("municipalities", []).append(
            ValidationError(
                _("Not in a county of police region %(region)s: %(municipalities)s."),
                code="outside_region",
                params={"region": area.region, "municipalities": _names(outside)},
            )
        )
    leaving = Q(pk__in=pks) & ~Q(police_area=None)
    if area.pk is not None:
        leaving = (leaving & ~Q(police_area=area.pk)) | (Q(police_area=area.pk) & ~Q(pk__in=pks))
    # Members by the reverse relation of accounts.Membership: places imports nothing above
    # it. A membership with the police of the area being left would no longer hold.
    stranded = (
        Municipality.objects.filter(leaving)
        .filter(
            memberships__organisation__kind=Organisation.Kind.POLICE,
            memberships__organisation__police_area=F("police_area"),
        )
        .distinct()
    )
    if stranded:
        errors.setdefault("municipalities", []).append(
            ValidationError(
                _(
                    "Members act for the police of the current local police area in "
                    "%(municipalities)s: end those memberships before the municipality "
                    "leaves the area."
                ),
                code="police_members",
                params={"municipalities": _names(stranded)},
            )
        )
    has_police = (
        area.pk is not None
        and Organisation.objects.filter(kind=Organisation.Kind.POLICE, police_area=area.pk).exists()
    )
    name = police_name(area.name)
    if (
        not has_police
        and Organisation.objects.filter(kind=Organisation.Kind.POLICE, name=name).exists()
    ):
        errors.setdefault("name", []).append(
            ValidationError(
                _(
                    "The area's police organisation would be called “%(organisation)s”, "
                    "which another organisation already is."
                ),
                code="police_name_taken",
                params={"organisation": name},
            )
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def police_area_create(*, name, region, municipalities) -> PoliceArea:
    """Create a local police area in a police region, covering the municipalities (which
    leave any area they were in), with the police organisation that police coordinators
    act for. Returns the area."""
    area = PoliceArea(name=name, region=region)
    area.full_clean()
    check_police_area(area=area, municipalities=municipalities)
    area.save()
    _cover(area, municipalities)
    return area


@transaction.atomic
def police_area_update(*, area: PoliceArea, name, region, municipalities) -> PoliceArea:
    """Rename a local police area or move it to another region, and make it cover exactly
    the municipalities: those it no longer covers are left without a local police area.
    The area gets its police organisation if it has none. Returns the area."""
    area.name = name
    area.region = region
    area.full_clean()
    check_police_area(area=area, municipalities=municipalities)
    area.save()
    _cover(area, municipalities)
    return area


def _cover(area, municipalities):
    pks = [m.pk for m in municipalities]
    area.municipalities.exclude(pk__in=pks).update(police_area=None)
    Municipality.objects.filter(pk__in=pks).update(police_area=area)
    if not area.organisations.filter(kind=Organisation.Kind.POLICE).exists():
        police = Organisation(
            name=police_name(area.name), kind=Organisation.Kind.POLICE, police_area=area
        )
        police.full_clean()
        police.save()
