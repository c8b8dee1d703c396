"""Coordinator pages: dashboard, activities, implementation plan, follow-ups.

Every view is for logged-in coordinators (anonymous users go to the login page), shows
only the user's municipalities (others are 404) and lets a user change only what their
organisation is responsible for (others are 403).
"""

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlencode

import icalendar
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe
from django.views.generic import (
    CreateView,
    DetailView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
)
from django.views.generic.detail import SingleObjectMixin

from accounts.models import FormToken, Membership
from accounts.permissions import administered_municipality_ids, membership_in, memberships_of
from core.forms import bad_pk

from . import progress, services, transfer
from .forms import (
    ActivityFilterForm,
    ActivityForm,
    ActivityImportForm,
    AssessmentForm,
    CancelActivityForm,
    FollowUpForm,
    ImportConfirmForm,
    MarkDoneForm,
    PeriodTextForm,
    VerdictForm,
)
from .mixins import (
    CoordinatorMixin,
    CreateOnceMixin,
    MunicipalityScopedMixin,
    ServiceFormMixin,
    SingleObjectFormMixin,
)
from .models import Activity, Commitment, FollowUp, PeriodVerdict, Pledge
from .permissions import can_act_for, can_read_internal_notes, check_can_act
from .reports import PeriodTexts
from .selectors import (
    activity_history,
    activity_saved_meanwhile,
    commitment_reports,
    current_public_pledge,
    measurements_with_quantities,
    period_texts,
    pledge_reports,
    reporting_period_states,
)
from .services import SENT_TWICE_MESSAGE, create_once

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


def pk_or_404(value):
    """The id in a query parameter; 404 for one that is not an id a database can hold."""
    if bad_pk(value):
        raise Http404
    return int(value)


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


class DashboardView(CoordinatorMixin, TemplateView):
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
        context["reports"] = reports = [
            replace(report, commitments=tuple(sorted(self.entries(report), key=attention_first)))
            for report in pledge_reports(pledges, today=self.today)
        ]
        # Each report with the administrators to ask when its pledge has ended (else None).
        admins = self.admins_of_ended(pledges)
        context["sections"] = [(report, admins.get(report.pledge.pk)) for report in reports]
        # The administrators' entry to the guided revision (pledges.revision_views).
        administered = administered_municipality_ids(user)
        context["revisable"] = {
            p.pk
            for p in pledges
            if p.status == Pledge.State.PUBLISHED
            and (administered is None or p.municipality_id in administered)
        }
        context["administers"] = administered is None or bool(administered)
        return context

    def admins_of_ended(self, pledges):
        """The pledges that have ended with no successor published (the newest public
        pledge of their municipality), by id: the administrators of the municipality, who
        can publish the next one. One query, none when no pledge has ended."""
        ended = {
            p.municipality_id: p.pk
            for p in pledges
            if not p.is_current(self.today) and p.end(self.today) < self.today
        }
        if not ended:
            return {}
        admins = {pk: [] for pk in ended.values()}
        for membership in Membership.objects.filter(
            municipality_id__in=ended, role=Membership.Role.ADMIN
        ).select_related("user"):
            admins[ended[membership.municipality_id]].append(membership.user)
        return admins

    def entries(self, report):
        """The report's commitments, each with whether the user may act for it."""
        user = self.request.user
        return (replace(e, can_act=can_act_for(user, e.commitment)) for e in report.commitments)


def attention_first(entry):
    """Sort key of a dashboard's commitments: those that need action first."""
    return (
        not entry.summary.unassessed,
        STATUS_ORDER.index(entry.summary.status),
        entry.commitment.position,
    )


class ActivityFormMixin(CoordinatorMixin, MunicipalityScopedMixin):
    """Logging and editing an activity: the form's choices are what the user may act for,
    the activity is saved through services.activity_save."""

    model = Activity
    form_class = ActivityForm
    template_name = "pledges/activity_form.html"
    permission_required = "pledges.add_activity"
    success_message = gettext_lazy("The activity has been saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def save(self, form):
        check_can_act(self.request.user, form.cleaned_data["commitment"])
        return services.activity_save(
            user=self.request.user,
            values=form.values,
            organisations=form.cleaned_data["organisations"],
            measurements=form.measurements,
            activity=self.object,
            expected_version=form.cleaned_data.get("version"),
        )

    def success_url_for(self, saved):
        return reverse("pledges:activity_detail", kwargs={"pk": saved.pk})


class ActivityCreateView(RenamedParamsMixin, ActivityFormMixin, CreateOnceMixin, CreateView):
    """Log a new activity, done or planned. ``?commitment=`` preselects the promise with
    all that is known filled in (the user's own organisation, the promise's place when
    it has exactly one); ``?copy=`` starts from an earlier activity, dated today."""

    renamed_params = {"lofte": "commitment"}

    def get_initial(self):
        initial = {"status": Activity.Status.DONE, "date": self.today}
        if "copy" in self.request.GET:
            return initial | self.copied(pk_or_404(self.request.GET["copy"]))
        if "commitment" in self.request.GET:
            commitment = get_object_or_404(
                Commitment.objects.for_user(self.request.user)
                .select_related("pledge")
                .prefetch_related("target_sites"),
                pk=pk_or_404(self.request.GET["commitment"]),
            )
            initial |= self.known(commitment)
            sites = commitment.target_sites.all()
            if len(sites) == 1:
                initial["site"] = sites[0]
        return initial

    def known(self, commitment):
        """What the form can fill in for a new activity of ``commitment``: the promise,
        a date within its pledge and the organisation the user acts for."""
        check_can_act(self.request.user, commitment)
        # Logging for an ended pledge: start from its last day, not from today.
        initial = {
            "commitment": commitment,
            "date": min(self.today, commitment.pledge.end(self.today)),
        }
        membership = membership_in(self.request.user, commitment.pledge.municipality_id)
        if membership is not None and membership.organisation_id:
            initial["organisations"] = [membership.organisation_id]
        return initial

    def copied(self, pk):
        """The initial values of a copy of the activity ``pk``: its promise, place,
        organisations, figures and summary; not its date, status or internal notes."""
        source = get_object_or_404(
            Activity.objects.for_user(self.request.user)
            .select_related("commitment__pledge")
            .prefetch_related("organisations", "measurements"),
            pk=pk,
        )
        initial = self.known(source.commitment)
        initial.update(
            site=source.site_id,
            organisations=[o.pk for o in source.organisations.all()],
            people_reached=source.people_reached,
            public_summary=source.public_summary,
        )
        for measurement in source.measurements.all():
            initial[ActivityForm.QUANTITY_PREFIX + measurement.quantity_id] = measurement.value
        return initial

    def success_url_for(self, saved):
        if ActivityForm.SAVE_ANOTHER in self.request.POST:
            query = urlencode({"commitment": saved.commitment_id})
            return f"{reverse('pledges:activity_create')}?{query}"
        return super().success_url_for(saved)


class ActivityUpdateView(ActivityFormMixin, ServiceFormMixin, UpdateView):
    """Edit an activity of a commitment the user may act for (planned -> done keeps its
    history); refused when someone else saved it meanwhile (its version)."""

    queryset = Activity.objects.select_related("commitment__pledge").prefetch_related(
        "organisations"
    )

    def get_object(self, queryset=None):
        activity = super().get_object(queryset)
        check_can_act(self.request.user, activity.commitment)
        return activity

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status == Activity.Status.CANCELLED:
            messages.error(request, _("A cancelled activity cannot be changed."))
            return redirect(self.success_url_for(self.object))
        return self.render_to_response(self.get_context_data())

    def get_initial(self):
        # "Mark as done" from the plan: the same form, with the status already changed.
        if self.request.GET.get("status") == Activity.Status.DONE:
            return {"status": Activity.Status.DONE}
        return super().get_initial()

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "internal_notes": can_read_internal_notes(self.request.user, self.object),
        }

    def refused(self, form, error):
        if getattr(error, "code", None) != "stale":
            super().refused(form, error)
            return
        form.show_saved_meanwhile(
            activity_saved_meanwhile(self.object, form.cleaned_data["version"])
        )


class ActivityDetailView(CoordinatorMixin, MunicipalityScopedMixin, DetailView):
    """One activity with its internal notes and its whole history of changes."""

    template_name = "pledges/activity_detail.html"
    queryset = Activity.objects.select_related(
        "commitment__pledge__municipality", "site", "logged_by", "logged_for"
    ).prefetch_related("organisations", measurements_with_quantities())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity = self.object
        can_read_notes = can_read_internal_notes(self.request.user, activity)
        context.update(
            can_edit=can_act_for(self.request.user, activity.commitment)
            and activity.status != Activity.Status.CANCELLED,
            can_read_notes=can_read_notes,
            history=activity_history(activity, internal_notes=can_read_notes),
        )
        return context


class ActivityCancelView(
    CoordinatorMixin, MunicipalityScopedMixin, SingleObjectFormMixin, ServiceFormMixin, FormView
):
    """Cancel an activity: it stays, visibly cancelled, and never counts."""

    template_name = "pledges/activity_cancel.html"
    permission_required = "pledges.change_activity"
    form_class = CancelActivityForm
    queryset = Activity.objects.select_related("commitment__pledge")
    success_message = gettext_lazy("The activity has been cancelled.")

    def get_object(self, queryset=None):
        activity = super().get_object(queryset)
        check_can_act(self.request.user, activity.commitment)
        return activity

    def get_initial(self):
        return {"version": self.object.version}

    def save(self, form):
        return services.activity_cancel(
            activity=self.object,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )

    def success_url_for(self, saved):
        return reverse("pledges:activity_detail", kwargs={"pk": saved.pk})


class ActivityListView(RenamedParamsMixin, CoordinatorMixin, MunicipalityScopedMixin, ListView):
    """My municipalities' activities, filtered by promise, status and month."""

    renamed_params = {"sida": "page"}

    template_name = "pledges/activity_list.html"
    paginate_by = 50
    queryset = Activity.objects.select_related("commitment__pledge__municipality", "site")

    def get_queryset(self):
        self.form = ActivityFilterForm(self.request.GET or None, user=self.request.user)
        return self.form.filter(super().get_queryset()).order_by("-date", "-pk")

    def paginate_queryset(self, queryset, page_size):
        """A page number that is not one gives the first page, one past the end the last:
        a link that has grown old is not an error."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop(self.page_kwarg, None)
        return super().get_context_data(form=self.form, query=query.urlencode(), **kwargs)


@require_safe
@transaction.non_atomic_requests
@login_required
@permission_required("pledges.view_activity", raise_exception=True)
def activity_export(request):
    """The activity list as filtered (every page of it) as a CSV file to edit in a
    spreadsheet and import again (pledges.transfer), streamed outside a transaction. Five
    queries of its own (six with a promise chosen), whatever the number of activities."""
    user = request.user
    form = ActivityFilterForm(request.GET or None, user=user)
    activities = form.filter(Activity.objects.for_user(user)).order_by("-date", "-pk")
    today = timezone.localdate()
    municipalities = {m.municipality.slug for m in memberships_of(user)}
    chosen = form.is_bound and form.is_valid() and form.cleaned_data.get("commitment")
    if chosen:
        municipalities = {chosen.pledge.municipality.slug}
    prefix = f"{municipalities.pop()}-" if len(municipalities) == 1 else ""
    response = StreamingHttpResponse(
        transfer.export_lines(activities, user=user), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{prefix}aktiviteter-{today.isoformat()}.csv"'
    )
    return response


class ActivityImportView(CoordinatorMixin, FormView):
    """Import activities from a CSV file: every row checked by the rules of the activity
    form and previewed (new, changed, unchanged, or its errors), nothing saved; then, on
    confirmation, the file checked again and saved all or nothing."""

    template_name = "pledges/activity_import.html"
    form_class = ActivityImportForm
    permission_required = "pledges.add_activity"

    def post(self, request, *args, **kwargs):
        if "preview" in request.POST:
            return self.confirm(ImportConfirmForm(request.POST))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            # One byte more than allowed is enough to refuse a file that is too large.
            upload = transfer.read_upload(form.cleaned_data["file"].read(transfer.MAX_BYTES + 1))
        except ValidationError as error:
            form.add_error("file", error)
            return self.form_invalid(form)
        check = transfer.check_upload(upload, user=self.request.user)
        return self.preview(upload, check, token=uuid.uuid4())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def preview(self, upload, check, *, token, error=None):
        """The rows checked; with the confirmation when all are valid."""
        confirm = None
        if check.valid:
            preview = transfer.sign(upload, check, user=self.request.user, token=token)
            confirm = ImportConfirmForm(initial={"preview": preview})
        context = self.get_context_data(
            form=self.get_form_class()(),
            check=check,
            confirm=confirm,
            error=error,
            errors=[(row.number, *e) for row in check.rows for e in row.errors],
            new=check.count("new"),
            changed=check.count("changed"),
            unchanged=check.count("unchanged"),
        )
        return self.render_to_response(context, status=200 if check.valid and not error else 400)

    def confirm(self, confirm):
        user = self.request.user
        try:
            if not confirm.is_valid():
                raise ValidationError(confirm.errors["preview"])
            upload, versions, token = transfer.unsign(confirm.cleaned_data["preview"], user=user)
        except ValidationError as error:
            context = self.get_context_data(
                form=self.get_form_class()(), error=" ".join(error.messages)
            )
            return self.render_to_response(context, status=400)
        if FormToken.objects.filter(token=token, user=user).exclude(url="").exists():
            messages.info(self.request, SENT_TWICE_MESSAGE)
            return redirect("pledges:activity_list")
        check = transfer.check_upload(upload, user=user, versions=versions)
        if not check.valid:
            return self.preview(upload, check, token=token)
        rows = check.to_save()
        try:
            url, _created = create_once(
                token=uuid.UUID(token),
                user=user,
                create=lambda: services.activities_import(user=user, rows=rows),
                url_of=lambda saved: reverse("pledges:activity_list"),
            )
        except ValidationError as error:
            return self.preview(upload, check, token=token, error=" ".join(error.messages))
        messages.success(
            self.request,
            _("Imported: %(new)d new and %(changed)d changed activities.")
            % {"new": check.count("new"), "changed": check.count("changed")},
        )
        return redirect(url)


class PlanView(CoordinatorMixin, MunicipalityScopedMixin, DetailView):
    """Genomförandeplan: a pledge's planned activities by month, with who is responsible."""

    template_name = "pledges/plan.html"
    queryset = Pledge.objects.public().select_related("municipality")
    municipality_lookup = "municipality"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pledge = self.object
        planned = (
            Activity.objects.filter(commitment__pledge=pledge, status=Activity.Status.PLANNED)
            .select_related("commitment__pledge", "site")
            .prefetch_related("organisations")
            .order_by("date", "pk")
        )
        months = defaultdict(list)
        for activity in planned:
            months[activity.date.replace(day=1)].append(activity)
        user = self.request.user
        context.update(
            months=sorted(months.items()),
            today=self.today,
            # The promises whose planned activities the user may mark as done.
            actionable={a.commitment_id for a in planned if can_act_for(user, a.commitment)},
            overdue=any(a.date < self.today and can_act_for(user, a.commitment) for a in planned),
        )
        return context


class PlanMarkDoneView(CoordinatorMixin, MunicipalityScopedMixin, SingleObjectFormMixin, FormView):
    """Mark several planned activities of a pledge done at once, from its plan: those
    whose date has passed; 403 when one is of a promise the user may not act for."""

    http_method_names = ["post"]
    form_class = MarkDoneForm
    permission_required = "pledges.change_activity"
    queryset = Pledge.objects.public().select_related("municipality")
    municipality_lookup = "municipality"

    def get_form_kwargs(self):
        overdue = Activity.objects.filter(
            commitment__pledge=self.object, status=Activity.Status.PLANNED, date__lt=self.today
        ).select_related("commitment__pledge")
        return {**super().get_form_kwargs(), "activities": overdue}

    def form_valid(self, form):
        chosen = form.cleaned_data["activities"]
        for activity in chosen:
            check_can_act(self.request.user, activity.commitment)
        try:
            services.activities_mark_done(user=self.request.user, activities=chosen)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
        else:
            messages.success(
                self.request,
                ngettext(
                    "%(count)d activity has been marked as done.",
                    "%(count)d activities have been marked as done.",
                    len(chosen),
                )
                % {"count": len(chosen)},
            )
        return redirect("pledges:plan", pk=self.object.pk)

    def form_invalid(self, form):
        messages.error(self.request, " ".join(form.errors.get("activities", [])))
        return redirect("pledges:plan", pk=self.object.pk)


class CommitmentMixin(CoordinatorMixin, MunicipalityScopedMixin, SingleObjectFormMixin):
    """A form about a commitment the user may act for: 404 outside their municipalities
    and for drafts, 403 for another party's commitment."""

    queryset = (
        Commitment.objects.select_related("pledge__municipality")
        .with_labels()
        .prefetch_related("target_sites")
    )

    def get_object(self, queryset=None):
        commitment = super().get_object(queryset)
        check_can_act(self.request.user, commitment)
        return commitment


class CommitmentFollowUpView(CommitmentMixin, ServiceFormMixin, FormView):
    """A commitment's follow-ups per reporting period and verdicts per ended period; the
    form is the assessment of a qualitative commitment."""

    template_name = "pledges/commitment_followup.html"
    form_class = AssessmentForm
    success_message = gettext_lazy("The assessment has been saved.")

    def get_initial(self):
        return {"status": self.object.assessed_status}

    def get_form_kwargs(self):
        # The statuses to choose from depend on whether the period has ended.
        return {**super().get_form_kwargs(), "closed": self.entry.progress.closed}

    @cached_property
    def entry(self):
        """The commitment's report as of the reporting day, judged once per request."""
        return judge(self.object, self.today)

    def get_context_data(self, **kwargs):
        commitment = self.object
        pledge = commitment.pledge
        entry = self.entry
        context = super().get_context_data(**kwargs)
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
            today=self.today,
            assessment_form=context["form"],
            can_amend=can_amend(self.request.user, commitment, self.today),
        )
        return context

    def save(self, form):
        return services.commitment_assess(
            commitment=self.object, status=form.cleaned_data["status"]
        )

    def success_url_for(self, saved):
        return reverse("pledges:commitment_followup", kwargs={"pk": saved.pk})


def can_amend(user, commitment, today):
    """True when the user may change the commitment's target: an administrator of its
    municipality, for a numeric target of a published pledge that has not ended (an
    amendment applies from today or later)."""
    ids = administered_municipality_ids(user)
    pledge = commitment.pledge
    return (
        commitment.target_value is not None
        and pledge.status == Pledge.State.PUBLISHED
        and (pledge.valid_to is None or pledge.valid_to >= today)
        and (ids is None or pledge.municipality_id in ids)
    )


def judge(commitment, today):
    """The commitment's ``CommitmentReport`` as of ``today`` (two queries)."""
    (entry,) = commitment_reports([commitment], today=today)
    return entry


def judged_period(commitment, period, today):
    """How the commitment fared in ``period``, a target period begun by ``today``; None
    for any other period (two queries)."""
    return next((p for p in judge(commitment, today).judged_periods if p.period == period), None)


class PeriodTextView(CommitmentMixin, CreateOnceMixin, FormView):
    """The text of a commitment for one of its periods (``start`` in the address), written
    by a coordinator who may act for it; saved once per form, refused when someone else
    saved the text since the form was loaded."""

    template_name = "pledges/period_text_form.html"
    text_model = None
    text_field = None
    submit_label = None

    def periods(self, commitment):
        """The periods of the commitment that can have such a text."""
        raise NotImplementedError

    def get_object(self, queryset=None):
        """The commitment, and with it the period of the address (``self.period``; 404
        for a day on which none of its periods starts)."""
        commitment = super().get_object(queryset)
        start = date_or_404(self.kwargs["start"])
        self.period = next((p for p in self.periods(commitment) if p.start == start), None)
        if self.period is None:
            raise Http404
        return commitment

    @cached_property
    def existing(self):
        """The text saved for the period so far, or None."""
        return self.text_model.objects.filter(
            commitment=self.object, period_start=self.period.start
        ).first()

    def get_initial(self):
        initial = {"loaded_at": self.existing.updated_at.isoformat() if self.existing else ""}
        if self.existing:
            initial["is_published"] = self.existing.is_published
            initial["narrative"] = getattr(self.existing, self.text_field)
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submit_label": self.submit_label}

    def refused(self, form, error):
        if getattr(error, "code", None) != "stale":
            super().refused(form, error)
            return
        row = (
            self.text_model.objects.filter(commitment=self.object, period_start=self.period.start)
            .select_related("written_by")
            .first()
        )
        form.show_saved_meanwhile(row, getattr(row, self.text_field, ""))

    def get_context_data(self, **kwargs):
        return super().get_context_data(period=self.period, **kwargs)

    def save_fields(self, form):
        return {
            "commitment": self.object,
            "period": self.period,
            "is_published": form.cleaned_data["is_published"],
            "user": self.request.user,
            "loaded_at": form.cleaned_data["loaded_at"],
        }

    def success_url_for(self, saved):
        return reverse("pledges:commitment_followup", kwargs={"pk": self.object.pk})


class FollowUpView(PeriodTextView):
    """Write the follow-up of a reporting period (the pledge's cadence)."""

    form_class = FollowUpForm
    text_model = FollowUp
    text_field = "narrative"
    submit_label = gettext_lazy("Save the follow-up")

    def periods(self, commitment):
        pledge = commitment.pledge
        return progress.reporting_periods(
            pledge.valid_from, pledge.end(self.today), pledge.follow_up_cadence
        )

    def save(self, form):
        return services.follow_up_save(
            narrative=form.cleaned_data["narrative"], **self.save_fields(form)
        )


class VerdictView(PeriodTextView):
    """Justify the verdict of an ended target period, next to the verdict itself."""

    form_class = VerdictForm
    text_model = PeriodVerdict
    text_field = "justification"
    submit_label = gettext_lazy("Save the justification")

    def periods(self, commitment):
        pledge = commitment.pledge
        return progress.target_periods(
            pledge.valid_from,
            pledge.end(self.today),
            commitment.target_period,
            school_year=commitment.school_year_only,
        )

    @cached_property
    def verdict(self):
        """The period's progress as of the reporting day: its status and done count."""
        return judged_period(self.object, self.period, self.today)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.period.end >= self.today:
            messages.error(request, _("A verdict can be justified only once the period has ended."))
            return redirect("pledges:commitment_followup", pk=self.object.pk)
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        return super().get_context_data(verdict=self.verdict, **kwargs)

    def save(self, form):
        return services.verdict_save(
            justification=form.cleaned_data["narrative"],
            done=self.verdict and self.verdict.done,
            today=self.today,
            **self.save_fields(form),
        )


class PlanCalendarView(PlanView):
    """The plan as an iCalendar file (for Outlook and other calendars): each planned
    activity an all-day event with its promise, place and a link to its page; never its
    internal notes."""

    def render_to_response(self, context, **response_kwargs):
        pledge = self.object
        host = self.request.get_host().split(":")[0]
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Medborgarlöften//Genomförandeplan//SV")
        calendar.add("version", "2.0")
        calendar.add(
            "x-wr-calname",
            _("Implementation plan: %(municipality)s, %(title)s")
            % {"municipality": pledge.municipality.name, "title": pledge.title},
        )
        for _month, activities in context["months"]:
            for activity in activities:
                calendar.add_component(self.event(activity, host))
        response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{pledge.municipality.slug}-plan-{pledge.pk}.ics"'
        )
        return response

    def event(self, activity, host):
        event = icalendar.Event()
        event.add("uid", f"activity-{activity.pk}@{host}")
        event.add("dtstamp", activity.updated_at)
        event.add("dtstart", activity.date)
        event.add("dtend", (activity.end_date or activity.date) + timedelta(days=1))
        event.add("summary", activity.commitment.headline)
        if activity.site:
            event.add("location", activity.site.name)
        event.add(
            "description",
            self.request.build_absolute_uri(
                reverse("pledges:activity_detail", kwargs={"pk": activity.pk})
            ),
        )
        return event


class PledgeFollowUpView(CoordinatorMixin, MunicipalityScopedMixin, DetailView):
    """A pledge's reporting periods, each with how many of its promises have a published
    follow-up, a draft or none, linking to the follow-up of the period."""

    template_name = "pledges/pledge_followup.html"
    queryset = Pledge.objects.public().select_related("municipality")
    municipality_lookup = "municipality"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            states=reporting_period_states(self.object, today=self.today), **kwargs
        )


# A text's form on the follow-up page: the commitment's follow-up ("f<id>") or the
# justification of one of its verdicts ("v<id>-<period start>"); "initial-" when it
# carries what the page was loaded with.
TEXT_KEY = re.compile(r"^(?:initial-)?[fv](\d+)[-]")


@dataclass
class TextSlot:
    """One text's form on the follow-up page, with what it is about."""

    key: str
    legend: str
    entry: PeriodTexts
    form: PeriodTextForm
    verdict: progress.Progress | None = None
    """For a verdict's justification, the ended target period judged."""

    newer: FollowUp | PeriodVerdict | None = None
    """When someone else saved the text meanwhile: theirs."""

    @property
    def newer_text(self):
        if self.newer is None:
            return ""
        return self.newer.justification if self.verdict else self.newer.narrative

    @property
    def newer_by(self):
        """Who saved the newer text, by name."""
        user = self.newer and self.newer.written_by
        if user is None:
            return _("someone else")
        return user.get_full_name() or user.username


class PeriodFollowUpView(
    CoordinatorMixin, MunicipalityScopedMixin, SingleObjectMixin, TemplateView
):
    """The follow-up of one reporting period (``start`` in the address) on one page: every
    promise of the pledge with its figure in the period, the activities done in it, its
    follow-up and the justifications of the verdicts of target periods that ended in it.

    The texts of the promises the user may act for are fields, saved together in one
    transaction (all or none); the others are shown as published. "Preview" shows the
    texts as the public page will (nothing saved), drafts marked, with "Save" and "Edit
    further". A text someone else saved since the page was loaded is not overwritten:
    nothing is saved and theirs is shown next to the user's, which is kept; saving again
    then replaces theirs. A post for a promise the user may not act for is refused (403).

    Which verdicts ask for a justification: ``progress.needs_justification``.
    """

    template_name = "pledges/period_followup.html"
    queryset = Pledge.objects.public().select_related("municipality")
    municipality_lookup = "municipality"
    PREVIEW = "preview"
    EDIT = "edit"

    def setup_page(self):
        self.object = pledge = self.get_object()
        start = date_or_404(self.kwargs["start"])
        periods = progress.reporting_periods(
            pledge.valid_from, pledge.end(self.today), pledge.follow_up_cadence
        )
        # A period not yet begun has nothing to follow up.
        self.period = next((p for p in periods if p.start == start <= self.today), None)
        if self.period is None:
            raise Http404
        user = self.request.user
        self.entries = [
            replace(entry, can_act=can_act_for(user, entry.commitment))
            for entry in period_texts(pledge, self.period, today=self.today)
        ]

    def slots(self, data=None):
        """The forms of the texts the user may write, in the page's order."""
        slots = []
        for entry in self.entries:
            if not entry.can_act:
                continue
            key = f"f{entry.commitment.pk}"
            legend = _("Follow-up of %(period)s") % {"period": self.period.label}
            form = PeriodTextForm(data, prefix=key, existing=entry.follow_up)
            slots.append(TextSlot(key, legend, entry, form))
            for judged, verdict in entry.verdicts:
                key = f"v{entry.commitment.pk}-{judged.period.start:%Y%m%d}"
                legend = _("Justification of the verdict for %(period)s") % {
                    "period": judged.period.label
                }
                form = PeriodTextForm(
                    data, prefix=key, existing=verdict, text_field="justification"
                )
                slots.append(TextSlot(key, legend, entry, form, verdict=judged))
        return slots

    def get(self, request, *args, **kwargs):
        self.setup_page()
        return self.render_to_response(self.get_context_data(slots=self.slots()))

    def post(self, request, *args, **kwargs):
        self.setup_page()
        actionable = {e.commitment.pk for e in self.entries if e.can_act}
        posted = {int(m[1]) for name in request.POST if (m := TEXT_KEY.match(name))}
        if posted - actionable:
            raise PermissionDenied
        slots = self.slots(request.POST.copy())
        if not all(slot.form.is_valid() for slot in slots):
            return self.render_to_response(self.get_context_data(slots=slots), status=400)
        if self.EDIT in request.POST:
            return self.render_to_response(self.get_context_data(slots=slots))
        if self.PREVIEW in request.POST:
            return self.render_to_response(
                self.get_context_data(slots=slots, preview=self.preview(slots))
            )
        return self.save(slots)

    def save(self, slots):
        texts = [
            services.PeriodText(
                key=slot.key,
                commitment=slot.entry.commitment,
                period=slot.verdict.period if slot.verdict else self.period,
                text=slot.form.cleaned_data["text"],
                is_published=slot.form.cleaned_data["is_published"],
                loaded_at=slot.form.cleaned_data["loaded_at"],
                is_verdict=slot.verdict is not None,
                done=slot.verdict.done if slot.verdict else None,
            )
            for slot in slots
            if slot.form.to_save
        ]
        try:
            saved = services.period_texts_save(
                texts=texts, user=self.request.user, today=self.today
            )
        except ValidationError as error:
            self.show_refusals(slots, error)
            return self.render_to_response(self.get_context_data(slots=slots), status=400)
        if saved:
            messages.success(
                self.request,
                ngettext(
                    "%(count)d text has been saved.", "%(count)d texts have been saved.", len(saved)
                )
                % {"count": len(saved)},
            )
        else:
            messages.info(self.request, _("Nothing was changed, so nothing was saved."))
        return redirect(self.request.path)

    def show_refusals(self, slots, error):
        """Each refused text's reasons at its field; for one someone else saved meanwhile,
        their text beside the user's, and the form set to replace theirs when saved again."""
        for slot in slots:
            refusals = error.error_dict.get(slot.key, [])
            if any(e.code == "stale" for e in refusals):
                # Theirs as this request found it: saved in the instant since, it is not
                # known here, and the next save is refused again.
                slot.newer = slot.form.existing
                if slot.newer is not None:
                    data = slot.form.data
                    prefix = slot.form.prefix
                    data[f"{prefix}-loaded_at"] = slot.newer.updated_at.isoformat()
                    data[f"initial-{prefix}-text"] = slot.form.initial["text"]
                    data[f"initial-{prefix}-is_published"] = slot.form.initial["is_published"]
                refusals = [
                    ValidationError(
                        _(
                            "Someone else saved this text while you were writing: theirs is "
                            "shown below, yours is kept in the field. Nothing has been saved. "
                            "Save again to replace theirs with yours."
                        ),
                        code="stale",
                    )
                ]
            for refusal in refusals:
                slot.form.add_error("text", refusal)

    def preview(self, slots):
        """How the period's texts will read on the public page, by commitment: (entry,
        follow-up as (text, published) or None, [(period, text, published)])."""
        by_commitment = defaultdict(list)
        for slot in slots:
            by_commitment[slot.entry.commitment.pk].append(slot)
        rows = []
        for entry in self.entries:
            follow_up, verdicts = None, []
            if entry.can_act:
                for slot in by_commitment[entry.commitment.pk]:
                    text = slot.form.cleaned_data["text"]
                    if not text:
                        continue
                    published = slot.form.cleaned_data["is_published"]
                    if slot.verdict:
                        verdicts.append((slot.verdict.period, text, published))
                    else:
                        follow_up = (text, published)
            else:
                if entry.follow_up and entry.follow_up.is_published:
                    follow_up = (entry.follow_up.narrative, True)
                verdicts = [
                    (judged.period, verdict.justification, True)
                    for judged, verdict in entry.verdicts
                    if verdict and verdict.is_published
                ]
            rows.append((entry, follow_up, verdicts))
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        slots = context["slots"]
        by_commitment = defaultdict(list)
        for slot in slots:
            by_commitment[slot.entry.commitment.pk].append(slot)
        hidden = []
        if context.get("preview"):
            skip = {"csrfmiddlewaretoken", self.PREVIEW, self.EDIT}
            hidden = [
                (name, value)
                for name, values in self.request.POST.lists()
                if name not in skip
                for value in values
            ]
        context.update(
            pledge=self.object,
            period=self.period,
            # Each promise with its forms: the follow-up's first, then the verdicts'.
            rows=[(entry, by_commitment[entry.commitment.pk]) for entry in self.entries],
            editable=bool(slots),
            error_slots=[s for s in slots if s.form.is_bound and s.form.errors],
            hidden=hidden,
            today=self.today,
        )
        return context
