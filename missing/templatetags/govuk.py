"""Template helpers for GOV.UK Frontend markup: `{% load govuk %}`.

`govuk_field` decides which GOV.UK component renders a form field (used by
templates/govuk/forms/field.html); `govuk_tag` draws a tag; the rest serve the partials in
templates/govuk/.
"""

import copy
import posixpath
import re
from datetime import timedelta

from django import forms, template
from django.forms import widgets
from django.forms.boundfield import BoundWidget
from django.http import QueryDict
from django.template.defaultfilters import linebreaksbr, stringfilter
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe

from missing.moments import uk_datetime

register = template.Library()

# Most specific first: CheckboxSelectMultiple is a RadioSelect, ClearableFileInput a
# FileInput, PasswordInput and CheckboxInput are Inputs.
WIDGET_KINDS = (
    (widgets.CheckboxSelectMultiple, "checkboxes"),
    (widgets.RadioSelect, "radios"),
    (widgets.CheckboxInput, "checkbox"),
    (widgets.FileInput, "file"),
    (widgets.Textarea, "textarea"),
    (widgets.Select, "select"),
    (widgets.PasswordInput, "password"),
    (widgets.MultiWidget, "multi"),
    (widgets.Input, "input"),
)

# The GOV.UK classes each kind of control carries, and the modifier it takes on error.
CONTROL_CLASSES = {
    "input": ("govuk-input", "govuk-input--error"),
    "multi": ("govuk-input govuk-date-input__input", "govuk-input--error"),
    "password": ("govuk-input", "govuk-input--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
}

# Labels for the inputs of a MultiWidget, unless the widget names them itself with a
# `subwidget_labels` attribute (a GOV.UK date input widget would say "Day", "Month", "Year").
DEFAULT_PART_LABELS = {widgets.SplitDateTimeWidget: ("Date", "Time")}

# Kinds whose label is a <legend> around a group of controls.
FIELDSET_KINDS = frozenset({"radios", "checkboxes", "multi"})

# GOV.UK's pattern for a security code: numeric keyboard, sized for the code.
ONE_TIME_CODE_ATTRS = {"inputmode": "numeric", "spellcheck": "false"}
ONE_TIME_CODE_WIDTH = "govuk-input--width-10"

# GOV.UK asks for no placeholder text: it vanishes as you type and is often too faint to read.
DROPPED_ATTRS = frozenset({"placeholder"})


class GovukField:
    """One bound field, described the way templates/govuk/forms/field.html needs it."""

    def __init__(self, field: forms.BoundField):
        self.field = field
        self.widget = field.field.widget

    @cached_property
    def kind(self) -> str:
        if self.field.is_hidden:
            return "hidden"
        for widget_class, kind in WIDGET_KINDS:
            if isinstance(self.widget, widget_class):
                return kind
        return "other"

    @cached_property
    def id(self) -> str:
        return self.widget.attrs.get("id") or self.field.auto_id or self.field.html_name

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def is_fieldset(self) -> bool:
        return self.kind in FIELDSET_KINDS

    @cached_property
    def label(self) -> str:
        """The field's label, with " (optional)" when it may be left empty (GOV.UK style).

        A single checkbox is never marked: leaving it unticked is an answer, not a gap.
        """
        label = self.field.label or ""
        if label and not self.field.field.required and self.kind != "checkbox":
            return f"{label} (optional)"
        return label

    @cached_property
    def errors(self):
        return self.field.errors

    @cached_property
    def describedby(self) -> str:
        """Ids that describe the control: any the form set, then the hint, then the error."""
        ids = [self.widget.attrs.get("aria-describedby", "")]
        if self.field.help_text:
            ids.append(self.hint_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(i for i in ids if i)

    @cached_property
    def container_classes(self) -> str:
        """For radios and checkboxes, the form's widget classes modify the group (for
        example `govuk-radios--inline`, `govuk-checkboxes--small`), not each input."""
        return self.widget.attrs.get("class", "")

    @property
    def is_one_time_code(self) -> bool:
        return self.kind == "input" and self.widget.attrs.get("autocomplete") == "one-time-code"

    def _control_classes(self) -> str:
        base, error = CONTROL_CLASSES.get(self.kind, ("", ""))
        classes = [base, self.widget.attrs.get("class", "")]
        if self.is_one_time_code and "govuk-input--width-" not in classes[1]:
            classes.append(ONE_TIME_CODE_WIDTH)
        if self.errors:
            classes.append(error)
        return " ".join(c for c in classes if c)

    def _widget_for_rendering(self) -> widgets.Widget:
        if self.kind == "file":
            # The current file and the "remove" checkbox are drawn by field.html.
            widget = widgets.FileInput()
        else:
            widget = copy.copy(self.widget)
        widget.attrs = {k: v for k, v in self.widget.attrs.items() if k not in DROPPED_ATTRS}
        return widget

    @cached_property
    def control(self) -> str:
        """The <input>, <textarea> or <select>, with GOV.UK classes, for non-group kinds."""
        attrs = {"class": self._control_classes()}
        if self.describedby and not self.is_fieldset:
            attrs["aria-describedby"] = self.describedby
        input_type = getattr(self.widget, "input_type", "")
        if self.kind == "password" or input_type == "email":
            attrs.setdefault("spellcheck", self.widget.attrs.get("spellcheck", "false"))
        if self.kind == "password":
            attrs["autocapitalize"] = self.widget.attrs.get("autocapitalize", "none")
        if self.is_one_time_code:
            attrs.update({k: self.widget.attrs.get(k, v) for k, v in ONE_TIME_CODE_ATTRS.items()})
        return self.field.as_widget(widget=self._widget_for_rendering(), attrs=attrs)

    @cached_property
    def options(self) -> list[dict]:
        """Each radio or checkbox in a group: its id, label and rendered <input>.

        Like BoundField.subwidgets, with two differences: each input carries the GOV.UK
        class, and the first takes the field's own id (GOV.UK Frontend's convention), so
        an error summary link to "#id_<name>" lands on the group.
        """
        attrs = self.field.build_widget_attrs({"id": self.id, "class": f"govuk-{self.kind}__input"})
        widget = self._widget_for_rendering()
        options = []
        for index, data in enumerate(widget.subwidgets(self.field.html_name, self.field.value(), attrs)):
            if index == 0:
                data["attrs"]["id"] = self.id
            tag = BoundWidget(widget, data, self.field.form.renderer).tag(wrap_label=False)
            options.append({"id": data["attrs"].get("id", ""), "label": data["label"], "tag": tag})
        return options

    @cached_property
    def parts(self) -> list[dict]:
        """Each input of a MultiWidget (date and time, or day, month and year) with its label.

        Each input keeps its own width class (say `govuk-input--width-4` on a year) beside
        the GOV.UK date-input classes.
        """
        widget = self._widget_for_rendering()
        attrs = self.field.build_widget_attrs({"id": self.id})
        context = widget.get_context(self.field.html_name, self.field.value(), attrs)
        labels = getattr(self.widget, "subwidget_labels", None) or next(
            (labels for widget_class, labels in DEFAULT_PART_LABELS.items() if isinstance(self.widget, widget_class)),
            (),
        )
        base, error = CONTROL_CLASSES["multi"]
        parts = []
        for index, (sub, sub_widget) in enumerate(zip(context["widget"]["subwidgets"], widget.widgets, strict=True)):
            classes = [base, sub_widget.attrs.get("class", ""), error if self.errors else ""]
            sub["attrs"]["class"] = " ".join(c for c in classes if c)
            sub["attrs"].pop("placeholder", None)
            # Rendered by the widget's own (autoescaping) template; the renderer returns str.
            html = mark_safe(self.field.form.renderer.render(sub["template_name"], {"widget": sub}))
            label = labels[index] if index < len(labels) else f"Part {index + 1}"
            parts.append({"id": sub["attrs"].get("id", ""), "label": label, "tag": html})
        return parts

    @cached_property
    def current_file(self) -> str:
        """The name of the file already stored, when the form edits one."""
        value = self.field.value()
        if self.kind == "file" and value and getattr(value, "url", False):
            return posixpath.basename(str(value.name))
        return ""

    @property
    def clear_name(self) -> str:
        """The "remove the current file" checkbox a ClearableFileInput reads, if offered."""
        if self.current_file and isinstance(self.widget, widgets.ClearableFileInput) and not self.field.field.required:
            return self.widget.clear_checkbox_name(self.field.html_name)
        return ""

    @property
    def clear_id(self) -> str:
        return self.widget.clear_checkbox_id(self.clear_name) if self.clear_name else ""


@register.simple_tag
def govuk_field(field: forms.BoundField) -> GovukField:
    """`{% govuk_field field as g %}`: how field.html should draw this field."""
    return GovukField(field)


@register.filter
def govuk_error_anchor(field: forms.BoundField) -> str:
    """The id an error summary link should jump to: the field's first control."""
    govuk = GovukField(field)
    if govuk.kind == "multi":
        return f"{govuk.id}_0"
    return govuk.id


_WORD = re.compile(r"[^\W\d_][\w'’-]*")


@register.filter(is_safe=True)
@stringfilter
def sentence_case(value: str) -> str:
    """'Two-Factor Authentication' -> 'Two-factor authentication'; 'IP Address' -> 'IP address'.

    django-allauth writes headings and buttons in title case; GOV.UK writes them in
    sentence case. Words in capitals (IP, QR, I) are left alone.
    """
    first = True

    def recase(match: re.Match) -> str:
        nonlocal first
        word = match.group(0)
        if word.isupper():
            result = word
        elif first:
            result = word[0] + word[1:].lower()
        else:
            result = word.lower()
        first = False
        return result

    return _WORD.sub(recase, value.strip())


@register.filter
def summary_value(value):
    """A summary list value: None and "" are shown as not recorded by the partial;
    plain text keeps its line breaks; anything else (dates, numbers, safe HTML) as given."""
    if isinstance(value, str) and not isinstance(value, SafeData):
        return linebreaksbr(value)
    return value


@register.filter
def is_blank(value) -> bool:
    """True for None and "", not for 0 or False (which are answers)."""
    return value is None or value == ""


@register.simple_tag
def govuk_tag(text, colour: str = "") -> str:
    """A GOV.UK tag: `{% govuk_tag "Overdue" "red" %}`; colour one of grey, green, turquoise,
    blue, light-blue, purple, pink, red, orange, yellow, or none. A tag, not an included
    template: lists draw one on every row."""
    if colour:
        return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, text)
    return format_html('<strong class="govuk-tag">{}</strong>', text)


# A moment in UK time, "7 Dec 2026 09:05": `{{ moment|uk_datetime }}`.
register.filter("uk_datetime", uk_datetime)


@register.filter
def govuk_duration(value: timedelta) -> str:
    """timedelta(minutes=15) -> '15 minutes'; timedelta(hours=1, minutes=30) -> '1 hour 30 minutes'."""
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append("1 hour" if hours == 1 else f"{hours} hours")
    if minutes or not hours:
        parts.append("1 minute" if minutes == 1 else f"{minutes} minutes")
    return " ".join(parts)


@register.simple_tag(takes_context=True)
def govuk_page_url(context, page_number) -> str:
    """The current URL's query string with `page` set, keeping every other filter."""
    return query_with(context, page=page_number)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current URL's query string with `changes` set (a None drops the key), keeping every
    other filter: `{% query_with format="csv" page=None %}`."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return f"?{query.urlencode()}"


@register.simple_tag
def govuk_page_range(page_obj):
    """Page numbers to show, with Paginator.ELLIPSIS where runs are left out."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)
