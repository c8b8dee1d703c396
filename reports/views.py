from collections import defaultdict
from dataclasses import replace
from datetime import date

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Exists, FilteredRelation, OuterRef, Q, Subquery
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from django_ratelimit.core import is_ratelimited

from accounts.models import Membership
from accounts.permissions import check_administers
from dialogues.models import MIN_PUBLIC_COUNT, Dialogue
from dialogues.selectors import (
    dialogue_trace,
    indicator_reports,
    newest_picture,
    newest_picture_summary,
    picture_and_dialogues,
    why_commitments_exist,
)
from dialogues.services import submission_create
from places.models import County, Municipality, publishers_of, with_publishers
from pledges.models import Agreement, Commitment, Pledge
from pledges.progress import Status
from pledges.selectors import (
    current_public_pledge,
    pledge_reports,
    pledge_year_reports,
    public_activity_page,
    year_span,
)
from pledges.services import FORM_TOKEN_LIFETIME

from .forms import MunicipalityFilterForm, SubmissionForm

PUBLIC_LOG_PREVIEW = 5
# The query parameter of a page number ("?sida=2").
PAGE_PARAMETER = "sida"


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


class PublicPage(TemplateView):
    """A public page: it only reads, so it runs outside a transaction (ATOMIC_REQUESTS
    wraps every other view in one, which costs two queries: a savepoint and its
    release). Its pages are cached (reports.cache) with the versions of the
    municipality in the address."""

    public_cache_scope = "municipality"

    @classmethod
    def as_view(cls, **initkwargs):
        return transaction.non_atomic_requests(super().as_view(**initkwargs))


class IndexView(PublicPage):
    """Municipalities with a published pledge, searchable and filterable by county."""

    template_name = "reports/index.html"
    public_cache_scope = "national"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        counties = list(County.objects.all())
        form = MunicipalityFilterForm(self.request.GET or None, counties=counties)
        pledges = (
            Pledge.objects.current_or_latest(today)
            .select_related("municipality__county")
            .defer("background", "expected_effects", "signatories", "source_url")
        )
        # Every valid filter applies; an invalid one is reported at its field.
        form.is_valid()
        data = form.cleaned_data if form.is_bound else {}
        query = (data.get("q") or "").strip()
        # A search also finds the municipalities without a published pledge (one more
        # query), so that every municipality can be found; the plain list stays those
        # with one.
        without = Municipality.objects.exclude(
            Exists(Pledge.objects.public().filter(municipality=OuterRef("pk")))
        )
        if query:
            pledges = pledges.filter(name_matches(query, "municipality__"))
            without = without.filter(name_matches(query))
        if data.get("lan"):
            pledges = pledges.filter(municipality__county__code=data["lan"])
            without = without.filter(county__code=data["lan"])
        context.update(
            form=form,
            reports=sorted(
                pledge_reports(pledges, today=today, labels=False),
                key=lambda r: r.pledge.municipality.name,
            ),
            without_pledge=list(without.select_related("county").order_by("name"))
            if query or data.get("lan")
            else [],
            filtered=form.is_bound,
        )
        return context


def name_matches(query, prefix=""):
    """The condition that a municipality's name (through ``prefix``) contains ``query``."""
    condition = Q(**{f"{prefix}name__icontains": query})
    slug = slugify(query)
    # SQLite compares non-ASCII letters case-sensitively; the ASCII slug catches "åsele"
    # for "Åsele". Too short a slug would match nearly every name.
    if len(slug) >= 3:
        condition |= Q(**{f"{prefix}slug__contains": slug})
    return condition


def takes_submissions():
    """Whether the municipality of the outer query (``OuterRef("pk")``) has someone who
    moderates "Tyck till" messages (an active coordinator): a subquery. Tyck till is
    offered only there, so that no message is sent that nobody reads."""
    return Exists(Membership.objects.moderating().filter(municipality=OuterRef("pk")))


def pledges_nearby(municipality, *, today):
    """For a municipality without a published pledge: the current or latest public pledge
    of each other municipality in its local police area, and of each other one in its
    county (its neighbours, as this site counts them), by municipality name; one query."""
    nearby = Q(municipality__county=municipality.county_id)
    if municipality.police_area_id is not None:
        nearby |= Q(municipality__police_area=municipality.police_area_id)
    pledges = list(
        Pledge.objects.current_or_latest(today)
        .filter(nearby)
        .exclude(municipality=municipality)
        .select_related("municipality")
        .only(
            "pk",
            "title",
            "valid_from",
            "valid_to",
            "municipality__name",
            "municipality__slug",
            "municipality__county_id",
            "municipality__police_area_id",
        )
        .order_by("municipality__name")
    )
    in_area = [
        p
        for p in pledges
        if municipality.police_area_id is not None
        and p.municipality.police_area_id == municipality.police_area_id
    ]
    in_county = [p for p in pledges if p not in in_area]
    return in_area, in_county


class AccessibilityView(PublicPage):
    """The accessibility statement that the DOS law (2018:1937) requires of a public
    authority's site: how far it conforms, what is known not to, how to report it."""

    template_name = "reports/accessibility.html"
    public_cache_scope = "site"
    # When the site was last assessed, and the statement with it. Review both when the
    # public pages change.
    assessed_on = date(2026, 11, 30)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            assessed_on=self.assessed_on, session_hours=settings.SESSION_COOKIE_AGE // 3600
        )
        return context


class PrivacyView(PublicPage):
    """What the site stores about people (Tyck till, accounts), why and for how long."""

    template_name = "reports/privacy.html"
    public_cache_scope = "site"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            session_hours=settings.SESSION_COOKIE_AGE // 3600,
            cooloff_hours=int(settings.AXES_COOLOFF_TIME.total_seconds() // 3600),
            form_token_hours=int(FORM_TOKEN_LIFETIME.total_seconds() // 3600),
            data_protection_officer=settings.DATA_PROTECTION_OFFICER_EMAIL,
        )
        return context


class OpenDataView(PublicPage):
    """What the open data API offers, where its schema is, and under which licence."""

    template_name = "reports/open_data.html"
    public_cache_scope = "site"


class MunicipalityView(PublicPage):
    """A municipality: its current pledge with progress, earlier pledges, the agreement."""

    template_name = "reports/municipality.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The municipality with its newest agreement and newest published situational
        # picture, in one query.
        newest_agreement = (
            Agreement.objects.filter(municipality=OuterRef("pk"))
            .order_by("-valid_from", "-pk")
            .values("pk")[:1]
        )
        municipality = get_object_or_404(
            with_publishers(Municipality.objects)
            .annotate(
                newest_agreement=FilteredRelation(
                    "agreements", condition=Q(agreements__pk=Subquery(newest_agreement))
                ),
                newest_picture=FilteredRelation(
                    "situational_pictures",
                    condition=Q(situational_pictures__pk=Subquery(newest_picture())),
                ),
                takes_submissions=takes_submissions(),
            )
            .select_related(
                "county",
                "police_area__region",
                "newest_agreement__police_area",
                "newest_picture",
            ),
            slug=kwargs["slug"],
        )
        today = timezone.localdate()
        reports = pledge_reports(municipality.pledges.public().order_by("-valid_from"), today=today)
        if not reports:
            # Where a citizen can look instead.
            area_pledges, county_pledges = pledges_nearby(municipality, today=today)
        else:
            area_pledges = county_pledges = []
        current = current_public_pledge([r.pledge for r in reports], today=today)
        # A relation that joined no row is not set at all.
        picture, dialogues = picture_and_dialogues(
            municipality, getattr(municipality, "newest_picture", None)
        )
        context.update(
            municipality=municipality,
            current=next((r for r in reports if r.pledge == current), None),
            earlier=[r for r in reports if r.pledge != current],
            agreement=getattr(municipality, "newest_agreement", None),
            publishers=publishers_of(municipality),
            picture=picture,
            dialogues=dialogues,
            area_pledges=area_pledges,
            county_pledges=county_pledges,
        )
        return context


class PledgeYearView(PublicPage):
    """ "Följ med i hur det går": the pledges in force during a year and their progress."""

    template_name = "reports/pledge_year.html"
    preview = False

    def load(self, *, today, **kwargs):
        return public_year_pledges(kwargs, today=today)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        municipality, year, pledges = self.load(today=today, **kwargs)
        reports = pledge_year_reports(pledges, year=year, today=today, latest=PUBLIC_LOG_PREVIEW)
        # Promise 4 is #lofte-4 on the page of its pledge's year; an older pledge shown
        # beside a newer one prefixes its id.
        reports = [
            report if index == 0 else replace(report, anchor=f"lofte-{report.pledge.pk}")
            for index, report in enumerate(reports)
        ]
        why_commitments_exist(entry.commitment for r in reports for entry in r.commitments)
        context.update(
            municipality=municipality,
            publishers=publishers_of(pledges[0]),
            indicators=indicator_reports(municipality),
            year=year,
            reports=reports,
            today=today,
            year_over=date(year, 12, 31) < today,
            statuses=Status,
            preview=self.preview,
        )
        return context


class PledgeReportView(PublicPage):
    """The printable follow-up report of a year: what a municipality files and hands to
    its council. The same figures as the year page (``pledge_year_reports``), with every
    period, verdict and follow-up, the situational picture and the indicators; no
    activity lines, only how many there are and what they measured."""

    template_name = "reports/pledge_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        municipality, year, pledges = public_year_pledges(kwargs, today=today)
        context.update(
            municipality=municipality,
            year=year,
            today=today,
            reports=pledge_year_reports(pledges, year=year, today=today, latest=0),
            picture=newest_picture_summary(municipality),
            indicators=indicator_reports(municipality),
        )
        return context


def public_year_pledges(kwargs, *, today):
    """The municipality, the year and the public pledges in force during it, newest
    first (the first with the municipality's publishers), from the URL's ``slug`` and
    ``year``; 404 when there are none. One query."""
    year = year_of(kwargs)
    pledges = [
        pledge
        for pledge in with_publishers(Pledge.objects.public(), "municipality__")
        .filter(municipality__slug=kwargs["slug"])
        .in_year(year)
        .select_related("municipality", "revises__municipality")
        .with_successor()
        # A pledge valid until further notice has no page for years still to come.
        if pledge.end(today).year >= year
    ]
    if not pledges:
        raise Http404(_("No published pledge for this year."))
    return pledges[0].municipality, year, pledges


def year_of(kwargs):
    """The year of the URL; 404 for one no date has."""
    year = int(kwargs["year"])
    if not date.min.year <= year <= date.max.year:
        raise Http404(_("No such year."))
    return year


class CommitmentActivitiesView(PublicPage):
    """Every public activity of a promise on a year page, newest first, a page at a time:
    the dates the year page covers for it (``year_span``)."""

    template_name = "reports/commitment_activities.html"
    per_page = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        year = year_of(kwargs)
        commitment = get_object_or_404(
            with_publishers(Commitment.objects, "pledge__municipality__")
            .filter(pledge__status__in=Pledge.PUBLIC_STATUSES)
            .filter(pledge__in=Pledge.objects.in_year(year))
            .select_related("pledge__municipality"),
            pk=kwargs["pk"],
            pledge__municipality__slug=kwargs["slug"],
        )
        if commitment.pledge.end(today).year < year:
            raise Http404(_("No published pledge for this year."))
        number = self.request.GET.get(PAGE_PARAMETER, "1")
        if not number.isascii() or not number.isdigit() or not 0 < int(number) < 10**6:
            raise Http404(_("No such page."))
        page = public_activity_page(
            commitment,
            year_span(commitment, commitment.target_periods(today), year),
            today=today,
            number=int(number),
            per_page=self.per_page,
        )
        if page is None:
            raise Http404(_("No such page."))
        context.update(
            municipality=commitment.pledge.municipality,
            publishers=publishers_of(commitment),
            pledge=commitment.pledge,
            commitment=commitment,
            year=year,
            page=page,
            page_parameter=PAGE_PARAMETER,
        )
        return context


class PledgePreviewView(LoginRequiredMixin, PermissionRequiredMixin, PledgeYearView):
    """A draft pledge as its public page will look; for admins only, never public."""

    permission_required = "pledges.change_pledge"
    preview = True
    public_cache_scope = None

    def load(self, *, today, **kwargs):
        pledge = get_object_or_404(
            with_publishers(Pledge.objects, "municipality__").select_related(
                "municipality", "revises__municipality"
            ),
            pk=kwargs["pk"],
        )
        check_administers(self.request.user, pledge.municipality_id)
        return pledge.municipality, pledge.valid_from.year, [pledge]

    def get(self, request, *args, **kwargs):
        pledge = get_object_or_404(Pledge, pk=kwargs["pk"])
        check_administers(request.user, pledge.municipality_id)
        if pledge.is_public:
            # Nothing to preview: the pledge has its public page.
            return redirect(pledge.get_absolute_url())
        response = super().get(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response


def published_municipality(slug):
    """The municipality of a "Tyck till" address, with its publishers
    (``publishers_of``); 404 where nobody moderates the messages, so that none is
    accepted that nobody would read."""
    municipality = get_object_or_404(
        with_publishers(Municipality.objects)
        .select_related("county")
        .annotate(takes_submissions=takes_submissions()),
        slug=slug,
    )
    if not municipality.takes_submissions:
        raise Http404(_("Tyck till is not offered for this municipality."))
    return municipality


class DialogueView(PublicPage):
    """ "Ni sa – vi gjorde": what was raised, which commitments answer it, what was done."""

    template_name = "reports/dialogue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dialogue = get_object_or_404(
            with_publishers(Dialogue.objects.published(), "municipality__").select_related(
                "municipality"
            ),
            pk=kwargs["pk"],
            municipality__slug=kwargs["slug"],
        )
        today = timezone.localdate()
        concerns, commitments = dialogue_trace(dialogue, today=today)
        context.update(
            municipality=dialogue.municipality,
            publishers=publishers_of(dialogue),
            dialogue=dialogue,
            concerns=concerns,
            commitments=commitments,
            themes=theme_breakdown(concerns) if dialogue.shows_breakdown else [],
            action_items=list(dialogue.action_items.select_related("owner")),
        )
        return context


def theme_breakdown(concerns):
    """How many times each theme was raised, most first. A theme is left out when its
    total is below MIN_PUBLIC_COUNT or any of its concerns' counts is hidden: otherwise the
    hidden count could be worked out by subtraction."""
    totals = defaultdict(int)
    labels = {}
    hidden = set()
    for concern in concerns:
        totals[concern.theme] += concern.times_raised
        labels[concern.theme] = concern.get_theme_display()
        if concern.public_count is None:
            hidden.add(concern.theme)
    return sorted(
        (
            (labels[theme], count)
            for theme, count in totals.items()
            if count >= MIN_PUBLIC_COUNT and theme not in hidden
        ),
        key=lambda item: -item[1],
    )


def cross_site(request):
    """Whether a browser says the request comes from another site's page."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    own = f"{request.scheme}://{request.get_host()}"
    return origin != own and origin not in settings.CSRF_TRUSTED_ORIGINS


@method_decorator(csrf_exempt, name="dispatch")
class SubmissionView(TemplateView):
    """ "Tyck till": an anonymous message to the municipality's coordinators.

    The form carries no CSRF token, so that its page is cached like every public page
    (a token is per visitor). What the token guards against cannot happen here: a forged
    message gains nothing over a typed one (nobody is logged in to send it, and it waits
    for a coordinator's decision like any other). A browser's cross-site post is still
    refused by its Origin (and Sec-Fetch-Site) header, and the rate limits stand."""

    template_name = "reports/submission_form.html"
    public_cache_scope = "municipality"
    # Per client, and per municipality whoever sends: a flood from many addresses cannot
    # bury a municipality's moderation queue either.
    rate = "5/h"
    municipality_rate = "30/h"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        municipality = published_municipality(kwargs["slug"])
        context.update(municipality=municipality, publishers=publishers_of(municipality))
        context.setdefault("form", SubmissionForm())
        return context

    def post(self, request, *args, **kwargs):
        if cross_site(request):
            raise PermissionDenied
        municipality = published_municipality(kwargs["slug"])
        form = SubmissionForm(request.POST)
        thanks = reverse("reports:submission_thanks", kwargs={"slug": municipality.slug})
        if form.is_valid():
            if form.is_spam:
                # Robots get the same receipt as people, and nothing is stored.
                return redirect(thanks)
            refusal = self.rate_limit_refusal(request, municipality)
            if refusal:
                form.add_error(None, refusal)
                context = self.get_context_data(form=form, **kwargs)
                return self.render_to_response(context, status=429)
            submission_create(
                municipality=municipality,
                theme=form.cleaned_data["theme"],
                place=form.cleaned_data["place"],
                message=form.cleaned_data["message"],
            )
            return redirect(thanks)
        return self.render_to_response(self.get_context_data(form=form, **kwargs), status=400)

    def rate_limit_refusal(self, request, municipality):
        """Why this message may not be sent now, or None. A client over its own limit does
        not use up the municipality's."""
        if is_ratelimited(
            request, group="tyck-till", key="ip", rate=self.rate, method="POST", increment=True
        ):
            return _(
                "You have sent several messages in a short time. "
                "Please wait an hour before sending another."
            )
        if is_ratelimited(
            request,
            group="tyck-till-municipality",
            key=lambda _group, _request: municipality.code,
            rate=self.municipality_rate,
            method="POST",
            increment=True,
        ):
            return _(
                "Very many messages have reached this municipality in the last hour. "
                "Please try again later."
            )
        return None


class SubmissionThanksView(TemplateView):
    template_name = "reports/submission_thanks.html"
    public_cache_scope = "municipality"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        municipality = published_municipality(kwargs["slug"])
        context.update(municipality=municipality, publishers=publishers_of(municipality))
        return context
