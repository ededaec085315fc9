"""URL patterns (see episodes/urls.py): uploading a police feed file and following its import."""

from django.urls import path

from . import views_import

urlpatterns = [
    path("import/", views_import.import_upload, name="import"),
    path("import/<int:pk>/", views_import.import_job, name="import_job"),
    path("import/<int:pk>/status/", views_import.import_job_status, name="import_job_status"),
    path("import/<int:pk>/rejected.csv", views_import.import_rejected, name="import_rejected"),
]
