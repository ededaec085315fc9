"""The one receiver of episodes_changed: return interviews follow the returns."""

from django.dispatch import receiver

from episodes.signals import episodes_changed

from . import services


@receiver(episodes_changed, dispatch_uid="interviews.follow_returns")
def follow_returns(sender, episode_ids, now, **kwargs):
    services.interviews_follow_returns(episode_ids=episode_ids, now=now)
