from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import permissions
from .forms import bad_pk
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
from .services import (
    STALE_ROW_MESSAGE,
    amendment_create,
    membership_grant,
    membership_revoke,
    pledge_publish,
    pledge_revise,
)

admin.site.site_header = _("Medborgarlöften – administration")
admin.site.site_title = _("Medborgarlöften – administration")
admin.site.index_title = _("Administration")


class SafeChangeListMixin:
    """A filter typed into a list's address that the database cannot run (the year 99999,
    an id too large for its column) is reported as a bad filter, and rows chosen for an
    action by ids that cannot be ids are refused; never a 500."""

    def response_action(self, request, queryset):
        chosen = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if any(bad_pk(value) for value in chosen):
            self.message_user(request, _("Choose the rows from the list."), messages.WARNING)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    def get_changelist_instance(self, request):
        try:
            # A savepoint: on PostgreSQL a failed query would spoil the request's
            # transaction.
            with transaction.atomic():
                return super().get_changelist_instance(request)
        except (ValueError, OverflowError, DataError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error


class ScopedChoicesMixin(SafeChangeListMixin):
    """For model admins and inlines: a relation (select, raw id or autocomplete) offers and
    accepts only what the related model's admin shows the user, so an id typed by hand
    from another municipality is refused when the form is validated."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _scope_choices(self, db_field, request, kwargs):
        if request.user.is_superuser or "queryset" in kwargs:
            return
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if related_admin is not None:
            kwargs["queryset"] = related_admin.get_queryset(request)


class StaleCheckedForm(forms.ModelForm):
    """Refuses to save over a change someone else saved since the form was loaded: the
    row's ``version`` (or ``updated_at``) when loaded is compared with the current one
    under a row lock, inside the save's transaction. A revert from the history is checked
    the same way, against the row as it was when the revert form was opened."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._checked:
            self.fields["loaded_version"].initial = self._current_version(lock=False)

    @property
    def _checked(self):
        fields = {f.name for f in self._meta.model._meta.concrete_fields}
        return self.instance.pk is not None and bool({"version", "updated_at"} & fields)

    def _current_version(self, *, lock):
        model = self._meta.model
        field = "version" if any(f.name == "version" for f in model._meta.fields) else "updated_at"
        rows = model._default_manager.filter(pk=self.instance.pk)
        if lock:
            rows = rows.select_for_update()
        value = rows.values_list(field, flat=True).first()
        if value is None:
            return ""
        return value.isoformat() if field == "updated_at" else str(value)

    def clean(self):
        cleaned = super().clean()
        if self._checked and cleaned.get("loaded_version") != self._current_version(lock=True):
            raise ValidationError(STALE_ROW_MESSAGE, code="stale")
        return cleaned


class ScopedHistoryMixin:
    """The history of an object, and a past version of it, open only where its change page
    does; reverting is for superusers, through the same form checks as an edit."""

    def history_view(self, request, object_id, extra_context=None):
        self._check_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_in_scope(request, object_id)
        if bad_pk(version_id):
            raise Http404
        if request.method == "POST" and not request.user.is_superuser:
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return not request.user.is_superuser or super().revert_disabled(request, obj)

    def _check_in_scope(self, request, object_id):
        object_id = unquote(object_id)
        if bad_pk(object_id):
            raise Http404
        if not request.user.is_superuser and not (
            self.get_queryset(request).filter(pk=object_id).exists()
        ):
            raise Http404


class MunicipalityScopedAdmin(ScopedChoicesMixin):
    """For administrators who are not superusers: only the rows of the municipalities they
    administer, and only what those rows may point to."""

    municipality_lookup = "municipality"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = permissions.administered_municipality_ids(request.user)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.municipality_lookup}__in": ids})


class ScopedHistoryAdmin(MunicipalityScopedAdmin, ScopedHistoryMixin, SimpleHistoryAdmin):
    """A municipality's rows with their history, and edits refused when stale."""

    form = StaleCheckedForm


class ReferenceDataAdmin(SafeChangeListMixin, admin.ModelAdmin):
    """National reference data: superusers keep it, everyone else reads it."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(PoliceRegion)
class PoliceRegionAdmin(ReferenceDataAdmin):
    search_fields = ["name"]


@admin.register(County)
class CountyAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "police_region"]
    search_fields = ["name", "code"]


@admin.register(PoliceArea)
class PoliceAreaAdmin(ReferenceDataAdmin):
    list_display = ["name", "region"]
    search_fields = ["name"]


@admin.register(Municipality)
class MunicipalityAdmin(MunicipalityScopedAdmin, ReferenceDataAdmin):
    municipality_lookup = "pk"
    list_display = ["code", "name", "slug", "county", "police_area"]
    list_filter = ["county"]
    search_fields = ["name", "code", "slug"]
    autocomplete_fields = ["police_area"]


@admin.register(Organisation)
class OrganisationAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Administrators see the organisations that work in their municipalities: their own,
    the police of their local police areas and national actors. They add and keep only
    their own municipality's (the municipality itself and its local actors); the police
    and national actors are kept by superusers."""

    list_display = ["name", "kind", "municipality", "police_area"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["municipality", "police_area"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = permissions.administered_municipality_ids(request.user)
        if ids is None:
            return queryset
        return queryset.filter(
            Q(municipality__in=ids)
            | Q(kind=Organisation.Kind.POLICE, police_area__municipalities__in=ids)
            | Q(kind=Organisation.Kind.EXTERNAL, municipality=None)
        ).distinct()

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["police_area"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser:
            if "municipality" in form.base_fields:
                form.base_fields["municipality"].required = True
            if "kind" in form.base_fields:
                kind = form.base_fields["kind"]
                kind.choices = [c for c in kind.choices if c[0] != Organisation.Kind.POLICE]
        return form

    def has_change_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            ids = permissions.administered_municipality_ids(request.user)
            if obj.municipality_id not in ids or obj.kind == Organisation.Kind.POLICE:
                return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


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
class FocusTagAdmin(SafeChangeListMixin, admin.ModelAdmin):
    """Tags are shared by every municipality: anyone may add one, only superusers rename
    or remove one."""

    search_fields = ["name"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


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


class MeasurementInline(ScopedChoicesMixin, admin.TabularInline):
    model = Measurement
    extra = 0


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
        super().save_model(request, obj, form, change)


@admin.register(Commitment)
class CommitmentAdmin(ScopedHistoryAdmin):
    """Read-only list of commitments, for their history; they are edited on their pledge."""

    municipality_lookup = "pledge__municipality"
    list_display = ["__str__", "pledge", "responsible", "target_kind", "target_value"]
    list_filter = [
        "responsible",
        "target_kind",
        ("pledge__municipality", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["text"]

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


@admin.register(Membership)
class MembershipAdmin(ScopedHistoryAdmin):
    list_display = ["user", "municipality", "organisation", "role"]
    list_filter = ["role", "municipality__county"]
    search_fields = ["user__username", "municipality__name"]
    autocomplete_fields = ["user", "municipality", "organisation"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # A superuser's memberships are theirs to change.
        return queryset.filter(user__is_superuser=False)

    def get_readonly_fields(self, request, obj=None):
        # A membership is a user in a municipality: move someone by ending this one and
        # granting another.
        return ["user", "municipality"] if obj else []

    def save_model(self, request, obj, form, change):
        # Through the service, so the user's role groups and staff status follow.
        saved = membership_grant(
            user=obj.user,
            municipality=obj.municipality,
            organisation=obj.organisation,
            role=obj.role,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        membership_revoke(membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user"):
            membership_revoke(membership=membership)


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


class MembershipInline(ScopedChoicesMixin, admin.TabularInline):
    """A user's memberships, granted through the service so the role's group follows."""

    model = Membership
    extra = 0
    autocomplete_fields = ["municipality", "organisation"]

    def get_formset(self, request, obj=None, **kwargs):
        if obj is None and not request.user.is_superuser:
            # An administrator's new user belongs to one of their municipalities from the
            # start; a user of no municipality would be out of their reach at once.
            kwargs.update(min_num=1, validate_min=True)
        return super().get_formset(request, obj, **kwargs)


class UserAdmin(ScopedChoicesMixin, ScopedHistoryMixin, SimpleHistoryAdmin, DjangoUserAdmin):
    """Superusers see every user. An administrator sees only the users whose memberships
    all lie in the municipalities they administer, never a superuser: they cannot change,
    nor set the password of, anyone who reaches further than they do."""

    inlines = [*DjangoUserAdmin.inlines, MembershipInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = permissions.administered_municipality_ids(request.user)
        if ids is None:
            return queryset
        inside = Membership.objects.filter(municipality__in=ids).values("user")
        outside = Membership.objects.exclude(municipality__in=ids).values("user")
        return queryset.filter(is_superuser=False, pk__in=inside).exclude(pk__in=outside)

    def has_delete_permission(self, request, obj=None):
        # A deleted user takes their admin log with them, which may tell of municipalities
        # they have left; administrators deactivate users instead.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

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
            if membership.pk is not None:
                before = Membership.objects.get(pk=membership.pk)
                if before.municipality_id != membership.municipality_id:
                    membership_revoke(membership=before)
            membership_grant(
                user=membership.user,
                municipality=membership.municipality,
                organisation=membership.organisation,
                role=membership.role,
            )
        for membership in formset.deleted_objects:
            membership_revoke(membership=membership)


class GroupAdmin(SafeChangeListMixin, SimpleHistoryAdmin, DjangoGroupAdmin):
    """The role groups carry every coordinator's and administrator's permissions across
    all municipalities: only superusers see or change them."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.none()


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)
