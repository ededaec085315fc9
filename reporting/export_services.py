"""Making the statutory exports: who may, for which authorities, and the log of every one made.
Called alike from the exports page and from the management commands."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from children.models import Child
from missing.spreadsheets import csv_text
from organisations.models import LocalAuthority
from organisations.roles import AgencyKind, Role

from .models import ExportKind, ExportLog
from .ssda903 import (
    ANNEX_A_COLUMNS,
    HEADER_COLUMNS,
    MISSING_COLUMNS,
    CollectionYear,
    Ssda903Export,
    annex_a_list8_rows,
    ssda903_build,
)

# The hub and its managers return the council's figures (domain.md, 'People who use the system').
EXPORTERS = frozenset({Role.COORDINATOR, Role.MANAGER})


def export_authority_ids(user) -> set[int]:
    """The ids of the authorities whose statutory returns `user` may make: those served by a
    council children's services agency in which they are a coordinator or a manager."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    ids: set[int] = set()
    for membership in user.active_memberships():
        if membership.role in EXPORTERS and membership.agency.kind == AgencyKind.CHILDRENS_SERVICES:
            ids.update(membership.agency.authority_ids())
    return ids


def export_authorities(user) -> list[LocalAuthority]:
    """The authorities of `export_authority_ids`, by name."""
    return list(LocalAuthority.objects.filter(pk__in=export_authority_ids(user)).order_by("name"))


def _children(user, authorities: list[LocalAuthority]):
    """Children the return is about: those the authorities are responsible for, and, for a
    person, only those they may see."""
    children = Child.objects.filter(responsible_authority__in=authorities)
    if user is not None:
        allowed = {a.pk for a in export_authorities(user)}
        if not {a.pk for a in authorities} <= allowed:
            raise PermissionError("You cannot make returns for that local authority.")
        children = children.filter(pk__in=Child.objects.visible_to(user).values("pk"))
    return children


def _log(kind, *, user, made_by: str, authorities, year: int | None, children: int, rows: int) -> ExportLog:
    log = ExportLog.objects.create(
        kind=kind,
        user=user,
        made_by=made_by or (user.get_full_name() if user else ""),
        collection_year=year,
        children=children,
        rows=rows,
    )
    log.local_authorities.set(authorities)
    return log


@dataclass
class Ssda903Files:
    export: Ssda903Export
    missing_csv: str
    header_csv: str
    log: ExportLog


@transaction.atomic
def ssda903_export(*, user, authorities: list[LocalAuthority], year: CollectionYear, made_by: str = "") -> Ssda903Files:
    """The SSDA903 Missing and Header tables as CSV, logged. `user` None is a command run on
    the server, which may export any authority."""
    export = ssda903_build(children=_children(user, authorities), year=year)
    missing_rows = export.missing_rows()
    log = _log(
        ExportKind.SSDA903,
        user=user,
        made_by=made_by,
        authorities=authorities,
        year=year.start_year,
        children=len(export.children),
        rows=len(missing_rows),
    )
    return Ssda903Files(
        export=export,
        missing_csv=csv_text(MISSING_COLUMNS, missing_rows),
        header_csv=csv_text(HEADER_COLUMNS, export.header_rows()),
        log=log,
    )


@transaction.atomic
def annex_a_list8_export(
    *, user, authorities: list[LocalAuthority], today: datetime.date | None = None, made_by: str = ""
) -> tuple[str, ExportLog]:
    """Ofsted Annex A List 8's missing columns as CSV, logged."""
    today = today or timezone.localdate()
    rows = annex_a_list8_rows(children=_children(user, authorities), today=today)
    log = _log(
        ExportKind.ANNEX_A_LIST_8,
        user=user,
        made_by=made_by,
        authorities=authorities,
        year=None,
        children=len(rows),
        rows=len(rows),
    )
    return csv_text(ANNEX_A_COLUMNS, rows), log
