from django.urls import path, re_path

from . import exports, views

app_name = "reports"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("tillganglighet/", views.AccessibilityView.as_view(), name="accessibility"),
    path("personuppgifter/", views.PrivacyView.as_view(), name="privacy"),
    path("oppna-data/", views.OpenDataView.as_view(), name="open_data"),
    path("forhandsgranska/<int:pk>/", views.PledgePreviewView.as_view(), name="pledge_preview"),
    path("kommun/<slug:slug>/", views.MunicipalityView.as_view(), name="municipality"),
    path("kommun/<slug:slug>/dialoger/<int:pk>/", views.DialogueView.as_view(), name="dialogue"),
    path("kommun/<slug:slug>/tyck-till/", views.SubmissionView.as_view(), name="submission"),
    path(
        "kommun/<slug:slug>/tyck-till/tack/",
        views.SubmissionThanksView.as_view(),
        name="submission_thanks",
    ),
    re_path(
        r"^kommun/(?P<slug>[-a-zA-Z0-9_]+)/(?P<year>[0-9]{4})/$",
        views.PledgeYearView.as_view(),
        name="pledge_year",
    ),
    re_path(
        r"^kommun/(?P<slug>[-a-zA-Z0-9_]+)/(?P<year>[0-9]{4})/rapport/$",
        views.PledgeReportView.as_view(),
        name="pledge_report",
    ),
    re_path(
        r"^kommun/(?P<slug>[-a-zA-Z0-9_]+)/(?P<year>[0-9]{4})/loften\.csv$",
        exports.commitments_csv,
        name="commitments_csv",
    ),
    re_path(
        r"^kommun/(?P<slug>[-a-zA-Z0-9_]+)/(?P<year>[0-9]{4})/aktiviteter\.csv$",
        exports.activities_csv,
        name="activities_csv",
    ),
    re_path(
        r"^kommun/(?P<slug>[-a-zA-Z0-9_]+)/(?P<year>[0-9]{4})/lofte/(?P<pk>[0-9]{1,18})/aktiviteter/$",
        views.CommitmentActivitiesView.as_view(),
        name="commitment_activities",
    ),
]
