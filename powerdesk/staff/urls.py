from django.urls import path

from powerdesk.core import views as core_views
from powerdesk.customers import views as customer_views
from powerdesk.staff import views

app_name = "staff"

urlpatterns = [
    path("login/", views.staff_login_view, name="login"),
    path("logout/", views.staff_logout_view, name="logout"),
    path("", views.staff_home_view, name="home"),
    path("totp/", views.staff_totp_setup_view, name="totp_setup"),
    path("tokens/", views.staff_tokens_view, name="tokens"),
    path("tokens/<str:prefix>/revoke/", views.staff_token_revoke_view, name="token_revoke"),
    path("audit/", views.audit_list_view, name="audit"),
    path("calendar/", core_views.calendar_view, name="calendar"),
    path("customers/", customer_views.customer_list_view, name="customers"),
    path(
        "customers/<int:customer_id>/", customer_views.customer_detail_view, name="customer_detail"
    ),
    path(
        "customers/<int:customer_id>/personal/",
        customer_views.customer_personal_view,
        name="customer_personal",
    ),
]
