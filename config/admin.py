"""The project's admin site: Django's, with a "view on site" shortcut that opens only what
the user may see in the admin."""

import re

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponseRedirect
from django.urls import path
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.forms import AdminLoginForm


class AdminSite(admin.AdminSite):
    site_header = site_title = _("Medborgarlöften – administration")
    index_title = _("Administration")
    login_form = AdminLoginForm

    def get_urls(self):
        # Ahead of Django's own /r/ route, which redirects to any object's public address
        # and so tells anyone with admin access which rows exist anywhere.
        shortcut = path(
            "r/<path:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [shortcut, *super().get_urls()]

    def view_on_site(self, request, content_type_id, object_id):
        """Redirect to the page of an object the user's admin shows them, else 404."""
        if not (
            re.fullmatch(r"[0-9]{1,18}", content_type_id)
            and re.fullmatch(r"[0-9]{1,18}", object_id)
        ):
            raise Http404
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except ContentType.DoesNotExist:
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        obj = model_admin.get_queryset(request).filter(pk=object_id).first()
        if obj is None:
            raise Http404
        if callable(model_admin.view_on_site):
            url = model_admin.view_on_site(obj)
        elif model_admin.view_on_site and hasattr(obj, "get_absolute_url"):
            url = obj.get_absolute_url()
        else:
            raise Http404
        return HttpResponseRedirect(url)

    def administered_municipality_ids(self, user):
        """The ids of the municipalities the user administers, None for all (a superuser):
        the scope of every app's admin (places.admin.MunicipalityScopedAdmin)."""
        return permissions.administered_municipality_ids(user)
