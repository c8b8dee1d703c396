"""Failed login attempts in the admin, for superusers only: unlocking a user means deleting
their attempts. User names and client addresses are personal data, so no other role sees
them, whatever permissions it is given."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin

from .forms import AdminLoginForm

admin.site.login_form = AdminLoginForm


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
