"""The admin's form for a local police area: its name, its region and, in the same step,
the municipalities it covers; the choice of a place from the register."""

from django import forms
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedModelChoiceField, BoundedModelMultipleChoiceField, bad_pk

from .models import Municipality, PoliceArea
from .services import check_police_area


class MunicipalitiesField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj):
        if obj.police_area is None:
            return f"{obj.name} ({obj.county})"
        return _("%(municipality)s (%(county)s), now in %(area)s") % {
            "municipality": obj.name,
            "county": obj.county,
            "area": obj.police_area,
        }


class SiteChoiceIterator(ModelChoiceIterator):
    """The choices of a ``SiteChoiceField``: each place once, and with its municipality
    ("Centrum (Åsele)") when the places are of several, where names can repeat."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        sites = list(self.queryset)
        several = len({site.municipality_id for site in sites}) > 1
        for site in sites:
            label = f"{site.name} ({site.municipality.name})" if several else site.name
            yield (ModelChoiceIteratorValue(self.field.prepare_value(site), site), label)


class SiteChoiceField(BoundedModelChoiceField):
    """A place from the register; give it a queryset with ``select_related("municipality")``."""

    iterator = SiteChoiceIterator


class PoliceAreaForm(forms.ModelForm):
    """Offers the municipalities of ``municipality_scope`` (set by the admin to those the
    user may see). Those the area covers outside that scope are not the user's to detach:
    they stay, whatever is posted."""

    municipality_scope = Municipality.objects.none()

    municipalities = MunicipalitiesField(
        queryset=Municipality.objects.none(),
        required=False,
        label=_("municipalities"),
        widget=FilteredSelectMultiple(_("municipalities"), is_stacked=False),
        help_text=_(
            "The municipalities the area covers, in counties of its police region. Those "
            "left out have no local police area afterwards."
        ),
    )

    class Meta:
        model = PoliceArea
        fields = ["name", "region"]
        field_classes = {"region": BoundedModelChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.out_of_scope = Municipality.objects.none()
        field = self.fields.get("municipalities")
        if field is None:
            return
        scope = self.municipality_scope
        field.queryset = scope.select_related("county", "police_area").order_by("name")
        kept = []
        if self.instance.pk is not None:
            covered = self.instance.municipalities.all()
            field.initial = covered.filter(pk__in=scope.values("pk"))
            self.out_of_scope = covered.exclude(pk__in=scope.values("pk"))
            kept = list(covered.values_list("pk", flat=True))
        region = self._region_id()
        if region is not None:
            # Offered: the municipalities of the region's counties, and those covered or
            # chosen so far, so that one chosen by mistake can be seen and taken out again.
            # Any the user may see is accepted, and refused in clean() with its reason.
            posted = field.widget.value_from_datadict(
                self.data, self.files, self.add_prefix("municipalities")
            )
            kept += [pk for pk in posted or [] if not bad_pk(pk)]
            choices = field.iterator(field)
            choices.queryset = field.queryset.filter(
                Q(county__police_region=region) | Q(pk__in=kept)
            )
            field.widget.choices = choices

    def _region_id(self):
        """The id of the police region the form is about: as posted; before that, the
        area's, or the one the add page was opened for (``?region=<id>``). None while
        there is none."""
        if "region" not in self.fields:
            return None
        name = self.add_prefix("region")
        value = self.data.get(name) if self.is_bound else self.initial.get("region")
        if value in (None, "") or bad_pk(value):
            return None
        return int(value)

    def clean_municipalities(self):
        chosen = self.cleaned_data["municipalities"]
        return [*chosen, *self.out_of_scope]

    def clean(self):
        cleaned = super().clean()
        if {"name", "region", "municipalities"} <= cleaned.keys():
            area = PoliceArea(pk=self.instance.pk, name=cleaned["name"], region=cleaned["region"])
            try:
                check_police_area(area=area, municipalities=cleaned["municipalities"])
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned
