"""Small mixins for the coordinator pages of pledges and dialogues, on Django's generic
views: who may open a page, which rows they can reach, and how a form acts through a
service.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic.detail import SingleObjectMixin
from django.views.generic.edit import FormMixin

from places.models import Municipality

from .forms import attach_errors, sent_before
from .services import SENT_TWICE_MESSAGE, create_once


class CoordinatorMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """For logged-in coordinators: anonymous users go to the login page, users without
    the permission get 403."""

    permission_required = "pledges.view_activity"

    @cached_property
    def today(self):
        """The reporting day, read once per request: every figure of a page is as of it."""
        return timezone.localdate()


class MunicipalityScopedMixin:
    """Scopes ``get_queryset()`` to the user's municipalities, so that another
    municipality's object is 404: nobody learns that it exists.

    A queryset with a ``for_user`` of its own (commitments, activities, dialogues) is
    scoped by it; for other models ``municipality_lookup`` names the way from the model to
    its municipality (``"dialogue__municipality"``).
    """

    municipality_lookup = None

    def get_queryset(self):
        queryset = super().get_queryset()
        user = self.request.user
        if self.municipality_lookup is None:
            return queryset.for_user(user)
        return queryset.filter(
            **{f"{self.municipality_lookup}__in": Municipality.objects.for_user(user)}
        )


class SingleObjectFormMixin(SingleObjectMixin):
    """A form about one object of the address, as in Django's documentation of
    SingleObjectMixin with FormView: the object (through ``get_queryset``, so scoped) is
    loaded before the form is shown or posted."""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)


class ServiceFormMixin(FormMixin):
    """A form view that acts through a service: the form validates, ``save(form)`` calls
    the service, and the view redirects to ``success_url_for`` what it saved. A
    ValidationError from the service is shown on the form; refused input answers 400 with
    what was typed kept."""

    success_message = _("Saved.")

    def save(self, form):
        """Act through the service; return what was saved."""
        raise NotImplementedError

    def success_url_for(self, saved):
        return self.get_success_url()

    def refused(self, form, error):
        """Show on the form why the service refused it."""
        attach_errors(form, error)

    def save_once(self, form):
        """Save; return where to go next and whether this post made the change."""
        return self.success_url_for(self.save(form)), True

    def form_valid(self, form):
        try:
            url, created = self.save_once(form)
        except ValidationError as error:
            self.refused(form, error)
            return self.form_invalid(form)
        if created:
            messages.success(self.request, self.success_message)
        else:
            messages.info(self.request, SENT_TWICE_MESSAGE)
        return redirect(url)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CreateOnceMixin(ServiceFormMixin):
    """A form that makes something new once per form token (services.create_once): posted
    twice (a double click, a resend after a slow network), the second post lands where
    the first one did, even when it would no longer be valid."""

    def post(self, request, *args, **kwargs):
        if url := sent_before(request):
            messages.info(request, SENT_TWICE_MESSAGE)
            return redirect(url)
        return super().post(request, *args, **kwargs)

    def save_once(self, form):
        return create_once(
            token=form.cleaned_data.get("form_token"),
            user=self.request.user,
            create=lambda: self.save(form),
            url_of=self.success_url_for,
        )
