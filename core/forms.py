"""Form building blocks every app uses: ids that a database can hold, and the message for
an edit that came too late."""

import re

from django import forms
from django.utils.translation import gettext_lazy

# The largest primary key any of our databases can hold.
MAX_PK = 2**63 - 1
# ASCII digits only: str.isdigit() also passes "²", which int() then refuses.
PLAIN_DIGITS = re.compile(r"[0-9]+")


def bad_pk(value):
    """True for an id that is not a whole number a database can hold: such a value is
    refused before any query, where it would overflow the integer column."""
    text = str(value)
    return not PLAIN_DIGITS.fullmatch(text) or int(text) > MAX_PK


class BoundedModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and bad_pk(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if bad_pk(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


STALE_ROW_MESSAGE = gettext_lazy(
    "Someone else saved this while you were editing it. Reload the page to see their "
    "changes, then make yours again."
)
