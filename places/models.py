"""Where pledges are made: the national reference data (police regions, counties, local
police areas, municipalities), the organisations that act in them, and their sites."""

import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import FilteredRelation, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PoliceRegion(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("police region")
        verbose_name_plural = _("police regions")

    def __str__(self):
        return self.name


class County(models.Model):
    code = models.CharField(_("county code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    police_region = models.ForeignKey(
        PoliceRegion,
        verbose_name=_("police region"),
        on_delete=models.PROTECT,
        related_name="counties",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self):
        return self.name


class PoliceArea(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.ForeignKey(
        PoliceRegion,
        verbose_name=_("police region"),
        on_delete=models.PROTECT,
        related_name="police_areas",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("local police area")
        verbose_name_plural = _("local police areas")

    def __str__(self):
        return self.name


class MunicipalityQuerySet(models.QuerySet):
    def for_user(self, user):
        """The municipalities the user is a member of, in any role (all for a superuser):
        the one scope of every coordinator page and form choice."""
        if user.is_superuser:
            return self.all()
        # Through the reverse relation of accounts.Membership: the one place this app
        # knows of memberships, by their relation name only (it imports nothing above it).
        return self.filter(pk__in=user.memberships.values("municipality"))


class Municipality(models.Model):
    code = models.CharField(_("municipality code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="municipalities"
    )
    police_area = models.ForeignKey(
        PoliceArea,
        verbose_name=_("local police area"),
        on_delete=models.SET_NULL,
        related_name="municipalities",
        null=True,
        blank=True,
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reports:municipality", kwargs={"slug": self.slug})

    def require_police_area(self, *, field):
        """Raise a ValidationError on ``field`` unless the municipality has a local police
        area: what needs the police (an agreement, a police coordinator) says so where it
        is chosen, instead of failing later."""
        if self.police_area_id is None:
            raise ValidationError(
                {
                    field: ValidationError(
                        _(
                            "%(municipality)s has no local police area yet: a superuser "
                            "attaches it to one under Local police areas first."
                        ),
                        code="no_police_area",
                        params={"municipality": self.name},
                    )
                }
            )


class Organisation(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", _("police")
        MUNICIPALITY = "municipality", _("municipality")
        EXTERNAL = "external", _("external actor")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="organisations",
        null=True,
        blank=True,
        help_text=_("The municipality itself, or the one an external actor works in."),
    )
    police_area = models.ForeignKey(
        PoliceArea,
        verbose_name=_("local police area"),
        on_delete=models.CASCADE,
        related_name="organisations",
        null=True,
        blank=True,
    )
    # How citizens reach a publisher: the footer of the municipality's public pages names
    # the municipality and the police of its local police area with these.
    website = models.URLField(
        _("website"),
        blank=True,
        help_text=_("Shown in the footer of the municipality's public pages."),
    )
    email = models.EmailField(
        _("e-mail address"),
        blank=True,
        help_text=_("A shared address, such as the registry's; never a person's own."),
    )
    phone = models.CharField(
        _("telephone"), max_length=40, blank=True, help_text=_("The switchboard, e.g. 0941-140 00.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="organisation_unique_name_kind"),
            models.CheckConstraint(
                condition=~Q(kind="police") | Q(police_area__isnull=False),
                name="organisation_police_has_area",
            ),
            models.CheckConstraint(
                condition=~Q(kind="municipality") | Q(municipality__isnull=False),
                name="organisation_municipality_has_municipality",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        # Said at the field, before the database's constraint would say it for the row.
        if self.kind == self.Kind.POLICE and self.police_area_id is None:
            raise ValidationError(
                {
                    "police_area": ValidationError(
                        _("A police organisation acts for a local police area: choose it."),
                        code="police_without_area",
                    )
                }
            )

    @property
    def has_contact(self):
        return bool(self.website or self.email or self.phone)

    def works_in(self, municipality):
        """True for the municipality itself, the police of its local police area, and an
        external actor of the municipality (or of none in particular)."""
        if self.kind == self.Kind.POLICE:
            return self.police_area_id == municipality.police_area_id
        if self.kind == self.Kind.MUNICIPALITY:
            return self.municipality_id == municipality.pk
        return self.municipality_id in (None, municipality.pk)


# Å, ä and ö are letters of their own in Swedish, not a and o with marks: "Åsa" and
# "Asa" can both be real places. Other marks (é, ü) are folded: "Café" is "Cafe".
SWEDISH_LETTERS = frozenset("åäö")


def site_name_key(name):
    """What two names of places must differ in to be two places: letters and digits,
    case folded, marks other than Swedish å, ä, ö dropped; spaces, hyphens and other
    punctuation ignored. "Tätorten", "tätorten", "Tätorten " and "Tät-orten" are one
    place; "Tatorten" is another (a is not ä)."""
    key = []
    for char in unicodedata.normalize("NFKC", name).casefold():
        if char not in SWEDISH_LETTERS:
            char = "".join(
                c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
            )
        key.append("".join(c for c in char if c.isalnum()))
    return "".join(key)


class Site(models.Model):
    class Kind(models.TextChoices):
        SCHOOL = "school", _("school")
        VILLAGE = "village", _("village")
        TOWN_CENTRE = "town_centre", _("town centre")
        STATION = "station", _("station")
        SQUARE = "square", _("square")
        OTHER = "other", _("other place")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="sites"
    )
    name = models.CharField(_("name"), max_length=200)
    # Kept by save(); bulk_create callers set it with site_name_key.
    name_key = models.CharField(
        _("name as compared"),
        max_length=200,
        editable=False,
        help_text=_("The name without case, spaces or punctuation: one place per key."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    is_demo = models.BooleanField(
        _("demo content"),
        default=False,
        help_text=_("Invented for the demonstration, not a real place."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name_key"],
                name="site_unique_municipality_name_key",
                violation_error_message=_(
                    "The municipality already has a place with nearly the same name."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = site_name_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    def clean(self):
        """Tidies the name's spaces and refuses a name nearly the same as another place's
        of the municipality, naming that place."""
        super().clean()
        self.name = " ".join(self.name.split())
        self.name_key = site_name_key(self.name)
        if self.name and not self.name_key:
            raise ValidationError(
                {"name": _("A place's name needs letters or digits.")}, code="no_letters"
            )
        if not self.municipality_id or not self.name_key:
            return
        clash = (
            Site.objects.filter(municipality_id=self.municipality_id, name_key=self.name_key)
            .exclude(pk=self.pk)
            .first()
        )
        if clash:
            raise ValidationError(
                {
                    "name": ValidationError(
                        _(
                            "%(municipality)s already has the place “%(name)s”, with nearly "
                            "the same name. Use that one, or name this one so that the two "
                            "are told apart."
                        ),
                        code="near_duplicate",
                        params={"municipality": clash.municipality, "name": clash.name},
                    )
                }
            )

    def validate_constraints(self, exclude=None):
        # A name nearly the same as another's is reported at the name, by clean().
        exclude = set(exclude or ())
        if "name" in exclude:
            exclude.add("name_key")
        super().validate_constraints(exclude=exclude)


# The publishers of a municipality's public pages, joined into the query that loads the
# municipality (or what it belongs to), so the footer costs no query of its own.
PUBLISHER_RELATIONS = ("publisher_municipality", "publisher_police")


def with_publishers(queryset, path=""):
    """``queryset`` with the publishers of the municipality at ``path`` ("" when the rows
    are municipalities, "municipality__" for a pledge, ...) joined: the first (by name)
    organisation of the municipality itself, and the police organisation of its local
    police area. Read them with ``publishers_of(row)``."""
    outer = path.removesuffix("__")

    def first(kind, field, outer_ref):
        return Subquery(
            Organisation.objects.filter(kind=kind, **{field: OuterRef(outer_ref)})
            .order_by("name", "pk")
            .values("pk")[:1]
        )

    own = f"{path}organisations"
    police = f"{path}police_area__organisations"
    return queryset.annotate(
        publisher_municipality=FilteredRelation(
            own,
            condition=Q(
                **{
                    f"{own}__pk": first(
                        Organisation.Kind.MUNICIPALITY, "municipality", outer or "pk"
                    )
                }
            ),
        ),
        publisher_police=FilteredRelation(
            police,
            condition=Q(
                **{
                    f"{police}__pk": first(
                        Organisation.Kind.POLICE, "police_area", f"{path}police_area"
                    )
                }
            ),
        ),
    ).select_related(*PUBLISHER_RELATIONS)


def publishers_of(row):
    """The organisations ``with_publishers`` joined to ``row``, the municipality first."""
    # A relation that joined no row is not set at all.
    return [org for name in PUBLISHER_RELATIONS if (org := getattr(row, name, None)) is not None]
