from rest_framework.routers import SimpleRouter

from .api import EscalationViewSet, MeetingViewSet

router = SimpleRouter()
router.register("escalations", EscalationViewSet, basename="api-escalations")
router.register("meetings", MeetingViewSet, basename="api-meetings")
urlpatterns = router.urls
