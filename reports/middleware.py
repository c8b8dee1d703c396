from django.core.exceptions import BadRequest

NUL = "\x00"


def _has_nul(query_dict):
    return any(
        NUL in key or any(NUL in value for value in values) for key, values in query_dict.lists()
    )


class RefuseNullCharactersMiddleware:
    """Answer 400 (the site's 400 page) to a request with a NUL character in its path,
    query string, form data or cookies. Nobody types one, and PostgreSQL refuses it in
    any query: wherever such a value reached the database unchecked (an API filter, an
    admin filter, the session cookie) it would end as a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            NUL in request.path_info
            or _has_nul(request.GET)
            or _has_nul(request.POST)
            or any(NUL in key or NUL in value for key, value in request.COOKIES.items())
        ):
            session = getattr(request, "session", None)
            if session is not None and NUL in (session.session_key or ""):
                # A fresh, empty session: the session middleware then deletes the cookie
                # instead of looking its key up in the database.
                request.session = type(session)()
            raise BadRequest("A NUL character in the request.")
        return self.get_response(request)
