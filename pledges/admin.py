from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Activity,
    Agreement,
    Commitment,
    County,
    FocusTag,
    FollowUp,
    Measurement,
    Membership,
    Municipality,
    Organisation,
    PeriodVerdict,
    Pledge,
    PoliceArea,
    PoliceRegion,
    Site,
)
from .services import membership_grant, pledge_publish


@admin.register(PoliceRegion)
class PoliceRegionAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "police_region"]
    search_fields = ["name", "code"]


@admin.register(PoliceArea)
class PoliceAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "region"]
    search_fields = ["name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "slug", "county", "police_area"]
    list_filter = ["county"]
    search_fields = ["name", "code", "slug"]
    autocomplete_fields = ["police_area"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality", "police_area"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["municipality", "police_area"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "municipality", "police_area", "valid_from", "valid_to"]
    search_fields = ["title", "municipality__name"]
    autocomplete_fields = ["municipality", "police_area"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality"]


@admin.register(FocusTag)
class FocusTagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class CommitmentInline(admin.StackedInline):
    model = Commitment
    extra = 0
    filter_horizontal = ["external_parties", "focus_tags", "target_sites"]

    def get_readonly_fields(self, request, obj=None):
        # A published pledge is never edited in place: revision makes a new one.
        if obj and obj.is_public:
            return [f.name for f in Commitment._meta.fields if f.name != "assessed_status"] + [
                "external_parties",
                "focus_tags",
                "target_sites",
            ]
        return []

    def has_add_permission(self, request, obj=None):
        return not (obj and obj.is_public)

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.is_public)


@admin.register(Pledge)
class PledgeAdmin(SimpleHistoryAdmin):
    list_display = ["title", "municipality", "valid_from", "valid_to", "status"]
    list_filter = ["status", "municipality__county"]
    search_fields = ["title", "municipality__name"]
    autocomplete_fields = ["municipality", "revises"]
    inlines = [CommitmentInline]
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.is_public:
            return [f.name for f in Pledge._meta.fields]
        return ["status"]

    @admin.action(description=_("Publish the selected draft pledges"))
    def publish(self, request, queryset):
        for pledge in queryset:
            try:
                pledge_publish(pledge=pledge)
            except ValidationError as error:
                self.message_user(request, f"{pledge}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("Published: %s") % pledge, messages.SUCCESS)


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ["date", "commitment", "status", "site", "logged_by"]
    list_filter = ["status", "commitment__pledge__municipality"]
    search_fields = ["public_summary", "commitment__text"]
    autocomplete_fields = ["site"]
    raw_id_fields = ["commitment"]
    filter_horizontal = ["organisations"]
    inlines = [MeasurementInline]
    date_hierarchy = "date"


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
    """Read-only list of commitments, for their history; they are edited on their pledge."""

    list_display = ["__str__", "pledge", "responsible", "target_kind", "target_value"]
    list_filter = ["responsible", "target_kind", "pledge__municipality"]
    search_fields = ["text"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin):
    list_display = ["commitment", "period_start", "period_end", "is_published", "written_by"]
    list_filter = ["is_published"]
    raw_id_fields = ["commitment", "written_by"]


@admin.register(PeriodVerdict)
class PeriodVerdictAdmin(SimpleHistoryAdmin):
    list_display = ["commitment", "period_start", "period_end", "is_published", "written_by"]
    list_filter = ["is_published"]
    raw_id_fields = ["commitment", "written_by"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "organisation", "role"]
    list_filter = ["role", "municipality__county"]
    search_fields = ["user__username", "municipality__name"]
    autocomplete_fields = ["user", "municipality", "organisation"]

    def save_model(self, request, obj, form, change):
        # Through the service, so the user also gets the role's group and permissions.
        saved = membership_grant(
            user=obj.user,
            municipality=obj.municipality,
            organisation=obj.organisation,
            role=obj.role,
        )
        obj.pk = saved.pk
