"""Read-only open data: /api/v1/ (JSON, OpenAPI schema at /api/v1/schema/).

Only public pledges (published and superseded), their commitments with progress, and
done activities whose date has passed; never drafts, internal notes or anyone's name.
"""

from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response

from places.models import Municipality
from pledges.models import Activity, ActivityType, Commitment, Pledge, Quantity, Unit
from pledges.selectors import pledge_reports


class MunicipalitySerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county.name")
    county_code = serializers.CharField(source="county.code")

    class Meta:
        model = Municipality
        fields = ["code", "name", "slug", "county", "county_code"]


class SiteProgressSerializer(serializers.Serializer):
    """One place of a per-site target: done there, counted up to its own target."""

    name = serializers.CharField()
    done = serializers.IntegerField()
    target = serializers.IntegerField()
    counted = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    """One target period: done, its target, what was expected by today and its status."""

    period_start = serializers.DateField(source="period.start")
    period_end = serializers.DateField(source="period.end")
    period_label = serializers.CharField(source="period.label")
    done = serializers.IntegerField()
    target = serializers.IntegerField(allow_null=True)
    expected = serializers.FloatField(allow_null=True)
    completion = serializers.FloatField(allow_null=True)
    status = serializers.CharField(source="status.value")
    status_label = serializers.CharField(source="status.label")
    closed = serializers.BooleanField()
    sites = SiteProgressSerializer(many=True, help_text="Per-site targets: every place's figure.")


class SummarySerializer(serializers.Serializer):
    """The commitment over the whole run of its target periods: the one figure the pages
    show. With one period (``single``) it is that period's figure; with several, periods
    met of periods in the validity, the periods ended so far being what was due."""

    single = serializers.BooleanField(help_text="True when the target has one period.")
    period_kind = serializers.CharField(
        source="kind", help_text="year, term, month, week, validity"
    )
    periods_total = serializers.IntegerField(source="count", help_text="Periods in the validity.")
    periods_due = serializers.IntegerField(source="due", help_text="Periods ended by today.")
    periods_met = serializers.IntegerField(
        source="met", help_text="Periods whose target was reached."
    )
    done = serializers.IntegerField(help_text="Done in every period begun (or in the one period).")
    target = serializers.IntegerField(
        allow_null=True, help_text="Per period: the target in force in the current one."
    )
    expected = serializers.IntegerField(
        source="expected_floor",
        allow_null=True,
        help_text="Due by today: periods ended, or the whole number due in the one period.",
    )
    completion = serializers.FloatField(allow_null=True)
    status = serializers.CharField(source="status.value")
    status_label = serializers.CharField(source="status.label")
    closed = serializers.BooleanField()
    remaining = serializers.IntegerField(
        allow_null=True, help_text="Still to do in the current period."
    )
    deadline = serializers.DateField(
        allow_null=True, help_text="The last day of the current period; null once all ended."
    )


class UnitSerializer(serializers.ModelSerializer):
    """What a target counts, in Swedish and English, singular and plural."""

    class Meta:
        model = Unit
        fields = ["code", "singular_sv", "plural_sv", "singular_en", "plural_en"]


class QuantitySerializer(serializers.ModelSerializer):
    """A measured quantity (its code is the key of an activity's ``measurements``)."""

    class Meta:
        model = Quantity
        fields = ["code", "singular_sv", "plural_sv", "singular_en", "plural_en"]


class ActivityTypeSerializer(serializers.ModelSerializer):
    """A kind of activity, with the unit its commitments count unless they name their own."""

    unit = UnitSerializer(allow_null=True)

    class Meta:
        model = ActivityType
        fields = ["code", "name_sv", "name_en", "unit"]


class ReportSerializer(serializers.ModelSerializer):
    # Serializes a report of pledges.reports with the fields of a model: those named in
    # Meta.report_fields are read from the report, the others from the model instance it
    # holds (Meta.report_field), so the schema comes from the model as usual. (A comment:
    # a docstring would show in the schema.)

    def to_representation(self, report):
        instance = getattr(report, self.Meta.report_field)
        data = {}
        for field in self._readable_fields:
            source = report if field.field_name in self.Meta.report_fields else instance
            try:
                attribute = field.get_attribute(source)
            except SkipField:
                continue
            value = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            data[field.field_name] = None if value is None else field.to_representation(attribute)
        return data


class CommitmentSerializer(ReportSerializer):
    # A CommitmentReport: the commitment, its summary, the current period and every period
    # begun so far.
    summary = SummarySerializer()
    progress = ProgressSerializer(help_text="The current target period.")
    periods = ProgressSerializer(
        source="summary.periods", many=True, help_text="Every target period begun so far."
    )
    places = serializers.SerializerMethodField(
        help_text="The places a count target is bound to: only activities there count."
    )

    def get_places(self, report) -> list[str]:
        return [site.name for site in report.commitment.bound_sites]

    # ``activity_type`` and ``unit`` stay the strings they have always been; the objects
    # are beside them.
    activity_type = serializers.CharField(
        source="activity_type_id", help_text="The activity type's code."
    )
    activity_type_detail = ActivityTypeSerializer(source="activity_type")
    unit = serializers.CharField(
        source="unit.plural_sv",
        default="",
        help_text=(
            "What the commitment counts, as its own unit's Swedish plural; empty when it has "
            "none (then a quantity target counts its measured quantity, any other target "
            "its activity type's unit)."
        ),
    )
    unit_detail = UnitSerializer(source="unit", allow_null=True)
    measured_quantity = QuantitySerializer(
        source="quantity",
        allow_null=True,
        help_text="What a quantity target sums; null for other targets.",
    )

    class Meta:
        model = Commitment
        report_field = "commitment"
        report_fields = ["summary", "progress", "periods", "places"]
        fields = [
            "id",
            "position",
            "text",
            "responsible",
            "activity_type",
            "activity_type_detail",
            "target_kind",
            "target_value",
            "target_period",
            "unit",
            "unit_detail",
            "measured_quantity",
            "change",
            "change_note",
            "places",
            "summary",
            "progress",
            "periods",
        ]


class PledgeSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Pledge
        fields = [
            "id",
            "municipality",
            "title",
            "valid_from",
            "valid_to",
            "status",
            "revises",
            "expected_effects",
            "url",
        ]


class PledgeDetailSerializer(ReportSerializer, PledgeSerializer):
    # A PledgeReport: the pledge, its overall figure and its commitments.
    commitments = CommitmentSerializer(many=True)
    overall_completion = serializers.FloatField(source="overall", allow_null=True)

    class Meta(PledgeSerializer.Meta):
        fields = [*PledgeSerializer.Meta.fields, "overall_completion", "commitments"]
        report_field = "pledge"
        report_fields = ["overall_completion", "commitments"]


class ActivitySerializer(serializers.ModelSerializer):
    commitment = serializers.PrimaryKeyRelatedField(read_only=True)
    site = serializers.CharField(source="site.name", allow_null=True, default=None)
    measurements = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "commitment",
            "date",
            "end_date",
            "site",
            "people_reached",
            "public_summary",
            "measurements",
        ]

    def get_measurements(self, activity) -> dict[str, int]:
        """The measured values by the code of their quantity (``measured_quantity``)."""
        return {m.quantity_id: m.value for m in activity.measurements.all()}


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    # Reads only: outside a transaction, like the public pages (a comment: a docstring
    # would show in the schema). Cached like them, with the national version.
    public_cache_scope = "national"

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        return transaction.non_atomic_requests(super().as_view(actions, **initkwargs))

    def get_exception_handler(self):
        handler = super().get_exception_handler()

        def handle(exc, context):
            # DRF marks the transaction of a request for rollback on an error (a 404);
            # these views run in none, so a transaction around them (a test's) is not
            # theirs to roll back.
            kept = transaction.get_rollback() if connection.in_atomic_block else None
            response = handler(exc, context)
            if kept is not None:
                transaction.set_rollback(kept)
            return response

        return handle


class MunicipalityViewSet(ReadOnlyViewSet):
    """Municipalities that have published a pledge."""

    serializer_class = MunicipalitySerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-z0-9]+"

    def get_queryset(self):
        return (
            Municipality.objects.filter(pk__in=Pledge.objects.public().values("municipality_id"))
            .select_related("county")
            .order_by("name")
        )


class PledgeViewSet(ReadOnlyViewSet):
    """Public pledges (published and superseded), newest first; never drafts."""

    # Ids a database can hold; anything else is simply not found.
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        pledges = (
            Pledge.objects.public()
            .select_related("municipality")
            .order_by("municipality__name", "-valid_from")
        )
        municipality = self.request.query_params.get("municipality")
        if municipality:
            pledges = pledges.filter(municipality__slug=municipality)
        return pledges

    def get_serializer_class(self):
        return PledgeDetailSerializer if self.action == "retrieve" else PledgeSerializer

    def retrieve(self, request, *args, **kwargs):
        (report,) = pledge_reports([self.get_object()], today=timezone.localdate())
        return Response(self.get_serializer(report).data)

    @extend_schema(responses=ActivitySerializer(many=True))
    @action(detail=True)
    def activities(self, request, pk=None, format=None):
        """Done activities of the pledge whose date has passed, newest first. ``format``
        comes from a suffix such as ``activities.json``, which the router allows."""
        pledge = self.get_object()
        activities = (
            Activity.objects.public(timezone.localdate())
            .filter(commitment__pledge=pledge)
            .select_related("site")
            .prefetch_related(Prefetch("measurements"))
            .order_by("-date", "-pk")
        )
        page = self.paginate_queryset(activities)
        return self.get_paginated_response(ActivitySerializer(page, many=True).data)
