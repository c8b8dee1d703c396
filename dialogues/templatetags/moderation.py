"""The waiting "Tyck till" count, for pages of other apps (the dashboard) that must not
import this one: a template reaches it through this tag."""

from django import template

from dialogues.selectors import waiting_submissions_count as count_waiting

register = template.Library()


@register.simple_tag
def waiting_submissions_count(user):
    """How many messages wait for a decision in the user's municipalities."""
    return count_waiting(user)
