"""URL patterns (see episodes/urls.py)."""

urlpatterns = []
