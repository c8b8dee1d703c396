from django.urls import path

from . import amend_views, paste_views, revision_views, views

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
    # The guided revision (pledges.revision_views).
    path(
        "revidering/revidera/<int:pk>/",
        revision_views.RevisionStartView.as_view(),
        name="revision_start",
    ),
    path("revidering/nytt/", revision_views.FirstPledgeView.as_view(), name="revision_first"),
    path("revidering/<int:pk>/", revision_views.TaskListView.as_view(), name="revision"),
    path(
        "revidering/<int:pk>/period/",
        revision_views.PeriodStepView.as_view(),
        name="revision_period",
    ),
    path(
        "revidering/<int:pk>/lofte/<int:previous>/",
        revision_views.PromiseStepView.as_view(),
        name="revision_promise",
    ),
    path(
        "revidering/<int:pk>/nya-loften/",
        revision_views.NewPromisesView.as_view(),
        name="revision_new",
    ),
    path(
        "revidering/<int:pk>/nya-loften/<int:commitment>/",
        revision_views.NewPromiseEditView.as_view(),
        name="revision_new_edit",
    ),
    path(
        "revidering/<int:pk>/nya-loften/<int:commitment>/ta-bort/",
        revision_views.NewPromiseRemoveView.as_view(),
        name="revision_new_remove",
    ),
    path(
        "revidering/<int:pk>/underskrifter/",
        revision_views.SigningStepView.as_view(),
        name="revision_signing",
    ),
    path(
        "revidering/<int:pk>/granska/",
        revision_views.ReviewView.as_view(),
        name="revision_review",
    ),
    path(
        "revidering/<int:pk>/publicera/",
        revision_views.PublishView.as_view(),
        name="revision_publish",
    ),
]
