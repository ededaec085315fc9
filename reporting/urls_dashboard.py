from django.urls import path

from . import dashboard_views, pack_views

app_name = "reporting"
urlpatterns = [
    path("", dashboard_views.dashboard_page, name="dashboard"),
    path("records/", dashboard_views.dashboard_records, name="dashboard_records"),
    path("pack/", pack_views.pack_new, name="pack_new"),
    path("pack/<int:pk>/", pack_views.pack_detail, name="pack_detail"),
    path("pack/<int:pk>/status/", pack_views.pack_status, name="pack_status"),
    path("pack/<int:pk>/<str:kind>/", pack_views.pack_download, name="pack_download"),
]
