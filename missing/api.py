"""REST framework defaults shared by every app's API."""

from django.conf import settings
from rest_framework.permissions import BasePermission


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
