"""Routes of the surveys (调查表): the assessors' pages under /assessments/surveys/ and the
respondents' one-time links under /survey/<token>/. Mounted at the site's root (one line in
citymgmt/urls.py, before the assessments app's own routes)."""

from django.urls import path

from assessments import survey_views

app_name = "surveys"
urlpatterns = [
    path("assessments/surveys/", survey_views.survey_list, name="list"),
    path("assessments/surveys/new/", survey_views.survey_create, name="create"),
    path("assessments/surveys/<int:pk>/", survey_views.survey_detail, name="detail"),
    path(
        "assessments/surveys/<int:pk>/brigades/<int:brigade_pk>/",
        survey_views.survey_brigade,
        name="brigade",
    ),
    path(
        "assessments/surveys/<int:pk>/brigades/<int:brigade_pk>/print/",
        survey_views.survey_print,
        name="print",
    ),
    path("survey/thanks/", survey_views.thanks, name="thanks"),
    # <str>: any token reaches the view, which refuses what cannot be one before a query.
    path("survey/<str:token>/", survey_views.answer, name="answer"),
]
