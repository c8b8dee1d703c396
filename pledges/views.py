"""Coordinator pages: dashboard, activities, implementation plan, follow-ups.

Every view is for logged-in coordinators (anonymous users go to the login page), shows
only the user's municipalities (others are 404) and lets a user change only what their
organisation is responsible for (others are 403).
"""

from collections import defaultdict
from dataclasses import replace
from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from . import progress, services
from .forms import (
    ActivityFilterForm,
    ActivityForm,
    AssessmentForm,
    CancelActivityForm,
    FollowUpForm,
    VerdictForm,
    attach_errors,
    sent_before,
)
from .models import Activity, Commitment, FollowUp, PeriodVerdict, Pledge
from .permissions import (
    can_act_for,
    can_read_internal_notes,
    check_can_act,
    check_member,
    memberships_of,
)
from .selectors import (
    activity_history,
    commitment_reports,
    current_public_pledge,
    pledge_reports,
)

# What needs attention first on the dashboard.
STATUS_ORDER = [
    progress.Status.BEHIND,
    progress.Status.NOT_DONE,
    progress.Status.PARTLY_DONE,
    progress.Status.NOT_ASSESSED,
    progress.Status.NOT_STARTED,
    progress.Status.ON_TRACK,
    progress.Status.FULFILLED,
    progress.Status.DONE,
]


def int_or_404(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def date_or_404(value):
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Http404 from None


class RenamedParamsMixin:
    """Query parameters that once had Swedish names (``?lofte=``, ``?sida=``) keep working:
    a GET with an old name is redirected, for good, to the same address with the new one."""

    renamed_params = {}

    def dispatch(self, request, *args, **kwargs):
        old = [name for name in self.renamed_params if name in request.GET]
        if request.method == "GET" and old:
            query = request.GET.copy()
            for name in old:
                query.setlist(self.renamed_params[name], query.pop(name))
            return HttpResponsePermanentRedirect(f"{request.path}?{query.urlencode()}")
        return super().dispatch(request, *args, **kwargs)


class CoordinatorView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "pledges.view_activity"

    @cached_property
    def today(self):
        """The reporting day, read once per request: every figure of a page is as of it."""
        return timezone.localdate()


class DashboardView(CoordinatorView):
    """The current pledges of my municipalities, what is behind plan first."""

    template_name = "pledges/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        municipality_ids = [m.municipality_id for m in memberships_of(user)]
        published = Pledge.objects.public().select_related("municipality")
        if not user.is_superuser:
            published = published.filter(municipality_id__in=municipality_ids)
        by_municipality = defaultdict(list)
        for pledge in published:
            by_municipality[pledge.municipality_id].append(pledge)
        pledges = sorted(
            (current_public_pledge(group, today=self.today) for group in by_municipality.values()),
            key=lambda p: p.municipality.name,
        )
        context["reports"] = [
            replace(report, commitments=tuple(sorted(self.entries(report), key=attention_first)))
            for report in pledge_reports(pledges, today=self.today)
        ]
        return context

    def entries(self, report):
        """The report's commitments, each with whether the user may act for it."""
        user = self.request.user
        return (replace(e, can_act=can_act_for(user, e.commitment)) for e in report.commitments)


def attention_first(entry):
    """Sort key of a dashboard's commitments: those that need action first."""
    return (STATUS_ORDER.index(entry.progress.status), entry.commitment.position)


class ActivityFormView(RenamedParamsMixin, CoordinatorView):
    """Log a new activity, or edit one (planned -> done keeps its history); ``?commitment=``
    preselects the promise."""

    renamed_params = {"lofte": "commitment"}

    template_name = "pledges/activity_form.html"
    permission_required = "pledges.add_activity"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.activity = None

    def load(self):
        """The activity being edited (None for a new one), checked against the user."""
        if "pk" not in self.kwargs:
            return None
        activity = get_object_or_404(
            Activity.objects.for_user(self.request.user)
            .select_related("commitment__pledge")
            .prefetch_related("organisations"),
            pk=self.kwargs["pk"],
        )
        check_can_act(self.request.user, activity.commitment)
        return activity

    def initial_commitment(self):
        if "commitment" not in self.request.GET:
            return None
        commitment = get_object_or_404(
            Commitment.objects.select_related("pledge"),
            pk=int_or_404(self.request.GET["commitment"]),
        )
        check_can_act(self.request.user, commitment)
        return commitment

    def get_form(self, data=None):
        initial = {}
        if self.activity is None:
            today = timezone.localdate()
            initial = {"status": Activity.Status.DONE, "date": today}
            commitment = self.initial_commitment()
            if commitment:
                initial["commitment"] = commitment
                # Logging for an ended pledge: start from its last day, not from today.
                initial["date"] = min(today, commitment.pledge.end(today))
        return ActivityForm(
            data,
            instance=self.activity,
            initial=initial,
            user=self.request.user,
            internal_notes=self.activity is None
            or can_read_internal_notes(self.request.user, self.activity),
        )

    def get(self, request, *args, **kwargs):
        self.activity = self.load()
        if self.activity and self.activity.status == Activity.Status.CANCELLED:
            messages.error(request, _("A cancelled activity cannot be changed."))
            return redirect(self.activity_url(self.activity))
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        self.activity = self.load()
        if self.activity is None and (url := sent_before(request)):
            messages.info(request, services.SENT_TWICE_MESSAGE)
            return redirect(url)
        form = self.get_form(request.POST)
        if form.is_valid():
            check_can_act(request.user, form.cleaned_data["commitment"])

            def save():
                return services.activity_save(
                    user=request.user,
                    values=form.values,
                    organisations=form.cleaned_data["organisations"],
                    measurements=form.measurements,
                    activity=self.activity,
                    expected_version=form.cleaned_data.get("version"),
                )

            try:
                if self.activity is None:
                    url, created = services.create_once(
                        token=form.cleaned_data["form_token"],
                        user=request.user,
                        create=save,
                        url_of=self.activity_url,
                    )
                else:
                    url, created = self.activity_url(save()), True
            except ValidationError as error:
                attach_errors(form, error)
            else:
                if created:
                    messages.success(request, _("The activity has been saved."))
                else:
                    messages.info(request, services.SENT_TWICE_MESSAGE)
                return redirect(url)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def activity_url(self, activity):
        return reverse("pledges:activity_detail", kwargs={"pk": activity.pk})

    def get_context_data(self, **kwargs):
        return super().get_context_data(activity=self.activity, **kwargs)


class ActivityDetailView(CoordinatorView):
    """One activity with its internal notes and its whole history of changes."""

    template_name = "pledges/activity_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity = get_object_or_404(
            Activity.objects.for_user(self.request.user)
            .select_related("commitment__pledge__municipality", "site", "logged_by", "logged_for")
            .prefetch_related("organisations", "measurements"),
            pk=self.kwargs["pk"],
        )
        can_read_notes = can_read_internal_notes(self.request.user, activity)
        context.update(
            activity=activity,
            can_edit=can_act_for(self.request.user, activity.commitment)
            and activity.status != Activity.Status.CANCELLED,
            can_read_notes=can_read_notes,
            history=activity_history(activity, internal_notes=can_read_notes),
        )
        return context


class ActivityCancelView(CoordinatorView):
    """Cancel an activity: it stays, visibly cancelled, and never counts."""

    template_name = "pledges/activity_cancel.html"
    permission_required = "pledges.change_activity"

    def load(self):
        activity = get_object_or_404(
            Activity.objects.for_user(self.request.user).select_related("commitment__pledge"),
            pk=self.kwargs["pk"],
        )
        check_can_act(self.request.user, activity.commitment)
        return activity

    def get(self, request, *args, **kwargs):
        activity = self.load()
        form = CancelActivityForm(initial={"version": activity.version})
        return self.render_to_response(self.get_context_data(activity=activity, form=form))

    def post(self, request, *args, **kwargs):
        activity = self.load()
        form = CancelActivityForm(request.POST)
        if form.is_valid():
            try:
                services.activity_cancel(
                    activity=activity,
                    expected_version=form.cleaned_data["version"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("The activity has been cancelled."))
                return redirect("pledges:activity_detail", pk=activity.pk)
        context = self.get_context_data(activity=activity, form=form)
        return self.render_to_response(context, status=400)


class ActivityListView(RenamedParamsMixin, CoordinatorView):
    """My municipalities' activities, filtered by promise, status and month."""

    renamed_params = {"sida": "page"}

    template_name = "pledges/activity_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = ActivityFilterForm(self.request.GET or None, user=user)
        activities = form.filter(
            Activity.objects.for_user(user).select_related(
                "commitment__pledge__municipality", "site"
            )
        ).order_by("-date", "-pk")
        page = Paginator(activities, self.paginate_by).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=form, page=page, query=query.urlencode())
        return context


class PlanView(CoordinatorView):
    """Genomförandeplan: a pledge's planned activities by month, with who is responsible."""

    template_name = "pledges/plan.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pledge = get_object_or_404(
            Pledge.objects.select_related("municipality"), pk=self.kwargs["pk"]
        )
        check_member(self.request.user, pledge.municipality_id)
        if not pledge.is_public:
            raise Http404
        planned = (
            Activity.objects.filter(commitment__pledge=pledge, status=Activity.Status.PLANNED)
            .select_related("commitment", "site")
            .prefetch_related("organisations")
            .order_by("date", "pk")
        )
        months = defaultdict(list)
        for activity in planned:
            months[activity.date.replace(day=1)].append(activity)
        context.update(
            pledge=pledge,
            months=sorted(months.items()),
            today=timezone.localdate(),
        )
        return context


class CommitmentFollowUpView(CoordinatorView):
    """A commitment's follow-ups per reporting period and verdicts per ended period."""

    template_name = "pledges/commitment_followup.html"

    def load(self):
        commitment = get_object_or_404(
            Commitment.objects.select_related("pledge__municipality").prefetch_related(
                "target_sites"
            ),
            pk=self.kwargs["pk"],
        )
        check_can_act(self.request.user, commitment)
        return commitment

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        commitment = kwargs.get("commitment") or self.load()
        pledge = commitment.pledge
        entry = kwargs.get("entry") or judge(commitment, self.today)
        follow_ups = {f.period_start: f for f in commitment.follow_ups.all()}
        verdicts = {v.period_start: v for v in commitment.verdicts.all()}
        reporting = [
            {"period": period, "follow_up": follow_ups.get(period.start)}
            for period in progress.reporting_periods(
                pledge.valid_from, pledge.end(self.today), pledge.follow_up_cadence
            )
        ]
        ended = [
            {"progress": p, "verdict": verdicts.get(p.period.start)}
            for p in entry.judged_periods
            if p.closed
        ]
        context.update(
            commitment=commitment,
            entry=entry,
            reporting=reporting,
            ended=ended,
            assessment_form=kwargs.get("assessment_form")
            or AssessmentForm(
                initial={"status": commitment.assessed_status},
                closed=entry.progress.closed,
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Save the assessment of a qualitative commitment."""
        commitment = self.load()
        entry = judge(commitment, self.today)
        form = AssessmentForm(request.POST, closed=entry.progress.closed)
        if form.is_valid():
            try:
                services.commitment_assess(
                    commitment=commitment, status=form.cleaned_data["status"]
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("The assessment has been saved."))
                return redirect("pledges:commitment_followup", pk=commitment.pk)
        context = self.get_context_data(commitment=commitment, entry=entry, assessment_form=form)
        return self.render_to_response(context, status=400)


def judge(commitment, today):
    """The commitment's ``CommitmentReport`` as of ``today`` (two queries)."""
    (entry,) = commitment_reports([commitment], today=today)
    return entry


def judged_period(commitment, period, today):
    """How the commitment fared in ``period``, a target period begun by ``today``; None
    for any other period (two queries)."""
    return next((p for p in judge(commitment, today).judged_periods if p.period == period), None)


class PeriodTextView(CoordinatorView):
    """Write the follow-up of a reporting period, or the verdict of an ended period."""

    template_name = "pledges/period_text_form.html"
    verdict = False

    def load(self):
        commitment = get_object_or_404(
            Commitment.objects.select_related("pledge__municipality").prefetch_related(
                "target_sites"
            ),
            pk=self.kwargs["pk"],
        )
        check_can_act(self.request.user, commitment)
        start = date_or_404(self.kwargs["start"])
        pledge = commitment.pledge
        if self.verdict:
            periods = progress.target_periods(
                pledge.valid_from,
                pledge.end(self.today),
                commitment.target_period,
                school_year=commitment.school_year_only,
            )
            model = PeriodVerdict
        else:
            periods = progress.reporting_periods(
                pledge.valid_from, pledge.end(self.today), pledge.follow_up_cadence
            )
            model = FollowUp
        period = next((p for p in periods if p.start == start), None)
        if period is None:
            raise Http404
        existing = model.objects.filter(commitment=commitment, period_start=start).first()
        return commitment, period, existing

    def make_form(self, data=None, existing=None):
        initial = {"loaded_at": existing.updated_at.isoformat() if existing else ""}
        if existing:
            initial["is_published"] = existing.is_published
            initial["narrative"] = existing.justification if self.verdict else existing.narrative
        if self.verdict:
            return VerdictForm(data, initial=initial, submit_label=_("Save the justification"))
        return FollowUpForm(data, initial=initial, submit_label=_("Save the follow-up"))

    def judged(self, commitment, period):
        """For a verdict, how the commitment fared in the period; None for a follow-up."""
        return judged_period(commitment, period, self.today) if self.verdict else None

    def context(self, commitment, period, form, verdict):
        return self.get_context_data(
            commitment=commitment, period=period, form=form, verdict=verdict
        )

    def get(self, request, *args, **kwargs):
        commitment, period, existing = self.load()
        if self.verdict and period.end >= self.today:
            messages.error(request, _("A verdict can be justified only once the period has ended."))
            return redirect("pledges:commitment_followup", pk=commitment.pk)
        form = self.make_form(existing=existing)
        verdict = self.judged(commitment, period)
        return self.render_to_response(self.context(commitment, period, form, verdict))

    def post(self, request, *args, **kwargs):
        commitment, period, existing = self.load()
        if url := sent_before(request):
            messages.info(request, services.SENT_TWICE_MESSAGE)
            return redirect(url)
        form = self.make_form(request.POST, existing=existing)
        verdict = self.judged(commitment, period)
        if form.is_valid():
            common = {
                "commitment": commitment,
                "period": period,
                "is_published": form.cleaned_data["is_published"],
                "user": request.user,
                "loaded_at": form.cleaned_data["loaded_at"],
            }
            text = form.cleaned_data["narrative"]

            def save():
                if self.verdict:
                    return services.verdict_save(
                        justification=text,
                        done=verdict and verdict.done,
                        today=self.today,
                        **common,
                    )
                return services.follow_up_save(narrative=text, **common)

            try:
                url, created = services.create_once(
                    token=form.cleaned_data["form_token"],
                    user=request.user,
                    create=save,
                    url_of=lambda saved: reverse(
                        "pledges:commitment_followup", kwargs={"pk": commitment.pk}
                    ),
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                if created:
                    messages.success(request, _("Saved."))
                else:
                    messages.info(request, services.SENT_TWICE_MESSAGE)
                return redirect(url)
        return self.render_to_response(self.context(commitment, period, form, verdict), status=400)
