from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "episodes"
    verbose_name = "Episodes"

    def ready(self):
        from children.scope import register_scope_extension

        from . import deadlines  # noqa: F401  (registers the safe-and-well breach handler)
        from .scope import police_children_scope

        register_scope_extension(police_children_scope)
