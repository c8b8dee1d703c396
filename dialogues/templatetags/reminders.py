"""The reminder items on the dashboard. A template tag because the dashboard's view lives
in pledges, which must not import dialogues (``reports -> dialogues -> pledges``)."""

from django import template
from django.utils import timezone

from accounts.permissions import memberships_of
from dialogues.reminders import reminders_for

register = template.Library()


@register.simple_tag(takes_context=True)
def reminder_items(context):
    """What needs the request's user today (``reminders_for``): six queries, using the
    memberships the request has already loaded."""
    user = context["request"].user
    today = getattr(context.get("view"), "today", None) or timezone.localdate()
    return reminders_for(user, today, memberships=memberships_of(user))
