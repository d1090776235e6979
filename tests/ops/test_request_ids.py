"""Every request has an id: the proxy's if it is sane, else a new one. It comes back in the
response and is on every log line the request writes; a Celery task's lines carry the task id."""

import io
import json
import logging
import sys

import pytest
from celery import shared_task
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from ops.logs import NONE, JsonFormatter, RequestContextFilter, request_id_var

pytestmark = pytest.mark.django_db  # pages run in a transaction (ATOMIC_REQUESTS)

log = logging.getLogger("tests.ops.request_ids")


def logging_view(request):
    log.info("handling %s", request.path)
    return HttpResponse(request.request_id)


urlpatterns = [path("log-something/", logging_view)]


@pytest.fixture
def json_lines():
    """What the console handler of LOGGING would print, in JSON, gathered from our logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [log, logging.getLogger("django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


@override_settings(ROOT_URLCONF=__name__)
def test_a_sane_request_id_from_the_proxy_is_kept_and_logged(client, json_lines):
    response = client.get("/log-something/", HTTP_X_REQUEST_ID="nginx-7f3a.9_b")
    assert response["X-Request-ID"] == "nginx-7f3a.9_b"
    assert response.content == b"nginx-7f3a.9_b"  # request.request_id
    (line,) = json_lines()
    assert line["request_id"] == "nginx-7f3a.9_b"
    assert line["message"] == "handling /log-something/"
    assert line["level"] == "INFO"
    assert line["logger"] == "tests.ops.request_ids"
    assert "task_id" not in line


@pytest.mark.parametrize(
    "incoming",
    [
        "",
        "x" * 65,
        "abc def",
        "abc\r\nX-Evil: 1",
        "中文编号",
        "id;rm -rf /",
        '{"json": true}',
    ],
)
@override_settings(ROOT_URLCONF=__name__)
def test_an_insane_request_id_is_replaced_by_a_new_one(client, json_lines, incoming):
    response = client.get("/log-something/", HTTP_X_REQUEST_ID=incoming)
    made = response["X-Request-ID"]
    assert made != incoming
    assert len(made) == 32 and made.isalnum()
    assert json_lines()[0]["request_id"] == made


@override_settings(ROOT_URLCONF=__name__)
def test_each_request_gets_its_own_id_and_none_leaks_after_it(client, json_lines):
    first = client.get("/log-something/")["X-Request-ID"]
    second = client.get("/log-something/")["X-Request-ID"]
    assert first != second
    assert [line["request_id"] for line in json_lines()] == [first, second]
    assert request_id_var.get() == NONE
    log.info("outside any request")
    assert "request_id" not in json_lines()[-1]


def test_a_page_not_found_says_its_request_id_in_the_response_and_the_log(client, json_lines):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="trace-404")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "trace-404"
    # Django writes this line after the middleware has returned.
    (line,) = json_lines()
    assert (line["logger"], line["request_id"]) == ("django.request", "trace-404")
    assert line["message"] == "Not Found: /no-such-page/"


@shared_task(name="tests.ops.log_from_a_task")
def log_from_a_task() -> None:
    log.info("inside the task")


def test_a_celery_tasks_log_lines_carry_its_task_id(json_lines):
    result = log_from_a_task.apply(task_id="5b0c7a36-task")
    assert result.successful()
    (line,) = json_lines()
    assert line["task_id"] == "5b0c7a36-task"
    assert line["message"] == "inside the task"


def test_the_json_formatter_writes_one_line_with_the_exception():
    formatter = JsonFormatter()
    try:
        raise ValueError("坏的坐标")
    except ValueError:
        record = log.makeRecord(log.name, logging.ERROR, __file__, 1, "失败 %s", ("x",), None)
        record.exc_info = sys.exc_info()
    RequestContextFilter().filter(record)
    text = formatter.format(record)
    assert "\n" not in text
    entry = json.loads(text)
    assert entry["message"] == "失败 x"
    assert "ValueError: 坏的坐标" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def test_the_text_format_shows_the_ids(settings):
    formatter = logging.Formatter(settings.LOGGING["formatters"]["text"]["format"])
    record = log.makeRecord(log.name, logging.INFO, __file__, 1, "你好", (), None)
    token = request_id_var.set("req-1")
    try:
        RequestContextFilter().filter(record)
    finally:
        request_id_var.reset(token)
    assert "[req=req-1 task=-] 你好" in formatter.format(record)
