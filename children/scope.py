"""Who may see which child: the one scoping function every view, API, export and search uses.

Council, health and education staff see the children of the local authorities their agency serves,
as responsible or host authority. Police and voluntary-sector workers see children through the
work that links them (episodes in their force, interviews allocated to them): the apps that own
that work register a scope extension here, so this module never imports them. A restricted
child is then taken out of that scope for everyone the restriction does not name: the privacy
app registers that rule as a scope restriction.
"""

from collections.abc import Callable

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Q, lookups
from django.db.models.expressions import RawSQL

from missing.requestmemo import once_per_request
from organisations.roles import AgencyKind, Role

# Agencies whose staff see every child of the local authorities they serve.
AUTHORITY_WIDE_AGENCIES = frozenset({AgencyKind.CHILDRENS_SERVICES, AgencyKind.HEALTH, AgencyKind.EDUCATION})
# Roles that never see a named child: analysts work on figures; administrators manage accounts;
# data protection officers read the access log, not the records.
NO_CHILD_ACCESS = frozenset({Role.ANALYST, Role.ADMINISTRATOR, Role.DATA_PROTECTION_OFFICER})

# A rule granting sight of children: given a user, the ids of the children it grants (a
# queryset of one column), or None when it grants them none.
ScopeExtension = Callable[[object], models.QuerySet | None]
_extensions: list[ScopeExtension] = []


def register_scope_extension(extension: ScopeExtension) -> None:
    """Add a rule granting sight of children through another app's records.

    The extension takes a user and returns a queryset of one column, the ids of the children it
    grants, or None; it is called once per query. Register from the app's AppConfig.ready().
    """
    if extension not in _extensions:
        _extensions.append(extension)


ScopeRestriction = Callable[[object], Q]
_restrictions: list[ScopeRestriction] = []


def register_scope_restriction(restriction: ScopeRestriction) -> None:
    """Add a rule hiding children from a user who would otherwise see them.

    The restriction takes a user and returns a Q on `pk__in=<subquery>` of the children to hide
    from them; it is called once per query. Register from the app's AppConfig.ready().
    """
    if restriction not in _restrictions:
        _restrictions.append(restriction)


def hidden_from(user) -> Q | None:
    """The children the registered restrictions hide from `user` (a Q on Child), or None."""
    hidden = None
    for restriction in _restrictions:
        hidden = restriction(user) if hidden is None else hidden | restriction(user)
    return hidden


def authority_wide_ids(user) -> set[int]:
    """The local authorities whose children `user` sees authority-wide: those served by the
    council, health and education agencies in which they hold a role that sees children."""
    ids: set[int] = set()
    for membership in user.active_memberships():
        if membership.role in NO_CHILD_ACCESS or membership.agency.kind not in AUTHORITY_WIDE_AGENCIES:
            continue
        ids.update(membership.agency.authority_ids())
    return ids


class ChildQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ChildQuerySet":
        """The children `user` may see; anything else is a 404 wherever it is asked for."""
        children = self.in_scope_before_restrictions(user)
        if not getattr(user, "is_authenticated", False):
            return children
        hidden = hidden_from(user)
        return children if hidden is None else children.exclude(hidden)

    def in_scope_before_restrictions(self, user) -> "ChildQuerySet":
        """The children `user` would see if no record were restricted. Only for telling someone
        in scope that a record is restricted (and offering break-glass); never to show a child."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        authority_ids = authority_wide_ids(user)
        scope = Q(pk__in=[])
        if authority_ids:
            scope |= of_authorities(authority_ids)
        for extension in _extensions:
            granted = extension(user)
            if granted is not None:
                scope |= Q(pk__in_ids=granted)
        return self.filter(scope)


def of_visible_children(user, field: str = "child", using: str = DEFAULT_DB_ALIAS) -> Q:
    """The rows whose `field` is a child `user` may see (a Q for Episode, Escalation and the
    other records of a child).

    The scope is compiled to SQL once per request and the same subquery used by every list:
    built as a queryset for each list, its extensions and restrictions (subqueries of their own)
    took more of a page's time to build and compile than most of the lists' own SQL took to run
    (docs/benchmarks.md). The SQL is the same either way."""
    compiled = once_per_request(("visible children", id(user), user.pk, using), lambda: _compiled_scope(user, using))
    if compiled is None:
        return Q(pk__in=[])
    return Q(**{f"{field}__in": RawSQL(*compiled)})


def _compiled_scope(user, using: str) -> tuple[str, tuple] | None:
    from .models import Child

    try:
        return Child.objects.using(using).visible_to(user).order_by().values("pk").query.get_compiler(using).as_sql()
    except EmptyResultSet:  # nobody to see
        return None


def of_authorities(authority_ids) -> Q:
    """Children whose responsible or host authority is one of `authority_ids` (a Q on Child)."""
    ids = list(authority_ids)
    return Q(responsible_authority_id__in=ids) | Q(host_authority_id__in=ids)


def children_of_authorities(authority_ids) -> models.QuerySet:
    """The ids of the children whose responsible or host authority is one of `authority_ids`."""
    from .models import Child

    return Child.objects.filter(of_authorities(authority_ids)).values("pk")


@models.Field.register_lookup
class InIds(lookups.In):
    """`field__in_ids=<queryset of one column>`: the field is one of the ids the queryset reads.

    On PostgreSQL `= ANY(ARRAY(subquery))`: the ids are read once, before the query, and looked
    up in the field's index even as one arm of an `OR`. Written as `IN (subquery)`, that arm
    made PostgreSQL read every row of the table to test it (docs/benchmarks.md)."""

    lookup_name = "in_ids"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
