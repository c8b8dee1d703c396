"""The admin of places, and the building blocks of every app's admin: lists that refuse
bad filters instead of failing, relation choices and history scoped to what the user may
see, and edits refused when someone else saved first. Which municipalities a user
administers is the admin site's to say (config.admin.AdminSite), so this app, at the bottom
of the others, needs none of them."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .forms import STALE_ROW_MESSAGE, bad_pk
from .models import County, Municipality, Organisation, PoliceArea, PoliceRegion, Site

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
        ids = self.admin_site.administered_municipality_ids(request.user)
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
        ids = self.admin_site.administered_municipality_ids(request.user)
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
            ids = self.admin_site.administered_municipality_ids(request.user)
            if obj.municipality_id not in ids or obj.kind == Organisation.Kind.POLICE:
                return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Site)
class SiteAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "municipality", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality"]
