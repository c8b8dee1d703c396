from django import forms
from django.utils.translation import gettext_lazy as _


class MunicipalityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search municipality"), max_length=100, required=False)
    lan = forms.ChoiceField(label=_("County"), required=False)

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lan"].choices = [("", _("All counties"))] + [
            (county.code, county.name) for county in counties
        ]
