"""The unread count beside the inbox link, on every page."""

from django.utils.functional import SimpleLazyObject

from .selectors import unread_notifications


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    # Counted when the page shows it, unless the view counted it already with its other counts
    # (the home page: its context is read before this one).
    return {"unread_notifications": SimpleLazyObject(lambda: unread_notifications(user).count())}
