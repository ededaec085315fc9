"""Asking for a monthly governance pack and generating it (a Celery job), and who may have one."""

import datetime
import logging
import uuid

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from children.models import Child
from deadlines.services import enqueue
from organisations.models import LocalAuthority

from . import dashboard
from .models import GovernancePack
from .pack import pack_contents, pack_csv_files, pack_pdf, pack_zip

logger = logging.getLogger(__name__)

GENERATE_TASK = "reporting.tasks.generate_governance_pack"


def pack_authorities(user) -> list[LocalAuthority]:
    """Whoever reads an authority's dashboard may have its pack: coordinators and managers with
    names, analysts without."""
    return dashboard.dashboard_authorities(user)


@transaction.atomic
def governance_pack_request(*, user, local_authority: LocalAuthority, month: datetime.date) -> GovernancePack:
    """Record the request (the log of the generation) and queue its generation after commit."""
    if local_authority.pk not in {a.pk for a in pack_authorities(user)}:
        raise PermissionDenied("You cannot have the governance pack of that local authority.")
    pack = GovernancePack(
        requested_by=user,
        local_authority=local_authority,
        month=month.replace(day=1),
        with_names=dashboard.sees_names(user),
    )
    pack._history_user = user
    pack._change_reason = "Governance pack asked for"
    pack.save()
    enqueue(GENERATE_TASK, args=[pack.pk])
    return pack


def governance_pack_generate(*, pack_id: int, now: datetime.datetime | None = None) -> GovernancePack:
    """Generate a pack; safe to call twice (the task may be delivered twice).

    1. Claim the pack with a conditional update (queued -> running): one claimed or finished
       is left alone.
    2. Build the contents in the requester's scope, as they may see it now, saving progress
       after each part; write the PDF and the ZIP of CSV files.
    3. Keep the files and the children they name: the pack is done. An unexpected error marks
       it failed (and is logged): it never stays running.
    """
    now = now or timezone.now()
    claimed = GovernancePack.objects.filter(pk=pack_id, state=GovernancePack.State.QUEUED).update(
        state=GovernancePack.State.RUNNING, started_at=timezone.now(), progress=5, step="Counting the month's figures"
    )
    pack = GovernancePack.objects.select_related("requested_by", "local_authority").get(pk=pack_id)
    if not claimed:
        logger.info("Governance pack %s is %s: not generated again", pack_id, pack.state)
        return pack

    def step(percent: int, words: str) -> None:
        # Two columns updated, not a save: no history row per step.
        GovernancePack.objects.filter(pk=pack_id).update(progress=percent, step=words)

    try:
        contents = pack_contents(
            user=pack.requested_by, local_authority=pack.local_authority, month=pack.month, now=now, step=step
        )
        step(70, "Writing the PDF")
        pdf = pack_pdf(contents)
        step(90, "Writing the CSV files")
        csv_zip = pack_zip(pack_csv_files(contents))
        return _finish(pack, pdf=pdf, csv_zip=csv_zip, named_children=contents.named_children)
    except Exception:
        logger.exception("Governance pack %s failed", pack_id)
        pack.refresh_from_db()
        pack.state = GovernancePack.State.FAILED
        pack.finished_at = timezone.now()
        pack._history_user = pack.requested_by
        pack._change_reason = "Governance pack failed"
        pack.save()
        return pack


@transaction.atomic
def _finish(pack: GovernancePack, *, pdf: bytes, csv_zip: bytes, named_children: list[int]) -> GovernancePack:
    pack.refresh_from_db()
    # Names of our own: the files are found only through the pack's row.
    stem = uuid.uuid4().hex
    pack.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
    pack.csv_zip.save(f"{stem}.zip", ContentFile(csv_zip), save=False)
    pack.named_children = named_children
    pack.state = GovernancePack.State.DONE
    pack.progress = 100
    pack.step = ""
    pack.finished_at = timezone.now()
    pack._history_user = pack.requested_by
    pack._change_reason = "Governance pack generated"
    pack.save()
    return pack


def may_read_pack(user, pack: GovernancePack) -> bool:
    """A pack is for everyone who reads its authority's dashboard, as the month's figures are
    (domain.md, "Data and reporting": reports go to council members and the safeguarding
    partnership, so colleagues share one pack rather than each making their own): a pack with names
    only for those who may see names, and only while they may see every child it names (a
    restricted child keeps the pack from anyone the restriction does not name)."""
    if pack.local_authority_id not in {a.pk for a in pack_authorities(user)}:
        return False
    if not pack.with_names:
        return True
    if not dashboard.sees_names(user):
        return False
    named = set(pack.named_children)
    return not named or Child.objects.visible_to(user).filter(pk__in=named).count() == len(named)


def governance_pack_for(user, pk) -> GovernancePack:
    """A pack `user` may read (may_read_pack); anything else: 404."""
    pack = get_object_or_404(GovernancePack.objects.select_related("local_authority", "requested_by"), pk=pk)
    if not may_read_pack(user, pack):
        raise Http404("No such governance pack")
    return pack


def recent_packs(user, limit: int = 5) -> list[GovernancePack]:
    """The latest packs of the authorities whose dashboard `user` reads, theirs or a colleague's."""
    packs = GovernancePack.objects.filter(local_authority__in=dashboard.dashboard_authority_ids(user)).select_related(
        "local_authority", "requested_by"
    )
    return [pack for pack in packs[: limit * 4] if may_read_pack(user, pack)][:limit]
