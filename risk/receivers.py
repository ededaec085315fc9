"""The receivers in risk: escalation clocks and event rules follow the episodes; the risk
assessment clock follows the child's placement."""

from django.dispatch import receiver

from children.signals import children_changed
from episodes.signals import episodes_changed

from . import services


@receiver(episodes_changed, dispatch_uid="risk.follow_episodes")
def follow_episodes(sender, episode_ids, now, **kwargs):
    services.escalations_follow_episodes(episode_ids=episode_ids, now=now)


@receiver(children_changed, dispatch_uid="risk.follow_children")
def follow_children(sender, child_ids, now, **kwargs):
    services.assessment_clocks_follow_children(child_ids=child_ids, now=now)
