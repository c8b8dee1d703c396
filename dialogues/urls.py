from django.urls import path

from . import views

app_name = "dialogues"

urlpatterns = [
    path("dialoger/", views.OverviewView.as_view(), name="overview"),
    path("dialoger/ny/", views.DialogueCreateView.as_view(), name="dialogue_create"),
    path("dialoger/<int:pk>/", views.DialogueDetailView.as_view(), name="dialogue_detail"),
    path("dialoger/<int:pk>/andra/", views.DialogueUpdateView.as_view(), name="dialogue_update"),
    path(
        "dialoger/<int:dialogue>/synpunkter/ny/",
        views.ConcernCreateView.as_view(),
        name="concern_create",
    ),
    path("synpunkter/<int:pk>/andra/", views.ConcernUpdateView.as_view(), name="concern_update"),
    path("synpunkter/<int:pk>/svar/", views.ConcernAnswerView.as_view(), name="concern_answer"),
    path(
        "dialoger/<int:dialogue>/atgarder/ny/",
        views.ActionItemCreateView.as_view(),
        name="actionitem_create",
    ),
    path(
        "atgarder/<int:pk>/andra/", views.ActionItemUpdateView.as_view(), name="actionitem_update"
    ),
    path("lagesbild/ny/", views.PictureCreateView.as_view(), name="picture_create"),
    path("lagesbild/<int:pk>/", views.PictureDetailView.as_view(), name="picture_detail"),
    path("lagesbild/<int:pk>/andra/", views.PictureUpdateView.as_view(), name="picture_update"),
    path(
        "lagesbild/<int:picture>/fokusomraden/ny/",
        views.FocusAreaCreateView.as_view(),
        name="focusarea_create",
    ),
    path(
        "fokusomraden/<int:pk>/andra/", views.FocusAreaUpdateView.as_view(), name="focusarea_update"
    ),
    path("indikatorer/", views.IndicatorValueView.as_view(), name="indicators"),
    path("tyck-till/", views.ModerationListView.as_view(), name="moderation"),
    path("tyck-till/<int:pk>/", views.ModerationView.as_view(), name="moderate"),
    path("tyck-till/<int:pk>/tema/", views.SubmissionThemeView.as_view(), name="submission_theme"),
    path(
        "indikatorer/varden/<int:pk>/",
        views.IndicatorValueCorrectView.as_view(),
        name="indicatorvalue_correct",
    ),
]
