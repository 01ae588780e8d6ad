"""Staff case pages: intake, queues, case page, dashboard (mounted at /staff/cases/)."""

from django.urls import URLPattern, path

from powerdesk.cases import staff_views as views

app_name = "cases_staff"

urlpatterns: list[URLPattern] = [
    path("", views.case_queue_view, name="queue"),
    path("mine/", views.case_mine_view, name="mine"),
    path("notices/<int:notice_id>/read/", views.staff_notice_read_view, name="notice_read"),
    path("overdue/", views.case_overdue_view, name="overdue"),
    path("bulk-assign/", views.case_bulk_reassign_view, name="bulk_assign"),
    path("intake/", views.case_intake_view, name="intake"),
    path("intake/kind/", views.case_intake_kind_view, name="intake_kind"),
    path("intake/customers/", views.case_intake_customer_view, name="intake_customers"),
    path("dashboard/", views.case_dashboard_view, name="dashboard"),
    path("catalogue/", views.catalogue_list_view, name="catalogue"),
    path("catalogue/<slug:code>/", views.catalogue_kind_view, name="catalogue_kind"),
    path("attachments/<int:pk>/", views.case_attachment_view, name="attachment"),
    path("<str:number>/", views.case_detail_view, name="case"),
    path("<str:number>/receipt.pdf", views.case_receipt_view, name="receipt"),
    path("<str:number>/personal/", views.case_personal_view, name="personal"),
    path("<str:number>/state/", views.case_transition_view, name="transition"),
    path("<str:number>/assign/", views.case_assign_view, name="assign"),
    path("<str:number>/transfer/", views.case_transfer_view, name="transfer"),
    path("<str:number>/note/", views.case_note_view, name="note"),
    path("<str:number>/pause/", views.case_pause_view, name="pause"),
    path("<str:number>/resume/", views.case_resume_view, name="resume"),
    path("<str:number>/supply-date/", views.case_supply_date_view, name="supply_date"),
    path("<str:number>/attachments/", views.case_attachment_add_view, name="attachment_add"),
]
