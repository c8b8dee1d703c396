"""Paste the signed text (issue 13, point 2): an administrator pastes the published text
of a pledge into a draft, reviews the promises the parser proposes, with the phrases it
read highlighted, corrects them and adds them all at once. Nothing is saved before that:
the pasted text travels between the steps in a hidden field."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from accounts.permissions import check_admin_of
from places.models import Organisation, Site

from . import parser
from .forms import attach_errors, form_token_field, sent_before
from .models import ActivityType, FocusTag, Pledge, Quantity
from .paste_forms import PasteForm, ProposalChoices, proposal_formset
from .services import SENT_TWICE_MESSAGE, ProposalError, commitments_add_from_text, create_once


class PastedTextForm(PasteForm):
    """The pasted text and the form token, carried through the review step unseen."""

    form_token = form_token_field()

    def __init__(self, *args, hidden=False, **kwargs):
        super().__init__(*args, **kwargs)
        if hidden:
            self.fields["text"].widget = forms.HiddenInput()


def highlighted(proposal):
    """The proposal's text cut into (text, labels) pieces: the phrases the parser read a
    field from carry that field's labels, the rest none. Overlapping phrases ("minst 4",
    read as both the target and its kind) are one piece with every label."""
    text = proposal.text
    found = sorted(
        (start, _word_end(text, end), str(parser.FIELD_LABELS[name]))
        for name, spans in proposal.spans.items()
        for start, end in spans
        if end > start
    )
    merged = []
    for start, end, label in found:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            labels = last[2] if label in last[2] else [*last[2], label]
            merged[-1] = (last[0], max(last[1], end), labels)
        else:
            merged.append((start, end, [label]))
    pieces, at = [], 0
    for start, end, labels in merged:
        if start > at:
            pieces.append((text[at:start], ()))
        pieces.append((text[start:end], tuple(labels)))
        at = end
    if at < len(text):
        pieces.append((text[at:], ()))
    return pieces


def _field_anchor(field):
    """The id an error summary links to: the input, the first of a group's choices, or
    the field's block when the group offers none."""
    subwidgets = field.subwidgets
    return (
        field.id_for_label
        or (subwidgets[0].id_for_label if subwidgets else "")
        or (f"div_{field.auto_id}")
    )


def _word_end(text, end):
    """``end`` moved to the end of its word: the label follows "trafikinsatser", not
    "trafikinsats" in the middle of it."""
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return end


class PasteView(LoginRequiredMixin, View):
    """Step 1 (GET, or "back"): the text. Step 2 ("propose"): the proposals to review.
    "save": the reviewed proposals added to the draft, all or none."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.pledge = get_object_or_404(
            Pledge.objects.select_related("municipality"),
            pk=kwargs["pk"],
            status=Pledge.State.DRAFT,
        )
        check_admin_of(request.user, self.pledge.municipality_id)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.text_step(PastedTextForm())

    def post(self, request, *args, **kwargs):
        if "save" in request.POST and (url := sent_before(request)):
            messages.info(request, SENT_TWICE_MESSAGE)
            return redirect(url)
        form = PastedTextForm(request.POST)
        if not form.is_valid():
            return self.text_step(form, status=400)
        if "back" in request.POST:
            return self.text_step(form)
        proposals = parser.propose(form.cleaned_data["text"], self.pledge.municipality.name)
        if not proposals:
            form.add_error(
                "text",
                forms.ValidationError(
                    _(
                        "No promise was recognised in the text. Paste the promises themselves, "
                        "e.g. “Polisen lovar att …”, each on its own line or as a bullet."
                    ),
                    code="no_promises",
                ),
            )
            return self.text_step(form, status=400)
        choices = self.choices(proposals)
        if "save" not in request.POST:
            return self.review_step(form, proposal_formset(proposals, choices))
        formset = proposal_formset(proposals, choices, data=request.POST)
        if not formset.is_valid():
            return self.review_step(form, formset, status=400)
        try:
            url, _created = create_once(
                token=form.cleaned_data.get("form_token"),
                user=request.user,
                create=lambda: commitments_add_from_text(
                    pledge=self.pledge,
                    proposals_cleaned=[f.cleaned_data for f in formset.forms],
                    user=request.user,
                ),
                url_of=lambda created: self.success_url(),
            )
        except ProposalError as error:
            attach_errors(formset.forms[error.index], error)
            return self.review_step(form, formset, status=400)
        included = sum(1 for f in formset.forms if f.cleaned_data.get("include"))
        messages.success(
            request,
            ngettext(
                "%(count)d promise has been added to the draft.",
                "%(count)d promises have been added to the draft.",
                included,
            )
            % {"count": included},
        )
        return redirect(url)

    def choices(self, proposals):
        """What the forms offer, read once (five queries), with the tags the parser
        proposed that are not registered yet (added on saving)."""
        municipality = self.pledge.municipality
        tags = list(FocusTag.objects.order_by("name").values_list("name", flat=True))
        known = {t.casefold() for t in tags}
        for proposal in proposals:
            for tag in proposal.focus_tags:
                if tag.casefold() not in known:
                    known.add(tag.casefold())
                    tags.append(tag)
        return ProposalChoices(
            activity_types=[(t.code, t.name) for t in ActivityType.objects.all()],
            quantities=[(q.code, str(q)) for q in Quantity.objects.all()],
            focus_tags=[(t, t) for t in tags],
            externals=list(
                Organisation.objects.filter(
                    Q(municipality=municipality) | Q(municipality__isnull=True),
                    kind=Organisation.Kind.EXTERNAL,
                ).values_list("pk", "name")
            ),
            sites=list(Site.objects.filter(municipality=municipality).values_list("pk", "name")),
        )

    def success_url(self):
        """Back to the guided revision's new promises, which now lists them."""
        return reverse("pledges:revision_new", kwargs={"pk": self.pledge.pk})

    def text_step(self, form, status=200):
        return TemplateResponse(
            self.request,
            "pledges/paste/paste_text.html",
            {"pledge": self.pledge, "form": form},
            status=status,
        )

    def review_step(self, form, formset, status=200):
        token = form.cleaned_data.get("form_token") or form.fields["form_token"].initial()
        hidden = PastedTextForm(
            initial={"text": form.cleaned_data["text"], "form_token": token}, hidden=True
        )
        rows = [
            {"form": f, "number": i, "pieces": highlighted(f.proposal), "proposal": f.proposal}
            for i, f in enumerate(formset.forms, start=1)
        ]
        summary = [
            (
                row["number"],
                next(
                    (
                        (_field_anchor(field), field.label, e)
                        for field in row["form"]
                        for e in field.errors
                    ),
                    None,
                ),
            )
            for row in rows
            if row["form"].errors
        ]
        return TemplateResponse(
            self.request,
            "pledges/paste/paste_review.html",
            {
                "pledge": self.pledge,
                "hidden": hidden,
                "formset": formset,
                "rows": rows,
                "summary": summary,
            },
            status=status,
        )
