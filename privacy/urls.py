from django.urls import path

from privacy import views

app_name = "privacy"
# Under /track/ with the residents' pages; included before cases.urls, whose track/<code>/
# would otherwise take "erase" for a code.
urlpatterns = [
    path("track/erase/", views.erase_contact, name="erase"),
    path("track/erase/done/", views.erase_done, name="erase_done"),
]
