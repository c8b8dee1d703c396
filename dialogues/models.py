"""Dialogues, the concerns they raise, the situational picture (lägesbild) with its focus
areas, indicators, and citizens' own submissions (SPEC §3).

No names or contact details of citizens are stored anywhere in this app.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from places.models import Municipality, Organisation, Site
from pledges.models import Commitment
from pledges.validators import FIRST_DAY, LAST_DAY, sane_date

# A count below this is never shown publicly, so that no small group can be singled out.
MIN_PUBLIC_COUNT = 5


class Theme(models.TextChoices):
    TRAFFIC = "traffic", _("traffic")
    DRUGS = "drugs", _("drugs")
    POLICE_VISIBILITY = "police_visibility", _("police visibility")
    VANDALISM = "vandalism", _("vandalism")
    VIOLENCE = "violence", _("violence")
    FRAUD = "fraud", _("fraud")
    LIGHTING = "lighting", _("lighting")
    YOUTH = "youth", _("young people")
    BURGLARY = "burglary", _("burglary and theft")
    PUBLIC_ORDER = "public_order", _("public order")
    OTHER = "other", _("other")


class DialogueQuerySet(models.QuerySet):
    def published(self):
        """Dialogues a citizen may see."""
        return self.filter(is_published=True)

    def for_user(self, user):
        """Dialogues in the municipalities the user is a member of (all for superusers)."""
        if user.is_superuser:
            return self.all()
        return self.filter(municipality__in=Municipality.objects.for_user(user))


class Dialogue(models.Model):
    class Format(models.TextChoices):
        OPEN_MEETING = "open_meeting", _("open meeting")
        FOCUS_GROUP = "focus_group", _("focus group")
        WEB_SURVEY = "web_survey", _("web survey")
        PAPER_SURVEY = "paper_survey", _("paper survey")
        SAFETY_WALK = "safety_walk", _("safety walk")
        POLICE_ON_SITE = "police_on_site", _("police on site")
        SCHOOL_DIALOGUE = "school_dialogue", _("school dialogue")
        STAFF_DIALOGUE = "staff_dialogue", _("staff dialogue")
        SUBMISSIONS = "submissions", _("messages sent through Tyck till")

    SURVEYS = (Format.WEB_SURVEY, Format.PAPER_SURVEY)

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="dialogues",
    )
    title = models.CharField(_("title"), max_length=200)
    format = models.CharField(_("format"), max_length=30, choices=Format.choices)
    starts_on = models.DateField(
        _("date"), help_text=_("For a survey: the day it opened."), validators=[sane_date]
    )
    ends_on = models.DateField(
        _("end date"),
        null=True,
        blank=True,
        help_text=_("For a survey: the day it closed."),
        validators=[sane_date],
    )
    area = models.CharField(_("area"), max_length=200, blank=True)
    target_group = models.CharField(_("target group"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(
        _("participants or responses"), null=True, blank=True
    )
    public_summary = models.TextField(_("public summary"), max_length=3000, blank=True)
    internal_notes = models.TextField(
        _("internal notes"), max_length=5000, blank=True, help_text=_("Never shown publicly.")
    )
    is_published = models.BooleanField(_("published"), default=False)
    is_demo = models.BooleanField(
        _("demo content"), default=False, help_text=_("Invented for the demonstration.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = DialogueQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="dialogue_end_not_before_start",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_survey(self):
        return self.format in self.SURVEYS

    @property
    def shows_breakdown(self):
        """A breakdown of what was raised is shown only when enough people took part."""
        return self.participants is not None and self.participants >= MIN_PUBLIC_COUNT

    def clean(self):
        super().clean()
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {"ends_on": _("The end date cannot be before the date.")}, code="end_before_start"
            )


class AnswerKind(models.TextChoices):
    DOING = "doing", _("this is being done")
    NOT_DOING = "not_doing", _("this will not be done")


class Concern(models.Model):
    """Something people raised in a dialogue, summarised by the coordinators, and their
    public answer to it ("Ni sa – vi gjorde"): what is being done, with the promises that
    answer it, or why nothing is."""

    dialogue = models.ForeignKey(
        Dialogue, verbose_name=_("dialogue"), on_delete=models.CASCADE, related_name="concerns"
    )
    theme = models.CharField(_("theme"), max_length=30, choices=Theme.choices)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("In your own words; never a citizen's words verbatim, never names."),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.SET_NULL,
        related_name="concerns",
        null=True,
        blank=True,
    )
    times_raised = models.PositiveIntegerField(_("how many raised it"), default=1)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    answer_kind = models.CharField(
        _("answer"), max_length=20, choices=AnswerKind.choices, blank=True
    )
    answer = models.TextField(
        _("public answer"),
        max_length=2000,
        blank=True,
        help_text=_("What is being done about it, or why nothing is. Shown publicly."),
    )
    answer_commitments = models.ManyToManyField(
        Commitment,
        verbose_name=_("promises that answer it"),
        related_name="answered_concerns",
        blank=True,
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[answer_commitments])

    class Meta:
        ordering = ["dialogue", "rank", "-times_raised", "pk"]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        constraints = [
            models.CheckConstraint(condition=Q(times_raised__gt=0), name="concern_raised_once"),
            # An answer is a kind and a text together, or neither.
            models.CheckConstraint(
                condition=(Q(answer_kind="") & Q(answer="")) | (~Q(answer_kind="") & ~Q(answer="")),
                name="concern_answer_complete",
            ),
        ]

    def __str__(self):
        return f"{self.get_theme_display()}: {self.summary}"

    @property
    def public_count(self):
        """How many raised it, or None when too few to show."""
        return self.times_raised if self.times_raised >= MIN_PUBLIC_COUNT else None

    @property
    def is_answered(self):
        return bool(self.answer_kind)

    def clean(self):
        super().clean()
        if bool(self.answer_kind) != bool(self.answer.strip()):
            field = "answer" if self.answer_kind else "answer_kind"
            raise ValidationError(
                {field: _("An answer needs both its kind and its text.")},
                code="answer_incomplete",
            )


class ActionItem(models.Model):
    """Something to fix after a safety walk: a dark path, a broken lamp."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        REJECTED = "rejected", _("rejected")

    dialogue = models.ForeignKey(
        Dialogue,
        verbose_name=_("safety walk"),
        on_delete=models.CASCADE,
        related_name="action_items",
    )
    description = models.CharField(_("what"), max_length=300)
    place = models.CharField(_("place"), max_length=200, blank=True)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True, validators=[sane_date])
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    rejection_reason = models.CharField(
        _("public reason for rejecting"), max_length=500, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["dialogue", "deadline", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="actionitem_rejection_has_reason",
            ),
        ]

    def __str__(self):
        return self.description

    def clean(self):
        super().clean()
        errors = {}
        if self.status == self.Status.REJECTED and not self.rejection_reason.strip():
            errors["rejection_reason"] = ValidationError(
                _("Say publicly why the item was rejected."), code="reason_required"
            )
        if self.dialogue_id and self.dialogue.format != Dialogue.Format.SAFETY_WALK:
            errors["dialogue"] = ValidationError(
                _("Action items belong to safety walks."), code="not_safety_walk"
            )
        if self.deadline and self.dialogue_id and self.deadline < self.dialogue.starts_on:
            errors["deadline"] = ValidationError(
                _("The deadline cannot be before the safety walk (%(date)s)."),
                code="deadline_before_walk",
                params={"date": date_format(self.dialogue.starts_on)},
            )
        if errors:
            raise ValidationError(errors)


class PictureQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class SituationalPicture(models.Model):
    """Gemensam lägesbild: what the police and the municipality agree the problems are."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="situational_pictures",
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period start"), validators=[sane_date])
    period_end = models.DateField(_("period end"), validators=[sane_date])
    summary = models.TextField(_("summary"), max_length=5000)
    dialogues = models.ManyToManyField(
        Dialogue, verbose_name=_("dialogues"), related_name="pictures", blank=True
    )
    uses_police_intelligence = models.BooleanField(_("police intelligence"), default=False)
    uses_statistics = models.BooleanField(_("crime and other statistics"), default=False)
    uses_surveys = models.BooleanField(_("surveys"), default=False)
    other_sources = models.CharField(_("other sources"), max_length=300, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[dialogues])
    objects = PictureQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("situational picture")
        verbose_name_plural = _("situational pictures")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="picture_end_not_before_start",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError(
                {"period_end": _("The end cannot be before the start.")}, code="end_before_start"
            )


class FocusArea(models.Model):
    """A priority of the situational picture, with its problem and cause analysis."""

    picture = models.ForeignKey(
        SituationalPicture,
        verbose_name=_("situational picture"),
        on_delete=models.CASCADE,
        related_name="focus_areas",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem description"), max_length=3000, blank=True)
    cause_analysis = models.TextField(_("cause analysis"), max_length=3000, blank=True)
    places = models.CharField(_("places"), max_length=300, blank=True)
    concerns = models.ManyToManyField(
        Concern, verbose_name=_("concerns behind it"), related_name="focus_areas", blank=True
    )
    commitments = models.ManyToManyField(
        Commitment,
        verbose_name=_("commitments answering it"),
        related_name="focus_areas",
        blank=True,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[concerns, commitments])

    class Meta:
        ordering = ["picture", "position"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")

    def __str__(self):
        return self.title


class Indicator(models.Model):
    """A time series that measures the expected effects, e.g. the trygghetsindex."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    scale_min = models.DecimalField(_("scale minimum"), max_digits=8, decimal_places=2)
    scale_max = models.DecimalField(_("scale maximum"), max_digits=8, decimal_places=2)
    source = models.CharField(_("source"), max_length=300)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)

    class Meta:
        ordering = ["municipality", "name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=F("scale_min")), name="indicator_scale_increasing"
            ),
            models.UniqueConstraint(
                fields=["municipality", "name"], name="indicator_unique_municipality_name"
            ),
        ]

    def __str__(self):
        return self.name


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="values"
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(FIRST_DAY.year), MaxValueValidator(LAST_DAY.year)],
    )
    value = models.DecimalField(_("value"), max_digits=8, decimal_places=2)
    is_demo = models.BooleanField(
        _("demo value"), default=False, help_text=_("Invented for the demonstration.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"], name="indicatorvalue_unique_year"
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.year}: {self.value}"

    def clean(self):
        super().clean()
        if self.indicator_id and self.value is not None:
            low, high = self.indicator.scale_min, self.indicator.scale_max
            if not low <= self.value <= high:
                raise ValidationError(
                    {
                        "value": _("The value must lie between %(low)s and %(high)s.")
                        % {
                            "low": number_format(low.normalize()),
                            "high": number_format(high.normalize()),
                        }
                    },
                    code="out_of_scale",
                )


class SubmissionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Submission.Status.PENDING)


class Submission(models.Model):
    """A citizen's anonymous "Tyck till" message, for the coordinators' moderation queue.
    Never published: an accepted one becomes (part of) a concern in the coordinators' words."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for moderation")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    theme = models.CharField(_("theme"), max_length=30, choices=Theme.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    message = models.TextField(_("message"), max_length=1000)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    concern = models.ForeignKey(
        Concern,
        verbose_name=_("concern"),
        on_delete=models.SET_NULL,
        related_name="submissions",
        null=True,
        blank=True,
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("citizen submission")
        verbose_name_plural = _("citizen submissions")

    def __str__(self):
        return f"{self.municipality} {self.get_theme_display()} {self.created_at:%Y-%m-%d}"
