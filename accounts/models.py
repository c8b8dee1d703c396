"""Who acts for whom: users' memberships of a municipality in a role, and the forms they
have sent. Users and the role groups are kept in history like the domain."""

import simple_history
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from places.models import Municipality, Organisation

from . import roles


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user):
        """The user's memberships, with municipality and organisation loaded."""
        return self.filter(user=user).select_related("municipality", "organisation")

    def moderating(self):
        """Memberships of active users as police or municipal coordinators: the people who
        read and moderate a municipality's "Tyck till" messages."""
        return self.filter(
            role__in=[Membership.Role.POLICE_COORDINATOR, Membership.Role.MUNICIPAL_COORDINATOR],
            user__is_active=True,
        )


class Membership(models.Model):
    """A user acting for an organisation in a municipality, in a role."""

    class Role(models.TextChoices):
        POLICE_COORDINATOR = "police_coordinator", _("police coordinator")
        MUNICIPAL_COORDINATOR = "municipal_coordinator", _("municipal coordinator")
        ADMIN = "admin", _("administrator")

    # The auth group (accounts.roles) that carries each role's permissions.
    GROUPS = {
        Role.POLICE_COORDINATOR: roles.POLICE_COORDINATORS,
        Role.MUNICIPAL_COORDINATOR: roles.MUNICIPAL_COORDINATORS,
        Role.ADMIN: roles.ADMINISTRATORS,
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["municipality__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], name="membership_unique_user_municipality"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.municipality} ({self.get_role_display()})"

    def clean(self):
        """A coordinator's organisation is of their party: police for police coordinators
        (the police of the municipality's local police area, which it must have), the
        municipality itself for municipal coordinators."""
        super().clean()
        if self.role == self.Role.POLICE_COORDINATOR and self.municipality_id:
            self._require_police()
        if not self.organisation_id or not self.role:
            return
        party = {
            self.Role.POLICE_COORDINATOR: Organisation.Kind.POLICE,
            self.Role.MUNICIPAL_COORDINATOR: Organisation.Kind.MUNICIPALITY,
        }.get(self.role)
        if party and self.organisation.kind != party:
            raise ValidationError(
                {"organisation": _("The organisation does not match the role.")}, code="party"
            )
        if self.municipality_id and not self.organisation.works_in(self.municipality):
            raise ValidationError(
                {"organisation": _("The organisation does not work in this municipality.")},
                code="elsewhere",
            )

    def _require_police(self):
        """A police coordinator acts for the police of the municipality's local police
        area: said at the organisation when there is no area, or the area has no police
        organisation to choose."""
        self.municipality.require_police_area(field="organisation")
        area = self.municipality.police_area
        if (
            not self.organisation_id
            and not area.organisations.filter(kind=Organisation.Kind.POLICE).exists()
        ):
            raise ValidationError(
                {
                    "organisation": ValidationError(
                        _(
                            "The local police area %(area)s has no police organisation yet: "
                            "a superuser saves the area under Local police areas to create it."
                        ),
                        code="no_police",
                        params={"area": area.name},
                    )
                }
            )


class FormToken(models.Model):
    """A create form that has been saved, by the token it was rendered with: posting the
    same form again (a double click, a resend) leads to what the first post made instead
    of making it twice."""

    token = models.UUIDField(_("token"), primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    url = models.CharField(_("address"), max_length=500)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("saved form")
        verbose_name_plural = _("saved forms")

    def __str__(self):
        return str(self.token)


class ReminderState(models.Model):
    """A user's daily reminder digest: the day it was last sent (never twice a day) and
    whether they have opted out of it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reminder_state",
    )
    last_sent_on = models.DateField(_("last reminder sent on"), null=True, blank=True)
    opted_out = models.BooleanField(
        _("no reminder e-mails"),
        default=False,
        help_text=_("Tick to stop the daily e-mail about what needs you."),
    )

    class Meta:
        verbose_name = _("reminder setting")
        verbose_name_plural = _("reminder settings")

    def __str__(self):
        return str(self.user)


class UserHistoricalRecords(HistoricalRecords):
    """History of users without their password hashes, and without a record for every
    login (which only touches last_login)."""

    def post_save(self, instance, created, using=None, **kwargs):
        if kwargs.get("update_fields") == frozenset({"last_login"}):
            return
        super().post_save(instance, created, using=using, **kwargs)


# Who may do what is kept in history like the domain: users (their groups, staff and
# superuser flags, never their password) and the role groups' permissions.
simple_history.register(
    get_user_model(),
    app="accounts",
    records_class=UserHistoricalRecords,
    excluded_fields=["password", "last_login"],
    m2m_fields=["groups", "user_permissions"],
)
simple_history.register(Group, app="accounts", m2m_fields=["permissions"])
