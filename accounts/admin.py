"""Users, their memberships and the role groups in the admin; and failed login attempts,
for superusers only: unlocking a user means deleting their attempts. User names and client
addresses are personal data, so no other role sees them, whatever permissions it is
given."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from simple_history.admin import SimpleHistoryAdmin

from core.admin import (
    SafeChangeListMixin,
    ScopedChoicesMixin,
    ScopedHistoryAdmin,
    ScopedHistoryMixin,
)

from .models import Membership
from .services import membership_grant, membership_revoke


@admin.register(AccessAttempt)
class SuperuserAccessAttemptAdmin(AccessAttemptAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


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
        ids = self.admin_site.administered_municipality_ids(request.user)
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
