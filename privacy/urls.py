from django.urls import path

from . import access_log_views, break_glass_review_views, retention_views, subject_access_views, views

app_name = "privacy"
urlpatterns = [
    path("access-log/", access_log_views.access_log_search, name="access_log"),
    path("children/<int:pk>/viewers/", access_log_views.child_viewers, name="child_viewers"),
    path("children/<int:pk>/restrict/", views.child_restrict, name="restrict"),
    path("children/<int:pk>/lift-restriction/", views.restriction_lift, name="lift"),
    path("children/<int:pk>/break-glass/", views.break_glass, name="break_glass"),
    path("break-glass-uses/", break_glass_review_views.review_list, name="break_glass_reviews"),
    path("break-glass-uses/<int:pk>/", break_glass_review_views.review, name="break_glass_review"),
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
