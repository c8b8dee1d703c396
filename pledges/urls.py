from django.urls import path

from . import amend_views, paste_views, views

app_name = "pledges"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("aktiviteter/", views.ActivityListView.as_view(), name="activity_list"),
    path("aktiviteter/export/", views.activity_export, name="activity_export"),
    path("aktiviteter/importera/", views.ActivityImportView.as_view(), name="activity_import"),
    path("aktiviteter/ny/", views.ActivityCreateView.as_view(), name="activity_create"),
    path("aktiviteter/<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("aktiviteter/<int:pk>/andra/", views.ActivityUpdateView.as_view(), name="activity_update"),
    path(
        "aktiviteter/<int:pk>/stall-in/", views.ActivityCancelView.as_view(), name="activity_cancel"
    ),
    path("plan/<int:pk>/", views.PlanView.as_view(), name="plan"),
    path("plan/<int:pk>/plan.ics", views.PlanCalendarView.as_view(), name="plan_calendar"),
    path("plan/<int:pk>/genomforda/", views.PlanMarkDoneView.as_view(), name="plan_mark_done"),
    path(
        "plan/<int:pk>/uppfoljning/",
        views.PledgeFollowUpView.as_view(),
        name="pledge_followup",
    ),
    path(
        "plan/<int:pk>/uppfoljning/<str:start>/",
        views.PeriodFollowUpView.as_view(),
        name="period_followup",
    ),
    path(
        "lofte/<int:pk>/uppfoljning/",
        views.CommitmentFollowUpView.as_view(),
        name="commitment_followup",
    ),
    path(
        "lofte/<int:pk>/uppfoljning/<str:start>/",
        views.FollowUpView.as_view(),
        name="followup_edit",
    ),
    path(
        "lofte/<int:pk>/bedomning/<str:start>/",
        views.VerdictView.as_view(),
        name="verdict_edit",
    ),
    path(
        "revidering/<int:pk>/klistra-in/",
        paste_views.PasteView.as_view(),
        name="revision_paste",
    ),
    path(
        "lofte/<int:pk>/andra-mal/",
        amend_views.CommitmentAmendView.as_view(),
        name="commitment_amend",
    ),
]
