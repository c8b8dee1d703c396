"""``{{ commitment|unit_for:n }}``: what a commitment counts, in the page's language and
in the number ``n`` asks for ("1 trafikkontroll", "2 trafikkontroller")."""

from django import template

register = template.Library()


@register.filter
def unit_for(counted, count):
    """``unit_label(count)`` of a commitment or an activity type, ``label(count)`` of a
    unit or a measured quantity; "" for nothing."""
    if counted in (None, ""):
        return ""
    if hasattr(counted, "unit_label"):
        return counted.unit_label(count)
    return counted.label(count)
