"""What episodes tell the apps built on them. `episodes` knows nothing of return interviews or
risk; they listen here instead.

`episodes_changed` is sent inside the transaction that changed the episodes, once per batch
(never once per row), by every service that creates an episode or changes its times, category,
risk grade or state: the feed intake, the API, the forms, matching decisions. Arguments:
`episode_ids` (the episodes created or changed) and `now` (the time the change is taken as made,
for any clock a receiver sets). A receiver reads what it needs in a few queries and must not
write the episodes back.
"""

from django.dispatch import Signal

episodes_changed = Signal()


def announce(episode_ids, *, now) -> None:
    """Tell the receivers which episodes changed (nothing is sent for none)."""
    ids = sorted({pk for pk in episode_ids if pk is not None})
    if ids:
        episodes_changed.send(sender="episodes", episode_ids=ids, now=now)
