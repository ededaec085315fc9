"""create_api_key and revoke_api_key: the operator's way to issue and withdraw a partner key."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from episodes import services
from episodes.models import ApiKey, hash_api_key

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_api_key_prints_the_key_once_and_keeps_only_its_hash(world):
    output = run("create_api_key", "--force", "gmp", "--name", "GMP Niche extract")

    (raw,) = re.findall(r"^hw_\S+$", output, flags=re.MULTILINE)
    key = ApiKey.objects.get()
    assert key.agency == world.force_f1 and key.name == "GMP Niche extract"
    assert key.key_hash == hash_api_key(raw)
    assert f"revoke_api_key {key.prefix}" in output


@pytest.mark.parametrize(
    ("force", "name", "message"),
    [("XYZ", "Niche", "'XYZ' is not the code of a police force"), ("GMP", "  ", "Say what will use the key.")],
)
def test_create_api_key_refuses_an_unknown_force_or_a_blank_name(world, force, name, message):
    with pytest.raises(CommandError, match=message):
        run("create_api_key", "--force", force, "--name", name)
    assert not ApiKey.objects.exists()


def test_revoke_api_key_by_prefix_or_whole_key(world):
    first, first_raw = services.api_key_create(agency=world.force_f1, name="Niche")
    second, _ = services.api_key_create(agency=world.force_f2, name="Athena")

    assert "Revoked" in run("revoke_api_key", first.prefix)
    assert "already revoked" in run("revoke_api_key", first_raw)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None


@pytest.mark.parametrize(("prefix", "message"), [("hw_nothing", "No API key"), ("hw_", "More than one key")])
def test_revoke_api_key_refuses_an_unknown_or_ambiguous_prefix(world, prefix, message):
    services.api_key_create(agency=world.force_f1, name="Niche")
    services.api_key_create(agency=world.force_f2, name="Athena")

    with pytest.raises(CommandError, match=message):
        run("revoke_api_key", prefix)
    assert not ApiKey.objects.filter(revoked_at__isnull=False).exists()
