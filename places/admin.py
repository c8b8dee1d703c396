"""The admin of places: the national reference data, which superusers keep, and each
municipality's organisations and sites, which its administrators keep."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.admin import MunicipalityScopedAdmin, ReferenceDataAdmin, ScopedChoicesMixin

from .forms import PoliceAreaForm
from .models import County, Municipality, Organisation, PoliceArea, PoliceRegion, Site
from .services import police_area_create, police_area_update

NO_POLICE_AREA = _("No local police area")


@admin.register(PoliceRegion)
class PoliceRegionAdmin(ReferenceDataAdmin):
    search_fields = ["name"]


@admin.register(County)
class CountyAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "police_region"]
    search_fields = ["name", "code"]


@admin.register(PoliceArea)
class PoliceAreaAdmin(ReferenceDataAdmin):
    """A local police area is made, and given its municipalities, in one step, through
    the services (which also give it its police organisation); by superusers, like all
    reference data."""

    form = PoliceAreaForm
    fields = ["name", "region", "municipalities"]
    list_display = ["name", "region", "municipalities"]
    list_filter = ["region"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("region")
            .prefetch_related("municipalities")
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        scope = self.admin_site._registry[Municipality].get_queryset(request)
        # A subclass per request: the declared field is shared by every form class.
        return type(form.__name__, (form,), {"municipality_scope": scope})

    @admin.display(description=_("municipalities"))
    def municipalities(self, obj):
        return ", ".join(m.name for m in obj.municipalities.all())

    def save_model(self, request, obj, form, change):
        values = {
            "name": obj.name,
            "region": obj.region,
            "municipalities": form.cleaned_data["municipalities"],
        }
        if change:
            police_area_update(area=obj, **values)
        else:
            obj.pk = police_area_create(**values).pk


class PoliceAreaListFilter(admin.SimpleListFilter):
    title = _("local police area")
    parameter_name = "has_police_area"

    def lookups(self, request, model_admin):
        return [("no", NO_POLICE_AREA), ("yes", _("With a local police area"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(police_area=None)
        if self.value() == "yes":
            return queryset.exclude(police_area=None)
        return queryset


@admin.register(Municipality)
class MunicipalityAdmin(MunicipalityScopedAdmin, ReferenceDataAdmin):
    """Municipalities are attached to a local police area on the area's page, where the
    region and the police coordinators' memberships are checked; here it is shown, and
    its absence said plainly (also by the change page's template)."""

    municipality_lookup = "pk"
    fields = ["code", "name", "slug", "county", "local_police_area"]
    readonly_fields = ["local_police_area"]
    list_display = ["code", "name", "slug", "county", "local_police_area"]
    list_select_related = ["county", "police_area"]
    list_filter = [PoliceAreaListFilter, "county__police_region", "county"]
    search_fields = ["name", "code", "slug"]

    @admin.display(description=_("local police area"), ordering="police_area__name")
    def local_police_area(self, obj):
        return NO_POLICE_AREA if obj.police_area is None else obj.police_area.name


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
