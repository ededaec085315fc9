"""The one receiver of episodes_changed in risk: escalation clocks and event rules follow the
episodes."""

from django.dispatch import receiver

from episodes.signals import episodes_changed

from . import services


@receiver(episodes_changed, dispatch_uid="risk.follow_episodes")
def follow_episodes(sender, episode_ids, now, **kwargs):
    services.escalations_follow_episodes(episode_ids=episode_ids, now=now)
