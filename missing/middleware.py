"""Request middleware: session time limits, MFA for everyone, no caching of case data, and the
API's request size limit."""

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

SESSION_STARTED_KEY = "homeward_signed_in_at"
# When the idle clock was last restarted, and what was then recorded of the browser.
SESSION_RENEWED_KEY = "homeward_renewed_at"
SESSION_CLIENT_KEY = "homeward_client"
SESSION_HAS_MFA_KEY = "homeward_has_mfa"


class SessionLimitsMiddleware:
    """Ends a session after the absolute limit (a shift), however active the user has been, and
    restarts the idle clock as the user acts.

    The idle limit is the session's expiry in the database (SESSION_COOKIE_AGE from its last
    save). Saving the session, recording the browser's activity (allauth's user sessions) and
    checking the user still has an authenticator cost five writes and reads, so they happen when
    the clock was last restarted SESSION_RENEW_SECONDS ago or more, when the browser's address or
    user agent changed, or when the keep-alive asks: a session idle for SESSION_IDLE_TIMEOUT less
    SESSION_RENEW_SECONDS is always still open, and one idle for SESSION_IDLE_TIMEOUT never is.
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
            renew_session(request, now=now)
        return self.get_response(request)


def renew_session(request, *, now: float | None = None, force: bool = False) -> None:
    """Restart the idle clock (the session is saved, so its expiry moves on) and record the
    browser's activity, if due (see SessionLimitsMiddleware) or when `force`d."""
    from allauth.account.adapter import get_adapter
    from allauth.usersessions.models import UserSession

    now = timezone.now().timestamp() if now is None else now
    session = request.session
    client = [get_adapter().get_client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:200]]
    renewed = session.get(SESSION_RENEWED_KEY)
    due = renewed is None or now - renewed >= settings.SESSION_RENEW_SECONDS
    if not (force or due or session.get(SESSION_CLIENT_KEY) != client):
        return
    session[SESSION_RENEWED_KEY] = now
    session[SESSION_CLIENT_KEY] = client
    session[SESSION_HAS_MFA_KEY] = user_has_mfa(request.user)
    if session.session_key and settings.USERSESSIONS_TRACK_ACTIVITY:
        UserSession.objects.create_from_request(request)


# Paths a signed-in user without MFA may still reach: to set MFA up, or to leave.
MFA_SETUP_PREFIXES = ("/accounts/", "/static/", "/health/")


class RequireMFAMiddleware:
    """Every user must have an authenticator before using the product (HOMEWARD_REQUIRE_MFA).

    Whether they have one is read when the session is renewed (SessionLimitsMiddleware), and
    read again on each request until they have."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.HOMEWARD_REQUIRE_MFA
            and request.user.is_authenticated
            and not request.path.startswith(MFA_SETUP_PREFIXES)
            and not session_user_has_mfa(request)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"detail": "Set up two-factor authentication before using the API."}, status=403)
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def user_has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_user_has_mfa(request) -> bool:
    """Whether the signed-in user has an authenticator, as read at the session's last renewal;
    read afresh while they had none."""
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_HAS_MFA_KEY):
        return True
    has_mfa = user_has_mfa(request.user)
    if has_mfa and session is not None:
        session[SESSION_HAS_MFA_KEY] = True
    return has_mfa


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
