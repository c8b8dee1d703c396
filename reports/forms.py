from django import forms
from django.utils.translation import gettext_lazy as _

from dialogues.models import Theme
from dialogues.services import looks_personal


class MunicipalityFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search municipality"), max_length=100, required=False, widget=forms.SearchInput
    )
    lan = forms.ChoiceField(label=_("County"), required=False)

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lan"].choices = [("", _("All counties"))] + [
            (county.code, county.name) for county in counties
        ]


class SubmissionForm(forms.Form):
    """ "Tyck till": an anonymous message, with no field for anything personal."""

    # No theme is chosen for the sender: an empty first choice, so that one left as it
    # was is asked for instead of filed under whatever theme happens to come first.
    theme = forms.ChoiceField(
        label=_("What is it about?"), choices=[("", _("Choose a theme")), *Theme.choices]
    )
    place = forms.CharField(
        label=_("Where? (optional)"),
        max_length=200,
        required=False,
        help_text=_("A street, a square, a part of the municipality."),
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 1000}),
        help_text=_(
            "At most 1000 characters. Do not write names, phone numbers, e-mail addresses "
            "or anything else that can identify a person."
        ),
    )
    # A honeypot: hidden from people, filled in by robots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def clean_message(self):
        message = self.cleaned_data["message"]
        if looks_personal(message):
            raise forms.ValidationError(
                _(
                    "The message seems to contain an e-mail address, a phone number or a "
                    "personal identity number. Remove it and send again."
                ),
                code="personal_data",
            )
        return message

    def clean_place(self):
        place = self.cleaned_data["place"]
        if looks_personal(place):
            raise forms.ValidationError(
                _("Write a place, not contact details."), code="personal_data"
            )
        return place

    @property
    def is_spam(self):
        return bool(self.cleaned_data.get("website"))
