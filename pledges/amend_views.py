"""Amendments from the promise (issue 13, point 3): on a published promise's page an
administrator changes its target from a day on, sees the periods the change affects with
their old and new target, and confirms. The rules are Amendment.clean's: never
backwards, within the pledge, a reason that is shown publicly."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import check_admin_of

from . import progress
from .forms import attach_errors
from .models import Commitment, Pledge
from .paste_forms import AmendmentForm
from .services import amendment_create


def affected_periods(commitment, amendments, effective_from, new_value, today):
    """The target periods from the one containing ``effective_from`` to the end of the
    pledge, each with the target in force at its end before and after the change."""
    existing = [(a.effective_from, a.new_value) for a in amendments]
    changed = [*existing, (effective_from, new_value)]
    rows = []
    for period in commitment.target_periods(today):
        if period.end < effective_from:
            continue
        rows.append(
            {
                "period": period,
                "old": progress.target_in_force(commitment.target_value, existing, period.end),
                "new": progress.target_in_force(commitment.target_value, changed, period.end),
            }
        )
    return rows


class CommitmentAmendView(LoginRequiredMixin, View):
    """GET: the form with the target in force. POST "continue": the periods it would
    affect, to confirm. POST "confirm": saved through services.amendment_create."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.commitment = get_object_or_404(
            Commitment.objects.for_user(request.user)
            .select_related("pledge__municipality")
            .with_labels(),
            pk=kwargs["pk"],
        )
        pledge = self.commitment.pledge
        check_admin_of(request.user, pledge.municipality_id)
        if pledge.status != Pledge.State.PUBLISHED:
            raise Http404
        self.today = timezone.localdate()
        self.amendments = list(self.commitment.amendments.order_by("effective_from", "pk"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render(self.form(initial={"effective_from": self.default_day()}))

    def post(self, request, *args, **kwargs):
        if self.commitment.is_qualitative:
            return self.render(None, status=400)
        form = self.form(data=request.POST)
        if not form.is_valid() or "change" in request.POST:
            return self.render(form, status=200 if form.is_valid() else 400)
        data = form.cleaned_data
        if "confirm" not in request.POST:
            rows = affected_periods(
                self.commitment,
                self.amendments,
                data["effective_from"],
                data["new_value"],
                self.today,
            )
            return self.render(form, confirm=True, rows=rows)
        try:
            amendment_create(
                commitment=self.commitment,
                effective_from=data["effective_from"],
                new_value=data["new_value"],
                reason=data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            attach_errors(form, error)
            return self.render(form, status=400)
        messages.success(request, _("The target has been changed. The public page lists it."))
        return redirect(reverse("pledges:commitment_followup", kwargs={"pk": self.commitment.pk}))

    def form(self, **kwargs):
        if self.commitment.is_qualitative:
            return None
        return AmendmentForm(commitment=self.commitment, **kwargs)

    def default_day(self):
        """Today, when the pledge runs; else its first day (not yet begun)."""
        return max(self.today, self.commitment.pledge.valid_from)

    def render(self, form, *, confirm=False, rows=(), status=200):
        commitment = self.commitment
        in_force = None
        if commitment.target_value is not None:
            in_force = progress.target_in_force(
                commitment.target_value,
                [(a.effective_from, a.new_value) for a in self.amendments],
                self.today,
            )
        return TemplateResponse(
            self.request,
            "pledges/commitment_amend.html",
            {
                "commitment": commitment,
                "pledge": commitment.pledge,
                "amendments": self.amendments,
                "in_force": in_force,
                "unit": commitment.unit_label(in_force or 0),
                "form": form,
                "confirm": confirm,
                "rows": rows,
            },
            status=status,
        )
