from collections import defaultdict
from datetime import date

from django.db import connection
from django.db.models import Prefetch, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from pledges.models import Activity, County, Municipality, Pledge
from pledges.progress import Status
from pledges.selectors import (
    current_public_pledge,
    pledges_with_progress,
    published_follow_ups,
)

from .forms import MunicipalityFilterForm

PUBLIC_LOG_PREVIEW = 5


@never_cache
def healthz(request):
    """200 when the app and its database answer, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class IndexView(TemplateView):
    """Municipalities with a published pledge, searchable and filterable by county."""

    template_name = "reports/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counties = list(County.objects.all())
        form = MunicipalityFilterForm(self.request.GET or None, counties=counties)
        pledges = Pledge.objects.public().select_related("municipality__county")
        if form.is_valid():
            query = form.cleaned_data["q"].strip()
            if query:
                pledges = pledges.filter(
                    Q(municipality__name__icontains=query)
                    | Q(municipality__slug__contains=slugify(query))
                )
            if form.cleaned_data["lan"]:
                pledges = pledges.filter(municipality__county__code=form.cleaned_data["lan"])
        by_municipality = defaultdict(list)
        for pledge in pledges:
            by_municipality[pledge.municipality].append(pledge)
        current = [current_public_pledge(group) for group in by_municipality.values()]
        pledges_with_progress(current)
        context.update(
            form=form,
            pledges=sorted(current, key=lambda p: p.municipality.name),
            filtered=form.is_bound,
        )
        return context


class MunicipalityView(TemplateView):
    """A municipality: its current pledge with progress, earlier pledges, the agreement."""

    template_name = "reports/municipality.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        municipality = get_object_or_404(
            Municipality.objects.select_related("county", "police_area__region"),
            slug=kwargs["slug"],
        )
        pledges = list(municipality.pledges.public().order_by("-valid_from"))
        current = current_public_pledge(pledges)
        if current:
            pledges_with_progress([current])
        context.update(
            municipality=municipality,
            current=current,
            earlier=[p for p in pledges if p != current],
            agreement=municipality.agreements.select_related("police_area").first(),
        )
        return context


class PledgeYearView(TemplateView):
    """ "Följ med i hur det går": the pledges in force during a year and their progress."""

    template_name = "reports/pledge_year.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = int(kwargs["year"])
        if not date.min.year <= year <= date.max.year:
            raise Http404(_("No such year."))
        municipality = get_object_or_404(
            Municipality.objects.select_related("county"), slug=kwargs["slug"]
        )
        pledges = list(
            municipality.pledges.public()
            .in_year(year)
            .prefetch_related(
                Prefetch("revisions", queryset=Pledge.objects.public(), to_attr="public_revisions")
            )
        )
        if not pledges:
            raise Http404(_("No published pledge for this year."))
        today = timezone.localdate()
        pledges_with_progress(
            pledges,
            year=year,
            today=today,
            prefetch=["focus_tags", "external_parties", *published_follow_ups()],
        )
        log = defaultdict(list)
        activities = (
            Activity.objects.public(today)
            .filter(commitment__pledge__in=pledges, date__year=year)
            .select_related("site")
            .prefetch_related("measurements")
        )
        for activity in activities:
            log[activity.commitment_id].append(activity)
        for pledge in pledges:
            for commitment in pledge.commitment_list:
                commitment.public_activities = log[commitment.pk]
        context.update(
            municipality=municipality,
            year=year,
            pledges=pledges,
            today=today,
            year_over=date(year, 12, 31) < today,
            preview=PUBLIC_LOG_PREVIEW,
            statuses=Status,
        )
        return context
