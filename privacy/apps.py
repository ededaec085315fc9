from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy: the access log and restricted records"

    def ready(self):
        from children.scope import register_scope_restriction

        from .services import restricted_children_hidden_from

        register_scope_restriction(restricted_children_hidden_from)
