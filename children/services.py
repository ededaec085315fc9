"""Changes to children's records. Every write goes through here, from views, the API and commands."""

import unicodedata

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .models import Child, ChildAlias
from .signals import children_changed


def normalise_name(value: str) -> str:
    """NFC, as stored: the same name typed on two keyboards is stored the same way."""
    return unicodedata.normalize("NFC", value.strip())


def search_key(value: str) -> str:
    """Lower case without accents or apostrophes, hyphens as spaces, for matching names:
    "O’Brien" matches "obrien", "Jan–Marie" matches "jan marie", "Zoë" matches "ZOE"."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    for apostrophe in "'’‘`":
        stripped = stripped.replace(apostrophe, "")
    for separator in "-‐–—.":
        stripped = stripped.replace(separator, " ")
    return " ".join(stripped.split())


def _prepare(child: Child, aliases: list[str], by, reason: str) -> None:
    child.given_name = normalise_name(child.given_name)
    child.family_name = normalise_name(child.family_name)
    child.search_text = search_key(" ".join([child.given_name, child.family_name, *aliases]))
    child.name_key = search_key(f"{child.given_name} {child.family_name}")
    child.full_clean()
    child._history_user = by
    child._change_reason = reason


def _clean_aliases(names) -> list[str]:
    return sorted({normalise_name(n) for n in names if n and n.strip()})


@transaction.atomic
def child_create(*, by, reason: str = "Child record created", aliases: list[str] = (), **fields) -> Child:
    """Create a child's record with its aliases; the history rows name `by`."""
    child = Child(**fields)
    aliases = _clean_aliases(aliases)
    _prepare(child, aliases, by, reason)
    child.save()
    _set_aliases(child, aliases, by=by)
    children_changed.send(sender="children", child_ids=[child.pk], now=timezone.now())
    return child


@transaction.atomic
def child_update(*, child: Child, by, reason: str, aliases: list[str] | None = None, **fields) -> Child:
    """Change a child's record; `reason` is kept in its history with the person who made it.

    `aliases`, when given, is the complete new list of aliases.
    """
    for name, value in fields.items():
        setattr(child, name, value)
    alias_names = _clean_aliases(aliases) if aliases is not None else [a.name for a in child.aliases.all()]
    _prepare(child, alias_names, by, reason)
    child.save()
    if aliases is not None:
        _set_aliases(child, alias_names, by=by)
    children_changed.send(sender="children", child_ids=[child.pk], now=timezone.now())
    return child


def children_create_bulk(*, children: list[Child], by, reason: str) -> list[Child]:
    """Create many children at once (a police feed names many new children), with history.

    The caller has checked the values; names are normalised and search keys set here, as
    child_create does.
    """
    for child in children:
        child.given_name = normalise_name(child.given_name)
        child.family_name = normalise_name(child.family_name)
        child.search_text = search_key(f"{child.given_name} {child.family_name}")
        child.name_key = search_key(f"{child.given_name} {child.family_name}")
    return bulk_create_with_history(children, Child, default_user=by, default_change_reason=reason)


def _set_aliases(child: Child, wanted: list[str], *, by) -> None:
    for alias in child.aliases.exclude(name__in=wanted):
        alias._history_user = by
        alias.delete()
    existing = set(child.aliases.values_list("name", flat=True))
    for name in wanted:
        if name not in existing:
            alias = ChildAlias(child=child, name=name)
            alias._history_user = by
            alias.save()
