from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import (
    MunicipalityScopedAdmin,
    ScopedChoicesMixin,
    ScopedHistoryAdmin,
    StaleCheckedForm,
)
from pledges.admin import PledgeAdmin
from pledges.models import Commitment, Pledge

from . import services
from .models import (
    ActionItem,
    AnswerKind,
    Concern,
    Dialogue,
    FocusArea,
    Indicator,
    IndicatorValue,
    SituationalPicture,
    Submission,
)


class ConcernInline(ScopedChoicesMixin, admin.TabularInline):
    model = Concern
    extra = 0
    autocomplete_fields = ["site"]
    # The public answer is written on the concern's own page.
    fields = ["theme", "summary", "place", "site", "times_raised", "rank"]


class ActionItemInline(ScopedChoicesMixin, admin.TabularInline):
    model = ActionItem
    extra = 0


@admin.register(Dialogue)
class DialogueAdmin(ScopedHistoryAdmin):
    list_display = ["title", "municipality", "format", "starts_on", "participants", "is_published"]
    list_filter = ["format", "is_published", "is_demo", "municipality__county"]
    search_fields = ["title", "municipality__name"]
    autocomplete_fields = ["municipality"]
    date_hierarchy = "starts_on"
    readonly_fields = ["created_by"]
    inlines = [ConcernInline, ActionItemInline]


class ConcernAdminForm(StaleCheckedForm):
    """The promises that answer a concern are published ones of its dialogue's
    municipality, and none when nothing is done."""

    def clean(self):
        cleaned = super().clean()
        dialogue = cleaned.get("dialogue")
        commitments = cleaned.get("answer_commitments") or []
        if commitments and cleaned.get("answer_kind") == AnswerKind.NOT_DOING:
            self.add_error(
                "answer_commitments",
                ValidationError(
                    _("An answer that nothing is done names no promise."),
                    code="promises_not_doing",
                ),
            )
        elif dialogue is not None and any(
            c.pledge.municipality_id != dialogue.municipality_id
            or c.pledge.status not in Pledge.PUBLIC_STATUSES
            for c in commitments
        ):
            self.add_error(
                "answer_commitments",
                ValidationError(
                    _("Choose published promises of the dialogue's municipality."),
                    code="elsewhere",
                ),
            )
        return cleaned


@admin.register(Concern)
class ConcernAdmin(ScopedHistoryAdmin):
    form = ConcernAdminForm
    municipality_lookup = "dialogue__municipality"
    list_display = ["summary", "theme", "dialogue", "times_raised", "rank", "answer_kind"]
    list_filter = ["theme", "answer_kind"]
    search_fields = ["summary", "dialogue__title"]
    raw_id_fields = ["dialogue", "site"]
    filter_horizontal = ["answer_commitments"]
    readonly_fields = ["answered_at", "answered_by"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "answer_commitments":
            kwargs["queryset"] = (
                self.admin_site._registry[Commitment]
                .get_queryset(request)
                .filter(pledge__status__in=Pledge.PUBLIC_STATUSES)
                .select_related("pledge__municipality")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if {"answer_kind", "answer"} & set(form.changed_data):
            obj.answered_at = timezone.now() if obj.answer_kind else None
            obj.answered_by = request.user if obj.answer_kind else None
        super().save_model(request, obj, form, change)


class FocusAreaInline(ScopedChoicesMixin, admin.StackedInline):
    model = FocusArea
    extra = 0
    filter_horizontal = ["concerns", "commitments"]


@admin.register(SituationalPicture)
class SituationalPictureAdmin(ScopedHistoryAdmin):
    list_display = ["title", "municipality", "period_start", "period_end", "is_published"]
    list_filter = ["is_published", "municipality__county"]
    search_fields = ["title", "municipality__name"]
    autocomplete_fields = ["municipality"]
    filter_horizontal = ["dialogues"]
    inlines = [FocusAreaInline]


class IndicatorValueInline(ScopedChoicesMixin, admin.TabularInline):
    model = IndicatorValue
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "municipality", "unit", "source"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality"]
    inlines = [IndicatorValueInline]


@admin.register(Submission)
class SubmissionAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["municipality", "theme", "created_at", "status"]
    list_filter = ["status", "theme"]
    readonly_fields = ["municipality", "theme", "place", "message", "created_at", "moderated_by"]
    raw_id_fields = ["concern"]


class RevisingPledgeAdmin(PledgeAdmin):
    """Revising a pledge in the admin also carries over the focus areas its commitments
    answer (dialogues.services.pledge_revise)."""

    revise_pledge = staticmethod(services.pledge_revise)


admin.site.unregister(Pledge)
admin.site.register(Pledge, RevisingPledgeAdmin)
