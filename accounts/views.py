"""Account views that need more than django.contrib.auth gives."""

from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited


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
