"""Receivers: note when a person signed in (for the absolute session limit), and after a change
of password or two-factor authentication deal with their other sessions (security battery S6)."""

from allauth.account.signals import password_changed, password_reset, password_set
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from missing.middleware import SESSION_STARTED_KEY

from .services import other_sessions, sessions_end_others


@receiver(user_logged_in)
def remember_sign_in_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = timezone.now().timestamp()


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def end_other_sessions_after_a_new_password(sender, request, user, **kwargs):
    """A new password ends every other session at once: whoever learnt the old one is out."""
    if request is None or not request.user.is_authenticated:
        return
    if sessions_end_others(request):
        messages.info(request, "You were signed out everywhere else: your other sessions have ended.")


@receiver(authenticator_added)
@receiver(authenticator_removed)
@receiver(authenticator_reset)
def offer_to_end_other_sessions(sender, request, user, **kwargs):
    """A change of two-factor authentication offers to end the other sessions (the offer is on
    the two-factor and 'Where you are signed in' pages)."""
    if request is None or not request.user.is_authenticated:
        return
    count = len(other_sessions(request))
    if count:
        sessions = "session" if count == 1 else "sessions"
        messages.info(
            request,
            f"Your two-factor authentication has changed. You are still signed in on {count} other "
            f"{sessions}: if that was not you, sign out of your other sessions now.",
        )
