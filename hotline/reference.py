"""A reference 12345 hotline platform to develop and test the connector against: a separate
process, the standard library and ``standardwebhooks`` only (no Django)::

    python -m hotline.reference --port 8765 --app http://127.0.0.1:8000 \\
        --secret whsec_... [--store var/hotline-reference.jsonl]

It plays the platform's side of docs/hotline.md:

- **pushes** (signed) to the app: ``POST /push/order``, ``/push/urge``, ``/push/callback``,
  ``/push/cancel`` take the call's JSON body (``/push/order`` fills in what is left out), sign
  it and send it to the app; the app's status and body come back. The form on ``/`` does the
  same. ``webhook-id`` may be given in the body as ``"_id"`` to send the same call again.
- **receives** the app's write-backs on ``POST /writeback``, verifies their signature (401 when
  it does not hold, as a platform would) and keeps them, a repeat of a ``webhook-id`` counted
  but not kept twice; ``GET /`` shows them, ``GET /received.json`` lists them. With ``--store``
  they are appended to a JSON-lines file and read back at start, so a restarted platform still
  knows what it received.
- ``GET /healthz`` answers ``ok``.

The secret and addresses may also come from ``HOTLINE_SECRET``, ``HOTLINE_APP_URL``,
``HOTLINE_REFERENCE_PORT`` and ``HOTLINE_REFERENCE_STORE``.
"""

import argparse
import datetime
import html
import json
import os
import threading
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

PUSH_PATHS = {
    "order": "/api/v1/hotline/orders/",
    "urge": "/api/v1/hotline/orders/{order_id}/urge/",
    "callback": "/api/v1/hotline/orders/{order_id}/callback/",
    "cancel": "/api/v1/hotline/orders/{order_id}/cancel/",
}


class Platform:
    """What the reference platform knows: its secret, the app's address, what it received."""

    def __init__(self, *, secret: str, app_url: str, store: Path | None = None) -> None:
        self.webhook = Webhook(secret)
        self.app_url = app_url.rstrip("/")
        self.store = store
        self.lock = threading.Lock()
        self.received: list[dict[str, Any]] = []
        self.seen: set[str] = set()
        self.repeats = 0
        self.refused = 0
        if store is not None and store.exists():
            for line in store.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    item = json.loads(line)
                    self.received.append(item)
                    self.seen.add(item["id"])

    # --- receiving --------------------------------------------------------------------------

    def receive(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        try:
            payload = self.webhook.verify(body, headers)
        except (WebhookVerificationError, ValueError) as error:
            with self.lock:
                self.refused += 1
            return 401, {"error": f"signature refused: {error}"}
        message_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
        with self.lock:
            if message_id in self.seen:
                self.repeats += 1
                return 200, {"ok": True, "repeat": True}
            item = {
                "id": message_id,
                "received_at": datetime.datetime.now(datetime.UTC).isoformat(),
                "type": payload.get("type"),
                "payload": payload,
            }
            self.seen.add(message_id)
            self.received.append(item)
            if self.store is not None:
                with self.store.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(item, ensure_ascii=False) + "\n")
        return 200, {"ok": True}

    # --- pushing ----------------------------------------------------------------------------

    def push(self, kind: str, body: dict[str, Any]) -> tuple[int, Any]:
        message_id = str(body.pop("_id", "") or f"msg_{uuid.uuid4().hex}")
        if kind == "order":
            body = {**example_order(), **body}
            path = PUSH_PATHS[kind]
        else:
            path = PUSH_PATHS[kind].format(order_id=body.pop("order_id", ""))
        data = json.dumps(body, ensure_ascii=False).encode()
        now = datetime.datetime.now(datetime.UTC)
        headers = {
            "Content-Type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self.webhook.sign(message_id, now, data),
        }
        request = urllib.request.Request(
            self.app_url + path, data=data, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, _json_or_text(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _json_or_text(error.read())
        except OSError as error:
            return 502, {"error": f"the app is unreachable: {error}"}

    def listing(self) -> dict[str, Any]:
        with self.lock:
            return {
                "received": list(self.received),
                "repeats": self.repeats,
                "refused": self.refused,
            }


def _json_or_text(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def example_order() -> dict[str, Any]:
    """A work order as the platform sends one; a push overrides any field."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S")
    return {
        "order_id": f"GD{stamp}{uuid.uuid4().hex[:4].upper()}",
        "content": "市民来电反映：小区门口垃圾堆积多日无人清理，气味很大。",
        "category_code": "0301",
        "category_name": "环境卫生",
        "address": "泰山社区门口",
        "caller_name": "刘女士",
        "caller_phone": "13800001234",
        "urgent": False,
        "attachments": [],
    }


PAGE = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<title>12345 reference platform</title></head><body>
<h1>12345 reference platform</h1>
<p>App: {app} · received {count} · repeats {repeats} · signatures refused {refused}</p>
<form method="post" action="/push/order"><fieldset><legend>Push an order</legend>
<textarea name="json" rows="6" cols="80">{example}</textarea><br>
<button type="submit">Push</button></fieldset></form>
<h2>Received write-backs</h2>
<table border="1" cellpadding="4"><thead><tr><th>webhook-id</th><th>type</th><th>order</th>
<th>payload</th></tr></thead><tbody>{rows}</tbody></table></body></html>"""


def make_handler(platform: Platform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "hotline-reference/1"

        def log_message(self, format: str, *args: Any) -> None:  # quieter than stderr per hit
            if os.environ.get("HOTLINE_REFERENCE_VERBOSE"):
                super().log_message(format, *args)

        def _answer(self, status: int, body: Any, content_type: str = "application/json") -> None:
            raw = (
                body.encode()
                if isinstance(body, str)
                else json.dumps(body, ensure_ascii=False).encode()
            )
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            if self.path == "/healthz":
                self._answer(200, "ok", "text/plain")
            elif self.path == "/received.json":
                self._answer(200, platform.listing())
            elif self.path == "/":
                listing = platform.listing()
                rows = "".join(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td><pre>{}</pre></td></tr>".format(
                        html.escape(item["id"]),
                        html.escape(str(item["type"])),
                        html.escape(str(item["payload"].get("data", {}).get("order_id", ""))),
                        html.escape(json.dumps(item["payload"], ensure_ascii=False, indent=1)),
                    )
                    for item in reversed(listing["received"])
                )
                page = PAGE.format(
                    app=html.escape(platform.app_url),
                    count=len(listing["received"]),
                    repeats=listing["repeats"],
                    refused=listing["refused"],
                    example=html.escape(json.dumps(example_order(), ensure_ascii=False)),
                    rows=rows,
                )
                self._answer(200, page, "text/html")
            else:
                self._answer(404, {"error": "not found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.path == "/writeback":
                status, body = platform.receive(raw, dict(self.headers.items()))
                self._answer(status, body)
                return
            kind = self.path.removeprefix("/push/")
            if not self.path.startswith("/push/") or kind not in PUSH_PATHS:
                self._answer(404, {"error": "not found"})
                return
            content_type = self.headers.get("Content-Type", "")
            try:
                if content_type.startswith("application/x-www-form-urlencoded"):
                    body = json.loads(parse_qs(raw.decode())["json"][0])
                else:
                    body = json.loads(raw or b"{}")
            except (ValueError, KeyError):
                self._answer(400, {"error": "send a JSON object"})
                return
            status, answer = platform.push(kind, body)
            self._answer(200, {"status": status, "body": answer})

    return Handler


def serve(platform: Platform, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), make_handler(platform))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A reference 12345 hotline platform.")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("HOTLINE_REFERENCE_PORT", "8765"))
    )
    parser.add_argument("--host", default=os.environ.get("HOTLINE_REFERENCE_HOST", "127.0.0.1"))
    parser.add_argument("--app", default=os.environ.get("HOTLINE_APP_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--secret", default=os.environ.get("HOTLINE_SECRET", ""))
    parser.add_argument("--store", default=os.environ.get("HOTLINE_REFERENCE_STORE", ""))
    args = parser.parse_args(argv)
    if not args.secret:
        parser.error("give --secret or HOTLINE_SECRET (the same as the app's)")
    platform = Platform(
        secret=args.secret, app_url=args.app, store=Path(args.store) if args.store else None
    )
    server = serve(platform, args.port, args.host)
    print(f"12345 reference platform on http://{args.host}:{args.port}/ → {args.app}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
