from datetime import date

import factory
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from accounts.models import Membership
from places.models import County, Municipality, Organisation, PoliceArea, PoliceRegion, Site
from pledges.models import (
    Activity,
    ActivityType,
    Commitment,
    Measurement,
    Pledge,
    Quantity,
    Unit,
)
from pledges.progress import TargetKind, TargetPeriod


class PoliceRegionFactory(DjangoModelFactory):
    class Meta:
        model = PoliceRegion
        django_get_or_create = ["name"]

    name = "Nord"


class CountyFactory(DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{90 + n % 10:02d}")
    name = factory.LazyAttribute(lambda o: f"Län {o.code}")
    police_region = factory.SubFactory(PoliceRegionFactory)


class PoliceAreaFactory(DjangoModelFactory):
    class Meta:
        model = PoliceArea
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Polisområde {n}")
    region = factory.SubFactory(PoliceRegionFactory)


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"{9000 + n}")
    name = factory.Sequence(lambda n: f"Testkommun {n}")
    slug = factory.Sequence(lambda n: f"testkommun-{n}")
    county = factory.SubFactory(CountyFactory)
    police_area = factory.SubFactory(PoliceAreaFactory)

    @factory.post_generation
    def moderator(self, create, extracted, **kwargs):
        """``MunicipalityFactory(moderator=True)``: with a municipal coordinator, who
        moderates its Tyck till messages (Tyck till is offered only then)."""
        if create and extracted:
            organisation = Organisation.objects.create(
                name=f"{self.name}s kommun", kind=Organisation.Kind.MUNICIPALITY, municipality=self
            )
            Membership.objects.create(
                user=get_user_model().objects.create_user(f"samordnare-{self.slug}"),
                municipality=self,
                organisation=organisation,
                role=Membership.Role.MUNICIPAL_COORDINATOR,
            )


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.EXTERNAL

    class Params:
        police = factory.Trait(
            kind=Organisation.Kind.POLICE, police_area=factory.SubFactory(PoliceAreaFactory)
        )
        kommun = factory.Trait(
            kind=Organisation.Kind.MUNICIPALITY,
            municipality=factory.SubFactory(MunicipalityFactory),
        )


class PledgeFactory(DjangoModelFactory):
    class Meta:
        model = Pledge

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"Medborgarlöfte {n}")
    valid_from = date(2017, 1, 1)
    valid_to = date(2017, 12, 31)
    expected_effects = "Ökad trygghet."
    status = Pledge.State.PUBLISHED

    class Params:
        draft = factory.Trait(status=Pledge.State.DRAFT)


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Skola {n}")
    kind = Site.Kind.SCHOOL


def reference_row(model, value):
    """``value`` as a row of reference data: a row itself, or a code; for a unit also its
    Swedish plural or singular, and a new unit with the text as every form when no unit
    has it ("insatser")."""
    if not isinstance(value, str):
        return value
    if model is not Unit:
        return model.objects.get(code=value)
    unit = Unit.objects.filter(Q(code=value) | Q(plural_sv=value) | Q(singular_sv=value)).first()
    if unit is None:
        unit = Unit.objects.create(
            code=slugify(value),
            singular_sv=value,
            plural_sv=value,
            singular_en=value,
            plural_en=value,
        )
    return unit


class ReferenceRowsMixin:
    """Reference data may be given by code (``activity_type="safety_walk"``) or, for a
    unit, by its Swedish text (``unit="trafikinsatser"``)."""

    reference_fields = {"activity_type": ActivityType, "unit": Unit, "quantity": Quantity}

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        for field, model in cls.reference_fields.items():
            if field in kwargs:
                kwargs[field] = reference_row(model, kwargs[field])
        return kwargs


class CommitmentFactory(ReferenceRowsMixin, DjangoModelFactory):
    class Meta:
        model = Commitment

    pledge = factory.SubFactory(PledgeFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Polisen lovar att genomföra minst 4 insatser ({n}).")
    responsible = Commitment.Responsible.POLICE
    activity_type = "traffic_operation"
    target_kind = TargetKind.COUNT
    target_value = 4
    target_period = TargetPeriod.YEAR
    unit = "insatser"

    class Params:
        qualitative = factory.Trait(target_kind=TargetKind.QUALITATIVE, target_value=None)
        per_site = factory.Trait(target_kind=TargetKind.PER_SITE, target_value=2)
        quantity_sum = factory.Trait(
            target_kind=TargetKind.QUANTITY,
            target_value=50,
            quantity="vehicles_checked",
        )


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    commitment = factory.SubFactory(CommitmentFactory)
    date = date(2017, 3, 1)
    status = Activity.Status.DONE
    public_summary = factory.Sequence(lambda n: f"Genomförd insats nummer {n}.")
    internal_notes = ""


class MeasurementFactory(ReferenceRowsMixin, DjangoModelFactory):
    class Meta:
        model = Measurement

    activity = factory.SubFactory(ActivityFactory)
    quantity = "vehicles_checked"
    value = 10
