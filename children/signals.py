"""What children's records tell the apps built on them. `children` knows nothing of risk; risk
listens here instead.

`children_changed` is sent inside the transaction that created or changed a child's record, by
`child_create` and `child_update`. Arguments: `child_ids` and `now` (the time of the change, for
any clock a receiver sets). A receiver must not write the children back.
"""

from django.dispatch import Signal

children_changed = Signal()
