from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Activity,
    Agreement,
    Amendment,
    Commitment,
    County,
    DroppedCommitment,
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
from .progress import next_period
from .services import amendment_create, membership_grant, pledge_publish, pledge_revise

admin.site.site_header = _("Medborgarlöften – administration")
admin.site.site_title = _("Medborgarlöften – administration")
admin.site.index_title = _("Administration")


class MunicipalityScopedAdmin:
    """For administrators who are not superusers: only the rows of the municipalities
    they are members of, and only those municipalities to choose from."""

    municipality_lookup = "municipality"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            **{f"{self.municipality_lookup}__memberships__user": request.user}
        ).distinct()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Municipality and not request.user.is_superuser:
            kwargs["queryset"] = Municipality.objects.filter(memberships__user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
class AgreementAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["title", "municipality", "police_area", "valid_from", "valid_to"]
    search_fields = ["title", "municipality__name"]
    autocomplete_fields = ["municipality", "police_area"]


@admin.register(Site)
class SiteAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "municipality", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality"]


@admin.register(FocusTag)
class FocusTagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class CommitmentInline(admin.StackedInline):
    model = Commitment
    fk_name = "pledge"
    extra = 0
    filter_horizontal = ["external_parties", "focus_tags", "target_sites"]
    raw_id_fields = ["previous"]

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


class DroppedCommitmentInline(admin.TabularInline):
    """Commitments of the revised pledge that this draft does not carry on, and why."""

    model = DroppedCommitment
    fk_name = "pledge"
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields["commitment"]
        field.queryset = (
            Commitment.objects.filter(pledge_id=obj.revises_id)
            if obj
            else Commitment.objects.none()
        )
        return formset

    def has_add_permission(self, request, obj=None):
        return bool(obj and obj.revises_id and not obj.is_public)

    def has_change_permission(self, request, obj=None):
        return not (obj and obj.is_public)

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.is_public)


@admin.register(Pledge)
class PledgeAdmin(MunicipalityScopedAdmin, SimpleHistoryAdmin):
    list_display = ["title", "municipality", "valid_from", "valid_to", "status", "preview"]
    list_filter = ["status", "municipality__county"]
    search_fields = ["title", "municipality__name"]
    autocomplete_fields = ["municipality", "revises"]
    inlines = [CommitmentInline, DroppedCommitmentInline]
    actions = ["publish", "revise"]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.is_public:
            return [f.name for f in Pledge._meta.fields]
        return ["status", "preview"]

    def has_delete_permission(self, request, obj=None):
        # Only drafts can be deleted; published and superseded pledges stay as history.
        if obj is not None:
            return not obj.is_public and super().has_delete_permission(request, obj)
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def view_on_site(self, obj):
        if obj.is_public:
            return obj.get_absolute_url()
        return reverse("reports:pledge_preview", kwargs={"pk": obj.pk})

    @admin.display(description=_("Preview"))
    def preview(self, obj):
        if obj.pk is None:
            return "–"
        url = reverse("reports:pledge_preview", kwargs={"pk": obj.pk})
        if obj.is_public:
            url = obj.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, _("Show the page"))

    @admin.action(description=_("Revise: create a draft successor for the next period"))
    def revise(self, request, queryset):
        for pledge in queryset:
            if pledge.valid_to is None:
                # Until further notice: the successor takes over from today.
                valid_from, valid_to = timezone.localdate(), None
            else:
                valid_from, valid_to = next_period(pledge.valid_from, pledge.valid_to)
            try:
                draft = pledge_revise(pledge=pledge, valid_from=valid_from, valid_to=valid_to)
            except ValidationError as error:
                self.message_user(request, f"{pledge}: {' '.join(error.messages)}", messages.ERROR)
            else:
                url = reverse("admin:pledges_pledge_change", args=[draft.pk])
                self.message_user(
                    request,
                    format_html('{} <a href="{}">{}</a>', _("Draft created:"), url, draft),
                    messages.SUCCESS,
                )

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
class ActivityAdmin(MunicipalityScopedAdmin, SimpleHistoryAdmin):
    municipality_lookup = "commitment__pledge__municipality"
    list_display = ["date", "commitment", "status", "site", "logged_by"]
    list_filter = ["status", "commitment__pledge__municipality"]
    search_fields = ["public_summary", "commitment__text"]
    autocomplete_fields = ["site"]
    raw_id_fields = ["commitment"]
    filter_horizontal = ["organisations"]
    inlines = [MeasurementInline]
    date_hierarchy = "date"


@admin.register(Commitment)
class CommitmentAdmin(MunicipalityScopedAdmin, SimpleHistoryAdmin):
    municipality_lookup = "pledge__municipality"
    """Read-only list of commitments, for their history; they are edited on their pledge."""

    list_display = ["__str__", "pledge", "responsible", "target_kind", "target_value"]
    list_filter = ["responsible", "target_kind", "pledge__municipality"]
    search_fields = ["text"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A published pledge's commitments are history; drafts are edited on the pledge.
        return False


@admin.register(FollowUp)
class FollowUpAdmin(MunicipalityScopedAdmin, SimpleHistoryAdmin):
    municipality_lookup = "commitment__pledge__municipality"
    list_display = ["commitment", "period_start", "period_end", "is_published", "written_by"]
    list_filter = ["is_published"]
    raw_id_fields = ["commitment", "written_by"]


@admin.register(PeriodVerdict)
class PeriodVerdictAdmin(MunicipalityScopedAdmin, SimpleHistoryAdmin):
    municipality_lookup = "commitment__pledge__municipality"
    list_display = ["commitment", "period_start", "period_end", "is_published", "written_by"]
    list_filter = ["is_published"]
    raw_id_fields = ["commitment", "written_by"]


@admin.register(Membership)
class MembershipAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
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


@admin.register(Amendment)
class AmendmentAdmin(MunicipalityScopedAdmin, SimpleHistoryAdmin):
    municipality_lookup = "commitment__pledge__municipality"
    """Targets change mid-period only through an amendment: old value, new value, reason,
    who and when. The old value is the target in force on the day."""

    list_display = ["commitment", "effective_from", "old_value", "new_value", "created_by"]
    raw_id_fields = ["commitment"]
    fields = ["commitment", "effective_from", "new_value", "reason"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The form has validated the amendment (Amendment.clean); the service records the
        # target in force as the old value and who decided.
        saved = amendment_create(
            commitment=obj.commitment,
            effective_from=obj.effective_from,
            new_value=obj.new_value,
            reason=obj.reason,
            user=request.user,
        )
        obj.pk, obj.old_value = saved.pk, saved.old_value


class MembershipInline(admin.TabularInline):
    """A user's memberships, granted through the service so the role's group follows."""

    model = Membership
    extra = 0
    autocomplete_fields = ["municipality", "organisation"]


class UserAdmin(DjangoUserAdmin):
    inlines = [*DjangoUserAdmin.inlines, MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser hands out privileges; roles come through memberships.
            readonly += ["is_superuser", "is_staff", "groups", "user_permissions"]
        return readonly

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        for membership in formset.save(commit=False):
            membership_grant(
                user=membership.user,
                municipality=membership.municipality,
                organisation=membership.organisation,
                role=membership.role,
            )
        for membership in formset.deleted_objects:
            membership.delete()


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserAdmin)
