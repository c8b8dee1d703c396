from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from core.observability import readyz
from reports.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("reports.api_urls")),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("konto/", include("accounts.urls")),
    path("samordnare/", include("pledges.urls")),
    path("samordnare/", include("dialogues.urls")),
    path("", include("reports.urls")),
    prefix_default_language=False,
)
