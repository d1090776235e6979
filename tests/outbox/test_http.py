"""Signed HTTP delivery: the receiver can verify the Standard Webhooks signature with the
published library, and the answer decides between delivered, retry and give up."""

import http.server
import threading

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from outbox import channels
from outbox.http import HttpError, post_signed

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Receiver(http.server.BaseHTTPRequestHandler):
    status = 204
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    Receiver.status = 204
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", Receiver
    server.shutdown()


def test_a_signed_post_verifies_with_the_standard_webhooks_library(receiver):
    url, handler = receiver

    assert post_signed(url, SECRET, "outbox:7", {"type": "ticket.created", "数": 1}) == 204

    headers, body = handler.received[0]
    assert Webhook(SECRET).verify(body, headers) == {"type": "ticket.created", "数": 1}
    assert {k.lower(): v for k, v in headers.items()}["webhook-id"] == "outbox:7"
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body.replace(b"1", b"2"), headers)


def test_a_server_error_is_worth_another_attempt(receiver):
    url, handler = receiver
    handler.status = 503

    with pytest.raises(HttpError) as failure:
        post_signed(url, SECRET, "outbox:8", {})
    assert failure.value.response_code == 503


def test_a_refusal_is_permanent(receiver):
    url, handler = receiver
    handler.status = 410

    with pytest.raises(channels.Permanent):
        post_signed(url, SECRET, "outbox:9", {})


def test_nobody_listening_is_worth_another_attempt():
    with pytest.raises(HttpError):
        post_signed("http://127.0.0.1:9/", SECRET, "outbox:10", {}, timeout=2)
