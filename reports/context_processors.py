from django.conf import settings
from django.urls import translate_url


def language_links(request):
    """The current page in every language, for the language switcher."""
    return {
        "language_links": [
            (code, name, translate_url(request.get_full_path(), code))
            for code, name in settings.LANGUAGES
        ]
    }


def service(request):
    """Who publishes the service, for the footer of pages that belong to no municipality."""
    return {"service_publisher": settings.SERVICE_PUBLISHER}
