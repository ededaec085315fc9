from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = "Organisations and people"

    def ready(self):
        from . import signals  # noqa: F401  (connects the sign-in receiver)
