"""URL patterns (see episodes/urls.py): records waiting for a coordinator to confirm the child."""

from django.urls import path

from . import views_matching

urlpatterns = [
    path("to-confirm/", views_matching.held_list, name="held_list"),
    path("to-confirm/<int:pk>/", views_matching.held_detail, name="held_detail"),
]
