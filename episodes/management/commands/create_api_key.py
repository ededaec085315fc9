"""Create a police force's API key from the command line; the key is printed once, never stored."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from episodes.services import api_key_create
from organisations.models import Agency
from organisations.roles import AgencyKind


class Command(BaseCommand):
    help = "Create an API key for a police force's partner system. The key is printed once: copy it then."

    def add_arguments(self, parser):
        parser.add_argument("--force", required=True, help="the force's short code, e.g. GMP")
        parser.add_argument("--name", required=True, help="what will use the key, e.g. 'GMP Niche extract'")

    def handle(self, *args, force: str, name: str, **options):
        agency = Agency.objects.filter(kind=AgencyKind.POLICE, code__iexact=force.strip()).first()
        if agency is None:
            raise CommandError(f"'{force}' is not the code of a police force known to Homeward.")
        try:
            key, raw = api_key_create(agency=agency, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"API key '{key.name}' for {agency} ({agency.code}), prefix {key.prefix}:")
        self.stdout.write(raw)
        self.stdout.write(
            "Copy it now into the partner system: it is shown only this once. "
            f"Send it as 'Authorization: Api-Key <key>'. Revoke it with: revoke_api_key {key.prefix}"
        )
