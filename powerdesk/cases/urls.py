"""Public case pages: application form and progress lookup (mounted at /cases/)."""

from django.urls import URLPattern, path

from powerdesk.cases import views

app_name = "cases"

urlpatterns: list[URLPattern] = [
    path("", views.cases_index_view, name="index"),
    # The receipt's QR code opens this page (selectors.tracking_path builds it).
    path("t/<str:token>/", views.case_track_view, name="track"),
    path("t/<str:token>/receipt/", views.case_receipt_view, name="receipt"),
    path("t/<str:token>/receipt.pdf", views.case_receipt_pdf_view, name="receipt_pdf"),
    path("track/", views.case_lookup_view, name="lookup"),
    path("apply/", views.case_apply_view, name="apply"),
    path("apply/verify/", views.case_apply_verify_view, name="apply_verify"),
    path("averages/", views.case_averages_view, name="averages"),
]
