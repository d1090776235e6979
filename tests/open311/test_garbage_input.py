"""Whatever a client sends, GeoReport v2 answers with a status from the specification and an
error list, never a 500."""

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db
PARAMS = ["service_request_id", "service_code", "start_date", "end_date", "status", "lat", "long"]
SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
values = st.dictionaries(st.sampled_from(PARAMS), st.text(max_size=40), max_size=5)


def test_garbage_queries_never_fail(client, gulou_community):
    @SETTINGS
    @given(query=values, fmt=st.sampled_from(["json", "xml"]))
    def run(query: dict, fmt: str) -> None:
        cache.clear()
        response = client.get(f"/open311/v2/requests.{fmt}", query)
        assert response.status_code in (200, 400), (query, response.content)

    run()


def test_garbage_posts_never_fail(client, api_key, gulou_community):
    fields = [*PARAMS, "address_string", "description", "media_url", "attribute[urgent]"]

    @SETTINGS
    @given(data=st.dictionaries(st.sampled_from(fields), st.text(max_size=60), max_size=6))
    def run(data: dict) -> None:
        cache.clear()
        response = client.post("/open311/v2/requests.json", {"api_key": api_key, **data})
        # 404: a service_code that is none of ours (GeoReport v2).
        assert response.status_code in (201, 400, 404), (data, response.content)
        if response.status_code in (400, 404):
            assert response.json()[0]["code"] == response.status_code
            assert response.json()[0]["description"]

    run()


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/services/%00.json",
        "/open311/v2/requests/%27%3B--.xml",
        "/open311/v2/tokens/" + "A" * 40 + ".json",
        "/open311/v2/requests/..%2F..%2Fetc.json",
    ],
)
def test_odd_paths_are_404_error_lists(client, path):
    response = client.get(path)
    assert response.status_code == 404
