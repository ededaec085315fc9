from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = "Return interviews"

    def ready(self):
        from children.scope import register_scope_extension

        from . import deadlines, receivers  # noqa: F401  (connects the episodes_changed receiver)
        from .api import extend_episode_detail
        from .scope import allocated_children_scope

        register_scope_extension(allocated_children_scope)
        deadlines.register()
        extend_episode_detail()
