from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Activity, Commitment, Organisation, Site
from .progress import Status

# Big enough for any real count, small enough for every database's integer column.
MAX_COUNT = 1_000_000


def count_field(label, help_text=""):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_COUNT,
        help_text=help_text,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_COUNT)],
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "step": 1}),
    )


class CommitmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.pledge.municipality.name} {obj.pledge.valid_from.year}: {obj.text}"


class ActivityForm(forms.ModelForm):
    """Log or edit an activity; the choices are limited to what the user may act for."""

    QUANTITY_PREFIX = "quantity_"

    commitment = CommitmentChoiceField(label=_("Promise"), queryset=Commitment.objects.none())
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Activity.Status.DONE, _("Done")),
            (Activity.Status.PLANNED, _("Planned")),
        ],
        widget=forms.RadioSelect,
    )
    people_reached = count_field(_("People reached"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Activity
        fields = [
            "commitment",
            "status",
            "date",
            "end_date",
            "site",
            "organisations",
            "people_reached",
            "public_summary",
            "internal_notes",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "organisations": forms.CheckboxSelectMultiple,
            "public_summary": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
            "internal_notes": forms.Textarea(attrs={"rows": 3, "maxlength": 5000}),
        }
        help_texts = {
            "public_summary": _("Shown on the public page once the activity is done."),
            "internal_notes": _("Never shown publicly. Do not write personal data here."),
            "site": _("Required for promises counted per place."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        commitments = (
            Commitment.objects.actionable_by(user)
            .select_related("pledge__municipality")
            .order_by("-pledge__valid_from", "pledge__municipality__name", "position")
        )
        self.fields["commitment"].queryset = commitments
        municipalities = commitments.values("pledge__municipality")
        self.fields["site"].queryset = Site.objects.filter(
            municipality__in=municipalities
        ).select_related("municipality")
        self.fields["organisations"].queryset = Organisation.objects.filter(
            Q(municipality__in=municipalities) | Q(police_area__municipalities__in=municipalities)
        ).distinct()
        for quantity, label in Commitment.Quantity.choices:
            self.fields[self.QUANTITY_PREFIX + quantity] = count_field(label)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            for measurement in self.instance.measurements.all():
                self.fields[self.QUANTITY_PREFIX + measurement.quantity].initial = measurement.value
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save activity")))

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("version") is None:
            raise forms.ValidationError(_("The form is missing its version; reload the page."))
        return cleaned

    @property
    def measurements(self):
        return {
            quantity: self.cleaned_data.get(self.QUANTITY_PREFIX + quantity)
            for quantity in Commitment.Quantity.values
        }

    @property
    def values(self):
        return {
            field: self.cleaned_data[field]
            for field in self.Meta.fields
            if field != "organisations"
        }


class CancelActivityForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (internal)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("cancel", _("Cancel the activity")))


class ActivityFilterForm(forms.Form):
    commitment = CommitmentChoiceField(
        label=_("Promise"), queryset=Commitment.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Activity.Status.choices],
    )
    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("Year and month, e.g. 2017-03."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = (
            Commitment.objects.in_municipalities_of(user)
            .select_related("pledge__municipality")
            .order_by("-pledge__valid_from", "position")
        )

    def filter(self, activities):
        if not self.is_valid():
            return activities
        data = self.cleaned_data
        if data["commitment"]:
            activities = activities.filter(commitment=data["commitment"])
        if data["status"]:
            activities = activities.filter(status=data["status"])
        if data["month"]:
            activities = activities.filter(
                date__year=data["month"].year, date__month=data["month"].month
            )
        return activities


class FollowUpForm(forms.Form):
    narrative = forms.CharField(
        label=_("Follow-up"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 5000}),
    )
    is_published = forms.BooleanField(
        label=_("Publish on the public page"),
        required=False,
    )

    def __init__(self, *args, submit_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", submit_label))


class VerdictForm(FollowUpForm):
    narrative = forms.CharField(
        label=_("Justification of the verdict"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000}),
    )


class AssessmentForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in Status if s != Status.NOT_ASSESSED],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("assess", _("Save the assessment")))
