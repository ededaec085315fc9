"""API routes for police reports and episodes."""

urlpatterns = []
