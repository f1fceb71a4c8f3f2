from django.urls import include, path
from django.views.i18n import set_language

from kaimen.api import api
from kaimen.core import views as core_views

urlpatterns = [
    path("", include("kaimen.core.urls")),
    path("org/", include("kaimen.org.urls")),
    path("audit/", include("kaimen.audit.urls")),
    path("ledger/", include("kaimen.ledger.urls")),
    path("targets/", include("kaimen.targets.urls")),
    path("evaluation/", include("kaimen.evaluation.urls")),
    path("accountability/", include("kaimen.accountability.urls")),
    path("briefings/", include("kaimen.briefings.urls")),
    path("briefings/", include("kaimen.notifications.urls")),  # the inbox, channels, deliveries
    path("dashboard/", include("kaimen.briefings.dashboard_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", core_views.healthz, name="healthz"),
    path("api/", api.urls),
]

# No Django admin is mounted: every write goes through a service that checks permission and
# writes its audit event, and the admin would be a second door around both.
handler404 = "kaimen.core.views.error_404"
handler500 = "kaimen.core.views.error_500"
