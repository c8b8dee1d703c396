import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import FormToken
from core.forms import BoundedModelChoiceField, BoundedModelMultipleChoiceField, bad_pk
from places.forms import SiteChoiceField
from places.models import Organisation, Site

from .models import Activity, Commitment, Quantity
from .progress import CLOSED_STATUSES, RUNNING_STATUSES

# Big enough for any real count, small enough for every database's integer column.
MAX_COUNT = 1_000_000


# Dates are typed as ISO (what the browser's date picker sends); the Swedish locale would
# also accept US-style 10/3/17 and read it as October.
ISO_DATE = ["%Y-%m-%d"]


def count_field(label, help_text="", *, minimum=0):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=minimum,
        max_value=MAX_COUNT,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": minimum, "step": 1}),
    )


def iso_date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=ISO_DATE,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def form_token_field():
    """A hidden token, new each time an empty form is shown, by which a second post of the
    same form is recognised (services.create_once)."""
    return forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)


def sent_before(request):
    """The address of what a form posted with this request's token has already made, if
    the same user sent it before; None otherwise. Checked before the form is validated:
    the second post of a saved form would often no longer be valid (a duplicate)."""
    try:
        token = uuid.UUID(request.POST.get("form_token", ""))
    except ValueError:
        return None
    user = request.user if request.user.is_authenticated else None
    return (
        FormToken.objects.filter(token=token, user=user)
        .exclude(url="")
        .values_list("url", flat=True)
        .first()
    )


# What a stale form shows above its fields (ActivityForm.show_saved_meanwhile).
SAVED_MEANWHILE_MESSAGE = _(
    "Someone else saved this activity while you were editing it. What you wrote is kept; "
    "next to each field they changed is what they saved. Check the form and save again."
)

SAVED_TEXT_MEANWHILE_MESSAGE = _(
    "Someone else saved this text while you were writing. Yours is kept; theirs is shown "
    "under it. Check both and save again."
)

# A value the history does not tell.
_UNKNOWN = object()


def saved_at(when):
    """When something was saved, as a coordinator reads it: the time if today, else the
    day and the time."""
    when = timezone.localtime(when)
    if when.date() == timezone.localdate():
        return time_format(when, "H:i")
    return date_format(when, "j F H:i")


def attach_errors(form, error):
    """Show a service's or model's ValidationError on the form: at its field when the form
    has that field, otherwise above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class CommitmentChoiceField(BoundedModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.pledge.municipality.name} {obj.pledge.valid_from.year}: {obj.text}"


class ActivityForm(forms.ModelForm):
    """Log or edit an activity; the choices are limited to what the user may act for."""

    QUANTITY_PREFIX = "quantity_"
    # The name of the second submit button: save, then an empty form for the same promise.
    SAVE_ANOTHER = "save_another"
    # A type that measures participants has its own field for them: "people reached"
    # would ask for the same number twice.
    PEOPLE_QUANTITY = "participants"

    commitment = CommitmentChoiceField(label=_("Promise"), queryset=Commitment.objects.none())
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Activity.Status.DONE, pgettext_lazy("activity status", "Done")),
            (Activity.Status.PLANNED, pgettext_lazy("activity status", "Planned")),
        ],
        widget=forms.RadioSelect,
    )
    date = iso_date_field(_("Date"))
    end_date = iso_date_field(
        _("End date"), required=False, help_text=_("Only for activities over several days.")
    )
    people_reached = count_field(_("People reached"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    form_token = form_token_field()

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
        labels = {"site": _("Place")}
        field_classes = {
            "site": SiteChoiceField,
            "organisations": BoundedModelMultipleChoiceField,
        }
        widgets = {
            "organisations": forms.CheckboxSelectMultiple,
            "public_summary": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
            "internal_notes": forms.Textarea(attrs={"rows": 3, "maxlength": 5000}),
        }
        help_texts = {
            "public_summary": _("Shown on the public page once the activity is done."),
            "internal_notes": _("Never shown publicly. Do not write personal data here."),
            "site": _("Required for promises counted per place."),
        }

    def __init__(self, *args, user, internal_notes=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not internal_notes:
            # Someone else's notes: this user may change the activity but not read them.
            del self.fields["internal_notes"]
        commitments = (
            Commitment.objects.actionable_by(user)
            .select_related("pledge__municipality", "activity_type")
            .order_by("-pledge__valid_from", "pledge__municipality__name", "position")
        )
        self.fields["commitment"].queryset = commitments
        municipalities = commitments.values("pledge__municipality")
        self.fields["site"].queryset = Site.objects.filter(
            municipality__in=municipalities
        ).select_related("municipality")
        self.commitment_choice = commitment = self._chosen_commitment(commitments)
        if commitment is not None and commitment.counts_at_sites:
            # Only the places the promise is about: elsewhere would not count.
            site = self.fields["site"]
            site.queryset = commitment.target_sites.select_related("municipality")
            site.required = True
            site.error_messages["invalid_choice"] = _(
                "Choose one of the places this promise is about."
            )
        self.fields["organisations"].queryset = Organisation.objects.filter(
            Q(municipality__in=municipalities)
            | Q(kind=Organisation.Kind.POLICE, police_area__municipalities__in=municipalities)
        ).distinct()
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self._add_quantity_fields(commitments)
        if (
            self.commitment_choice is not None
            and self.PEOPLE_QUANTITY in self.allowed_quantities
            and self.instance.people_reached is None
        ):
            del self.fields["people_reached"]
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save activity")))
        if not self.instance.pk:
            self.helper.add_input(
                Submit(self.SAVE_ANOTHER, _("Save and log another"), css_class="secondary")
            )

    def _add_quantity_fields(self, commitments):
        """One count field per measured quantity the chosen promise's activity type offers
        (and the one its target sums), labelled in the page's language. Before a promise is
        chosen: those of every promise the user may act for, each saying for which types.
        A quantity already recorded on the activity keeps its field, and a value posted for
        another quantity gets one too, to be refused there (``clean``)."""
        self.recorded = {}
        if self.instance.pk:
            self.recorded = {m.quantity_id: m.value for m in self.instance.measurements.all()}
        if self.commitment_choice is None:
            offered = Quantity.objects.filter(activity_types__commitments__in=commitments)
        else:
            offered = self.commitment_choice.measurable_quantities()
        self.allowed_quantities = set(offered.values_list("code", flat=True))
        prefix = self.add_prefix(self.QUANTITY_PREFIX)
        posted = {
            name.removeprefix(prefix)
            for name, value in self.data.items()
            if name.startswith(prefix) and str(value).strip()
        }
        quantities = Quantity.objects.filter(
            code__in=self.allowed_quantities | posted | set(self.recorded)
        )
        if self.commitment_choice is None:
            quantities = quantities.prefetch_related("activity_types")
        for quantity in quantities:
            help_text = _("Measured quantity; fill in those that apply.")
            if self.commitment_choice is None:
                help_text = _("Only for: %(types)s.") % {
                    "types": ", ".join(str(t) for t in quantity.activity_types.all())
                }
            field = count_field(capfirst(quantity.name), help_text)
            field.initial = self.recorded.get(quantity.code)
            self.fields[self.QUANTITY_PREFIX + quantity.code] = field

    def _chosen_commitment(self, commitments):
        """The promise the form is for: the one posted, else the one preselected or of
        the activity being edited; None when none (or none the user may choose) is."""
        if self.is_bound:
            chosen = self.data.get(self.add_prefix("commitment"))
        else:
            chosen = self.initial.get("commitment") or self.instance.commitment_id
        chosen = getattr(chosen, "pk", chosen)
        if chosen in (None, "") or bad_pk(str(chosen)):
            return None
        return commitments.filter(pk=chosen).first()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("version") is None:
            raise forms.ValidationError(_("The form is missing its version; reload the page."))
        commitment = cleaned.get("commitment")
        if commitment is not None:
            allowed = self.allowed_quantities
            if commitment != self.commitment_choice:
                allowed = {q.code for q in commitment.measurable_quantities()}
            # A quantity already recorded stays (and can be emptied) when the type no
            # longer offers it.
            allowed = allowed | set(self.recorded)
            for code in self.quantity_codes:
                if cleaned.get(self.QUANTITY_PREFIX + code) is not None and code not in allowed:
                    self.add_error(
                        self.QUANTITY_PREFIX + code,
                        forms.ValidationError(
                            _(
                                "Activities of the type “%(type)s” do not measure this. "
                                "Leave it empty."
                            ),
                            code="quantity_not_of_type",
                            params={"type": commitment.activity_type},
                        ),
                    )
        return cleaned

    def show_saved_meanwhile(self, saved):
        """After the service refused a stale save: keep what the user typed and, at each
        field someone else changed since the form was loaded (``saved``, a
        ``SavedMeanwhile``), say what they saved, by whom and when. A field the user had
        left as loaded takes the newer value instead, so that sending the form again does
        not undo the other person's change unseen. The form then carries the version
        now: sent again, after a look, it saves."""
        mine = self._comparable()
        loaded = saved.loaded
        by = saved.user or _("someone else")
        at = saved_at(saved.when)
        fields = []
        for name, value in mine.items():
            if name != "measured":
                before = loaded[name] if loaded else _UNKNOWN
                fields.append((name, value, before, saved.now[name], saved.shown[name]))
        for code, value in mine["measured"].items():
            before = loaded["measured"].get(code) if loaded else _UNKNOWN
            now, shown = saved.now["measured"].get(code), saved.shown["measured"].get(code, "–")
            fields.append((self.QUANTITY_PREFIX + code, value, before, now, shown))
        data = self.data.copy()
        for name, value, before, now, shown in fields:
            if now in (before, value):
                continue
            if value == before:
                self._set_data(data, name, now)
                message = _("Changed meanwhile by %(user)s at %(time)s to: %(value)s.")
            else:
                message = _("Saved meanwhile by %(user)s at %(time)s: %(value)s")
            self.add_error(name, message % {"user": by, "time": at, "value": shown})
        data[self.add_prefix("version")] = saved.version
        self.data = data
        self.add_error(None, SAVED_MEANWHILE_MESSAGE)

    def _comparable(self):
        """The posted values as ``SavedMeanwhile`` holds them, of the fields the form has."""
        cleaned = self.cleaned_data
        values = {}
        for name in self.Meta.fields:
            if name not in self.fields:
                continue
            value = cleaned.get(name)
            if name == "organisations":
                value = frozenset(o.pk for o in value or ())
            elif name in ("commitment", "site"):
                value = getattr(value, "pk", None)
            values[name] = value
        values["measured"] = {
            code: cleaned.get(self.QUANTITY_PREFIX + code) for code in self.quantity_codes
        }
        return values

    def _set_data(self, data, name, value):
        key = self.add_prefix(name)
        if name == "organisations":
            data.setlist(key, [str(pk) for pk in sorted(value)])
        elif value is None:
            data[key] = ""
        elif hasattr(value, "isoformat"):
            data[key] = value.isoformat()
        else:
            data[key] = str(value)

    @property
    def quantity_codes(self):
        """The codes of the measured quantities the form has fields for."""
        return [
            name.removeprefix(self.QUANTITY_PREFIX)
            for name in self.fields
            if name.startswith(self.QUANTITY_PREFIX)
        ]

    @property
    def measurements(self):
        """The measured values by quantity code; None for an empty field (which removes
        the value)."""
        return {
            code: self.cleaned_data.get(self.QUANTITY_PREFIX + code) for code in self.quantity_codes
        }

    @property
    def values(self):
        return {
            field: self.cleaned_data[field]
            for field in self.Meta.fields
            if field != "organisations" and field in self.fields
        }


class MarkDoneForm(forms.Form):
    """Planned activities whose date has passed, to be marked done at once."""

    activities = forms.ModelMultipleChoiceField(
        label=_("Planned activities whose date has passed"),
        queryset=Activity.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one activity to mark as done.")},
    )

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activities"].queryset = activities


class CancelActivityForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (internal)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The form is missing its version; reload the page."),
            "invalid": _("The form is missing its version; reload the page."),
        },
    )

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
    # A span of days (a reporting period's, from its follow-up page).
    since = iso_date_field(_("From"), required=False)
    until = iso_date_field(_("Until"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = (
            Commitment.objects.for_user(user)
            .select_related("pledge__municipality")
            .order_by("-pledge__valid_from", "position")
        )

    def filter(self, activities):
        """Apply every filter that is valid; an invalid one is reported at its field."""
        if not self.is_bound:
            return activities
        self.is_valid()
        data = self.cleaned_data
        if data.get("commitment"):
            activities = activities.filter(commitment=data["commitment"])
        if data.get("status"):
            activities = activities.filter(status=data["status"])
        if data.get("month"):
            activities = activities.filter(
                date__year=data["month"].year, date__month=data["month"].month
            )
        if data.get("since"):
            activities = activities.filter(date__gte=data["since"])
        if data.get("until"):
            activities = activities.filter(date__lte=data["until"])
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
    # When the text was last saved as the form was loaded ("" when there was none yet).
    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)
    form_token = form_token_field()

    def __init__(self, *args, submit_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", submit_label))

    def show_saved_meanwhile(self, row, text):
        """After the service refused a stale save: keep the user's text and show under
        it the text someone else saved meanwhile (``row``, its ``text``; no row when it
        has gone), by whom and when. The form then carries that save's time: sent again,
        after a look, it saves."""
        data = self.data.copy()
        data[self.add_prefix("loaded_at")] = row.updated_at.isoformat() if row else ""
        self.data = data
        if row is not None and text != self.cleaned_data.get("narrative"):
            self.add_error(
                "narrative",
                _("Saved meanwhile by %(user)s at %(time)s: %(value)s")
                % {
                    "user": row.written_by or _("someone else"),
                    "time": saved_at(row.updated_at),
                    "value": text,
                },
            )
        self.add_error(None, SAVED_TEXT_MEANWHILE_MESSAGE)


class VerdictForm(FollowUpForm):
    narrative = forms.CharField(
        label=_("Justification of the verdict"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000}),
    )


class AssessmentForm(forms.Form):
    """The coordinators' status of a promise without a number: a running status while its
    period runs, a verdict once it has ended."""

    status = forms.ChoiceField(label=_("Status"))

    def __init__(self, *args, closed, **kwargs):
        super().__init__(*args, **kwargs)
        statuses = CLOSED_STATUSES if closed else RUNNING_STATUSES
        self.fields["status"].choices = [(s.value, s.label) for s in statuses]
        self.helper = FormHelper()
        self.helper.add_input(Submit("assess", _("Save the assessment")))


class ActivityImportForm(forms.Form):
    """A CSV file of activities to import (pledges.transfer reads and checks it)."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "The columns of the exported file, separated by semicolons or commas, saved "
            "as UTF-8 (in Excel: “CSV UTF-8”). Rows with an id change that activity, rows "
            "without one are new activities."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("check", _("Check the file")))


class ImportConfirmForm(forms.Form):
    """The confirmation of a previewed import: the file, signed (pledges.transfer.sign)."""

    preview = forms.CharField(widget=forms.HiddenInput)


class PeriodTextForm(forms.Form):
    """One text of the follow-up of a reporting period (a commitment's follow-up, or the
    justification of a verdict), among the others of the page: prefixed, saved with them.

    What the page was loaded with travels with it (``show_hidden_initial``), so that only
    the texts the user changed are saved: a text left as it was is not saved over one that
    someone else wrote meanwhile. ``loaded_at`` is when the saved text was last saved as
    the page was loaded ("" for none), by which such a meanwhile is found."""

    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=5000,
        show_hidden_initial=True,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000}),
    )
    is_published = forms.BooleanField(
        label=_("Publish on the public page"),
        required=False,
        initial=True,
        show_hidden_initial=True,
    )
    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, existing=None, text_field="narrative", **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing
        if existing is not None:
            self.initial.update(
                text=getattr(existing, text_field),
                is_published=existing.is_published,
                loaded_at=existing.updated_at.isoformat(),
            )
        else:
            # A new text is published unless the user unticks it.
            self.initial.update(text="", is_published=True, loaded_at="")

    def clean(self):
        cleaned = super().clean()
        if self.changed and not cleaned.get("text") and self.existing is not None:
            self.add_error(
                "text",
                forms.ValidationError(
                    _("A saved text cannot be emptied. Untick “Publish” to take it down."),
                    code="emptied",
                ),
            )
        return cleaned

    @property
    def changed(self):
        """True when the user changed the text or whether it is published."""
        return bool({"text", "is_published"} & set(self.changed_data))

    @property
    def to_save(self):
        """True when there is something to save: a changed text that is not empty."""
        return self.changed and bool(self.cleaned_data.get("text"))
