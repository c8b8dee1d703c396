"""The forms of the guided revision (pledges.revision_views): one per step."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedModelChoiceField, BoundedModelMultipleChoiceField
from places.models import Organisation, Site

from .forms import form_token_field, iso_date_field
from .models import ActivityType, Commitment, FocusTag, Quantity, Unit
from .services import Decision


class LoadedAtMixin(forms.Form):
    # The draft's ``updated_at`` when the form was loaded: a save by someone else since
    # is refused (pledges.services.STALE_DRAFT_MESSAGE).
    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)


class PeriodForm(LoadedAtMixin):
    title = forms.CharField(label=_("Title"), max_length=200)
    valid_from = iso_date_field(_("Valid from"))
    valid_to = iso_date_field(
        _("Valid to"), required=False, help_text=_("Empty: valid until a new pledge is signed.")
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end cannot be before the start."))
        return data


class DecisionForm(forms.Form):
    """What becomes of a promise of the revised pledge."""

    decision = forms.ChoiceField(
        label=_("What becomes of this promise?"),
        widget=forms.RadioSelect,
        choices=[
            (Decision.CONTINUE, _("Continue it unchanged")),
            (Decision.REVISE, _("Revise it: change the promise below and say what changed")),
            (Decision.DROP, _("Drop it: say why below")),
        ],
    )
    change_note = forms.CharField(
        label=_("What changed (if revised)"),
        required=False,
        max_length=2000,
        help_text=_("Shown publicly next to the promise."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )
    reason = forms.CharField(
        label=_("Why it is dropped (if dropped)"),
        required=False,
        max_length=2000,
        help_text=_("Shown publicly under “What has changed?”."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == Decision.REVISE and not data.get("change_note", "").strip():
            self.add_error(
                "change_note", _("Say what changed: it is shown publicly next to the promise.")
            )
        if decision == Decision.DROP and not data.get("reason", "").strip():
            self.add_error(
                "reason", _("Say why the promise is dropped: the reason is shown publicly.")
            )
        return data


class PromiseForm(forms.ModelForm):
    """A promise of the draft: its text and target, validated as the admin does (the
    model's own rules). ``municipality`` limits the places and external parties."""

    M2M = ("external_parties", "focus_tags", "target_sites")

    class Meta:
        model = Commitment
        fields = [
            "text",
            "short_title",
            "responsible",
            "external_parties",
            "activity_type",
            "focus_tags",
            "audience",
            "target_kind",
            "target_value",
            "target_period",
            "unit",
            "quantity",
            "school_year_only",
            "target_sites",
        ]
        # Activity types, units and quantities are chosen by their code (to_field).
        field_classes = {
            "external_parties": BoundedModelMultipleChoiceField,
            "focus_tags": BoundedModelMultipleChoiceField,
            "target_sites": BoundedModelMultipleChoiceField,
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "external_parties": forms.CheckboxSelectMultiple,
            "focus_tags": forms.CheckboxSelectMultiple,
            "target_sites": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, pledge, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.pledge = pledge
        municipality = pledge.municipality_id
        self.fields["activity_type"].queryset = ActivityType.objects.all()
        self.fields["unit"].queryset = Unit.objects.all()
        self.fields["quantity"].queryset = Quantity.objects.all()
        self.fields["focus_tags"].queryset = FocusTag.objects.all()
        self.fields["external_parties"].queryset = Organisation.objects.filter(
            Q(municipality_id=municipality) | Q(municipality__isnull=True),
            kind=Organisation.Kind.EXTERNAL,
        )
        self.fields["target_sites"].queryset = Site.objects.filter(municipality_id=municipality)

    def values(self):
        """The promise's own fields, for the service."""
        return {name: value for name, value in self.cleaned_data.items() if name not in self.M2M}

    def m2m(self):
        return {name: self.cleaned_data.get(name, []) for name in self.M2M}


class SigningForm(LoadedAtMixin):
    signatories = forms.CharField(
        label=_("Signatories"),
        max_length=2000,
        help_text=_("As in the signed text: one name and title per line."),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
    )
    signed_on = iso_date_field(_("Signing date"))


class StartForm(forms.Form):
    """The municipality of a first pledge, among those the user administers."""

    municipality = BoundedModelChoiceField(label=_("Municipality"), queryset=None)

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities


class TokenForm(forms.Form):
    """The token by which a form that adds a promise, sent twice, adds it once
    (pledges.services.create_once)."""

    form_token = form_token_field()
