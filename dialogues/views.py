"""Coordinator pages for dialogues, concerns, action items, the situational picture,
indicator values and the moderation of citizens' messages.

Same rules as for activities: anonymous users go to the login page, other
municipalities' objects are 404, users without the coordinator role get 403.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import (
    CreateView,
    DetailView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
)

from places.models import Municipality
from pledges.mixins import (
    CoordinatorMixin,
    CreateOnceMixin,
    MunicipalityScopedMixin,
    ServiceFormMixin,
    SingleObjectFormMixin,
)

from . import services
from .forms import (
    ActionItemForm,
    ActionItemFormSet,
    ConcernAnswerForm,
    ConcernForm,
    ConcernFormSet,
    DialogueForm,
    FocusAreaForm,
    IndicatorValueCorrectionForm,
    IndicatorValueForm,
    ModerationForm,
    PictureForm,
    SubmissionThemeForm,
)
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


class OverviewView(CoordinatorMixin, TemplateView):
    """My municipalities' dialogues, situational pictures and waiting messages."""

    template_name = "dialogues/overview.html"
    permission_required = "dialogues.view_dialogue"

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


class CoordinatorFormMixin(CoordinatorMixin, MunicipalityScopedMixin, ServiceFormMixin):
    """Create or edit one object with its ModelForm, saved through services.object_save
    (which refuses an edit when someone else saved the row since the form was loaded)."""

    template_name = "dialogues/object_form.html"
    title = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def save(self, form):
        instance = form.save(commit=False)
        return services.object_save(
            instance=instance,
            save_m2m=form.save_m2m,
            loaded_at=form.cleaned_data.get("loaded_at"),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, **kwargs)


class ParentMixin:
    """For a new object under another one of the address (a concern of a dialogue, a focus
    area of a situational picture): the parent, from ``get_parent_queryset()`` (scoped to
    the user's municipalities), is loaded before the form is shown or posted, and becomes
    the new object's ``parent_field``."""

    parent_kwarg = None
    parent_field = None

    def get_parent_queryset(self):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.parent = self.get_parent()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.parent = self.get_parent()
        return super().post(request, *args, **kwargs)

    def get_parent(self):
        return get_object_or_404(self.get_parent_queryset(), pk=self.kwargs[self.parent_kwarg])

    def form_valid(self, form):
        setattr(form.instance, self.parent_field, self.parent)
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(parent=self.parent, **kwargs)


class DialogueFormMixin(CoordinatorFormMixin):
    """A dialogue with its concerns (and, for a safety walk, its action items) as inline
    rows on one page, saved together (services.dialogue_record)."""

    model = Dialogue
    form_class = DialogueForm
    permission_required = "dialogues.add_dialogue"
    template_name = "dialogues/dialogue_form.html"
    formsets = None

    def success_url_for(self, saved):
        return reverse("dialogues:dialogue_detail", args=[saved.pk])

    def build_formsets(self, form):
        dialogue = form.instance
        if dialogue.pk:
            municipalities = [dialogue.municipality]
        else:
            municipalities = Municipality.objects.for_user(self.request.user)
        kwargs = {
            "instance": dialogue,
            "form_kwargs": {"municipalities": municipalities, "dialogue": dialogue},
        }
        return {
            "concerns": ConcernFormSet(
                self.rows_data("concerns"),
                prefix="concerns",
                queryset=Concern.objects.filter(dialogue=dialogue.pk).select_related("site"),
                **kwargs,
            ),
            "action_items": ActionItemFormSet(
                self.rows_data("action_items"),
                prefix="action_items",
                queryset=ActionItem.objects.filter(dialogue=dialogue.pk).select_related("owner"),
                **kwargs,
            ),
        }

    def rows_data(self, prefix):
        """The posted rows of one kind; None (no rows) when the post has none of them at
        all, as from a form without rows. Rows posted with a broken management form are
        refused by the formset."""
        post = self.request.POST
        if self.request.method != "POST" or not any(k.startswith(f"{prefix}-") for k in post):
            return None
        return post

    def formsets_valid(self, form):
        self.formsets = self.build_formsets(form)
        # Every row is validated, so that all errors show at once.
        valid = [f.is_valid() for f in self.formsets.values() if f.is_bound]
        return all(valid)

    def form_valid(self, form):
        if not self.formsets_valid(form):
            return self.form_invalid(form)
        return super().form_valid(form)

    def form_invalid(self, form):
        if self.formsets is None:
            self.formsets_valid(form)
        return super().form_invalid(form)

    def save(self, form):
        rows, deleted = [], []
        for formset in self.formsets.values():
            if not formset.is_bound:
                continue
            rows += formset.save(commit=False)
            deleted += formset.deleted_objects
        return services.dialogue_record(
            dialogue=form.save(commit=False),
            rows=rows,
            deleted_rows=deleted,
            loaded_at=form.cleaned_data.get("loaded_at"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.formsets is None:
            self.formsets = self.build_formsets(context["form"])
        context.update(self.formsets)
        return context


class DialogueCreateView(DialogueFormMixin, CreateOnceMixin, CreateView):
    title = _("Record a dialogue")

    def form_valid(self, form):
        form.instance.created_by = self.request.user
        return super().form_valid(form)


class DialogueUpdateView(DialogueFormMixin, UpdateView):
    title = _("Edit dialogue")
    queryset = Dialogue.objects.select_related("municipality")


class DialogueDetailView(CoordinatorMixin, MunicipalityScopedMixin, DetailView):
    template_name = "dialogues/dialogue_detail.html"
    permission_required = "dialogues.view_dialogue"
    queryset = Dialogue.objects.select_related("municipality", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dialogue = self.object
        context.update(
            concerns=dialogue.concerns.select_related("site").prefetch_related("focus_areas"),
            action_items=dialogue.action_items.select_related("owner"),
        )
        return context


class DialogueChildMixin(CoordinatorFormMixin):
    """A concern or an action item of a dialogue: its choices (places, owners) are the
    dialogue's municipality's."""

    municipality_lookup = "dialogue__municipality"
    parent_kwarg = "dialogue"
    parent_field = "dialogue"

    def get_parent_queryset(self):
        return Dialogue.objects.for_user(self.request.user).select_related("municipality")

    def get_form_kwargs(self):
        dialogue = self.parent if self.object is None else self.object.dialogue
        return {**super().get_form_kwargs(), "municipality": dialogue.municipality}

    def success_url_for(self, saved):
        return reverse("dialogues:dialogue_detail", args=[saved.dialogue_id])


class ConcernFormMixin(DialogueChildMixin):
    model = Concern
    form_class = ConcernForm
    permission_required = "dialogues.add_concern"


class ConcernCreateView(ConcernFormMixin, ParentMixin, CreateOnceMixin, CreateView):
    title = _("Add a concern")


class ConcernUpdateView(ConcernFormMixin, UpdateView):
    title = _("Edit concern")
    queryset = Concern.objects.select_related("dialogue__municipality")


class ConcernAnswerView(DialogueChildMixin, UpdateView):
    """The coordinators' public answer to a concern of their municipality."""

    model = Concern
    form_class = ConcernAnswerForm
    permission_required = "dialogues.change_concern"
    template_name = "dialogues/concern_answer.html"
    title = _("Answer the concern")
    success_message = _("The answer has been saved.")
    queryset = Concern.objects.select_related("dialogue__municipality")

    def save(self, form):
        return services.concern_answer(
            concern=self.object,
            user=self.request.user,
            kind=form.cleaned_data["answer_kind"],
            text=form.cleaned_data["answer"],
            commitments=form.cleaned_data["answer_commitments"],
            loaded_at=form.cleaned_data.get("loaded_at"),
        )


class ActionItemFormMixin(DialogueChildMixin):
    model = ActionItem
    form_class = ActionItemForm
    permission_required = "dialogues.add_actionitem"


class ActionItemCreateView(ActionItemFormMixin, ParentMixin, CreateOnceMixin, CreateView):
    title = _("Add an action item")

    def get_parent_queryset(self):
        # Action items come from safety walks only.
        return super().get_parent_queryset().filter(format=Dialogue.Format.SAFETY_WALK)


class ActionItemUpdateView(ActionItemFormMixin, UpdateView):
    title = _("Edit action item")
    queryset = ActionItem.objects.select_related("dialogue__municipality")


class PictureFormMixin(CoordinatorFormMixin):
    model = SituationalPicture
    form_class = PictureForm
    permission_required = "dialogues.add_situationalpicture"
    municipality_lookup = "municipality"

    def success_url_for(self, saved):
        return reverse("dialogues:picture_detail", args=[saved.pk])


class PictureCreateView(PictureFormMixin, CreateOnceMixin, CreateView):
    title = _("Write a situational picture")


class PictureUpdateView(PictureFormMixin, UpdateView):
    title = _("Edit situational picture")
    queryset = SituationalPicture.objects.select_related("municipality")


class PictureDetailView(CoordinatorMixin, MunicipalityScopedMixin, DetailView):
    template_name = "dialogues/picture_detail.html"
    permission_required = "dialogues.view_dialogue"
    queryset = SituationalPicture.objects.select_related("municipality")
    municipality_lookup = "municipality"
    context_object_name = "picture"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["focus_areas"] = self.object.focus_areas.prefetch_related(
            "concerns__dialogue", "commitments__pledge"
        )
        return context


class FocusAreaFormMixin(CoordinatorFormMixin):
    """A focus area of a situational picture: its concerns and commitments are the
    picture's municipality's."""

    model = FocusArea
    form_class = FocusAreaForm
    permission_required = "dialogues.add_focusarea"
    municipality_lookup = "picture__municipality"
    parent_kwarg = "picture"
    parent_field = "picture"

    def get_parent_queryset(self):
        return SituationalPicture.objects.filter(
            municipality__in=Municipality.objects.for_user(self.request.user)
        ).select_related("municipality")

    def get_form_kwargs(self):
        picture = self.parent if self.object is None else self.object.picture
        return {**super().get_form_kwargs(), "municipality": picture.municipality}

    def success_url_for(self, saved):
        return reverse("dialogues:picture_detail", args=[saved.picture_id])


class FocusAreaCreateView(FocusAreaFormMixin, ParentMixin, CreateOnceMixin, CreateView):
    title = _("Add a focus area")


class FocusAreaUpdateView(FocusAreaFormMixin, UpdateView):
    title = _("Edit focus area")
    queryset = FocusArea.objects.select_related("picture__municipality")


class IndicatorValueView(CoordinatorFormMixin, CreateOnceMixin, CreateView):
    """Enter a year's value of an indicator (the indicators themselves are set up by
    admins)."""

    template_name = "dialogues/indicators.html"
    form_class = IndicatorValueForm
    permission_required = "dialogues.add_indicatorvalue"
    title = _("Indicators")

    def success_url_for(self, saved):
        return reverse("dialogues:indicators")

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


class IndicatorValueCorrectView(
    CoordinatorMixin, MunicipalityScopedMixin, SingleObjectFormMixin, ServiceFormMixin, FormView
):
    """Correct a year's value of an indicator of my municipalities, with its history."""

    template_name = "dialogues/indicatorvalue_correct.html"
    permission_required = "dialogues.change_indicatorvalue"
    form_class = IndicatorValueCorrectionForm
    queryset = IndicatorValue.objects.select_related("indicator__municipality")
    municipality_lookup = "indicator__municipality"
    context_object_name = "value"
    success_url = reverse_lazy("dialogues:indicators")
    success_message = _("The value has been corrected.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = self.object.history.select_related("history_user").order_by(
            "-history_date"
        )
        return context

    def save(self, form):
        return services.indicator_value_correct(
            value=self.object,
            new_value=form.cleaned_data["value"],
            loaded_value=form.cleaned_data["loaded_value"],
        )


class ModerationListView(CoordinatorMixin, MunicipalityScopedMixin, ListView):
    """Citizens' messages waiting for a decision, in my municipalities."""

    template_name = "dialogues/moderation_list.html"
    permission_required = "dialogues.change_submission"
    queryset = Submission.objects.pending().select_related("municipality").order_by("created_at")
    municipality_lookup = "municipality"
    context_object_name = "submissions"


class ModerationView(
    CoordinatorMixin, MunicipalityScopedMixin, SingleObjectFormMixin, ServiceFormMixin, FormView
):
    """Accept a citizen's message into a concern, or reject it."""

    template_name = "dialogues/moderation_form.html"
    permission_required = "dialogues.change_submission"
    form_class = ModerationForm
    queryset = Submission.objects.select_related("municipality")
    municipality_lookup = "municipality"
    success_url = reverse_lazy("dialogues:moderation")
    success_message = _("The decision has been saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "municipality": self.object.municipality}

    def save(self, form):
        decision = form.cleaned_data["decision"]
        if decision == ModerationForm.REJECT:
            return services.submission_reject(submission=self.object, user=self.request.user)
        return services.submission_accept(
            submission=self.object,
            user=self.request.user,
            concern=form.cleaned_data["concern"]
            if decision == ModerationForm.ACCEPT_EXISTING
            else None,
            summary=form.cleaned_data["summary"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.status == Submission.Status.PENDING:
            context["theme_form"] = SubmissionThemeForm(instance=self.object)
        return context


class SubmissionThemeView(
    CoordinatorMixin, MunicipalityScopedMixin, SingleObjectFormMixin, ServiceFormMixin, FormView
):
    """Give a citizen's message of my municipalities another theme."""

    template_name = "dialogues/object_form.html"
    permission_required = "dialogues.change_submission"
    form_class = SubmissionThemeForm
    queryset = Submission.objects.select_related("municipality")
    municipality_lookup = "municipality"
    success_message = _("The theme has been changed.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Change the theme"), **kwargs)

    def save(self, form):
        return services.submission_retheme(submission=self.object, theme=form.cleaned_data["theme"])

    def success_url_for(self, saved):
        return reverse("dialogues:moderate", args=[saved.pk])
