from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    """Police regions, counties, local police areas, municipalities, organisations, sites."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "places"
    verbose_name = _("Places")
