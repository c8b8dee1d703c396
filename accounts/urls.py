"""Login, logout, password change and reset under Swedish URLs (/konto/...)."""

from django.contrib.auth import views as auth_views
from django.template.response import TemplateResponse
from django.urls import path

from accounts.forms import LoginForm
from accounts.views import PasswordResetView, ReminderSettingsView


class LogoutView(auth_views.LogoutView):
    """Logging out is a POST; a GET (an old link, a typed address) offers the button."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return TemplateResponse(request, "registration/logout_confirm.html")


urlpatterns = [
    path(
        "logga-in/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logga-ut/", LogoutView.as_view(), name="logout"),
    path("paminnelser/", ReminderSettingsView.as_view(), name="reminder_settings"),
    path("losenord/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "losenord/klart/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("aterstall/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "aterstall/skickat/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "aterstall/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "aterstall/klart/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
