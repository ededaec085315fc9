"""Revoke a partner system's API key by its prefix (the first characters, shown in the admin)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from episodes.models import ApiKey
from episodes.services import api_key_revoke


class Command(BaseCommand):
    help = "Revoke an API key, named by its prefix (e.g. hw_AbC1234). It stops working at once."

    def add_arguments(self, parser):
        parser.add_argument("prefix", help="the key's prefix, or the whole key")

    def handle(self, *args, prefix: str, **options):
        prefix = prefix.strip()
        if not prefix:
            raise CommandError("Give the key's prefix.")
        # The whole key starts with its prefix, so pasting the key itself also works.
        keys = [
            k
            for k in ApiKey.objects.select_related("agency")
            if prefix.startswith(k.prefix) or k.prefix.startswith(prefix)
        ]
        if not keys:
            raise CommandError(f"No API key has the prefix '{prefix}'.")
        if len(keys) > 1:
            names = ", ".join(str(k) for k in keys)
            raise CommandError(f"More than one key has the prefix '{prefix}' ({names}); give more of the key.")
        (key,) = keys
        if not key.is_active:
            self.stdout.write(
                f"{key} for {key.agency} was already revoked on {timezone.localtime(key.revoked_at):%d %b %Y %H:%M}."
            )
            return
        api_key_revoke(key=key)
        self.stdout.write(f"Revoked {key} for {key.agency}: it no longer works.")
