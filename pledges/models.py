import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Membership
from core.history import one_history_record
from places.models import Municipality, Organisation, PoliceArea, Site

from . import progress
from .progress import Period, ReportingCadence, Status, TargetKind, TargetPeriod
from .validators import sane_date


class Agreement(models.Model):
    """Samverkansöverenskommelse between a municipality and its local police area."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="agreements",
    )
    police_area = models.ForeignKey(
        PoliceArea, verbose_name=_("local police area"), on_delete=models.PROTECT
    )
    title = models.CharField(_("title"), max_length=200)
    valid_from = models.DateField(_("valid from"), validators=[sane_date])
    valid_to = models.DateField(_("valid to"), validators=[sane_date])
    signed_on = models.DateField(_("signed on"), null=True, blank=True, validators=[sane_date])
    signatories = models.TextField(_("signatories"), blank=True)
    focus_areas = models.TextField(
        _("focus areas"), blank=True, help_text=_("One focus area per line.")
    )
    url = models.URLField(_("link"), blank=True)
    document = models.FileField(_("document"), upload_to="agreements/", blank=True)
    is_demo = models.BooleanField(
        _("demo content"),
        default=False,
        help_text=_("Invented for the demonstration, not taken from a real document."),
    )

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")),
                name="agreement_valid_to_not_before_valid_from",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError(
                {"valid_to": _("The end cannot be before the start.")}, code="end_before_start"
            )
        if self.pk is not None:
            stored = Agreement.objects.filter(pk=self.pk).values_list(
                "municipality_id", "police_area_id"
            )
            if stored.first() == (self.municipality_id, self.police_area_id):
                # Signed with the area of its day: a municipality that moves to another
                # area since does not make its earlier agreements wrong.
                return
        if self.municipality_id:
            self.municipality.require_police_area(field="police_area")
        if (
            self.municipality_id
            and self.police_area_id
            and self.municipality.police_area_id != self.police_area_id
        ):
            raise ValidationError(
                {"police_area": _("The agreement is with the municipality's local police area.")},
                code="police_area",
            )

    @property
    def focus_area_list(self):
        return [line.strip() for line in self.focus_areas.splitlines() if line.strip()]


class PledgeQuerySet(models.QuerySet):
    def public(self):
        """Pledges a citizen may see: published and superseded, never drafts."""
        return self.filter(status__in=self.model.PUBLIC_STATUSES)

    def in_force_during(self, start, end):
        """Pledges whose validity overlaps [start, end]; an open end (None) on either side
        runs until further notice."""
        overlapping = self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        return overlapping if end is None else overlapping.filter(valid_from__lte=end)

    def in_year(self, year):
        """Pledges in force at some time during ``year``, newest first."""
        return self.in_force_during(date(year, 1, 1), date(year, 12, 31)).order_by("-valid_from")

    def current_or_latest(self, today):
        """Each municipality's pledge to show first: its public pledge that is published
        and in force on ``today``, else its newest public one; one per municipality,
        chosen in the database (a window over each municipality's public pledges)."""
        in_force = Q(status=Pledge.State.PUBLISHED, valid_from__lte=today) & (
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )
        return (
            self.public()
            .annotate(
                rank=models.Window(
                    RowNumber(),
                    partition_by=F("municipality_id"),
                    order_by=[
                        models.Case(models.When(in_force, then=0), default=1).asc(),
                        F("valid_from").desc(),
                    ],
                )
            )
            .filter(rank=1)
        )

    def with_successor(self):
        """Annotates ``successor_title`` and ``successor_from`` (its first day): the public
        pledge that revises each one, or None."""
        successor = (
            Pledge.objects.public().filter(revises=OuterRef("pk")).order_by("valid_from", "pk")
        )
        return self.annotate(
            successor_title=Subquery(successor.values("title")[:1]),
            successor_from=Subquery(successor.values("valid_from")[:1]),
        )


class Pledge(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        SUPERSEDED = "superseded", _("superseded")

    Cadence = ReportingCadence

    PUBLIC_STATUSES = (State.PUBLISHED, State.SUPERSEDED)

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="pledges",
        # Served by the unique index of (municipality, valid_from).
        db_index=False,
    )
    title = models.CharField(_("title"), max_length=200)
    valid_from = models.DateField(_("valid from"), validators=[sane_date])
    valid_to = models.DateField(
        _("valid to"),
        null=True,
        blank=True,
        validators=[sane_date],
        help_text=_("Empty: valid until a new pledge is signed."),
    )
    background = models.TextField(
        _("background"), blank=True, help_text=_("The introduction, as published.")
    )
    expected_effects = models.TextField(
        _("expected effects"),
        blank=True,
        help_text=_("“Det här ska vi åstadkomma tillsammans”, as published."),
    )
    signatories = models.TextField(_("signatories"), blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True, validators=[sane_date])
    follow_up_cadence = models.CharField(
        _("follow-up cadence"), max_length=20, choices=Cadence.choices, default=Cadence.TERTIAL
    )
    revises = models.ForeignKey(
        "self",
        verbose_name=_("revises"),
        on_delete=models.PROTECT,
        related_name="revisions",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=State.choices, default=State.DRAFT
    )
    source_url = models.URLField(_("source"), blank=True)
    is_demo = models.BooleanField(
        _("demo content"),
        default=False,
        help_text=_("Invented for the demonstration, not a real pledge."),
    )
    revision_steps = models.JSONField(
        _("revision steps completed"),
        default=list,
        blank=True,
        help_text=_("For a draft: the steps of the guided revision the admins have saved."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ["municipality__name", "-valid_from"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "valid_from"], name="pledge_unique_municipality_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="pledge_valid_to_not_before_valid_from",
            ),
        ]

    def __str__(self):
        return f"{self.municipality} – {self.title}"

    def get_absolute_url(self):
        return reverse(
            "reports:pledge_year",
            kwargs={"slug": self.municipality.slug, "year": self.valid_from.year},
        )

    @property
    def is_public(self):
        return self.status in self.PUBLIC_STATUSES

    def end(self, today):
        """The last day progress is judged over as of ``today``: valid_to, or for a pledge
        valid until further notice the last day of today's year."""
        if self.valid_to is not None:
            return self.valid_to
        return date(max(today.year, self.valid_from.year), 12, 31)

    def years(self, today):
        """The years the pledge runs through as of ``today``, each with its own page."""
        return list(range(self.valid_from.year, self.end(today).year + 1))

    @property
    def years_label(self):
        """2017, 2025–2027, or 2025– for a pledge valid until further notice."""
        if self.valid_to is None:
            return f"{self.valid_from.year}–"
        if self.valid_to.year == self.valid_from.year:
            return str(self.valid_from.year)
        return f"{self.valid_from.year}–{self.valid_to.year}"

    def covers(self, day):
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def is_current(self, today):
        """Published and in force on ``today``."""
        return self.status == self.State.PUBLISHED and self.covers(today)

    def clean(self):
        """The validity runs forwards; a pledge revises a public pledge of its own
        municipality, and starts after it."""
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError(
                {"valid_to": _("The end cannot be before the start.")}, code="end_before_start"
            )
        if self.revises_id is None:
            return
        previous = self.revises
        if previous.pk == self.pk or not previous.is_public:
            raise ValidationError(
                {"revises": _("A pledge can only revise a published pledge.")}, code="revises"
            )
        if previous.municipality_id != self.municipality_id:
            raise ValidationError(
                {"revises": _("A pledge can only revise a pledge of the same municipality.")},
                code="revises_elsewhere",
            )
        if self.valid_from and self.valid_from <= previous.valid_from:
            raise ValidationError(
                {"valid_from": _("A revision starts after the pledge it revises.")},
                code="revises_earlier",
            )


class FocusTag(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("focus tag")
        verbose_name_plural = _("focus tags")

    def __str__(self):
        return self.name


def _in_english():
    """True when the page's language is English (under /en/); Swedish otherwise."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return language.split("-")[0] == "en"


def reference_code():
    """The ``code`` of a row of shared reference data (units, quantities, activity types):
    what commitments, measurements, the API and the forms refer to it by."""
    return models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_(
            "A short identifier (letters, digits, - and _) used by the API and the forms; "
            "it cannot be changed later."
        ),
    )


class CountedNoun(models.Model):
    """A noun in Swedish and English, in the singular and the plural, so that a count reads
    right in the page's language: "1 trafikkontroll", "2 trafikkontroller", "2 traffic
    checks". Reference data: every municipality shares the rows, and ``code`` is how
    commitments, measurements, the API and the coordinators' forms refer to a row, so it
    never changes once the row is used."""

    code = reference_code()
    singular_sv = models.CharField(_("Swedish singular"), max_length=100)
    plural_sv = models.CharField(_("Swedish plural"), max_length=100)
    singular_en = models.CharField(_("English singular"), max_length=100)
    plural_en = models.CharField(_("English plural"), max_length=100)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The plural in the page's language, which also names the thing."""
        return self.label(None)

    def label(self, count):
        """The form for ``count`` in the page's language: the singular for exactly one,
        the plural otherwise (also for none, or no count)."""
        if _in_english():
            singular, plural = self.singular_en, self.plural_en
        else:
            singular, plural = self.singular_sv, self.plural_sv
        # A row made from an old free text may lack its English forms: Swedish then.
        singular, plural = singular or self.singular_sv, plural or self.plural_sv
        return singular if count == 1 else plural


class Unit(CountedNoun):
    """What a commitment's target counts: "trafikinsats"/"trafikinsatser", "nytt område
    med Grannsamverkan"/"nya områden med Grannsamverkan". A commitment names its own unit,
    or has that of its activity type. Its code is by convention the Swedish plural as a
    slug ("trafikinsatser")."""

    class Meta:
        ordering = ["plural_sv"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")


class Quantity(CountedNoun):
    """A measured quantity that coordinators may record on an activity ("kontrollerade
    fordon", "utandningsprov", "deltagande hushåll"), and that a quantity target sums.
    Which ones an activity offers is said by its commitment's activity type."""

    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in the coordinators' form.")
    )

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("measured quantity")
        verbose_name_plural = _("measured quantities")


class ActivityType(models.Model):
    """A kind of activity a commitment promises (traffic operation, school visit, safety
    walk, "nya områden med Grannsamverkan", ...): reference data, named in Swedish and
    English. ``unit`` is what its commitments count unless they name their own unit;
    ``quantities`` are the measured quantities coordinators may record on its activities
    (and the ones a quantity target of its commitments may sum)."""

    code = reference_code()
    name_sv = models.CharField(_("Swedish name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="activity_types",
        null=True,
        blank=True,
        help_text=_("What its commitments count, unless a commitment names its own unit."),
    )
    quantities = models.ManyToManyField(
        Quantity,
        verbose_name=_("measured quantities"),
        related_name="activity_types",
        blank=True,
        help_text=_("What coordinators may measure on its activities."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in lists.")
    )

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The name in the page's language."""
        return self.name_en if _in_english() and self.name_en else self.name_sv

    def unit_label(self, count):
        """What its commitments count, for ``count`` in the page's language: its unit's
        singular or plural, or else its name."""
        return self.unit.label(count) if self.unit_id else self.name


# How a promise opens ("Polisen lovar att", "Kommunen och polisen lovar att"): left out of
# its short title, which the overview shows under the responsible party.
PROMISE_OPENING = re.compile(
    r"^\s*(polisen|kommunen)(\s+och\s+(polisen|kommunen))?\s+lovar\s+(att\s+)?", re.I
)


class CommitmentQuerySet(models.QuerySet):
    def with_labels(self):
        """The commitments with their activity type (and its unit), unit and measured
        quantity joined in, so that ``unit_label`` and the type's name cost no query."""
        return self.select_related("activity_type__unit", "unit", "quantity")

    def for_user(self, user):
        """Commitments in the municipalities the user is a member of (all for superusers)."""
        if user.is_superuser:
            return self.all()
        return self.filter(pledge__municipality__in=Municipality.objects.for_user(user))

    def actionable_by(self, user):
        """Commitments of public (published or superseded) pledges the user's organisation
        may log activities for: police ones for police, municipal ones for the
        municipality, joint ones for both. Never those of drafts."""
        published = self.filter(pledge__status__in=Pledge.PUBLIC_STATUSES)
        if user.is_superuser:
            return published
        allowed = Q(pk__in=[])
        for membership in Membership.objects.filter(user=user):
            allowed |= Q(
                pledge__municipality_id=membership.municipality_id,
                responsible__in=responsible_parties(membership.role),
            )
        return published.filter(allowed)


# Kept by name to write a record by hand (core.history.one_history_record).
COMMITMENT_HISTORY = HistoricalRecords(
    m2m_fields=["external_parties", "focus_tags", "target_sites"]
)


class Commitment(models.Model):
    """One promise of a pledge, with its target. Its activity type, unit and measured
    quantity are reference rows (``ActivityType``, ``Unit``, ``Quantity``) referred to by
    their code, which is what the columns, the API and the history hold."""

    class Responsible(models.TextChoices):
        POLICE = "police", _("The police promise")
        MUNICIPALITY = "municipality", _("The municipality promises")
        JOINT = "joint", _("The police and the municipality promise")

    class Change(models.TextChoices):
        """What became of the commitment in a revision (its lineage)."""

        NEW = "new", _("new")
        CONTINUED = "continued", _("continued")
        REVISED = "revised", _("revised")

    pledge = models.ForeignKey(
        Pledge,
        verbose_name=_("pledge"),
        on_delete=models.CASCADE,
        related_name="commitments",
        # Served by the unique index of (pledge, position).
        db_index=False,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text = models.TextField(_("text"), help_text=_("Exactly as published."))
    short_title = models.CharField(
        _("short title"),
        max_length=120,
        blank=True,
        help_text=_(
            "A few words for the overview of the public page, e.g. “Riktade trafikinsatser”. "
            "Empty: the start of the text."
        ),
    )
    responsible = models.CharField(_("responsible"), max_length=20, choices=Responsible.choices)
    external_parties = models.ManyToManyField(
        Organisation,
        verbose_name=_("external parties"),
        related_name="commitments",
        blank=True,
        limit_choices_to={"kind": Organisation.Kind.EXTERNAL},
    )
    activity_type = models.ForeignKey(
        ActivityType,
        verbose_name=_("activity type"),
        on_delete=models.PROTECT,
        to_field="code",
        related_name="commitments",
    )
    focus_tags = models.ManyToManyField(
        FocusTag, verbose_name=_("focus tags"), related_name="commitments", blank=True
    )
    audience = models.CharField(_("target audience"), max_length=200, blank=True)
    target_kind = models.CharField(_("kind of target"), max_length=20, choices=TargetKind.choices)
    target_value = models.PositiveIntegerField(
        _("target"),
        null=True,
        blank=True,
        help_text=_("Per period; per site for per-site targets; empty for qualitative ones."),
    )
    target_period = models.CharField(
        _("target period"), max_length=20, choices=TargetPeriod.choices, default=TargetPeriod.YEAR
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        to_field="code",
        related_name="commitments",
        null=True,
        blank=True,
        help_text=_("What is counted, e.g. “trafikinsatser”; empty: the activity type's unit."),
    )
    quantity = models.ForeignKey(
        Quantity,
        verbose_name=_("measured quantity"),
        on_delete=models.PROTECT,
        to_field="code",
        related_name="commitments",
        null=True,
        blank=True,
        help_text=_("For a target that sums a measured quantity: which one."),
    )
    school_year_only = models.BooleanField(
        _("school terms only"),
        default=False,
        help_text=_("Pace counts school days only (“under ordinarie läsår”)."),
    )
    target_sites = models.ManyToManyField(
        Site, verbose_name=_("target sites"), related_name="commitments", blank=True
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous commitment"),
        on_delete=models.SET_NULL,
        related_name="successors",
        null=True,
        blank=True,
        help_text=_("The commitment of the revised pledge that this one carries on."),
    )
    change = models.CharField(
        _("change from the previous pledge"),
        max_length=20,
        choices=Change.choices,
        default=Change.NEW,
    )
    change_note = models.TextField(
        _("what changed"), max_length=2000, blank=True, help_text=_("Shown publicly.")
    )
    assessed_status = models.CharField(
        _("assessed status"),
        max_length=20,
        choices=Status.choices,
        blank=True,
        help_text=_("For qualitative commitments: the coordinators' assessment."),
    )

    history = COMMITMENT_HISTORY
    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["pledge", "position"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "position"], name="commitment_unique_pledge_position"
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | Q(target_value__gt=0),
                name="commitment_target_positive",
            ),
            models.CheckConstraint(
                condition=(
                    Q(target_kind=TargetKind.QUALITATIVE, target_value__isnull=True)
                    | (~Q(target_kind=TargetKind.QUALITATIVE) & Q(target_value__isnull=False))
                ),
                name="commitment_target_matches_kind",
            ),
            models.CheckConstraint(
                condition=(
                    Q(target_kind=TargetKind.QUANTITY, quantity__isnull=False)
                    | ~Q(target_kind=TargetKind.QUANTITY) & Q(quantity__isnull=True)
                ),
                name="commitment_quantity_only_for_quantity_targets",
            ),
            models.CheckConstraint(
                condition=~Q(target_kind=TargetKind.COVERAGE) | Q(target_value=1),
                name="commitment_coverage_target_is_one",
            ),
        ]

    def __str__(self):
        return self.text[:80]

    # What a published pledge promised: never edited in place (revise or amend instead).
    PROMISED_FIELDS = (
        "position",
        "text",
        "responsible",
        "activity_type",
        "audience",
        "target_kind",
        "target_value",
        "target_period",
        "unit",
        "quantity",
        "school_year_only",
    )

    def promise(self, fields=PROMISED_FIELDS):
        """What it promised (``fields`` of ``PROMISED_FIELDS``) by attribute name, as the
        database holds it (a related row's code, not the row): comparing two promises
        costs no query."""
        attnames = (self._meta.get_field(name).attname for name in fields)
        return {attname: getattr(self, attname) for attname in attnames}

    def clean(self):
        """A published pledge's commitment keeps its promise; a draft's measured quantity
        is one of those of its activity type."""
        super().clean()
        if self.pledge_id and self.pledge.is_public:
            promise = self.promise()
            stored = self.pk and Commitment.objects.filter(pk=self.pk).values(*promise).first()
            if stored and stored != promise:
                raise ValidationError(
                    _(
                        "The commitments of a published pledge cannot be changed: revise the "
                        "pledge, or amend the target."
                    ),
                    code="published",
                )
            return
        if (
            self.quantity_id
            and self.activity_type_id
            and not self.activity_type.quantities.filter(code=self.quantity_id).exists()
        ):
            raise ValidationError(
                {
                    "quantity": _(
                        "Activities of the type “%(type)s” do not measure “%(quantity)s”: "
                        "choose one of its measured quantities."
                    )
                    % {"type": self.activity_type, "quantity": self.quantity}
                },
                code="quantity_not_of_type",
            )

    @property
    def party_display(self):
        """Who is responsible, as a name: "Polisen", "Kommunen", "Polisen och kommunen"."""
        return {
            self.Responsible.POLICE: _("The police"),
            self.Responsible.MUNICIPALITY: _("The municipality"),
            self.Responsible.JOINT: _("The police and the municipality"),
        }[self.responsible]

    def target_periods(self, today):
        """The periods its target is judged over, as of ``today`` (a pledge valid until
        further notice runs to the end of today's year). A period's start never depends
        on ``today``."""
        pledge = self.pledge
        # Until further notice: far enough ahead that the running period is whole.
        end = pledge.valid_to or date(max(today.year, pledge.valid_from.year) + 1, 12, 31)
        return progress.target_periods(
            pledge.valid_from, end, self.target_period, school_year=self.school_year_only
        )

    def counting_periods(self, last_day):
        """The target periods the done counts (``ProgressCount``) are kept per, for
        activities dated up to ``last_day``: ``target_periods`` as of the end of the year
        after. A pledge valid until further notice is then cut beyond ``last_day``, so a
        day at the turn of a year falls in the week it belongs to once the new year has
        come; since a period's start never depends on today, the period a day is counted
        in never changes."""
        return self.target_periods(date(min(last_day.year + 1, date.max.year), 12, 31))

    def unit_label(self, count):
        """What is counted, in the page's language and the number ``count`` asks for:
        "trafikkontroll" for 1, "trafikkontroller" otherwise ("traffic checks" under /en/).
        Its own unit; else for a quantity target the measured quantity ("kontrollerade
        fordon"); else its activity type's unit, or the type's name. Costs no query on a
        commitment read ``with_labels()``."""
        if self.unit_id:
            return self.unit.label(count)
        if self.quantity_id:
            return self.quantity.label(count)
        return self.activity_type.unit_label(count)

    def measurable_quantities(self):
        """The measured quantities coordinators may record on its activities: those of its
        activity type, and the one its target sums. Costs a query."""
        quantities = Quantity.objects.filter(activity_types__code=self.activity_type_id)
        if self.quantity_id:
            quantities = quantities | Quantity.objects.filter(code=self.quantity_id)
        return quantities.distinct()

    @property
    def bound_sites(self):
        """The places a count or quantity target is bound to: only activities there count
        (empty: anywhere in the municipality). Reads ``target_sites``, prefetched."""
        if self.target_kind not in (TargetKind.COUNT, TargetKind.QUANTITY):
            return []
        return list(self.target_sites.all())

    @property
    def headline(self):
        """The short title, or the start of the promise without "Polisen lovar att"."""
        if self.short_title:
            return self.short_title
        text = PROMISE_OPENING.sub("", self.text, count=1).strip()
        return Truncator(text[:1].upper() + text[1:]).words(9, truncate="…")

    @property
    def counts_at_sites(self):
        """True when only activities at its target sites count: per-site and coverage
        targets, and count or quantity targets bound to places."""
        return self.is_per_site or bool(self.bound_sites)

    @property
    def is_per_site(self):
        return self.target_kind in (TargetKind.PER_SITE, TargetKind.COVERAGE)

    @property
    def is_qualitative(self):
        return self.target_kind == TargetKind.QUALITATIVE


def responsible_parties(role):
    """The responsible parties (Commitment.Responsible) a member in ``role`` acts for: police
    coordinators for the police's and the joint commitments, municipal coordinators for the
    municipality's and the joint ones, administrators for all."""
    if role == Membership.Role.ADMIN:
        return set(Commitment.Responsible.values)
    party = {
        Membership.Role.POLICE_COORDINATOR: Commitment.Responsible.POLICE,
        Membership.Role.MUNICIPAL_COORDINATOR: Commitment.Responsible.MUNICIPALITY,
    }[role]
    return {party, Commitment.Responsible.JOINT}


class DroppedCommitment(models.Model):
    """A commitment of the revised pledge that the revision does not carry on, and why."""

    pledge = models.ForeignKey(
        Pledge,
        verbose_name=_("pledge"),
        on_delete=models.CASCADE,
        related_name="dropped",
        # Served by the unique index of (pledge, commitment).
        db_index=False,
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("dropped commitment"),
        on_delete=models.CASCADE,
        related_name="drops",
    )
    reason = models.TextField(_("public reason"), max_length=2000)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pledge", "commitment__position"]
        verbose_name = _("dropped commitment")
        verbose_name_plural = _("dropped commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "commitment"], name="dropped_unique_pledge_commitment"
            ),
        ]

    def __str__(self):
        return f"{self.pledge}: {self.commitment}"


class Amendment(models.Model):
    """A change of a commitment's target during its pledge, with who, when and why."""

    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        on_delete=models.CASCADE,
        related_name="amendments",
        # Served by the unique index of (commitment, effective_from).
        db_index=False,
    )
    effective_from = models.DateField(_("in force from"), validators=[sane_date])
    old_value = models.PositiveIntegerField(_("old target"))
    new_value = models.PositiveIntegerField(
        _("new target"), validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    reason = models.TextField(_("reason"), max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["commitment", "effective_from", "pk"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        constraints = [
            models.CheckConstraint(
                condition=Q(new_value__gt=0), name="amendment_new_target_positive"
            ),
            models.UniqueConstraint(
                fields=["commitment", "effective_from"], name="amendment_one_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.commitment}: {self.old_value} → {self.new_value} ({self.effective_from})"

    def clean(self):
        """Only a numeric target of a published pledge changes, from today or later within
        the pledge: an amendment never rewrites what has already been judged."""
        super().clean()
        if not self.commitment_id:
            return
        commitment = self.commitment
        pledge = commitment.pledge
        if commitment.target_value is None:
            raise ValidationError(
                {"commitment": _("Only a commitment with a numeric target can be amended.")},
                code="qualitative",
            )
        if pledge.status != Pledge.State.PUBLISHED:
            raise ValidationError(
                {"commitment": _("Only the commitments of a published pledge are amended.")},
                code="not_published",
            )
        if self.effective_from and not pledge.covers(self.effective_from):
            raise ValidationError(
                {"effective_from": _("The day must lie within the pledge's validity.")},
                code="outside_validity",
            )
        if self.effective_from and self.effective_from < timezone.localdate():
            raise ValidationError(
                {"effective_from": _("An amendment applies from today or later, never before.")},
                code="retroactive",
            )


class ActivityQuerySet(models.QuerySet):
    def done(self):
        """Activities that count: status done (planned and cancelled never count)."""
        return self.filter(status=Activity.Status.DONE)

    def for_user(self, user):
        """Activities in the municipalities the user is a member of (all for superusers)."""
        if user.is_superuser:
            return self.all()
        return self.filter(commitment__pledge__municipality__in=Municipality.objects.for_user(user))

    def public(self, today):
        """What a citizen may see on ``today``: done activities dated then or before."""
        return self.done().filter(date__lte=today)


class ActivityHistoryBase(models.Model):
    """What a historical activity holds besides the activity's own fields and its
    organisations: its measured values as they were, so that one record is one save with
    everything it changed (``Activity.record_history``)."""

    measured = models.JSONField(
        _("measured values"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Quantity code to value, as they were then."),
    )

    class Meta:
        abstract = True


# Kept by name to write a record by hand (``Activity.one_history_record``).
ACTIVITY_HISTORY = HistoricalRecords(m2m_fields=["organisations"], bases=[ActivityHistoryBase])


class Activity(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DONE
    )
    date = models.DateField(_("date"), validators=[sane_date])
    end_date = models.DateField(_("end date"), null=True, blank=True, validators=[sane_date])
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="activities",
        null=True,
        blank=True,
    )
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("organisations taking part"), blank=True
    )
    people_reached = models.PositiveIntegerField(_("people reached"), null=True, blank=True)
    public_summary = models.TextField(
        _("public summary"),
        max_length=2000,
        blank=True,
        validators=[MaxLengthValidator(2000)],
    )
    internal_notes = models.TextField(
        _("internal notes"),
        max_length=5000,
        blank=True,
        help_text=_("Never shown publicly."),
        validators=[MaxLengthValidator(5000)],
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    logged_for = models.ForeignKey(
        Organisation,
        verbose_name=_("logged for"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("The organisation of the coordinator who logged it."),
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every save; refuses stale edits.")
    )

    history = ACTIVITY_HISTORY
    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("date")),
                name="activity_end_not_before_start",
            ),
        ]
        indexes = [
            # The done activities of a commitment by date: the public log, its pages and
            # the recount of a period's done counts. Planned and cancelled ones are the
            # coordinators' lists, which the commitment's own index serves.
            models.Index(
                fields=["commitment", "date"],
                condition=Q(status="done"),
                name="activity_done_by_date",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.commitment}"

    def one_history_record(self, history_type="~"):
        """Within the block, saving the activity, setting its organisations and writing
        its measurements make no history record of the activity; at its end, one is
        written with everything as it then is (``measured`` included). One save of a form
        is then one entry in the history, not one per row it touched."""
        return one_history_record(self, ACTIVITY_HISTORY, history_type)

    def clean(self):
        """Rules across fields: the date lies in the pledge's validity, a done activity is
        not in the future, the site belongs to the commitment's municipality (and is one of
        its target sites, required, for per-site targets)."""
        super().clean()
        errors = {}
        commitment = self.commitment if self.commitment_id else None
        if commitment and self.date:
            pledge = commitment.pledge
            if not pledge.covers(self.date):
                errors["date"] = ValidationError(
                    _("The date must lie within the pledge's validity, %(start)s – %(end)s."),
                    code="outside_validity",
                    params={
                        "start": pledge.valid_from,
                        "end": pledge.valid_to or _("until further notice"),
                    },
                )
            elif self.status == self.Status.DONE and self.date > timezone.localdate():
                errors["date"] = ValidationError(
                    _("A done activity cannot be dated in the future. Log it as planned."),
                    code="future",
                )
        if self.end_date and self.date and self.end_date < self.date:
            errors["end_date"] = ValidationError(
                _("The end date cannot be before the date."), code="end_before_start"
            )
        elif commitment and self.end_date:
            pledge = commitment.pledge
            if pledge.valid_to is not None and self.end_date > pledge.valid_to:
                errors["end_date"] = ValidationError(
                    _("The end date must lie within the pledge's validity, until %(end)s."),
                    code="outside_validity",
                    params={"end": pledge.valid_to},
                )
            elif self.status == self.Status.DONE and self.end_date > timezone.localdate():
                errors["end_date"] = ValidationError(
                    _("A done activity cannot end in the future."), code="future"
                )
        if commitment and self.site_id:
            if self.site.municipality_id != commitment.pledge.municipality_id:
                errors["site"] = ValidationError(
                    _("The place must be in the commitment's municipality."), code="site_elsewhere"
                )
            elif (
                commitment.counts_at_sites
                and not commitment.target_sites.filter(pk=self.site_id).exists()
            ):
                errors["site"] = ValidationError(
                    _("Choose one of the places this promise is about."), code="site_not_target"
                )
        elif commitment and commitment.counts_at_sites and self.status != self.Status.CANCELLED:
            errors["site"] = ValidationError(
                _("This promise is counted per place: choose the place."), code="site_required"
            )
        if errors:
            raise ValidationError(errors)


class Measurement(models.Model):
    """A measured quantity of an activity, such as vehicles checked."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="measurements",
        # The unique index of (activity, quantity) serves every lookup by activity.
        db_index=False,
    )
    quantity = models.ForeignKey(
        Quantity,
        verbose_name=_("quantity"),
        on_delete=models.PROTECT,
        to_field="code",
        related_name="measurements",
    )
    value = models.PositiveIntegerField(_("value"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["quantity"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "quantity"], name="measurement_unique_activity_quantity"
            ),
        ]

    def __str__(self):
        return f"{self.value} {self.quantity.label(self.value)}"


class ProgressCount(models.Model):
    """The done activities of a commitment in one target period at one site (or at none),
    and the sum of the commitment's measured quantity on them: the counts every figure is
    judged from, kept by ``pledges.services.progress_counts_refresh`` in the transaction
    of each write that changes them, so that a page reads them instead of counting
    activities. A done activity dated outside every period (a term target's summer) is
    in no row. Rebuilt, or checked against a recount, by ``manage.py rebuild_progress``."""

    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        on_delete=models.CASCADE,
        related_name="progress_counts",
        # The unique index below starts with the commitment: reads by commitment use it.
        db_index=False,
    )
    period_start = models.DateField(_("period start"))
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    done = models.PositiveIntegerField(_("done"))
    quantity = models.PositiveBigIntegerField(_("measured quantity"), default=0)

    class Meta:
        verbose_name = _("progress count")
        verbose_name_plural = _("progress counts")
        constraints = [
            # One row per site; NULL sites are distinct here (nulls_distinct=False is
            # PostgreSQL's alone), so the row without a site has a constraint of its own.
            models.UniqueConstraint(
                fields=["commitment", "period_start", "site"],
                name="progresscount_unique_commitment_period_site",
            ),
            models.UniqueConstraint(
                fields=["commitment", "period_start"],
                condition=Q(site__isnull=True),
                name="progresscount_unique_commitment_period_nowhere",
            ),
            models.CheckConstraint(condition=Q(done__gt=0), name="progresscount_done_positive"),
        ]

    def __str__(self):
        return f"{self.commitment_id} {self.period_start} {self.site_id}: {self.done}"


class CommitmentPeriodText(models.Model):
    """What coordinators write about one commitment for one period: who, when, published."""

    period_start = models.DateField(_("period start"), validators=[sane_date])
    period_end = models.DateField(_("period end"), validators=[sane_date])
    is_published = models.BooleanField(_("published"), default=False)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["commitment", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "period_start"], name="%(class)s_unique_commitment_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="%(class)s_period_end_not_before_start",
            ),
        ]

    def __str__(self):
        return f"{self.commitment} {self.period_start}–{self.period_end}"


class FollowUp(CommitmentPeriodText):
    """A coordinators' narrative for one commitment and one reporting period (T1, H1...)."""

    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
        # Served by the unique index of (commitment, period_start).
        db_index=False,
    )
    narrative = models.TextField(_("follow-up"), max_length=5000)

    class Meta(CommitmentPeriodText.Meta):
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    @property
    def period(self):
        return Period(self.period_start, self.period_end, self.commitment.pledge.follow_up_cadence)


class PeriodVerdict(CommitmentPeriodText):
    """The coordinators' justification of the computed verdict for an ended target period."""

    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        on_delete=models.CASCADE,
        related_name="verdicts",
        # Served by the unique index of (commitment, period_start).
        db_index=False,
    )
    justification = models.TextField(_("justification"), max_length=5000)
    done_when_written = models.PositiveIntegerField(
        _("done when written"),
        null=True,
        blank=True,
        help_text=_("The done count the justification was written against."),
    )

    class Meta(CommitmentPeriodText.Meta):
        verbose_name = _("verdict justification")
        verbose_name_plural = _("verdict justifications")

    @property
    def period(self):
        return Period(self.period_start, self.period_end, self.commitment.target_period)
