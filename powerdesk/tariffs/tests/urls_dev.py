"""powerdesk.urls plus the tariffs page and API, for ``settings_dev`` (before integration)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from powerdesk.api import api
from powerdesk.tariffs.api import router

# The router must be on the API before anything builds the API's URLs (powerdesk.urls does).
if not any(registered is router for _prefix, registered in api._routers):
    api.add_router("/tariffs", router)

from powerdesk import urls as base


def _included(patterns: list[object], namespace: str) -> bool:
    return any(
        getattr(item, "namespace", None) == namespace
        or _included(list(getattr(item, "url_patterns", [])), namespace)
        for item in patterns
    )


urlpatterns = list(base.urlpatterns)
if not _included(urlpatterns, "tariffs"):
    urlpatterns += i18n_patterns(
        path("tariffs/", include("powerdesk.tariffs.urls")), prefix_default_language=False
    )

handler400 = base.handler400
handler403 = base.handler403
handler404 = base.handler404
handler500 = base.handler500
