"""The form renderer that makes every Django form in Homeward emit GOV.UK Frontend markup.

settings.FORM_RENDERER points here. The markup lives in templates/govuk/forms/; the choice
of GOV.UK component for each widget is made in missing/templatetags/govuk.py.
"""

from django.forms.renderers import DjangoTemplates, TemplatesSetting
from django.template import TemplateDoesNotExist


class GovukFormRenderer(TemplatesSetting):
    """Renders forms and fields with Homeward's GOV.UK templates, found through TEMPLATES.

    Django's own widget templates (django/forms/widgets/*.html) are read from Django's
    built-in form renderer when the project's template loaders cannot find them, so this
    works without adding "django.forms" to INSTALLED_APPS.
    """

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return _django_form_templates.get_template(template_name)


_django_form_templates = DjangoTemplates()
