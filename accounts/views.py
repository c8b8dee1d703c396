"""Account views that need more than django.contrib.auth gives."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import UpdateView
from django_ratelimit.core import is_ratelimited

from .forms import ReminderSettingsForm
from .models import ReminderState


class PasswordResetView(auth_views.PasswordResetView):
    """Password reset by e-mail, limited per address and per client, so that the form can
    neither flood someone's inbox nor be used to send mail in bulk. The limits apply whether
    or not an account has the address, so the refusal tells nothing about accounts."""

    address_rate = "3/h"
    client_rate = "10/h"

    def form_valid(self, form):
        address = form.cleaned_data["email"].strip().casefold()
        limited = [
            is_ratelimited(
                self.request,
                group="password-reset-client",
                key="ip",
                rate=self.client_rate,
                increment=True,
            ),
            is_ratelimited(
                self.request,
                group="password-reset-address",
                key=lambda _group, _request: address,
                rate=self.address_rate,
                increment=True,
            ),
        ]
        if any(limited):
            form.add_error(
                None,
                _(
                    "Too many requests to reset a password have been made in a short time. "
                    "No e-mail was sent. Wait an hour and try again."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class ReminderSettingsView(LoginRequiredMixin, UpdateView):
    """The user's own choice of the daily reminder e-mail; nobody else's is reachable."""

    form_class = ReminderSettingsForm
    template_name = "accounts/reminder_settings.html"
    success_url = reverse_lazy("reminder_settings")

    def get_object(self, queryset=None):
        return ReminderState.objects.get_or_create(user=self.request.user)[0]

    def form_valid(self, form):
        messages.success(self.request, _("Your reminder setting has been saved."))
        return super().form_valid(form)
