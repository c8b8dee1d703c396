"""Forms of the pasted pledge text (issue 13, point 2) and of an amendment from the
promise's page (point 3). The choices are read once per request by the view and handed to
every form, so a review page of many proposals costs no more queries than one of two."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from places.models import site_name_key

from .forms import MAX_COUNT, iso_date_field
from .models import Amendment, Commitment
from .progress import TargetKind, TargetPeriod

MAX_PASTED_CHARS = 100_000
NOT_RECOGNISED = _("Not recognised — fill in.")


class PasteForm(forms.Form):
    """Step 1: the signed text, as published."""

    text = forms.CharField(
        label=_("Paste the signed text"),
        max_length=MAX_PASTED_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Copy the promises from the signed pledge (a PDF or a web page) and paste them "
            "here. Nothing is saved yet: the next step shows each promise the app recognised."
        ),
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(_("Paste the text of the pledge."), code="required")
        return text


@dataclass(frozen=True)
class ProposalChoices:
    """What the proposal forms offer, read once: (value, label) pairs, and the external
    parties and places by their names as compared (to match the names the parser read)."""

    activity_types: list
    quantities: list
    focus_tags: list
    externals: list
    sites: list

    def external_for(self, name):
        key = site_name_key(name)
        return next((pk for pk, label in self.externals if site_name_key(label) == key), None)

    def site_for(self, name):
        key = site_name_key(name)
        return next((pk for pk, label in self.sites if site_name_key(label) == key), None)


def split_names(value):
    """Names typed one per line or separated by commas, without duplicates."""
    names = []
    for line in value.replace(",", "\n").splitlines():
        name = " ".join(line.split())
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


class ProposalForm(forms.Form):
    """One proposed promise, as the admin corrects it before anything is saved."""

    include = forms.BooleanField(label=_("Include this promise"), required=False, initial=True)
    text = forms.CharField(
        label=_("The promise, verbatim"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    responsible = forms.ChoiceField(
        label=_("Responsible"),
        choices=Commitment.Responsible.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    external_parties = forms.TypedMultipleChoiceField(
        label=_("External parties"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_external_parties = forms.CharField(
        label=_("External parties to add"),
        required=False,
        max_length=1000,
        help_text=_("Names not registered yet, separated by commas; they are added on saving."),
    )
    activity_type = forms.ChoiceField(label=_("Activity type"), required=False)
    focus_tags = forms.MultipleChoiceField(
        label=_("Focus tags"), required=False, widget=forms.CheckboxSelectMultiple
    )
    target_kind = forms.ChoiceField(
        label=_("Kind of target"), choices=[("", "---------"), *TargetKind.choices], required=False
    )
    target_value = forms.IntegerField(
        label=_("Target"),
        required=False,
        min_value=1,
        max_value=MAX_COUNT,
        help_text=_("Per period; per site for per-site targets; empty for qualitative ones."),
    )
    target_period = forms.ChoiceField(
        label=_("Target period"), choices=[("", "---------"), *TargetPeriod.choices], required=False
    )
    quantity = forms.ChoiceField(label=_("Measured quantity"), required=False)
    site = forms.TypedChoiceField(label=_("Place"), coerce=int, required=False, empty_value=None)
    new_site = forms.CharField(
        label=_("New place"),
        required=False,
        max_length=200,
        help_text=_("A place not registered yet; it is added on saving."),
    )
    school_year_only = forms.BooleanField(label=_("School terms only"), required=False)

    def __init__(self, *args, choices, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        blank = [("", "---------")]
        self.fields["activity_type"].choices = blank + choices.activity_types
        self.fields["quantity"].choices = blank + choices.quantities
        self.fields["focus_tags"].choices = choices.focus_tags
        self.fields["external_parties"].choices = choices.externals
        if not choices.externals:
            self.fields["external_parties"].help_text = _(
                "No external party is registered for the municipality yet: name them below."
            )
        self.fields["site"].choices = blank + choices.sites
        self.unrecognised = set()
        if proposal is not None:
            self._mark_unrecognised(proposal)

    def _mark_unrecognised(self, proposal):
        """Say at each field the parser left empty that the admin must fill it in."""
        empty = {
            "responsible": proposal.parties is None,
            "activity_type": proposal.activity_type is None,
            "target_kind": proposal.target_kind is None,
            "target_value": proposal.target_kind not in (None, TargetKind.QUALITATIVE)
            and proposal.target_value is None,
            "target_period": proposal.target_kind not in (None, TargetKind.QUALITATIVE)
            and proposal.target_period is None,
        }
        for name, is_empty in empty.items():
            if is_empty:
                self.unrecognised.add(name)
                field = self.fields[name]
                field.help_text = (
                    f"{NOT_RECOGNISED} {field.help_text}" if field.help_text else NOT_RECOGNISED
                )

    @classmethod
    def initial_for(cls, proposal, choices):
        """The form's initial values from a parser Proposal, matched to the rows offered."""
        externals, unmatched = [], []
        for name in proposal.external_parties:
            pk = choices.external_for(name)
            if pk is None:
                unmatched.append(name)
            else:
                externals.append(pk)
        site = choices.site_for(proposal.place) if proposal.place else None
        return {
            "include": True,
            "text": proposal.text,
            "responsible": proposal.parties or "",
            "external_parties": externals,
            "new_external_parties": ", ".join(unmatched),
            "activity_type": proposal.activity_type or "",
            "focus_tags": list(proposal.focus_tags),
            "target_kind": proposal.target_kind or "",
            "target_value": proposal.target_value,
            "target_period": proposal.target_period or "",
            "quantity": proposal.quantity or "",
            "site": site,
            "new_site": proposal.place if proposal.place and site is None else "",
            "school_year_only": proposal.school_year_only,
        }

    def clean(self):
        """An excluded proposal is not checked; an included one needs what a commitment
        needs, each missing or contradictory value said at its field."""
        data = super().clean()
        if not data.get("include"):
            self._errors = forms.utils.ErrorDict()
            return data
        for name, message in (
            ("responsible", _("Choose who makes the promise.")),
            ("activity_type", _("Choose the activity type.")),
            ("target_kind", _("Choose the kind of target.")),
        ):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, forms.ValidationError(message, code="required"))
        kind = data.get("target_kind")
        value = data.get("target_value")
        if kind == TargetKind.QUALITATIVE:
            if value is not None:
                self.add_error(
                    "target_value",
                    forms.ValidationError(
                        _(
                            "A qualitative promise has no number: empty the field or choose "
                            "another kind of target."
                        ),
                        code="qualitative_value",
                    ),
                )
            data["target_period"] = data.get("target_period") or TargetPeriod.YEAR
        elif kind:
            if value is None and "target_value" not in self.errors:
                self.add_error(
                    "target_value",
                    forms.ValidationError(_("Enter the target, a whole number."), code="required"),
                )
            if kind == TargetKind.COVERAGE and value not in (None, 1):
                self.add_error(
                    "target_value",
                    forms.ValidationError(
                        _("A target to reach every site is 1."), code="coverage_not_one"
                    ),
                )
            if not data.get("target_period"):
                self.add_error(
                    "target_period",
                    forms.ValidationError(_("Choose the target period."), code="required"),
                )
        if kind == TargetKind.QUANTITY and not data.get("quantity"):
            self.add_error(
                "quantity",
                forms.ValidationError(
                    _("Choose the measured quantity the target sums."), code="required"
                ),
            )
        if kind != TargetKind.QUANTITY and data.get("quantity"):
            self.add_error(
                "quantity",
                forms.ValidationError(
                    _("Only a target that sums a measured quantity has one: empty the field."),
                    code="quantity_not_summed",
                ),
            )
        if data.get("site") and data.get("new_site", "").strip():
            self.add_error(
                "new_site",
                forms.ValidationError(
                    _("Choose a registered place or name a new one, not both."), code="two_places"
                ),
            )
        data["new_external_parties"] = split_names(data.get("new_external_parties", ""))
        return data


class BaseProposalFormSet(forms.BaseFormSet):
    def __init__(self, *args, choices, proposals, **kwargs):
        self.choices = choices
        self.proposals = proposals
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        proposal = self.proposals[index] if index < len(self.proposals) else None
        return {"choices": self.choices, "proposal": proposal}

    def clean(self):
        if any(self.errors):
            return
        if not any(form.cleaned_data.get("include") for form in self.forms):
            raise forms.ValidationError(
                _("Include at least one promise, or go back and paste another text."),
                code="none_included",
            )


def proposal_formset(proposals, choices, data=None):
    """One form per proposal; posted, exactly as many forms as the text proposes."""
    count = len(proposals)
    formset_class = forms.formset_factory(
        ProposalForm,
        formset=BaseProposalFormSet,
        extra=0,
        min_num=count,
        max_num=count,
        absolute_max=count,
        validate_min=True,
        validate_max=True,
    )
    initial = None
    if data is None:
        initial = [ProposalForm.initial_for(p, choices) for p in proposals]
    return formset_class(
        data, initial=initial, prefix="proposal", choices=choices, proposals=proposals
    )


class AmendmentForm(forms.ModelForm):
    """A new target for a published promise, from a day on, and why."""

    effective_from = iso_date_field(
        _("In force from"),
        help_text=_(
            "Today or later, within the pledge. A period is judged by the target in force "
            "on its last day."
        ),
    )

    class Meta:
        model = Amendment
        fields = ["new_value", "effective_from", "reason"]
        labels = {"new_value": _("New target"), "reason": _("Reason (shown publicly)")}
        widgets = {"reason": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, commitment, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.commitment = commitment
        self.fields["new_value"].widget.attrs.update({"inputmode": "numeric", "min": 1})
