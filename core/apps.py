from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What the apps share (forms, observability) and the operations commands (backup,
    restore); no models."""

    name = "core"
    verbose_name = _("Core")
