from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Logging in and out: lockout after failed attempts, limits on password reset."""

    name = "accounts"
