"""Changes of state to people's accounts: ending their sessions (security battery S5, S6).

A session is a row of allauth's `UserSession` beside Django's database session; ending one deletes
both, so the next request with its cookie is sent to sign in."""

from allauth.usersessions.internal.flows.sessions import end_sessions
from allauth.usersessions.models import UserSession
from django.http import Http404


def session_end(request, session_id: int) -> UserSession:
    """End one of the signed-in person's own sessions (their other browser or device). Another
    person's session, or one that has already ended, is a 404: ids reveal nothing. Ending the
    current session signs the person out."""
    session = UserSession.objects.filter(user_id=request.user.pk, pk=session_id).first()
    if session is None or session.purge():
        raise Http404("No such session.")
    end_sessions(request, [session])
    return session


def sessions_end_all(user) -> int:
    """End every session of `user` (an administrator's action when someone leaves or a laptop
    is stolen); answers how many there were. Their next request, anywhere, is sent to sign in."""
    sessions = UserSession.objects.purge_and_list(user)
    for session in sessions:
        session.end()
    return len(sessions)


def sessions_end_others(request) -> int:
    """End every session of the signed-in person but this one, whether or not it is still valid
    (after a new password none is); answers how many were still in the session store."""
    others = _other_rows(request)
    live = [session for session in others if session.exists()]
    for session in others:
        session.end()
    return len(live)


def other_sessions(request) -> list[UserSession]:
    """The signed-in person's live sessions other than this one, oldest first. This session is
    left untouched: checking it against a just-changed password would end it."""
    return sorted((s for s in _other_rows(request) if not s.purge()), key=lambda s: s.created_at)


def _other_rows(request):
    return UserSession.objects.filter(user_id=request.user.pk).exclude(session_key=request.session.session_key)
