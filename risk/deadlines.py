"""What happens when a time rule's clock runs out: the sweep claims each deadline once, so each
rule fires once for an episode however many sweepers there are."""

from deadlines import services as deadlines

from . import rules, services


def register() -> None:
    for rule in rules.TIME_RULES:
        deadlines.register_breach_handler(services.deadline_kind(rule), services.time_rule_breached)
    deadlines.register_breach_handler(services.MEETING_DUE, services.meeting_overdue)
    deadlines.register_breach_handler(services.ACTION_DUE, services.action_overdue)
    deadlines.register_breach_handler(services.ASSESSMENT_DUE, services.assessment_overdue)
