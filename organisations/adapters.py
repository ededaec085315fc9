"""django-allauth and django-axes glue: sign-up is closed; lockouts key on the email typed."""

from allauth.account.adapter import DefaultAccountAdapter


class ClosedAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators, never by the person themselves."""

    def is_open_for_signup(self, request):
        return False


def login_username(request, credentials=None) -> str | None:
    """The account an attempt was made against, as django-axes should count it.

    allauth authenticates with `email=...`; its sign-in form posts the address as `login`.
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if value is None and request is not None:
        value = request.POST.get("login")
    return value.strip().lower() if value else None
