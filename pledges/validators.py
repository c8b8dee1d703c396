"""Validators shared by the models of every app (they sit on model fields, so the
coordinator forms and the Django admin both refuse the same values at the field)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# Every date the app records (pledges, agreements, activities, dialogues, indicators) lies
# in this range: a typo such as 0001-01-01 or 9999-12-31 is refused, not stored.
FIRST_DAY = date(1990, 1, 1)
LAST_DAY = date(2100, 12, 31)


@deconstructible
class DateRangeValidator:
    """Refuse a date outside [start, end], saying which dates are accepted."""

    message = _("Enter a date between %(start)s and %(end)s.")
    code = "date_out_of_range"

    def __init__(self, start=FIRST_DAY, end=LAST_DAY):
        self.start = start
        self.end = end

    def __call__(self, value):
        if not self.start <= value <= self.end:
            raise ValidationError(
                self.message,
                code=self.code,
                params={"start": date_format(self.start), "end": date_format(self.end)},
            )

    def __eq__(self, other):
        if not isinstance(other, DateRangeValidator):
            return NotImplemented
        return (self.start, self.end) == (other.start, other.end)

    def __hash__(self):
        return hash((self.start, self.end))


sane_date = DateRangeValidator()
