from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from grids.models import Community


def report(request: HttpRequest) -> HttpResponse:
    """Where the notice-board QR code leads. The complaint form itself arrives with the residents'
    issue; until then the page tells a resident how to reach the community's officers today."""
    code = request.GET.get("community", "")
    community = (
        Community.objects.select_related("street__district").filter(code=code).first()
        if code.isdigit() and len(code) == 12
        else None
    )
    return render(request, "cases/report.html", {"community": community})
