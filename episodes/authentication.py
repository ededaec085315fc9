"""Partner systems' API keys, and who may send police reports through the API.

A key belongs to one police force and sends that force's records only; it cannot read anything.
People may also send a report from a signed-in session: a police SPOC for their own force, or a
hub coordinator or manager for a local authority their council serves.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from organisations.models import Agency

from .models import ApiKey, hash_api_key

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>`. The request's user stays anonymous; `request.auth` is the
    ApiKey, whose agency is the force it may send reports for."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(f"Send the key as '{KEYWORD} <key>', with nothing else.")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("This API key is not valid.") from None
        key = ApiKey.objects.select_related("agency").filter(key_hash=hash_api_key(raw)).first()
        if key is None or not key.is_active:
            # One answer for unknown and revoked keys: a probe learns nothing.
            raise exceptions.AuthenticationFailed("This API key is not valid or has been revoked.")
        # A queryset update: no history row and no version bump for every request a partner makes.
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        return AnonymousUser(), key

    def authenticate_header(self, request):
        return KEYWORD


def key_refusal(key: ApiKey, force: Agency) -> str:
    """A key sends its own force's records only. Returns why not, or ''."""
    if force.pk != key.agency_id:
        return f"This API key is for {key.agency} ({key.agency.code}): it cannot send another force's records."
    return ""


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """The API key as an OpenAPI security scheme."""

    target_class = "episodes.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                f"A police force's partner-system key, sent as `{KEYWORD} <key>`. Administrators create and "
                "revoke keys; a key sends its own force's police reports and reads nothing."
            ),
        }
