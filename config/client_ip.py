"""The client's address, the one key that every abuse limit counts by.

Used by django-ratelimit (RATELIMIT_IP_META_KEY) and django-axes (AXES_CLIENT_IP_CALLABLE),
so that a login lockout, a password reset limit and the Tyck till limit agree on who the
client is.
"""

from ipaddress import ip_address

from django.conf import settings


def client_ip(request):
    """The address of the client that sent the request, as a string.

    With TRUSTED_PROXY_COUNT = 0 (no proxy) it is REMOTE_ADDR. Behind N trusted proxies, each
    of which appends the address it received the request from to X-Forwarded-For, the client
    is the N-th entry from the right: everything left of it was written by the client and can
    be anything. When the header is shorter than that or the entry is not an address, the
    request did not come through the proxies as configured, and the nearest peer
    (REMOTE_ADDR) is the only address to be trusted.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote_addr
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < proxies:
        return remote_addr
    try:
        return str(ip_address(forwarded[-proxies]))
    except ValueError:
        return remote_addr
