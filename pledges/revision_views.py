"""The guided revision: administrators build a pledge's successor (or a municipality's
first pledge) step by step, outside the Django admin, as a task list (GOV.UK's pattern):
the period, one step per promise of the pledge it revises (continue, revise with what
changed, or drop with a public reason), the new promises, the signatories, then a summary
and a confirmation before publishing. Each step is saved through a service as it goes and
refused at its own fields.

The paste parser of the signed text plugs in at ``pledges:revision_paste`` (its own
module); the new promises step links to it when that URL exists."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.permissions import administered_municipality_ids, check_admin_of
from core.forms import bad_pk
from places.models import Municipality

from . import services
from .forms import attach_errors, sent_before
from .models import Commitment, Pledge
from .progress import successor_period
from .revision_forms import (
    DecisionForm,
    PeriodForm,
    PromiseForm,
    SigningForm,
    StartForm,
    TokenForm,
)
from .services import SENT_TWICE_MESSAGE, Decision, create_once, promise_step


class Status:
    NOT_STARTED = gettext_lazy("Not started")
    IN_PROGRESS = gettext_lazy("In progress")
    COMPLETED = gettext_lazy("Completed")
    CANNOT_START = gettext_lazy("Cannot start yet")


@dataclass(frozen=True)
class Task:
    """One line of the task list."""

    title: str
    url: str
    status: str
    hint: str = ""

    @property
    def completed(self):
        return self.status == Status.COMPLETED

    @property
    def css(self):
        return {
            Status.COMPLETED: "completed",
            Status.IN_PROGRESS: "in-progress",
            Status.CANNOT_START: "cannot-start",
        }.get(self.status, "not-started")


# Which step a refusal of pledge_publish sends the admin back to, by its code.
STEP_OF_ERROR = {
    "overlap": "period",
    "stranded_activities": "period",
    "empty": "new",
}


class RevisionMixin(LoginRequiredMixin):
    """A step of the guided revision of the draft ``pk``: for its municipality's
    administrators only."""

    statuses = (Pledge.State.DRAFT,)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if bad_pk(kwargs["pk"]):
            raise Http404
        self.draft = get_object_or_404(
            Pledge.objects.select_related("municipality", "revises"),
            pk=kwargs["pk"],
            status__in=self.statuses,
        )
        check_admin_of(request.user, self.draft.municipality_id)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(draft=self.draft, **kwargs)

    @cached_property
    def previous_commitments(self):
        if self.draft.revises_id is None:
            return []
        return list(Commitment.objects.filter(pledge_id=self.draft.revises_id).order_by("position"))

    def task_list_url(self):
        return reverse("pledges:revision", kwargs={"pk": self.draft.pk})

    def refuse(self, forms, error):
        """Show a service's refusal on the step's forms: each field's error at the field
        of the form that has it, the others above the first form. Refused as stale, the
        form then carries the draft's time of saving as it is now: sent again, after a
        look, it saves."""
        if "loaded_at" in forms[0].fields and any(
            e.code == "stale" for e in getattr(error, "error_list", [])
        ):
            data = forms[0].data.copy()
            updated = Pledge.objects.values_list("updated_at", flat=True).get(pk=self.draft.pk)
            data[forms[0].add_prefix("loaded_at")] = updated.isoformat()
            forms[0].data = data
        if hasattr(error, "error_dict"):
            for field, field_errors in error.message_dict.items():
                form = next((f for f in forms if field in f.fields), forms[0])
                form.add_error(field if field in form.fields else None, field_errors)
        else:
            forms[0].add_error(None, error)

    def next_step_url(self, after):
        """The step after ``after`` (a step key) that is not completed yet, else the task
        list."""
        keys = [promise_step(c) for c in self.previous_commitments] + ["new", "signing"]
        done = set(self.draft.revision_steps) | {after}
        following = keys[keys.index(after) + 1 :] if after in keys else keys
        for key in following:
            if key not in done:
                return self.step_url(key)
        return self.task_list_url()

    def step_url(self, key):
        pk = self.draft.pk
        if key.startswith("promise-"):
            return reverse("pledges:revision_promise", kwargs={"pk": pk, "previous": int(key[8:])})
        name = {"period": "revision_period", "new": "revision_new", "signing": "revision_signing"}
        return reverse(f"pledges:{name[key]}", kwargs={"pk": pk})


class RevisionStartView(LoginRequiredMixin, TemplateView):
    """The "Revise" button of a published pledge: opens the task list of its draft
    successor, made now for the next period counted from today, or the one begun
    before. Its page (GET) says so first, for the link from the admin."""

    template_name = "pledges/revision/start.html"
    # The dialogues app carries the focus areas of the promises over too (its ready()).
    revise_pledge = staticmethod(services.pledge_revise)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if bad_pk(kwargs["pk"]):
            raise Http404
        self.pledge = get_object_or_404(
            Pledge.objects.public().select_related("municipality"), pk=kwargs["pk"]
        )
        check_admin_of(request.user, self.pledge.municipality_id)
        self.successor = self.pledge.revisions.order_by("pk").first()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        start, end = successor_period(
            self.pledge.valid_from, self.pledge.valid_to, timezone.localdate()
        )
        return super().get_context_data(
            pledge=self.pledge, successor=self.successor, start=start, end=end, **kwargs
        )

    def post(self, request, *args, **kwargs):
        if self.successor is not None:
            if self.successor.status == Pledge.State.DRAFT:
                return redirect("pledges:revision", pk=self.successor.pk)
            messages.error(request, _("This pledge already has a published successor."))
            return redirect(self.successor.get_absolute_url())
        start, end = successor_period(
            self.pledge.valid_from, self.pledge.valid_to, timezone.localdate()
        )
        try:
            draft = self.revise_pledge(pledge=self.pledge, valid_from=start, valid_to=end)
        except (ValidationError, IntegrityError) as error:
            # Pressed twice at once, the other press has made the draft: open it.
            draft = self.pledge.revisions.filter(status=Pledge.State.DRAFT).first()
            if draft is None:
                if isinstance(error, IntegrityError):
                    error = ValidationError(
                        _("Another pledge of the municipality starts on %(day)s.") % {"day": start}
                    )
                messages.error(request, " ".join(error.messages))
                return redirect("pledges:dashboard")
        return redirect("pledges:revision", pk=draft.pk)


class FirstPledgeView(LoginRequiredMixin, TemplateView):
    """A municipality's first pledge, through the same steps, without a predecessor: for
    the administrators of a municipality without a public pledge."""

    template_name = "pledges/revision/first.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        ids = administered_municipality_ids(request.user)
        if ids is not None and not ids:
            raise PermissionDenied
        municipalities = Municipality.objects.exclude(
            Exists(Pledge.objects.public().filter(municipality=OuterRef("pk")))
        ).order_by("name")
        if ids is not None:
            municipalities = municipalities.filter(pk__in=ids)
        self.municipalities = municipalities
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", StartForm(municipalities=self.municipalities))
        drafts = Pledge.objects.filter(
            status=Pledge.State.DRAFT, revises=None, municipality__in=self.municipalities
        ).select_related("municipality")
        return super().get_context_data(drafts=drafts, **kwargs)

    def post(self, request, *args, **kwargs):
        form = StartForm(request.POST, municipalities=self.municipalities)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        municipality = form.cleaned_data["municipality"]
        draft = Pledge.objects.filter(municipality=municipality, status=Pledge.State.DRAFT).first()
        if draft is None:
            today = timezone.localdate()
            start, end = today.replace(month=1, day=1), today.replace(month=12, day=31)
            try:
                draft = services.pledge_start(
                    municipality=municipality, valid_from=start, valid_to=end
                )
            except ValidationError as error:
                attach_errors(form, error)
                return self.render_to_response(self.get_context_data(form=form), status=400)
        return redirect("pledges:revision", pk=draft.pk)


class TaskListView(RevisionMixin, TemplateView):
    template_name = "pledges/revision/task_list.html"

    def get_context_data(self, **kwargs):
        draft = self.draft
        steps = set(draft.revision_steps)
        commitments = list(draft.commitments.order_by("position"))
        carried = {c.previous_id: c for c in commitments if c.previous_id}
        dropped = set(draft.dropped.values_list("commitment_id", flat=True))
        new = [c for c in commitments if c.change == Commitment.Change.NEW]
        fate = {
            Commitment.Change.CONTINUED: _("Continues unchanged"),
            Commitment.Change.REVISED: _("Revised"),
        }
        period = Task(
            _("Period and title"),
            self.step_url("period"),
            Status.COMPLETED if "period" in steps else Status.NOT_STARTED,
        )
        promises = []
        for previous in self.previous_commitments:
            done = promise_step(previous) in steps
            if previous.pk in dropped:
                hint = _("Dropped")
            elif previous.pk in carried:
                hint = fate.get(carried[previous.pk].change, "")
            else:
                hint = ""
            promises.append(
                Task(
                    previous.headline,
                    self.step_url(promise_step(previous)),
                    Status.COMPLETED if done else Status.NOT_STARTED,
                    hint if done else "",
                )
            )
        if "new" in steps:
            new_status = Status.COMPLETED
        else:
            new_status = Status.IN_PROGRESS if new else Status.NOT_STARTED
        new_task = Task(
            _("New promises") if draft.revises_id else _("Promises"),
            self.step_url("new"),
            new_status,
        )
        signing = Task(
            _("Signatories and signing date"),
            self.step_url("signing"),
            Status.COMPLETED if "signing" in steps else Status.NOT_STARTED,
        )
        before = [period, *promises, new_task, signing]
        ready = all(task.completed for task in before)
        publish = Task(
            _("Preview and publish"),
            reverse("pledges:revision_review", kwargs={"pk": draft.pk}),
            Status.NOT_STARTED if ready else Status.CANNOT_START,
        )
        return super().get_context_data(
            period=period,
            promises=promises,
            new_task=new_task,
            signing=signing,
            publish=publish,
            ready=ready,
            completed=sum(task.completed for task in before),
            total=len(before),
            **kwargs,
        )


class StepMixin(RevisionMixin):
    """A step's page: GET shows its forms, POST saves through ``save`` and goes on to the
    next step that is not completed; refused input answers 400 with what was typed kept."""

    step = ""

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(forms=self.get_forms()))

    def post(self, request, *args, **kwargs):
        forms = self.get_forms(data=request.POST)
        if self.forms_valid(forms):
            try:
                self.save(forms)
            except ValidationError as error:
                self.refuse(forms, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(self.next_step_url(self.step))
        context = self.get_context_data(forms=forms)
        return self.render_to_response(context, status=400)

    def forms_valid(self, forms):
        # Every form validated, so that each shows its errors.
        valid = [form.is_valid() for form in forms]
        return all(valid)

    def get_context_data(self, **kwargs):
        forms = kwargs["forms"]
        return super().get_context_data(
            form=forms[0],
            has_errors=any(form.errors for form in forms),
            task_list_url=self.task_list_url(),
            **kwargs,
        )


class PeriodStepView(StepMixin, TemplateView):
    template_name = "pledges/revision/period.html"
    step = "period"

    def get_forms(self, data=None):
        draft = self.draft
        return [
            PeriodForm(
                data,
                initial={
                    "title": draft.title,
                    "valid_from": draft.valid_from,
                    "valid_to": draft.valid_to,
                    "loaded_at": draft.updated_at.isoformat(),
                },
            )
        ]

    def save(self, forms):
        data = dict(forms[0].cleaned_data)
        services.revision_period_save(
            pledge=self.draft, loaded_at=data.pop("loaded_at") or None, **data
        )


class PromiseStepView(StepMixin, TemplateView):
    """What becomes of one promise of the revised pledge, shown by its text."""

    template_name = "pledges/revision/promise.html"

    def dispatch(self, request, *args, **kwargs):
        if bad_pk(kwargs["previous"]):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def previous(self):
        pk = self.kwargs["previous"]
        found = next((c for c in self.previous_commitments if c.pk == pk), None)
        if found is None:
            raise Http404
        return found

    @property
    def step(self):
        return promise_step(self.previous)

    def get_forms(self, data=None):
        draft = self.draft
        carried = (
            draft.commitments.filter(previous=self.previous)
            .prefetch_related("external_parties", "focus_tags", "target_sites")
            .first()
        )
        dropped = draft.dropped.filter(commitment=self.previous).first()
        decided = self.step in draft.revision_steps
        initial = {}
        if decided and dropped is not None:
            initial = {"decision": Decision.DROP, "reason": dropped.reason}
        elif decided and carried is not None:
            revised = carried.change == Commitment.Change.REVISED
            initial = {
                "decision": Decision.REVISE if revised else Decision.CONTINUE,
                "change_note": carried.change_note,
            }
        if carried is None:
            # Dropped before: the form offers the old promise to revise from.
            carried = Commitment(**self.previous.promise(), short_title=self.previous.short_title)
            m2m = {name: list(getattr(self.previous, name).all()) for name in PromiseForm.M2M}
        else:
            m2m = {}
        promise = PromiseForm(
            data,
            instance=carried,
            initial=m2m,
            pledge=draft,
            prefix="promise",
            # Its fields are required only for a revision: the browser must not insist.
            use_required_attribute=False,
        )
        return [DecisionForm(data, initial=initial), promise]

    def forms_valid(self, forms):
        decision, promise = forms
        if not decision.is_valid():
            promise.is_valid()
            return False
        if decision.cleaned_data["decision"] == Decision.REVISE:
            return promise.is_valid()
        return True

    def save(self, forms):
        decision, promise = forms
        choice = decision.cleaned_data["decision"]
        services.revision_decide(
            pledge=self.draft,
            previous=self.previous,
            decision=choice,
            values=promise.values() if choice == Decision.REVISE else None,
            m2m=promise.m2m() if choice == Decision.REVISE else None,
            change_note=decision.cleaned_data["change_note"],
            reason=decision.cleaned_data["reason"],
        )

    def get_context_data(self, **kwargs):
        position = self.previous_commitments.index(self.previous) + 1
        return super().get_context_data(
            previous=self.previous,
            number=position,
            count=len(self.previous_commitments),
            promise_form=kwargs["forms"][1],
            **kwargs,
        )


class NewPromisesView(StepMixin, TemplateView):
    """The draft's new promises: the list, a form to add one, and "done"."""

    template_name = "pledges/revision/new.html"
    step = "new"
    DONE = "done"

    def get_forms(self, data=None):
        if data is not None and self.DONE in data:
            data = None
        return [PromiseForm(data, pledge=self.draft, prefix="promise"), TokenForm(data)]

    def post(self, request, *args, **kwargs):
        if url := sent_before(request):
            messages.info(request, SENT_TWICE_MESSAGE)
            return redirect(url)
        if self.DONE in request.POST:
            if not self.draft.commitments.exists():
                messages.error(request, _("A pledge needs at least one promise: add one."))
                return redirect("pledges:revision_new", pk=self.draft.pk)
            try:
                services.revision_step_complete(pledge=self.draft, step=self.step)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(self.task_list_url())
            return redirect(self.next_step_url(self.step))
        return super().post(request, *args, **kwargs)

    def save(self, forms):
        promise, token = forms
        create_once(
            token=token.cleaned_data.get("form_token"),
            user=self.request.user,
            create=lambda: services.revision_commitment_save(
                pledge=self.draft, values=promise.values(), m2m=promise.m2m()
            ),
            url_of=lambda _commitment: self.next_step_url(self.step),
        )

    def next_step_url(self, after):
        if self.DONE in self.request.POST:
            return super().next_step_url(after)
        return reverse("pledges:revision_new", kwargs={"pk": self.draft.pk})

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            token_form=kwargs["forms"][1],
            new=self.draft.commitments.filter(change=Commitment.Change.NEW).order_by("position"),
            paste_url=reverse("pledges:revision_paste", kwargs={"pk": self.draft.pk}),
            **kwargs,
        )


class NewPromiseEditView(StepMixin, TemplateView):
    template_name = "pledges/revision/new_edit.html"
    step = "new"

    def dispatch(self, request, *args, **kwargs):
        if bad_pk(kwargs["commitment"]):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def commitment(self):
        return get_object_or_404(
            self.draft.commitments.prefetch_related(*PromiseForm.M2M),
            pk=self.kwargs["commitment"],
            change=Commitment.Change.NEW,
        )

    def get_forms(self, data=None):
        return [PromiseForm(data, instance=self.commitment, pledge=self.draft, prefix="promise")]

    def save(self, forms):
        promise = forms[0]
        services.revision_commitment_save(
            pledge=self.draft,
            commitment=self.commitment,
            values=promise.values(),
            m2m=promise.m2m(),
        )

    def next_step_url(self, after):
        return reverse("pledges:revision_new", kwargs={"pk": self.draft.pk})

    def get_context_data(self, **kwargs):
        return super().get_context_data(commitment=self.commitment, **kwargs)


class NewPromiseRemoveView(NewPromiseEditView):
    """POST only: removes a new promise of the draft."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.revision_commitment_remove(pledge=self.draft, commitment=self.commitment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The promise was removed."))
        return redirect("pledges:revision_new", pk=self.draft.pk)


class SigningStepView(StepMixin, TemplateView):
    template_name = "pledges/revision/signing.html"
    step = "signing"

    def get_forms(self, data=None):
        draft = self.draft
        return [
            SigningForm(
                data,
                initial={
                    "signatories": draft.signatories,
                    "signed_on": draft.signed_on,
                    "loaded_at": draft.updated_at.isoformat(),
                },
            )
        ]

    def save(self, forms):
        data = dict(forms[0].cleaned_data)
        services.revision_signing_save(
            pledge=self.draft, loaded_at=data.pop("loaded_at") or None, **data
        )


class ReviewMixin(RevisionMixin):
    """What will become public: every promise with its change and note, the dropped ones
    with their reasons, the period and the signatories; and what stops publishing."""

    def get_context_data(self, **kwargs):
        draft = self.draft
        problems = []
        if draft.revises_id is not None:
            decided = set(draft.revision_steps)
            for previous in self.previous_commitments:
                if promise_step(previous) not in decided:
                    problems.append((previous.headline, self.step_url(promise_step(previous))))
        for key, label in (
            ("period", _("Period and title")),
            ("new", _("New promises") if draft.revises_id else _("Promises")),
            ("signing", _("Signatories and signing date")),
        ):
            if key not in draft.revision_steps:
                problems.append((label, self.step_url(key)))
        return super().get_context_data(
            commitments=draft.commitments.select_related("previous").order_by("position"),
            dropped=draft.dropped.select_related("commitment").order_by("commitment__position"),
            unfinished=problems,
            preview_url=reverse("reports:pledge_preview", kwargs={"pk": draft.pk}),
            public_url=draft.get_absolute_url(),
            **kwargs,
        )


class ReviewView(ReviewMixin, TemplateView):
    template_name = "pledges/revision/review.html"


class PublishView(ReviewMixin, TemplateView):
    """The confirmation: what becomes public, what the predecessor becomes ("Publish" on
    the summary posts here); "Yes, publish" (``confirm``) publishes through
    pledges.services.pledge_publish."""

    template_name = "pledges/revision/publish.html"
    # Sent twice, the second post finds the pledge published: it goes where the first did.
    statuses = (Pledge.State.DRAFT, Pledge.State.PUBLISHED)

    def get(self, request, *args, **kwargs):
        if self.draft.status != Pledge.State.DRAFT:
            return redirect(self.draft.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.draft.status != Pledge.State.DRAFT:
            messages.info(request, SENT_TWICE_MESSAGE)
            return redirect(self.draft.get_absolute_url())
        context = self.get_context_data()
        if context["unfinished"]:
            return self.render_to_response(context, status=400)
        if "confirm" not in request.POST:
            return self.render_to_response(context)
        try:
            pledge = services.pledge_publish(pledge=self.draft)
        except ValidationError as error:
            if any(item.code == "not_draft" for item in error.error_list):
                # Published by a post sent just before this one.
                messages.info(request, SENT_TWICE_MESSAGE)
                return redirect(self.draft.get_absolute_url())
            errors = []
            for item in error.error_list:
                key = STEP_OF_ERROR.get(item.code)
                url = self.step_url(key) if key else self.task_list_url()
                errors.append((" ".join(item.messages), url))
            context["publish_errors"] = errors
            return self.render_to_response(context, status=400)
        messages.success(
            request,
            _("Published: %(title)s. It is now the public page below.") % {"title": pledge.title},
        )
        return redirect(pledge.get_absolute_url())
