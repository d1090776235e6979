"""A reference webhook receiver, to develop an integration against and for the tests: it
verifies each delivery with the ``standardwebhooks`` library, drops repeats by ``webhook-id`` and
shows what it received. It does not need Django::

    python -m webhooks.receiver --port 8765 --secret whsec_…

``GET /`` lists the deliveries, ``GET /received.json`` returns them; ``POST /control`` with
``{"status": 503}`` makes it answer that status from then on (``{"status": 204}`` to recover).
A bad or stale signature is answered 401 and not kept.
"""

import argparse
import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class State:
    def __init__(self, secret: str) -> None:
        self.webhook = Webhook(secret)
        self.lock = threading.Lock()
        self.received: list[dict] = []
        self.seen: set[str] = set()
        self.refused = 0
        self.status = 204


def handler_for(state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: bytes = b"", kind: str = "application/json"):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            with state.lock:
                rows = list(state.received)
                refused = state.refused
            if self.path.startswith("/received.json"):
                body = {"received": rows, "refused": refused}
                self._answer(200, json.dumps(body, ensure_ascii=False).encode())
                return
            items = "".join(
                f"<tr><td>{html.escape(r['id'])}</td><td>{html.escape(r['type'])}</td>"
                f"<td><pre>{html.escape(json.dumps(r['payload'], ensure_ascii=False))}</pre>"
                "</td></tr>"
                for r in rows
            )
            page = (
                "<!doctype html><meta charset=utf-8><title>webhook receiver</title>"
                f"<h1>{len(rows)} received, {refused} refused</h1><table>{items}</table>"
            )
            self._answer(200, page.encode(), "text/html; charset=utf-8")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/control"):
                with state.lock:
                    state.status = int(json.loads(body or b"{}").get("status", 204))
                self._answer(204)
                return
            with state.lock:
                status = state.status
            if status >= 300:
                self._answer(status)
                return
            try:
                payload = state.webhook.verify(body, dict(self.headers))
            except (WebhookVerificationError, ValueError):
                with state.lock:
                    state.refused += 1
                self._answer(401, b'{"error":"bad signature"}')
                return
            message_id = self.headers["webhook-id"]
            with state.lock:
                if message_id not in state.seen:
                    state.seen.add(message_id)
                    state.received.append(
                        {"id": message_id, "type": payload.get("type", ""), "payload": payload}
                    )
            self._answer(204)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), handler_for(State(args.secret)))
    print(f"webhook receiver on http://{args.host}:{server.server_address[1]}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
