"""Routes of the shops app (门前三包 pledges, points and cards, graduated enforcement)."""

from django.urls import path

import citymgmt.converters  # noqa: F401  (registers <ticket:…>)
from shops import views

app_name = "shops"
urlpatterns = [
    path("", views.merchant_list, name="list"),
    path("new/", views.merchant_new, name="new"),
    path("import/", views.import_merchants, name="import"),
    path("import/template.<slug:fmt>", views.import_template, name="import_template"),
    # Under stats/: a bare number here is a shop (/shops/721/ is shop 721, not the 721 split).
    path("stats/721/", views.split_721, name="split_721"),
    path("<int:pk>/", views.merchant_detail, name="detail"),
    path("<int:pk>/pledge/", views.pledge_new, name="pledge_new"),
    path("<int:pk>/volunteer/", views.volunteer_new, name="volunteer_new"),
    path("<int:pk>/door-card/", views.door_card, name="door_card"),
    path("<int:pk>/door-card/qr.png", views.door_card_png, name="door_card_png"),
    path("pledges/<int:pk>/print/", views.pledge_print, name="pledge_print"),
    path("pledges/<int:pk>/scan/", views.pledge_scan, name="pledge_scan"),
    path("pledges/<int:pk>/scan/<str:size>/", views.pledge_scan, name="pledge_scan_size"),
    path("s/<slug:slug>/", views.public, name="public"),
    path("offence/<ticket:number>/", views.record_offence, name="record_offence"),
]
