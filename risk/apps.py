from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = "Risk assessments and escalations"

    def ready(self):
        from . import deadlines, receivers  # noqa: F401  (connects the episodes_changed receiver)
        from .api import extend_episode_detail

        deadlines.register()
        extend_episode_detail()
