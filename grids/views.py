import mimetypes

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control

from citymgmt.images import image_response
from grids import selectors
from grids.maps import tile_config
from grids.qr import public_url, qr_png, qr_svg, report_url_for


def board_index(request: HttpRequest) -> HttpResponse:
    return render(request, "grids/board_index.html", {"districts": selectors.board_index()})


def community_board(request: HttpRequest, code: str) -> HttpResponse:
    community = selectors.community_for_board(code)
    today = timezone.localdate()
    report_url = report_url_for(request, community.code)
    return render(
        request,
        "grids/community_board.html",
        {
            "community": community,
            "postings": selectors.board_postings(community, today),
            "report_url": report_url,
            "qr_svg": qr_svg(report_url),
            "today": today,
            "map_config": {
                "cells": selectors.community_cells_geojson(community),
                **tile_config(),
            },
        },
    )


@cache_control(public=True, max_age=3600)
def community_qr_png(request: HttpRequest, code: str) -> HttpResponse:
    community = selectors.community_for_board(code)
    response = HttpResponse(qr_png(report_url_for(request, community.code)), "image/png")
    response["Content-Disposition"] = f'inline; filename="qr-{community.code}.png"'
    return response


def officer_photo(request: HttpRequest, badge_number: str) -> FileResponse:
    """The portrait on a public board: only of officers with a current posting, never by a
    public media URL (production serves no MEDIA_ROOT)."""
    officer, _postings = selectors.officer_for_card(badge_number, timezone.localdate())
    content_type = mimetypes.guess_type(officer.photo.name or "")[0] or "application/octet-stream"
    return image_response(officer.photo, content_type, public=True)


def contact_card(request: HttpRequest, badge_number: str) -> HttpResponse:
    """The printable 服务联系卡 an officer hands to residents and shops."""
    officer, postings = selectors.officer_for_card(badge_number, timezone.localdate())
    first = postings[0].community
    board_url = public_url(request, first.get_absolute_url())
    return render(
        request,
        "grids/contact_card.html",
        {
            "officer": officer,
            "postings": postings,
            "report_url": report_url_for(request, first.code),
            "qr_svg": qr_svg(report_url_for(request, first.code), scale=3),
            "board_url": board_url,
        },
    )
