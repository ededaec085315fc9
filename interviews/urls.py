from django.urls import path

from . import views

app_name = "interviews"
urlpatterns = [
    path("", views.interview_list, name="list"),
    path("caseload/", views.caseload, name="caseload"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("<int:pk>/", views.interview_detail, name="detail"),
    path("<int:pk>/triage/", views.interview_triage, name="triage"),
    path("<int:pk>/allocate/", views.interview_allocate, name="allocate"),
    path("<int:pk>/attempt/", views.interview_attempt, name="attempt"),
    path("<int:pk>/outcome/", views.interview_outcome, name="outcome"),
    path("<int:pk>/record/", views.interview_record, name="record"),
    path("<int:pk>/review/", views.interview_review, name="review"),
    path("returns/<int:episode_pk>/visit/", views.social_worker_visit, name="visit"),
    path("<int:pk>/record.pdf", views.interview_pdf_download, name="pdf"),
]
