"""Forms rendered through the site's crispy template pack (templates/medborgar/): every
input labelled, errors and help text tied to their input, the errors summarised at the top
of the form, and what was typed kept."""

from html.parser import HTMLParser

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.template import Context, Template
from django.utils import translation

VOID = {"input", "br", "img", "meta", "link", "hr"}


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, attrs, parent, [], ""

    def __iter__(self):
        for child in self.children:
            yield child
            yield from child

    def find_all(self, tag=None, **attrs):
        return [
            e
            for e in self
            if (tag is None or e.tag == tag)
            and all(e.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]

    def by_id(self, id_):
        return self.find(id=id_)

    @property
    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    @property
    def classes(self):
        return self.attrs.get("class", "").split()

    @property
    def content(self):
        return " ".join((self.text + " ".join(c.content for c in self.children)).split())


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.root = self.current = Element("root", {})

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        if tag not in VOID:
            self.current = self.current.parent

    def handle_data(self, data):
        self.current.text += data


def parse(html):
    builder = TreeBuilder()
    builder.feed(html)
    return builder.root


class VisitForm(forms.Form):
    place = forms.CharField(label="Place", help_text="A street or a square.")
    kind = forms.ChoiceField(
        label="Kind", choices=[("walk", "Walk"), ("talk", "Talk")], widget=forms.RadioSelect
    )
    partners = forms.MultipleChoiceField(
        label="Partners",
        choices=[("police", "Police"), ("school", "School")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Who took part.",
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    publish = forms.BooleanField(label="Publish", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("notes") == "stale":
            raise forms.ValidationError("Someone else saved it first.")
        return cleaned


def render(form):
    with translation.override("en"):
        html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
            Context({"form": form})
        )
    return parse(html)


@pytest.fixture
def page():
    return render(
        VisitForm(
            {"place": "", "kind": "run", "partners": ["police"], "notes": "stale", "version": "x"}
        )
    )


def described_by(element):
    return element.attrs.get("aria-describedby", "").split()


def test_an_error_is_tied_to_its_input(page):
    place = page.by_id("id_place")
    assert place.attrs["aria-invalid"] == "true"
    assert "id_place_error" in described_by(place)
    assert page.by_id("id_place_error").content == "This field is required."
    assert "error" in page.by_id("id_place_error").classes
    assert "has-error" in page.by_id("div_id_place").classes


def test_help_text_is_tied_to_its_input(page):
    place = page.by_id("id_place")
    assert "id_place_helptext" in described_by(place)
    assert page.by_id("id_place_helptext").content == "A street or a square."
    assert "id_notes_helptext" not in described_by(page.by_id("id_notes"))


def test_a_group_of_choices_is_a_fieldset_with_a_legend_tied_to_its_error(page):
    group = page.by_id("div_id_kind").find("fieldset")
    assert group.find("legend").content.startswith("Kind")
    assert "id_kind_error" in described_by(group)
    assert page.by_id("id_kind_error").content.startswith("Select a valid choice.")
    radios = group.find_all("input", type="radio")
    assert [r.attrs["value"] for r in radios] == ["walk", "talk"]
    assert all(r.attrs["aria-invalid"] == "true" for r in radios)
    checkboxes = page.by_id("div_id_partners").find("fieldset")
    assert described_by(checkboxes) == ["id_partners_helptext"]
    assert page.by_id("id_partners_helptext").content == "Who took part."


def test_every_visible_input_has_a_label(page):
    labels = {label.attrs["for"]: label for label in page.find_all("label")}
    inputs = [
        e
        for e in page.find_all()
        if e.tag in {"input", "select", "textarea"}
        and e.attrs.get("type") not in {"hidden", "submit"}
    ]
    assert len(inputs) == 7
    for element in inputs:
        assert labels[element.attrs["id"]].content, element.attrs["id"]


def test_required_fields_are_marked_and_the_mark_is_explained(page):
    assert "required" in page.by_id("id_place").attrs
    marks = page.find_all("span", class_="required")
    assert [m.parent.content for m in marks] == ["Place*", "Kind*"]
    assert all(m.attrs["aria-hidden"] == "true" for m in marks)
    assert page.find("p", class_="note").content == "Fields marked with * are required."


def test_the_summary_at_the_top_lists_every_error(page):
    form = page.find("form")
    summary = form.find("div", role="alert")
    assert "error-summary" in summary.classes
    first_field = page.by_id("div_id_place")
    assert form.children.index(summary) < form.children.index(first_field)
    items = [li.content for li in summary.find_all("li")]
    assert items == [
        "Someone else saved it first.",
        "Place: This field is required.",
        "Kind: Select a valid choice. run is not one of the available choices.",
        "Enter a whole number.",
    ]
    links = [a.attrs["href"] for a in summary.find_all("a")]
    assert links == ["#id_place", "#id_kind_0"]
    for link in links:
        assert page.by_id(link[1:]).tag == "input"


def test_what_was_typed_is_kept(page):
    assert page.by_id("id_notes").content == "stale"
    assert "checked" in page.by_id("id_partners_0").attrs
    assert "checked" not in page.by_id("id_partners_1").attrs


def test_a_form_without_errors_has_no_error_markup():
    page = render(VisitForm())
    assert page.find_all("div", role="alert") == []
    assert page.find_all(class_="error") == []
    assert "aria-invalid" not in page.by_id("id_place").attrs
    assert described_by(page.by_id("id_place")) == ["id_place_helptext"]


def test_the_button_and_fields_use_the_sites_class_names(page):
    assert page.by_id("submit-id-save").attrs["class"] == "button"
    bootstrap = {"form-control", "form-select", "invalid-feedback", "is-invalid", "mb-3", "btn"}
    assert not [e for e in page.find_all() if bootstrap & set(e.classes)]


@pytest.mark.django_db
def test_login_error_is_at_the_top_of_the_form(client, django_user_model):
    django_user_model.objects.create_user("formtest", password="demo")
    response = client.post("/konto/logga-in/", {"username": "formtest", "password": "fel"})
    form = parse(response.content.decode()).find("form", class_="stacked-form")
    summary = form.find("div", role="alert")
    assert "korrekt användarnamn och lösenord" in summary.content
    assert form.children.index(summary) < form.children.index(form.by_id("div_id_username"))
    assert form.by_id("id_username").attrs["value"] == "formtest"
