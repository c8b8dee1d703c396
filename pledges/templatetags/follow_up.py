"""Where a pledge's follow-up stands, for links to the follow-up pages."""

from django import template

from pledges import progress

register = template.Library()


@register.simple_tag
def follow_up_period(pledge, on):
    """The pledge's reporting period whose follow-up is due as of ``on``
    (``progress.period_to_follow_up``). No query."""
    periods = progress.reporting_periods(
        pledge.valid_from, pledge.end(on), pledge.follow_up_cadence
    )
    return progress.period_to_follow_up(periods, on)
