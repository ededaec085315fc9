"""What the statutory export commands share: the authorities to export and the output folder."""

from pathlib import Path

from django.core.management.base import CommandError

from organisations.models import LocalAuthority


def add_common_arguments(parser) -> None:
    parser.add_argument("--out", required=True, help="folder to write the CSV files to (created if absent)")
    parser.add_argument(
        "--local-authority",
        action="append",
        dest="local_authorities",
        metavar="CODE",
        help="ONS code of a responsible authority, e.g. E08000003 (repeat for more; default every authority)",
    )


def authorities(codes: list[str] | None) -> list[LocalAuthority]:
    if not codes:
        return list(LocalAuthority.objects.order_by("name"))
    found = {a.ons_code: a for a in LocalAuthority.objects.filter(ons_code__in=codes)}
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise CommandError(f"No local authority has the ONS code {', '.join(unknown)}.")
    return [found[code] for code in codes]


def out_folder(path: str) -> Path:
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
