import contextlib

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import (
    MunicipalityScopedAdmin,
    SafeChangeListMixin,
    ScopedChoicesMixin,
    ScopedHistoryAdmin,
)
from core.history import one_history_record

from .models import (
    COMMITMENT_HISTORY,
    Activity,
    ActivityType,
    Agreement,
    Amendment,
    Commitment,
    DroppedCommitment,
    FocusTag,
    FollowUp,
    Measurement,
    PeriodVerdict,
    Pledge,
    Quantity,
    Unit,
)
from .progress import next_period
from .services import amendment_create, pledge_publish, pledge_revise


@admin.register(Agreement)
class AgreementAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["title", "municipality", "police_area", "valid_from", "valid_to"]
    search_fields = ["title", "municipality__name"]
    autocomplete_fields = ["municipality", "police_area"]


@admin.register(FocusTag)
class FocusTagAdmin(SafeChangeListMixin, admin.ModelAdmin):
    """Tags are shared by every municipality: anyone may add one, only superusers rename
    or remove one."""

    search_fields = ["name"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class SharedReferenceAdmin(SafeChangeListMixin, admin.ModelAdmin):
    """Activity types, measured quantities and units are shared by every municipality:
    administrators may add one (with the add permission of their role), only superusers
    change or remove one, since every municipality's commitments read it. A row's code
    never changes once it is saved: commitments and measurements refer to it."""

    search_fields = ["code"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def history_view(self, request, object_id, extra_context=None):
        # Its history names the administrators of every municipality who changed it.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)


@admin.register(Unit)
class UnitAdmin(SharedReferenceAdmin):
    list_display = ["plural_sv", "singular_sv", "plural_en", "singular_en", "code"]
    search_fields = ["code", "singular_sv", "plural_sv", "singular_en", "plural_en"]
    fields = ["singular_sv", "plural_sv", "singular_en", "plural_en", "code"]


@admin.register(Quantity)
class QuantityAdmin(SharedReferenceAdmin):
    list_display = ["plural_sv", "singular_sv", "plural_en", "singular_en", "code", "position"]
    search_fields = UnitAdmin.search_fields
    fields = [*UnitAdmin.fields, "position"]


@admin.register(ActivityType)
class ActivityTypeAdmin(SharedReferenceAdmin):
    list_display = ["name_sv", "name_en", "unit", "measured", "code", "position"]
    search_fields = ["code", "name_sv", "name_en"]
    fields = ["name_sv", "name_en", "unit", "quantities", "code", "position"]
    filter_horizontal = ["quantities"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("unit")
        # The list shows each type's quantities; a select of types elsewhere needs none.
        if getattr(request.resolver_match, "url_name", "") == "pledges_activitytype_changelist":
            queryset = queryset.prefetch_related("quantities")
        return queryset

    @admin.display(description=_("measured quantities"))
    def measured(self, obj):
        return ", ".join(str(quantity) for quantity in obj.quantities.all()) or "–"


class CommitmentInline(ScopedChoicesMixin, admin.StackedInline):
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


class DroppedCommitmentInline(ScopedChoicesMixin, admin.TabularInline):
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
class PledgeAdmin(ScopedHistoryAdmin):
    list_display = ["title", "municipality", "valid_from", "valid_to", "status", "preview"]
    list_filter = ["status", "municipality__county"]
    search_fields = ["title", "municipality__name"]
    autocomplete_fields = ["municipality", "revises"]
    inlines = [CommitmentInline, DroppedCommitmentInline]
    actions = ["publish", "revise"]
    # The dialogues app revises through its own service, which carries focus areas over.
    revise_pledge = staticmethod(pledge_revise)

    # Kept by the guided revision (pledges.revision_views), not typed here.
    exclude = ["revision_steps"]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.is_public:
            fields = [f.name for f in Pledge._meta.fields if f.name != "revision_steps"]
            return [*fields, "guided_revision"]
        return ["status", "preview", "guided_revision"]

    @admin.display(description=_("Guided revision"))
    def guided_revision(self, obj):
        """The way into the guided revision: "Revise" on a published pledge, "continue"
        on a draft."""
        if obj is None or obj.pk is None or obj.status == Pledge.State.SUPERSEDED:
            return "–"
        if obj.status == Pledge.State.PUBLISHED:
            url = reverse("pledges:revision_start", kwargs={"pk": obj.pk})
            return format_html('<a class="button" href="{}">{}</a>', url, _("Revise"))
        url = reverse("pledges:revision", kwargs={"pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("Continue in the guided revision"))

    def save_formset(self, request, form, formset, change):
        if formset.model is not Commitment:
            super().save_formset(request, form, formset, change)
            return
        # One history record per commitment saved, with its parties, tags and places:
        # not one more for each of these lists that changed.
        saved = formset.save(commit=False)
        for commitment in formset.deleted_objects:
            commitment.delete()
        with contextlib.ExitStack() as stack:
            for commitment in saved:
                kind = "+" if commitment._state.adding else "~"
                stack.enter_context(one_history_record(commitment, COMMITMENT_HISTORY, kind))
                commitment.save()
            formset.save_m2m()

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
                draft = self.revise_pledge(pledge=pledge, valid_from=valid_from, valid_to=valid_to)
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


class MeasurementInline(ScopedChoicesMixin, admin.TabularInline):
    model = Measurement
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("quantity")


@admin.register(Activity)
class ActivityAdmin(ScopedHistoryAdmin):
    municipality_lookup = "commitment__pledge__municipality"
    list_display = ["date", "commitment", "status", "site", "logged_by"]
    # The municipalities to filter by come from their own table: "only those with
    # activities" would scan every activity of the country on each page of the list.
    list_filter = ["status", "commitment__pledge__municipality"]
    search_fields = ["public_summary", "commitment__text"]
    autocomplete_fields = ["site"]
    raw_id_fields = ["commitment"]
    filter_horizontal = ["organisations"]
    readonly_fields = ["logged_by", "logged_for", "version"]
    inlines = [MeasurementInline]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        if change:
            # The form has locked the row and checked the version it was loaded with.
            current = Activity.objects.filter(pk=obj.pk).values_list("version", flat=True)
            obj.version = current.get() + 1
        # One history record for the whole form, written once its organisations and
        # measurements are saved too (save_related). A revert from the history saves
        # without save_related: it keeps django-simple-history's own records.
        if getattr(request.resolver_match, "url_name", "") != "pledges_activity_simple_history":
            obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with form.instance.one_history_record("~" if change else "+"):
            super().save_related(request, form, formsets, change)


@admin.register(Commitment)
class CommitmentAdmin(ScopedHistoryAdmin):
    """Read-only list of commitments, for their history; they are edited on their pledge."""

    municipality_lookup = "pledge__municipality"
    list_display = [
        "__str__",
        "pledge",
        "responsible",
        "activity_type",
        "target_kind",
        "target_value",
        "unit",
    ]
    list_filter = [
        "responsible",
        "activity_type",
        "target_kind",
        ("pledge__municipality", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["text"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("pledge__municipality").with_labels()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A published pledge's commitments are history; drafts are edited on the pledge.
        return False


@admin.register(FollowUp)
class FollowUpAdmin(ScopedHistoryAdmin):
    municipality_lookup = "commitment__pledge__municipality"
    list_display = ["commitment", "period_start", "period_end", "is_published", "written_by"]
    list_filter = ["is_published"]
    raw_id_fields = ["commitment"]
    readonly_fields = ["written_by"]


@admin.register(PeriodVerdict)
class PeriodVerdictAdmin(ScopedHistoryAdmin):
    municipality_lookup = "commitment__pledge__municipality"
    list_display = ["commitment", "period_start", "period_end", "is_published", "written_by"]
    list_filter = ["is_published"]
    raw_id_fields = ["commitment"]
    readonly_fields = ["written_by"]


@admin.register(Amendment)
class AmendmentAdmin(ScopedHistoryAdmin):
    """Targets change mid-period only through an amendment: old value, new value, reason,
    who and when. The old value is the target in force on the day."""

    municipality_lookup = "commitment__pledge__municipality"
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
