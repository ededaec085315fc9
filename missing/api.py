"""REST framework defaults shared by every app's API."""

from django.conf import settings
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle


class IsVerifiedUser(BasePermission):
    """Signed in, active and (where required) with MFA set up; scope is checked per object."""

    message = "Sign in with two-factor authentication to use the API."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if settings.HOMEWARD_REQUIRE_MFA:
            from missing.middleware import user_has_mfa

            return user_has_mfa(user)
        return True


# --- Throttling, request size, and the error answers every operation documents -----------------


def _api_key(request):
    from episodes.models import ApiKey

    return request.auth if isinstance(request.auth, ApiKey) else None


class ApiKeyThrottle(SimpleRateThrottle):
    """One budget per partner-system key (the API issue: throttling per key and per user).
    Rates are the settings' DEFAULT_THROTTLE_RATES."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        key = _api_key(request)
        return self.cache_format % {"scope": self.scope, "ident": key.pk} if key else None


class SignedInThrottle(SimpleRateThrottle):
    """One budget per signed-in person, whichever session or device they use."""

    scope = "api_user"

    def get_cache_key(self, request, view):
        user = request.user
        return self.cache_format % {"scope": self.scope, "ident": user.pk} if user.is_authenticated else None


ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "What was wrong, in words."}},
    "required": ["detail"],
}
VALIDATION_SCHEMA = {
    "type": "object",
    "description": "Each field that was wrong, with its messages; `non_field_errors` for the whole.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
# Answers any operation may give, besides its own (security battery: every error documented).
COMMON_ERRORS = {
    "401": "Not signed in, or the API key is not valid or revoked.",
    "403": "Signed in, but this person or key may not do this (or the CSRF token is missing).",
    "405": "This method is not allowed here.",
    "406": "The Accept header asks for something other than JSON.",
    "429": "Too many requests from this key or person: wait the seconds in Retry-After.",
}
BODY_ERRORS = {
    "400": "The request was not valid: each field that was wrong, with its messages.",
    "413": "The request body is larger than the API accepts.",
    "415": "The body is not JSON.",
}


def document_every_error(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation lists the error answers it can give,
    with their schemas, so no status code a client meets is undocumented."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    components.setdefault("ValidationErrors", VALIDATION_SCHEMA)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            errors = dict(COMMON_ERRORS)
            if "{" in path:
                errors["404"] = "Nothing with this id, or nothing you may see."
            if method in ("post", "put", "patch"):
                errors.update(BODY_ERRORS)
            else:
                errors["400"] = "A filter or query parameter was not valid."
            for status, description in errors.items():
                schema = "ValidationErrors" if status == "400" else "Error"
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
                    },
                )
    return result
