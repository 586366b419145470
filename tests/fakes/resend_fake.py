#!/usr/bin/env python3
"""A fake Resend API (https://resend.com/docs/api-reference/emails) for the
tests: POST /emails with `Authorization: Bearer <key>` and a JSON body
{from, to (string or array, at most 50), subject, html?, text?}; 200
{"id": "<uuid>"}. The optional `Idempotency-Key` header (at most 256
characters) makes a repeat within 24 h answer the first id without sending
again. Errors as Resend writes them: {"statusCode", "name", "message"}
(401 missing_api_key, 403 invalid_api_key, 422 validation_error). Test
control under /_fake (never part of the real API):

  GET  /_fake/sent      {"mails": [{id, from, to, subject, html, text,
                         idempotency_key}], "calls": n}
  POST /_fake/fail      {"status", "count"}: the next `count` sends answer it
  POST /_fake/reset     forgets mails, calls and failures
"""
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

API_KEY = "re_test_key"
LOCK = threading.Lock()
STATE = {}


def reset():
    STATE.update(mails=[], calls=0, failures=[], keys={})


reset()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, name, message):
        self.send(status, {"statusCode": status, "name": name,
                           "message": message})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def control(self, path):
        raw = self.body()
        with LOCK:
            if path == "sent":
                return self.send(200, {"mails": STATE["mails"],
                                       "calls": STATE["calls"]})
            if path == "reset":
                reset()
                return self.send(200, {})
            if path == "fail":
                spec = json.loads(raw or b"{}")
                STATE["failures"] = [spec["status"]] * int(spec["count"])
                return self.send(200, {})
        self.send(404, {"error": "unknown control " + path})

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path.startswith("/_fake/"):
            return self.control(url.path[len("/_fake/"):])
        self.error(404, "not_found", "The requested endpoint does not exist.")

    def do_POST(self):
        url = urlsplit(self.path)
        if url.path.startswith("/_fake/"):
            return self.control(url.path[len("/_fake/"):])
        raw = self.body()
        if url.path != "/emails":
            return self.error(404, "not_found",
                              "The requested endpoint does not exist.")
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return self.error(401, "missing_api_key",
                              "Missing API key in the authorization header.")
        if auth[len("Bearer "):] != API_KEY:
            return self.error(403, "invalid_api_key", "API key is invalid")
        with LOCK:
            STATE["calls"] += 1
            if STATE["failures"]:
                status = STATE["failures"].pop(0)
                return self.error(status, "application_error",
                                  "Something went wrong.")
        try:
            mail = json.loads(raw)
        except ValueError:
            return self.error(422, "validation_error", "Invalid JSON body.")
        to = mail.get("to")
        if isinstance(to, str):
            to = [to]
        for field in ("from", "subject"):
            if not isinstance(mail.get(field), str) or not mail[field]:
                return self.error(422, "validation_error",
                                  "The `%s` field is required." % field)
        if not isinstance(to, list) or not to or len(to) > 50:
            return self.error(422, "validation_error",
                              "The `to` field must have 1 to 50 addresses.")
        key = self.headers.get("Idempotency-Key")
        if key is not None and len(key) > 256:
            return self.error(422, "invalid_idempotency_key",
                              "The key must be 1-256 characters long.")
        with LOCK:
            if key and key in STATE["keys"]:
                return self.send(200, {"id": STATE["keys"][key]})
            mail_id = str(uuid.uuid4())
            if key:
                STATE["keys"][key] = mail_id
            STATE["mails"].append({"id": mail_id, "from": mail["from"],
                                   "to": to, "subject": mail["subject"],
                                   "html": mail.get("html"),
                                   "text": mail.get("text"),
                                   "idempotency_key": key})
        self.send(200, {"id": mail_id})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("listening on http://127.0.0.1:%d" % server.server_address[1],
          flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
