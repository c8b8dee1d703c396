from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedModelChoiceField, BoundedModelMultipleChoiceField
from places.models import Municipality, Organisation, Site
from pledges.forms import ISO_DATE, count_field, form_token_field
from pledges.models import Commitment, Pledge

from .models import (
    ActionItem,
    AnswerKind,
    Concern,
    Dialogue,
    FocusArea,
    Indicator,
    IndicatorValue,
    SituationalPicture,
    Theme,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CoordinatorForm(forms.ModelForm):
    """A ModelForm with a submit button; for an edit, the row's ``updated_at`` when the
    form was loaded (checked under a lock when saving, services.object_save), and for a new
    object, a token that makes a second post of the same form harmless."""

    submit_label = _("Save")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.input_formats = ISO_DATE
        if self.instance.pk and hasattr(self.instance, "updated_at"):
            self.fields["loaded_at"] = forms.CharField(
                widget=forms.HiddenInput, initial=self.instance.updated_at.isoformat()
            )
        elif not self.instance.pk:
            self.fields["form_token"] = form_token_field()
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", self.submit_label))


PLACE_LABEL = _("Place, in your words")
SITE_LABEL = _("Site from the register")
RANK_HELP = _(
    "1 is what the participants found most important. Leave empty when they did not rank"
    " the concerns: they are then listed by how many raised them."
)


class DialogueForm(CoordinatorForm):
    participants = count_field(_("Participants or responses"))

    class Meta:
        model = Dialogue
        field_classes = {"municipality": BoundedModelChoiceField}
        fields = [
            "municipality",
            "title",
            "format",
            "starts_on",
            "ends_on",
            "area",
            "target_group",
            "participants",
            "public_summary",
            "internal_notes",
            "is_published",
        ]
        widgets = {
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
            "public_summary": forms.Textarea(attrs={"rows": 4, "maxlength": 3000}),
            "internal_notes": forms.Textarea(attrs={"rows": 3, "maxlength": 5000}),
        }
        help_texts = {
            "public_summary": _("Shown publicly once published. No names, no quotes."),
            "is_published": _("Show the dialogue and its concerns on the public pages."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        municipalities = Municipality.objects.for_user(self.user)
        self.fields["municipality"].queryset = municipalities
        if self.instance.pk:
            # A dialogue stays in its municipality: its concerns and links depend on it.
            self.fields["municipality"].disabled = True
        elif len(only := municipalities[:2]) == 1:
            self.fields["municipality"].initial = only[0].pk
        # The rows of concerns and action items go inside the same <form>.
        self.helper.form_tag = False
        self.helper.inputs = []
        if self.instance.format != Dialogue.Format.SUBMISSIONS:
            # The yearly Tyck till dialogue is made by the moderation, not by hand.
            self.fields["format"].choices = [
                c for c in self.fields["format"].choices if c[0] != Dialogue.Format.SUBMISSIONS
            ]


class ConcernForm(CoordinatorForm):
    times_raised = count_field(_("How many raised it"), minimum=1)
    rank = forms.IntegerField(
        label=_("Rank"), required=False, min_value=1, max_value=100, help_text=RANK_HELP
    )

    class Meta:
        model = Concern
        field_classes = {"site": BoundedModelChoiceField}
        fields = ["theme", "summary", "place", "site", "times_raised", "rank"]
        labels = {"place": PLACE_LABEL, "site": SITE_LABEL}

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["times_raised"].required = True
        self.fields["site"].queryset = Site.objects.filter(municipality=municipality)


def sites_for(municipalities):
    return Site.objects.filter(municipality__in=municipalities).select_related("municipality")


def owners_for(municipalities):
    return (
        Organisation.objects.filter(municipality__in=municipalities)
        | Organisation.objects.filter(
            kind=Organisation.Kind.POLICE, police_area__municipalities__in=municipalities
        )
    ).distinct()


class DialogueRowForm(forms.ModelForm):
    """A row of a dialogue's page (a concern or an action item): its choices are those of
    the dialogue's municipality, or of the user's municipalities while it is not chosen,
    checked against the chosen one when saved."""

    def __init__(self, *args, municipalities, dialogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipalities = municipalities
        # The dialogue as typed on the same page (maybe not saved yet).
        self.dialogue = dialogue
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.input_formats = ISO_DATE


class ConcernRowForm(DialogueRowForm):
    times_raised = count_field(_("How many raised it"), minimum=1)
    rank = forms.IntegerField(
        label=_("Rank"), required=False, min_value=1, max_value=100, help_text=RANK_HELP
    )

    class Meta:
        model = Concern
        field_classes = {"site": BoundedModelChoiceField}
        fields = ["theme", "summary", "place", "site", "times_raised", "rank"]
        labels = {"place": PLACE_LABEL, "site": SITE_LABEL}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["times_raised"].required = True
        self.fields["site"].queryset = sites_for(self.municipalities)

    def clean(self):
        cleaned = super().clean()
        site = cleaned.get("site")
        if site and self.dialogue.municipality_id not in (None, site.municipality_id):
            self.add_error("site", _("Choose a site of the dialogue's municipality."))
        return cleaned


class ActionItemRowForm(DialogueRowForm):
    class Meta:
        model = ActionItem
        field_classes = {"owner": BoundedModelChoiceField}
        fields = ["description", "place", "owner", "deadline", "status", "rejection_reason"]
        labels = {"place": PLACE_LABEL}
        widgets = {"deadline": DATE_WIDGET}
        help_texts = {"rejection_reason": _("Required, and shown publicly, when rejected.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners_for(self.municipalities)

    def clean(self):
        cleaned = super().clean()
        dialogue = self.dialogue
        if dialogue.format and dialogue.format != Dialogue.Format.SAFETY_WALK:
            raise forms.ValidationError(
                _("Action items belong to safety walks."), code="not_safety_walk"
            )
        owner = cleaned.get("owner")
        if (
            owner
            and dialogue.municipality_id
            and not owners_for([dialogue.municipality_id]).filter(pk=owner.pk).exists()
        ):
            self.add_error("owner", _("Choose an owner in the dialogue's municipality."))
        deadline = cleaned.get("deadline")
        if deadline and dialogue.starts_on and deadline < dialogue.starts_on:
            self.add_error(
                "deadline",
                _("The deadline cannot be before the safety walk (%(date)s).")
                % {"date": date_format(dialogue.starts_on)},
            )
        return cleaned


ConcernFormSet = forms.inlineformset_factory(
    Dialogue, Concern, form=ConcernRowForm, extra=3, can_delete=True, max_num=100
)
ActionItemFormSet = forms.inlineformset_factory(
    Dialogue, ActionItem, form=ActionItemRowForm, extra=3, can_delete=False, max_num=100
)


class ConcernAnswerForm(CoordinatorForm):
    """The coordinators' public answer to a concern; its promises are the published ones
    of the dialogue's municipality."""

    submit_label = _("Save the answer")

    class Meta:
        model = Concern
        field_classes = {"answer_commitments": BoundedModelMultipleChoiceField}
        fields = ["answer_kind", "answer", "answer_commitments"]
        widgets = {
            "answer_kind": forms.RadioSelect,
            "answer": forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
            "answer_commitments": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "answer_commitments": _(
                "The promises that answer this concern, when something is being done."
            ),
        }

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer_kind"].required = True
        self.fields["answer_kind"].choices = AnswerKind.choices
        self.fields["answer"].required = True
        self.fields["answer_commitments"].queryset = (
            Commitment.objects.filter(
                pledge__municipality=municipality, pledge__status__in=Pledge.PUBLIC_STATUSES
            )
            .select_related("pledge")
            .order_by("-pledge__valid_from", "position")
        )
        self.fields["answer_commitments"].label_from_instance = lambda c: (
            f"{c.pledge.title}: {c.text}"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer_kind") == AnswerKind.NOT_DOING and cleaned.get("answer_commitments"):
            self.add_error(
                "answer_commitments", _("An answer that nothing is done names no promise.")
            )
        return cleaned


class ActionItemForm(CoordinatorForm):
    class Meta:
        model = ActionItem
        field_classes = {"owner": BoundedModelChoiceField}
        fields = ["description", "place", "owner", "deadline", "status", "rejection_reason"]
        labels = {"place": PLACE_LABEL}
        widgets = {"deadline": DATE_WIDGET}
        help_texts = {"rejection_reason": _("Required, and shown publicly, when rejected.")}

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.filter(
            municipality=municipality
        ) | Organisation.objects.filter(
            kind=Organisation.Kind.POLICE, police_area__municipalities=municipality
        )


class PictureForm(CoordinatorForm):
    class Meta:
        model = SituationalPicture
        field_classes = {
            "municipality": BoundedModelChoiceField,
            "dialogues": BoundedModelMultipleChoiceField,
        }
        fields = [
            "municipality",
            "title",
            "period_start",
            "period_end",
            "summary",
            "dialogues",
            "uses_police_intelligence",
            "uses_statistics",
            "uses_surveys",
            "other_sources",
            "is_published",
        ]
        widgets = {
            "period_start": DATE_WIDGET,
            "period_end": DATE_WIDGET,
            "summary": forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
            "dialogues": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.for_user(self.user)
        self.fields["dialogues"].queryset = Dialogue.objects.for_user(self.user).select_related(
            "municipality"
        )
        if self.instance.pk:
            self.fields["municipality"].disabled = True

    def clean(self):
        cleaned = super().clean()
        municipality = cleaned.get("municipality") or (
            self.instance.municipality_id and (self.instance.municipality)
        )
        for dialogue in cleaned.get("dialogues") or []:
            if municipality and dialogue.municipality_id != municipality.pk:
                self.add_error("dialogues", _("Choose dialogues of the same municipality."))
                break
        return cleaned


class FocusAreaForm(CoordinatorForm):
    position = forms.IntegerField(label=_("Position"), min_value=1, max_value=100, initial=1)

    class Meta:
        model = FocusArea
        field_classes = {
            "concerns": BoundedModelMultipleChoiceField,
            "commitments": BoundedModelMultipleChoiceField,
        }
        fields = [
            "position",
            "title",
            "problem",
            "cause_analysis",
            "places",
            "concerns",
            "commitments",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4, "maxlength": 3000}),
            "cause_analysis": forms.Textarea(attrs={"rows": 4, "maxlength": 3000}),
            "concerns": forms.CheckboxSelectMultiple,
            "commitments": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concerns"].queryset = Concern.objects.filter(
            dialogue__municipality=municipality
        ).select_related("dialogue")
        self.fields["commitments"].queryset = Commitment.objects.filter(
            pledge__municipality=municipality, pledge__status__in=Pledge.PUBLIC_STATUSES
        ).select_related("pledge")
        self.fields["concerns"].label_from_instance = lambda c: f"{c} ({c.dialogue})"
        self.fields["commitments"].label_from_instance = lambda c: f"{c.pledge.title}: {c.text}"


class IndicatorValueForm(CoordinatorForm):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)

    class Meta:
        model = IndicatorValue
        field_classes = {"indicator": BoundedModelChoiceField}
        fields = ["indicator", "year", "value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(
            municipality__in=Municipality.objects.for_user(self.user)
        ).select_related("municipality")
        self.fields["indicator"].label_from_instance = lambda i: f"{i.municipality}: {i}"


class IndicatorValueCorrectionForm(forms.Form):
    """A corrected value of one year; the value as loaded goes along, so that a
    correction made meanwhile by someone else is not overwritten unseen."""

    value = forms.DecimalField(label=_("Value"), max_digits=8, decimal_places=2)
    loaded_value = forms.DecimalField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance, **kwargs):
        kwargs["initial"] = {"value": instance.value, "loaded_value": instance.value}
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save the correction")))


class SubmissionThemeForm(forms.Form):
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices)

    def __init__(self, *args, instance, **kwargs):
        kwargs["initial"] = {"theme": instance.theme}
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse("dialogues:submission_theme", args=[instance.pk])
        self.helper.add_input(Submit("retheme", _("Change the theme")))


class ModerationForm(forms.Form):
    ACCEPT_NEW, ACCEPT_EXISTING, REJECT = "new", "existing", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (ACCEPT_NEW, _("Accept as a new concern")),
            (ACCEPT_EXISTING, _("Add to an earlier Tyck till concern")),
            (REJECT, _("Reject")),
        ],
    )
    summary = forms.CharField(
        label=_("The concern in your own words"),
        max_length=300,
        required=False,
        help_text=_("For a new concern. Never copy the message, never names."),
    )
    concern = forms.ModelChoiceField(
        label=_("Existing concern"), queryset=Concern.objects.none(), required=False
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].queryset = Concern.objects.filter(
            dialogue__municipality=municipality, dialogue__format=Dialogue.Format.SUBMISSIONS
        ).select_related("dialogue")
        self.fields["concern"].label_from_instance = lambda c: f"{c} ({c.dialogue})"
        self.helper = FormHelper()
        self.helper.add_input(Submit("moderate", _("Save the decision")))

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == self.ACCEPT_NEW and not cleaned.get("summary", "").strip():
            self.add_error("summary", _("Describe the concern in your own words."))
        if decision == self.ACCEPT_EXISTING and not cleaned.get("concern"):
            self.add_error("concern", _("Choose the concern."))
        return cleaned
