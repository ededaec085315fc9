"""Who may see which child: the one scoping function every view, API, export and search uses.

Council, health and education staff see the children of the local authorities their agency serves,
as responsible or host authority. Police and voluntary-sector workers see children through the
work that links them (episodes in their force, interviews allocated to them): the apps that own
that work register a scope extension here, so this module never imports them. A restricted
child is then taken out of that scope for everyone the restriction does not name: the privacy
app registers that rule as a scope restriction.
"""

import operator
from collections.abc import Callable
from functools import reduce

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Q, lookups
from django.db.models.expressions import RawSQL

from missing.homelists import NO_ROW
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
    """The children the registered restrictions hide from `user` (a Q on Child), or None; built
    once per request (the restrictions read the time of the request)."""

    def hidden():
        hidden = None
        for restriction in _restrictions:
            hidden = restriction(user) if hidden is None else hidden | restriction(user)
        return hidden

    return once_per_request(("hidden children", id(user), user.pk), hidden)


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
        rules = _scope_rules(user)
        return self.filter(reduce(operator.or_, rules)) if rules else self.none()


def _scope_rules(user) -> list[Q]:
    """Each rule that lets `user` see children, as a Q on Child (none: they see no child): the
    responsible and the host authorities they serve, then each scope extension."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    authority_ids = authority_wide_ids(user)
    rules = _authority_rules(authority_ids) if authority_ids else []
    for extension in _extensions:
        granted = extension(user)
        if granted is not None:
            rules.append(Q(pk__in_ids=granted))
    return rules


def of_visible_children(user, field: str = "child", using: str = DEFAULT_DB_ALIAS, *, by_index: bool = False) -> Q:
    """The rows whose `field` is a child `user` may see (a Q for Episode, Escalation and the
    other records of a child).

    `by_index`: the children's ids are read from the scope's indexes alone (one `UNION ALL` of
    the rules, below), for a list whose rows are few and found first by an index of their own,
    joined to the scope's hash: at 2,705 children the scope costs 0.5 ms where reading each
    child's row cost 3.5 ms. PostgreSQL cannot tell how many children the union holds (it
    guesses 200), and where the scope would drive the query, a dashboard's count over a month
    of episodes, it then probed each child by its key, slower than reading the children as one
    `OR` (docs/benchmarks.md). The rows are the same either way."""
    ids = _from_scope(user, using, "SELECT scope.scope_id FROM ({scope}) AS scope", by_index=by_index)
    return Q(pk__in=[]) if ids is None else Q(**{f"{field}__in": ids})


def visible_count(user) -> RawSQL:
    """The children `user` may see, each once (a child may be in scope by two rules), for
    `missing.homelists.counts`."""
    ids = _from_scope(user, DEFAULT_DB_ALIAS, "SELECT DISTINCT scope.scope_id FROM ({scope}) AS scope", by_index=True)
    return RawSQL(NO_ROW, ()) if ids is None else ids


def newest_visible(user, lines: int) -> Q:
    """The `lines` children `user` may see that were added last (a Q on Child). PostgreSQL finds
    them in the scope's indexes, which hold each child's created_at, where ordering every child
    in scope read each child's row."""
    newest = "SELECT scope.scope_id FROM ({scope}) AS scope ORDER BY scope.scope_added DESC LIMIT %s"
    ids = _from_scope(user, DEFAULT_DB_ALIAS, newest, lines, by_index=True)
    return Q(pk__in=[]) if ids is None else Q(pk__in=ids)


def rows_in_scope(user, rows: models.QuerySet, using: str = DEFAULT_DB_ALIAS) -> RawSQL:
    """The ids of `rows` whose child `user` may see, for `pk__in`. `rows` reads two columns,
    `listed_id` and `listed_child`, maybe as a `UNION ALL` of several lists found each by its
    own index: the scope is joined to them once, where joined to each list it was planned and
    hashed once a list (docs/benchmarks.md, "Less Python on the tasking page")."""
    compiled = _scope_sql(user, using, by_index=True)
    if compiled is None:
        return RawSQL(NO_ROW, ())
    scope, scope_params = compiled
    listed, listed_params = rows.query.get_compiler(using).as_sql()
    return RawSQL(
        f"SELECT listed.listed_id FROM ({listed}) AS listed "
        f"WHERE listed.listed_child IN (SELECT scope.scope_id FROM ({scope}) AS scope)",
        (*listed_params, *scope_params),
    )


def _from_scope(user, using: str, sql: str, *params, by_index: bool) -> RawSQL | None:
    """`sql` reading the SQL of the children `user` may see where it says `{scope}`, or None
    when they see no child."""
    compiled = _scope_sql(user, using, by_index=by_index)
    if compiled is None:
        return None
    scope, scope_params = compiled
    return RawSQL(sql.format(scope=scope), (*scope_params, *params))


def _scope_sql(user, using: str, *, by_index: bool) -> tuple[str, tuple] | None:
    """The SQL of the children `user` may see (`_compiled_scope`), compiled once per request and
    the same subquery used by every list: built as a queryset for each list, its extensions and
    restrictions (subqueries of their own) took more of a page's time to build and compile than
    most of the lists' own SQL took to run (docs/benchmarks.md)."""
    key = ("visible children", id(user), user.pk, using, by_index)
    return once_per_request(key, lambda: _compiled_scope(user, using, by_index=by_index))


def _compiled_scope(user, using: str, *, by_index: bool) -> tuple[str, tuple] | None:
    """The children `user` may see (None: none), as SQL of two columns, `scope_id` and
    `scope_added` (the child's created_at).

    By index: each rule's children, less those the restrictions hide, as one `UNION ALL` (a
    child may come twice), each rule read by its own index, (responsible_authority, created_at,
    id) or (host_authority, created_at, id), without reading the children's rows (an index-only
    scan). Otherwise the children of any rule, less the hidden, as one `OR`.

    Each rule and the restrictions are compiled once, and both forms written from them: built
    as a queryset of its own for each part, the restrictions' subqueries were compiled once a
    part, about 5 ms of every page (docs/benchmarks.md)."""
    from .models import Child

    granted = [where for where in (_where_of(Child, rule, using) for rule in _scope_rules(user)) if where is not None]
    if not granted:
        return None
    hidden = hidden_from(user)
    hidden = None if hidden is None else _where_of(Child, hidden, using)
    quote = connections[using].ops.quote_name
    table = quote(Child._meta.db_table)
    columns = f"{table}.{quote('id')} AS {quote('scope_id')}, {table}.{quote('created_at')} AS {quote('scope_added')}"
    unhidden, unhidden_params = ("", ()) if hidden is None else (f" AND NOT ({hidden[0]})", hidden[1])
    if not by_index:
        granted = [(" OR ".join(f"({sql})" for sql, _ in granted), sum((params for _, params in granted), ()))]
    return (
        " UNION ALL ".join(f"SELECT {columns} FROM {table} WHERE ({sql}){unhidden}" for sql, _ in granted),
        sum((params + unhidden_params for _, params in granted), ()),
    )


def _where_of(model, rule: Q, using: str) -> tuple[str, tuple] | None:
    """`rule` as the SQL of a WHERE on `model`'s table, or None when it matches no row."""
    query = model.objects.using(using).filter(rule).query
    try:
        sql, params = query.get_compiler(using).compile(query.where)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return "1 = 1", ()
    return sql, tuple(params)


def _each_by_its_index(ids: list[models.QuerySet]) -> models.QuerySet:
    """Several querysets of the same columns as one `UNION ALL`."""
    return ids[0].union(*ids[1:], all=True).order_by() if len(ids) > 1 else ids[0]


def _authority_rules(authority_ids) -> list[Q]:
    ids = list(authority_ids)
    return [Q(responsible_authority_id__in=ids), Q(host_authority_id__in=ids)]


def of_authorities(authority_ids) -> Q:
    """Children whose responsible or host authority is one of `authority_ids` (a Q on Child)."""
    return reduce(operator.or_, _authority_rules(authority_ids))


def children_of_authorities(authority_ids) -> models.QuerySet:
    """The ids of the children whose responsible or host authority is one of `authority_ids`."""
    from .models import Child

    return _each_by_its_index(
        [Child.objects.filter(rule).order_by().values("pk") for rule in _authority_rules(authority_ids)]
    )


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
