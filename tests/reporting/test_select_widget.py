"""The project's select template (templates/django/forms/widgets/select.html) writes each option
itself, for speed: it must draw exactly what Django's own template draws, for every select in the
product (the dashboard's authority lists, the episode and interview forms)."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from missing.forms import GovukFormRenderer


class Choices(forms.Form):
    authority = forms.ChoiceField(
        choices=[("", "All your local authorities"), ("1", "Bolton"), ("2", "Bury & <Ramsbottom>")]
    )
    grouped = forms.ChoiceField(choices=[("North West", [("3", "Oldham"), ("4", "Wigan")]), ("5", "Elsewhere")])
    several = forms.MultipleChoiceField(choices=[("a", "Missing"), ("b", "Absent"), ("c", "Away")])


@pytest.mark.parametrize("data", [{}, {"authority": "2", "grouped": "4", "several": ["a", "c"]}])
def test_the_select_draws_what_djangos_own_template_draws(data):
    form = Choices(data or None)
    for name in ("authority", "grouped", "several"):
        widget, field = form.fields[name].widget, form[name]
        attrs = {"class": "govuk-select", "aria-describedby": f"{name}-hint", "required": True, "disabled": False}
        ours = widget.render(field.html_name, field.value(), attrs=attrs, renderer=GovukFormRenderer())
        djangos = widget.render(field.html_name, field.value(), attrs=attrs, renderer=DjangoTemplates())
        assert ours == djangos
    if data:
        assert '<option value="2" selected>' in form["authority"].as_widget()


def test_an_option_label_is_escaped():
    html = Choices()["authority"].as_widget()
    assert "Bury &amp; &lt;Ramsbottom&gt;" in html and "<Ramsbottom>" not in html
