from django.contrib import admin

from core.admin import MunicipalityScopedAdmin, ScopedChoicesMixin, ScopedHistoryAdmin
from pledges.admin import PledgeAdmin
from pledges.models import Pledge

from . import services
from .models import (
    ActionItem,
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


@admin.register(Concern)
class ConcernAdmin(ScopedHistoryAdmin):
    municipality_lookup = "dialogue__municipality"
    list_display = ["summary", "theme", "dialogue", "times_raised", "rank"]
    list_filter = ["theme"]
    search_fields = ["summary", "dialogue__title"]
    raw_id_fields = ["dialogue", "site"]


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
