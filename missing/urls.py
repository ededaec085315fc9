"""Homeward's URLs. Every route that shows a child's data lives in an app and checks scope."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from missing.health import HealthView
from organisations import views as organisations_views
from reporting import views as reporting_views
from reporting import weekly as reporting_weekly

urlpatterns = [
    path("", reporting_views.home, name="home"),
    path("keepalive/", reporting_views.keepalive, name="keepalive"),
    path("weekly-meeting/", reporting_weekly.weekly_meeting_list, name="weekly_meeting_list"),
    path("accounts/", include("allauth.urls")),
    path("account/", organisations_views.your_account, name="your_account"),
    path("account/sessions/<int:session_id>/end/", organisations_views.session_end, name="session_end"),
    path("children/", include("children.urls")),
    path("episodes/", include("episodes.urls")),
    path("interviews/", include("interviews.urls")),
    path("privacy/", include("privacy.urls")),
    path("reporting/exports/", include("reporting.urls_exports")),
    path("reporting/dashboard/", include("reporting.urls_dashboard")),
    path("risk/", include("risk.urls")),
    path("api/v1/", include("children.api_urls")),
    path("api/v1/", include("episodes.api_urls")),
    path("api/v1/", include("interviews.api_urls")),
    path("api/v1/", include("risk.api_urls")),
    path("api/v1/", include("reporting.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("health/", HealthView.as_view(), name="health"),
]

# The admin is for administrators; production mounts it only when ADMIN_ENABLED is set. Its own
# sign-in form asks only for the password, so it sends people to Homeward's sign-in instead:
# password and TOTP code, like every other way in (security battery A5).
if settings.ADMIN_ENABLED:
    admin.site.login = secure_admin_login(admin.site.login)
    urlpatterns.append(path("admin/", admin.site.urls))
