from django.urls import path

from .api import SummaryView

urlpatterns = [
    path("reports/summary/", SummaryView.as_view(), name="api-reports-summary"),
]
