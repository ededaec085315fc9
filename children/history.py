"""A child's change history as people read it: who, when, why, and what changed from what."""

from dataclasses import dataclass, field

from .models import Child


@dataclass
class HistoryEntry:
    when: object
    who: str
    action: str
    reason: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _display(record, field_name) -> str:
    field_obj = Child._meta.get_field(field_name)
    value = getattr(record, field_name, None)
    if value in (None, ""):
        return "—"
    if field_obj.choices:
        return str(dict(field_obj.flatchoices).get(value, value))
    if field_obj.is_relation:
        related = getattr(record, field_name)
        return str(related) if related is not None else "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def child_history(child: Child) -> list[HistoryEntry]:
    """Newest first. Aliases are listed with the child, as people think of them."""
    entries = []
    records = list(child.history.select_related("history_user").order_by("-history_date", "-history_id"))
    for record in records:
        entry = HistoryEntry(
            when=record.history_date,
            who=str(record.history_user) if record.history_user else "Homeward (system)",
            action=ACTIONS[record.history_type],
            reason=record.history_change_reason or "",
        )
        previous = record.prev_record
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                label = Child._meta.get_field(change.field).verbose_name
                entry.changes.append(
                    (label[:1].upper() + label[1:], _display(previous, change.field), _display(record, change.field))
                )
        entries.append(entry)
    alias_model = child.aliases.model.history.model
    for record in alias_model.objects.filter(child_id=child.pk).select_related("history_user"):
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "Homeward (system)",
                action=f"{ACTIONS[record.history_type]} other name “{record.name}”",
                reason=record.history_change_reason or "",
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
