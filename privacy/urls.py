from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("access-log/", views.access_log_search, name="access_log"),
    path("children/<int:pk>/restrict/", views.child_restrict, name="restrict"),
    path("children/<int:pk>/lift-restriction/", views.restriction_lift, name="lift"),
    path("children/<int:pk>/break-glass/", views.break_glass, name="break_glass"),
]
