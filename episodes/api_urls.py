"""API routes for police reports and episodes."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import EpisodeViewSet, PoliceReportView

router = SimpleRouter()
router.register("episodes", EpisodeViewSet, basename="api-episodes")
urlpatterns = [
    path("police-reports/", PoliceReportView.as_view(), name="api-police-reports"),
    *router.urls,
]
