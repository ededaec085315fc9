from django.urls import path

from . import retention_views, subject_access_views, views

app_name = "privacy"
urlpatterns = [
    path("access-log/", views.access_log_search, name="access_log"),
    path("children/<int:pk>/restrict/", views.child_restrict, name="restrict"),
    path("children/<int:pk>/lift-restriction/", views.restriction_lift, name="lift"),
    path("children/<int:pk>/break-glass/", views.break_glass, name="break_glass"),
    path("subject-access/", subject_access_views.request_list, name="subject_access_list"),
    path("subject-access/new/", subject_access_views.request_open, name="subject_access_new"),
    path("subject-access/<int:pk>/", subject_access_views.request_detail, name="subject_access_detail"),
    path("subject-access/<int:pk>/<str:fmt>/", subject_access_views.request_download, name="subject_access_download"),
    path("retention/", retention_views.review, name="retention_review"),
    path("retention/children/<int:pk>/", retention_views.child_retention, name="retention_child"),
    path("retention/children/<int:pk>/hold/", retention_views.hold_place, name="retention_hold"),
    path("retention/children/<int:pk>/lift-hold/", retention_views.hold_lift, name="retention_lift_hold"),
    path("retention/children/<int:pk>/delete/", retention_views.erase, name="retention_delete"),
]
