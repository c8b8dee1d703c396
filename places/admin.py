"""The admin of places: the national reference data, which superusers keep, and each
municipality's organisations and sites, which its administrators keep."""

from django.contrib import admin
from django.db.models import Q

from core.admin import MunicipalityScopedAdmin, ReferenceDataAdmin, ScopedChoicesMixin

from .models import County, Municipality, Organisation, PoliceArea, PoliceRegion, Site


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
