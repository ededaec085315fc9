from django.urls import path

from . import dashboard_views

app_name = "reporting"
urlpatterns = [
    path("", dashboard_views.dashboard_page, name="dashboard"),
    path("records/", dashboard_views.dashboard_records, name="dashboard_records"),
]
