"""The building blocks of every app's admin: lists that refuse bad filters instead of
failing, relation choices and history scoped to what the user may see, and edits refused
when someone else saved first. Which municipalities a user administers is the admin site's
to say (config.admin.AdminSite), so these need none of the apps."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, models, transaction
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .forms import (
    STALE_ROW_MESSAGE,
    BoundedModelChoiceField,
    BoundedModelMultipleChoiceField,
    bad_pk,
)


def _integer_key(field):
    return isinstance(field, models.IntegerField)


class SafeChangeListMixin:
    """A filter typed into a list's address that the database cannot run (the year 99999,
    an id too large for its column) is reported as a bad filter, rows chosen for an
    action by ids that cannot be ids are refused, and so is such an id posted for a
    relation of a form; never a 500."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if _integer_key(db_field.target_field):
            kwargs.setdefault("form_class", BoundedModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if _integer_key(db_field.related_model._meta.pk):
            kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

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
