from django.contrib import admin
from django.urls import include, path

from dudao import (
    converters,  # noqa: F401  (registers <year:…> and <id:…> before any app's URLs load)
    views,
)
from dudao.api.api import api
from dudao.ops.views import healthz
from dudao.orgs.urls import auth_urlpatterns
from dudao.security import accounts
from dudao.surveys.urls import public_urlpatterns

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("go/region/<str:code>/", views.region_latest, name="region_latest"),
    path("go/school/<str:code>/", views.school_latest, name="school_latest"),
    path("accounts/", include(auth_urlpatterns)),  # first: the login knows temporary passwords (orgs)
    path("accounts/", include(accounts.urlpatterns())),
    path("i18n/", include("django.conf.urls.i18n")),
    path("census/", include("dudao.census.urls")),
    path("evaluation/", include("dudao.evaluation.urls")),
    path("overview/", include("dudao.overview.urls")),
    path("notifications/", include("dudao.notifications.urls")),
    path("rectification/", include("dudao.rectification.urls")),
    path("surveys/", include("dudao.surveys.urls")),
    path("", include((public_urlpatterns, "surveys_public"))),
    path("reports/", include("dudao.reports.urls")),
    path("briefings/", include("dudao.briefings.urls")),
    path("evidence/", include("dudao.evidence.urls")),
    path("planning/", include("dudao.planning.urls")),
    path("jobs/", include("dudao.jobs.urls")),
    path("orgs/", include("dudao.orgs.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
