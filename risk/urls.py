from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("escalations/", views.escalation_list, name="escalation_list"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation_detail"),
    path("escalations/<int:pk>/acknowledge/", views.escalation_acknowledge, name="escalation_acknowledge"),
    path("escalations/<int:pk>/task/done/", views.task_done, name="task_done"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/held/", views.meeting_held, name="meeting_held"),
    path("meetings/<int:pk>/not-needed/", views.meeting_not_needed, name="meeting_not_needed"),
    path("meetings/<int:pk>/invite/", views.meeting_invitee, name="meeting_invitee"),
    path("meetings/<int:pk>/records/<int:record_pk>/", views.meeting_record, name="meeting_record"),
    path("meetings/<int:pk>/records/<int:record_pk>/actions/new/", views.meeting_action_add, name="meeting_action_add"),
    path("meetings/<int:pk>/actions/<int:action_pk>/done/", views.meeting_action_complete, name="meeting_action_done"),
    path("meetings/<int:pk>/meeting.pdf", views.meeting_pdf_download, name="meeting_pdf"),
    path("children/<int:child_pk>/assessments/", views.assessment_list, name="assessment_list"),
    path("children/<int:child_pk>/assessments/new/", views.assessment_start, name="assessment_start"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("assessments/<int:pk>/sign/", views.assessment_sign, name="assessment_sign"),
]
