"""URL patterns (see episodes/urls.py): the list, an episode and the forms that change one."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.episode_list, name="list"),
    path("new/", views.episode_create, name="create"),
    path("new/away/", views.episode_create_away, name="create_away"),
    path("<int:pk>/", views.episode_detail, name="detail"),
    path("<int:pk>/return/", views.episode_record_return, name="record_return"),
    path("<int:pk>/reclassify/", views.episode_reclassify, name="reclassify"),
    path("<int:pk>/safe-and-well/", views.episode_safe_and_well, name="safe_and_well"),
    path("<int:pk>/close/", views.episode_close, name="close"),
    path("<int:pk>/reopen/", views.episode_reopen, name="reopen"),
]
