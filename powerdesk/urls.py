from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import set_language

from powerdesk.api import api
from powerdesk.notifications import demo_inbox

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("open311/v2/", include("powerdesk.cases.open311_urls")),
]
urlpatterns += i18n_patterns(
    path("", include("powerdesk.web.urls")),
    path("staff/cases/", include("powerdesk.cases.staff_urls")),
    path("staff/notifications/", include("powerdesk.notifications.staff_urls")),
    path("staff/calls/", include("powerdesk.notifications.call_urls")),
    path("staff/demo-inbox/", demo_inbox.demo_inbox_view, name="demo_inbox"),
    path("staff/", include("powerdesk.staff.urls")),
    path("notifications/", include("powerdesk.notifications.urls")),
    path("tariffs/", include("powerdesk.tariffs.urls")),
    path("cases/", include("powerdesk.cases.urls")),
    prefix_default_language=False,
)

handler400 = "powerdesk.web.views.handler400"
handler403 = "powerdesk.web.views.handler403"
handler404 = "powerdesk.web.views.handler404"
handler500 = "powerdesk.web.views.handler500"
