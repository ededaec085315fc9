from rest_framework.routers import SimpleRouter

from .api import ReturnInterviewViewSet

router = SimpleRouter()
router.register("return-interviews", ReturnInterviewViewSet, basename="api-return-interviews")
urlpatterns = router.urls
