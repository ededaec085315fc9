"""Request middleware: session time limits, MFA for everyone, no caching of case data, and the
API's request size limit."""

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

SESSION_STARTED_KEY = "homeward_signed_in_at"


class SessionLimitsMiddleware:
    """Ends a session after the absolute limit (a shift), however active the user has been.

    The idle limit is the session cookie's age, renewed on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.setdefault(SESSION_STARTED_KEY, now)
            if now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
                logout(request)
                return redirect(f"{reverse('account_login')}?next={request.path}")
        return self.get_response(request)


# Paths a signed-in user without MFA may still reach: to set MFA up, or to leave.
MFA_SETUP_PREFIXES = ("/accounts/", "/static/", "/health/")


class RequireMFAMiddleware:
    """Every user must have an authenticator before using the product (HOMEWARD_REQUIRE_MFA)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.HOMEWARD_REQUIRE_MFA
            and request.user.is_authenticated
            and not request.path.startswith(MFA_SETUP_PREFIXES)
            and not user_has_mfa(request.user)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"detail": "Set up two-factor authentication before using the API."}, status=403)
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def user_has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class NoStoreMiddleware:
    """Pages for signed-in users may hold a child's data: browsers and proxies must not keep them,
    and signing out tells the browser to forget everything it kept for this site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in and not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
        if signed_in and request.method == "POST" and request.path == reverse("account_logout"):
            response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


class ApiRequestSizeMiddleware:
    """The API refuses a body larger than API_MAX_REQUEST_BYTES before reading it, with a 413 that
    says so (the API issue: request size limits). Django's own limit covers forms, not the JSON
    that REST framework reads from the stream."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            limit = settings.API_MAX_REQUEST_BYTES
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return JsonResponse({"detail": "The Content-Length header is not a number."}, status=400)
            if length > limit:
                return JsonResponse(
                    {"detail": f"The request body is {length:,} bytes; the API accepts at most {limit:,}."},
                    status=413,
                )
        return self.get_response(request)
