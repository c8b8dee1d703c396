"""Coordinator pages for dialogues, concerns, action items, the situational picture,
indicator values and the moderation of citizens' messages.

Same rules as for activities: anonymous users go to the login page, other
municipalities' objects are 404, users without the coordinator role get 403.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, resolve_url
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.permissions import check_member
from places.models import Municipality
from pledges.forms import attach_errors, sent_before
from pledges.services import SENT_TWICE_MESSAGE, create_once

from . import services
from .forms import (
    ActionItemForm,
    ConcernForm,
    DialogueForm,
    FocusAreaForm,
    IndicatorValueForm,
    ModerationForm,
    PictureForm,
)
from .models import (
    ActionItem,
    Concern,
    Dialogue,
    FocusArea,
    Indicator,
    SituationalPicture,
    Submission,
)


class CoordinatorView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "dialogues.view_dialogue"


class OverviewView(CoordinatorView):
    """My municipalities' dialogues, situational pictures and waiting messages."""

    template_name = "dialogues/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        municipalities = Municipality.objects.for_user(self.request.user)
        context.update(
            dialogues=Dialogue.objects.for_user(self.request.user)
            .select_related("municipality")
            .order_by("-starts_on"),
            pictures=SituationalPicture.objects.filter(
                municipality__in=municipalities
            ).select_related("municipality"),
            pending=Submission.objects.pending().filter(municipality__in=municipalities).count(),
        )
        return context


class ObjectFormView(CoordinatorView):
    """Create or edit one object with a ModelForm, scoped to the user's municipalities.

    Subclasses say how to find the object (or its parent, for a new one), which
    municipality it belongs to, the form and where to go afterwards.
    """

    template_name = "dialogues/object_form.html"
    form_class = None
    title = ""

    def get_object(self):
        return None

    def get_parent(self):
        return None

    def municipality_of(self, obj, parent):
        raise NotImplementedError

    def form_kwargs(self, obj, parent):
        return {}

    def prepare(self, instance, parent):
        """Set what the form does not: the parent, the author."""

    def success_url(self, saved):
        raise NotImplementedError

    def load(self):
        obj = self.get_object()
        parent = self.get_parent()
        municipality = self.municipality_of(obj, parent)
        if municipality is not None:
            check_member(self.request.user, municipality.pk)
        return obj, parent

    def make_form(self, obj, parent, data=None):
        return self.form_class(
            data, instance=obj, user=self.request.user, **self.form_kwargs(obj, parent)
        )

    def get(self, request, *args, **kwargs):
        obj, parent = self.load()
        return self.render_to_response(
            self.get_context_data(form=self.make_form(obj, parent), obj=obj, parent=parent)
        )

    def post(self, request, *args, **kwargs):
        obj, parent = self.load()
        if obj is None and (url := sent_before(request)):
            messages.info(request, SENT_TWICE_MESSAGE)
            return redirect(url)
        form = self.make_form(obj, parent, request.POST)
        if form.is_valid():
            instance = form.save(commit=False)
            if obj is None:
                # A new object's municipality comes from the form: check it too.
                municipality = self.municipality_of(instance, parent)
                check_member(request.user, municipality.pk)
            self.prepare(instance, parent)

            def save():
                return services.object_save(
                    instance=instance,
                    save_m2m=form.save_m2m,
                    loaded_at=form.cleaned_data.get("loaded_at"),
                )

            try:
                if obj is None:
                    url, created = create_once(
                        token=form.cleaned_data.get("form_token"),
                        user=request.user,
                        create=save,
                        url_of=lambda saved: resolve_url(*self.success_url(saved)),
                    )
                else:
                    url, created = resolve_url(*self.success_url(save())), True
            except ValidationError as error:
                attach_errors(form, error)
            else:
                if created:
                    messages.success(request, _("Saved."))
                else:
                    messages.info(request, SENT_TWICE_MESSAGE)
                return redirect(url)
        context = self.get_context_data(form=form, obj=obj, parent=parent)
        return self.render_to_response(context, status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, **kwargs)


class DialogueFormView(ObjectFormView):
    form_class = DialogueForm
    permission_required = "dialogues.add_dialogue"

    @property
    def title(self):
        return _("Edit dialogue") if "pk" in self.kwargs else _("Record a dialogue")

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(
            Dialogue.objects.select_related("municipality"), pk=self.kwargs["pk"]
        )

    def municipality_of(self, obj, parent):
        return obj.municipality if obj is not None and obj.municipality_id else None

    def prepare(self, instance, parent):
        if instance.pk is None:
            instance.created_by = self.request.user

    def success_url(self, saved):
        return "dialogues:dialogue_detail", saved.pk


class DialogueDetailView(CoordinatorView):
    template_name = "dialogues/dialogue_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dialogue = get_object_or_404(
            Dialogue.objects.select_related("municipality", "created_by"), pk=kwargs["pk"]
        )
        check_member(self.request.user, dialogue.municipality_id)
        context.update(
            dialogue=dialogue,
            concerns=dialogue.concerns.select_related("site").prefetch_related("focus_areas"),
            action_items=dialogue.action_items.select_related("owner"),
        )
        return context


class ConcernFormView(ObjectFormView):
    form_class = ConcernForm
    permission_required = "dialogues.add_concern"

    @property
    def title(self):
        return _("Edit concern") if "pk" in self.kwargs else _("Add a concern")

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(
            Concern.objects.select_related("dialogue__municipality"), pk=self.kwargs["pk"]
        )

    def get_parent(self):
        if "dialogue" not in self.kwargs:
            return None
        return get_object_or_404(
            Dialogue.objects.select_related("municipality"), pk=self.kwargs["dialogue"]
        )

    def municipality_of(self, obj, parent):
        return (obj.dialogue if obj is not None and obj.pk else parent).municipality

    def form_kwargs(self, obj, parent):
        return {"municipality": self.municipality_of(obj, parent)}

    def prepare(self, instance, parent):
        if parent is not None:
            instance.dialogue = parent

    def success_url(self, saved):
        return "dialogues:dialogue_detail", saved.dialogue_id


class ActionItemFormView(ConcernFormView):
    form_class = ActionItemForm
    permission_required = "dialogues.add_actionitem"

    @property
    def title(self):
        return _("Edit action item") if "pk" in self.kwargs else _("Add an action item")

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(
            ActionItem.objects.select_related("dialogue__municipality"), pk=self.kwargs["pk"]
        )

    def get_parent(self):
        if "dialogue" not in self.kwargs:
            return None
        # Action items come from safety walks only.
        return get_object_or_404(
            Dialogue.objects.select_related("municipality"),
            pk=self.kwargs["dialogue"],
            format=Dialogue.Format.SAFETY_WALK,
        )


class PictureFormView(ObjectFormView):
    form_class = PictureForm
    permission_required = "dialogues.add_situationalpicture"

    @property
    def title(self):
        return (
            _("Edit situational picture")
            if "pk" in self.kwargs
            else _("Write a situational picture")
        )

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(
            SituationalPicture.objects.select_related("municipality"), pk=self.kwargs["pk"]
        )

    def municipality_of(self, obj, parent):
        return obj.municipality if obj is not None and obj.municipality_id else None

    def success_url(self, saved):
        return "dialogues:picture_detail", saved.pk


class PictureDetailView(CoordinatorView):
    template_name = "dialogues/picture_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        picture = get_object_or_404(
            SituationalPicture.objects.select_related("municipality"), pk=kwargs["pk"]
        )
        check_member(self.request.user, picture.municipality_id)
        context.update(
            picture=picture,
            focus_areas=picture.focus_areas.prefetch_related(
                "concerns__dialogue", "commitments__pledge"
            ),
        )
        return context


class FocusAreaFormView(ObjectFormView):
    form_class = FocusAreaForm
    permission_required = "dialogues.add_focusarea"

    @property
    def title(self):
        return _("Edit focus area") if "pk" in self.kwargs else _("Add a focus area")

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(
            FocusArea.objects.select_related("picture__municipality"), pk=self.kwargs["pk"]
        )

    def get_parent(self):
        if "picture" not in self.kwargs:
            return None
        return get_object_or_404(
            SituationalPicture.objects.select_related("municipality"), pk=self.kwargs["picture"]
        )

    def municipality_of(self, obj, parent):
        return (obj.picture if obj is not None and obj.pk else parent).municipality

    def form_kwargs(self, obj, parent):
        return {"municipality": self.municipality_of(obj, parent)}

    def prepare(self, instance, parent):
        if parent is not None:
            instance.picture = parent

    def success_url(self, saved):
        return "dialogues:picture_detail", saved.picture_id


class IndicatorValueView(ObjectFormView):
    """Enter a year's value of an indicator (the indicators themselves are set up by
    admins)."""

    template_name = "dialogues/indicators.html"
    form_class = IndicatorValueForm
    permission_required = "dialogues.add_indicatorvalue"

    @property
    def title(self):
        return _("Indicators")

    def municipality_of(self, obj, parent):
        return obj.indicator.municipality if obj is not None and obj.indicator_id else None

    def success_url(self, saved):
        return ("dialogues:indicators",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["indicators"] = (
            Indicator.objects.filter(
                municipality__in=Municipality.objects.for_user(self.request.user)
            )
            .prefetch_related("values")
            .select_related("municipality")
        )
        return context


class ModerationListView(CoordinatorView):
    """Citizens' messages waiting for a decision, in my municipalities."""

    template_name = "dialogues/moderation_list.html"
    permission_required = "dialogues.change_submission"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["submissions"] = (
            Submission.objects.pending()
            .filter(municipality__in=Municipality.objects.for_user(self.request.user))
            .select_related("municipality")
            .order_by("created_at")
        )
        return context


class ModerationView(CoordinatorView):
    template_name = "dialogues/moderation_form.html"
    permission_required = "dialogues.change_submission"

    def load(self):
        submission = get_object_or_404(
            Submission.objects.select_related("municipality"), pk=self.kwargs["pk"]
        )
        check_member(self.request.user, submission.municipality_id)
        return submission

    def get(self, request, *args, **kwargs):
        submission = self.load()
        form = ModerationForm(municipality=submission.municipality)
        return self.render_to_response(self.get_context_data(submission=submission, form=form))

    def post(self, request, *args, **kwargs):
        submission = self.load()
        form = ModerationForm(request.POST, municipality=submission.municipality)
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            try:
                if decision == ModerationForm.REJECT:
                    services.submission_reject(submission=submission, user=request.user)
                else:
                    services.submission_accept(
                        submission=submission,
                        user=request.user,
                        concern=form.cleaned_data["concern"]
                        if decision == ModerationForm.ACCEPT_EXISTING
                        else None,
                        summary=form.cleaned_data["summary"],
                    )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("The decision has been saved."))
                return redirect("dialogues:moderation")
        context = self.get_context_data(submission=submission, form=form)
        return self.render_to_response(context, status=400)
