"""The words of the figures: "3 av 4 trafikinsatser", "46 av 52 veckor med minst 1
trafikkontroll", "1 återstår, senast 31 december", and the overall figure's label.

Kept as tags because the right number of every noun (Swedish and English plurals) needs
ngettext, which a template's blocktranslate can only give one noun at a time.
"""

from django import template
from django.utils.formats import date_format
from django.utils.translation import ngettext

from pledges.progress import Status, TargetPeriod

register = template.Library()


def _periods_met(kind, met, count):
    if kind == TargetPeriod.WEEK:
        return ngettext("%(met)s of %(count)s week", "%(met)s of %(count)s weeks", count)
    if kind == TargetPeriod.MONTH:
        return ngettext("%(met)s of %(count)s month", "%(met)s of %(count)s months", count)
    if kind == TargetPeriod.TERM:
        return ngettext("%(met)s of %(count)s term", "%(met)s of %(count)s terms", count)
    if kind == TargetPeriod.YEAR:
        return ngettext("%(met)s of %(count)s year", "%(met)s of %(count)s years", count)
    return ngettext("%(met)s of %(count)s period", "%(met)s of %(count)s periods", count)


@register.simple_tag
def figure_text(summary, commitment):
    """The headline in words, without the status: "3 of 4 traffic operations"; over several
    periods "46 of 52 weeks with at least 1 traffic control"."""
    if not summary.quantitative:
        return ""
    target = summary.target
    if summary.single:
        return ngettext(
            "%(done)s of %(target)s %(unit)s", "%(done)s of %(target)s %(unit)s", target
        ) % {"done": summary.done, "target": target, "unit": commitment.unit_label(target)}
    periods = _periods_met(summary.kind, summary.met, summary.count) % {
        "met": summary.met,
        "count": summary.count,
    }
    return ngettext(
        "%(periods)s with at least %(target)s %(unit)s",
        "%(periods)s with at least %(target)s %(unit)s",
        target,
    ) % {"periods": periods, "target": target, "unit": commitment.unit_label(target)}


@register.simple_tag
def done_total(summary, commitment):
    """Beside periods met, the total done: "62 traffic controls in all"."""
    done = summary.done
    return ngettext("%(done)s %(unit)s in all", "%(done)s %(unit)s in all", done) % {
        "done": done,
        "unit": commitment.unit_label(done),
    }


@register.simple_tag
def due_text(summary):
    """What was due by the reporting day: "Expected so far: 2", or over several periods
    "Due so far: 10 weeks"."""
    if summary.single:
        return ngettext(
            "Expected so far: %(expected)s.",
            "Expected so far: %(expected)s.",
            summary.expected_floor,
        ) % {"expected": summary.expected_floor}
    return _periods_due(summary.kind, summary.due) % {"due": summary.due}


def _periods_due(kind, due):
    if kind == TargetPeriod.WEEK:
        return ngettext("Weeks ended so far: %(due)s.", "Weeks ended so far: %(due)s.", due)
    if kind == TargetPeriod.MONTH:
        return ngettext("Months ended so far: %(due)s.", "Months ended so far: %(due)s.", due)
    if kind == TargetPeriod.TERM:
        return ngettext("Terms ended so far: %(due)s.", "Terms ended so far: %(due)s.", due)
    return ngettext("Years ended so far: %(due)s.", "Years ended so far: %(due)s.", due)


@register.simple_tag
def remaining_text(summary):
    """What remains of the current period and by when: "1 remains, by 31 December";
    empty once it is reached, ended, or without a number."""
    if not summary.quantitative or summary.current.closed or not summary.remaining:
        return ""
    return ngettext(
        "%(remaining)s remains, by %(deadline)s.",
        "%(remaining)s remain, by %(deadline)s.",
        summary.remaining,
    ) % {"remaining": summary.remaining, "deadline": date_format(summary.deadline, "j F Y")}


STATUS_COUNT = {
    Status.FULFILLED: lambda n: ngettext("%(n)s fulfilled", "%(n)s fulfilled", n),
    Status.ON_TRACK: lambda n: ngettext("%(n)s on track", "%(n)s on track", n),
    Status.BEHIND: lambda n: ngettext("%(n)s behind plan", "%(n)s behind plan", n),
    Status.NOT_STARTED: lambda n: ngettext("%(n)s not started", "%(n)s not started", n),
    Status.DONE: lambda n: ngettext("%(n)s carried out", "%(n)s carried out", n),
    Status.PARTLY_DONE: lambda n: ngettext(
        "%(n)s partly carried out", "%(n)s partly carried out", n
    ),
    Status.NOT_DONE: lambda n: ngettext("%(n)s not carried out", "%(n)s not carried out", n),
    Status.NOT_ASSESSED: lambda n: ngettext("%(n)s not assessed", "%(n)s not assessed", n),
}


@register.simple_tag
def overall_label(report):
    """What the overall figure counts: "on average for 3 promises with a numeric target:
    1 carried out, 2 partly carried out; 1 promise without a numeric target"."""
    numeric = [c.summary for c in report.commitments if c.summary.quantitative]
    others = len(report.commitments) - len(numeric)
    counts = {}
    for summary in numeric:
        counts[summary.status] = counts.get(summary.status, 0) + 1
    parts = ", ".join(
        STATUS_COUNT[status](counts[status]) % {"n": counts[status]}
        for status in Status
        if status in counts
    )
    if not numeric:
        return ngettext(
            "%(count)s promise without a numeric target",
            "%(count)s promises without a numeric target",
            others,
        ) % {"count": others}
    label = ngettext(
        "on average for %(count)s promise with a numeric target",
        "on average for %(count)s promises with a numeric target",
        len(numeric),
    ) % {"count": len(numeric)}
    if parts:
        label = f"{label}: {parts}"
    if others:
        without = ngettext(
            "%(count)s promise without a numeric target",
            "%(count)s promises without a numeric target",
            others,
        ) % {"count": others}
        label = f"{label}; {without}"
    return label
