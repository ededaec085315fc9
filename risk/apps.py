from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = "Risk assessments and escalations"

    def ready(self):
        from episodes.selectors import register_timeline_source

        from . import deadlines, receivers, rules, selectors, services  # noqa: F401  (receivers connect)
        from .api import extend_episode_detail

        deadlines.register()
        extend_episode_detail()
        register_timeline_source(
            selectors.episode_timeline_entries,
            deadline_labels={
                services.deadline_kind(rule): f"Escalation clock ({rule.trigger})" for rule in rules.TIME_RULES
            },
        )
