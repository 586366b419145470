#!/usr/bin/env python3
"""A fake S3-compatible object store (MinIO-like) for the tests.

Path-style addressing (`/<bucket>/<key>`): CreateBucket (PUT /<bucket>),
PutObject, GetObject and DeleteObject. Every request must carry a valid
AWS Signature Version 4 (`Authorization: AWS4-HMAC-SHA256 ...`) for the
access key `test-access` / secret `test-secret-key`, region `us-east-1`,
service `s3`, with `x-amz-content-sha256` equal to the body's SHA-256;
otherwise S3's XML errors (403 SignatureDoesNotMatch, 400
XAmzContentSHA256Mismatch, 404 NoSuchBucket / NoSuchKey). Test control
under /_fake (never part of the real API):

  GET  /_fake/stats     {"calls": [{"method", "path", "status"}],
                         "objects": {"<bucket>/<key>": {"content_type", "size"}}}
  GET  /_fake/object?key=<bucket>/<key>   the stored bytes
  POST /_fake/fail      {"status", "count"}: the next `count` calls answer it
                        (instead of what was asked before; 0 = none)
  POST /_fake/reset     forgets calls, failures, buckets and objects
"""
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

ACCESS_KEY = "test-access"
SECRET_KEY = "test-secret-key"
REGION = "us-east-1"

LOCK = threading.Lock()
STATE = {"calls": [], "buckets": set(), "objects": {}, "failures": []}


def reset():
    STATE.update(calls=[], buckets=set(), objects={}, failures=[])


def xml_error(code, message):
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code>"
            "<Message>%s</Message></Error>" % (code, message)).encode()


def signing_key(date):
    key = ("AWS4" + SECRET_KEY).encode()
    for part in (date, REGION, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def canonical_query(query):
    pairs = []
    for name, values in parse_qs(query, keep_blank_values=True).items():
        for value in values:
            pairs.append((quote(name, safe="-_.~"), quote(value, safe="-_.~")))
    return "&".join("%s=%s" % p for p in sorted(pairs))


def signature_problem(handler, body):
    """None when the request is signed right, else (status, code, message)."""
    auth = handler.headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return 403, "AccessDenied", "no signature"
    fields = dict(part.strip().split("=", 1)
                  for part in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    credential = fields.get("Credential", "").split("/")
    if len(credential) != 5 or credential[0] != ACCESS_KEY:
        return 403, "InvalidAccessKeyId", "unknown access key"
    _, date, region, service, terminal = credential
    if region != REGION or service != "s3" or terminal != "aws4_request":
        return 403, "SignatureDoesNotMatch", "bad credential scope"
    payload_hash = handler.headers.get("x-amz-content-sha256")
    if payload_hash is None:
        return 400, "InvalidRequest", "missing x-amz-content-sha256"
    if payload_hash != "UNSIGNED-PAYLOAD" and \
            payload_hash != hashlib.sha256(body).hexdigest():
        return 400, "XAmzContentSHA256Mismatch", "payload hash mismatch"
    signed = fields.get("SignedHeaders", "").split(";")
    if "host" not in signed or "x-amz-date" not in signed or \
            "x-amz-content-sha256" not in signed:
        return 403, "SignatureDoesNotMatch", "required headers not signed"
    url = urlsplit(handler.path)
    canonical_headers = "".join(
        "%s:%s\n" % (name, " ".join(handler.headers.get(name, "").split()))
        for name in signed)
    canonical = "\n".join([handler.command, url.path or "/",
                           canonical_query(url.query), canonical_headers,
                           ";".join(signed), payload_hash])
    amz_date = handler.headers.get("x-amz-date", "")
    scope = "/".join([date, region, service, terminal])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    expected = hmac.new(signing_key(date), to_sign.encode(),
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields.get("Signature", "")):
        return 403, "SignatureDoesNotMatch", "signature mismatch"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send(self, status, data=b"", content_type="application/xml"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def control(self, url):
        path = url.path[len("/_fake/"):]
        body = self.body()
        with LOCK:
            if path == "reset":
                reset()
                return self.send(200, b"{}", "application/json")
            if path == "stats":
                objects = {k: {"content_type": v[0], "size": len(v[1])}
                           for k, v in STATE["objects"].items()}
                return self.send(200, json.dumps(
                    {"calls": STATE["calls"], "objects": objects}).encode(),
                    "application/json")
            if path == "object":
                key = parse_qs(url.query).get("key", [""])[0]
                if key not in STATE["objects"]:
                    return self.send(404, b"{}", "application/json")
                content_type, data = STATE["objects"][key]
                return self.send(200, data, content_type)
            if path == "fail":
                spec = json.loads(body or b"{}")
                STATE["failures"] = \
                    [spec["status"]] * int(spec.get("count", 1))
                return self.send(200, b"{}", "application/json")
        self.send(404, b"{}", "application/json")

    def api(self, url):
        body = self.body()
        parts = url.path.lstrip("/").split("/", 1)
        bucket, key = parts[0], parts[1] if len(parts) > 1 else ""
        with LOCK:
            if STATE["failures"]:
                status = STATE["failures"].pop(0)
                return status, xml_error("InternalError", "scripted"), None
        problem = signature_problem(self, body)
        if problem:
            return problem[0], xml_error(problem[1], problem[2]), None
        with LOCK:
            if not key:
                if self.command == "PUT":
                    STATE["buckets"].add(bucket)
                    return 200, b"", None
                return 405, xml_error("MethodNotAllowed", "bucket op"), None
            if bucket not in STATE["buckets"]:
                return 404, xml_error("NoSuchBucket", "no bucket"), None
            name = bucket + "/" + key
            if self.command == "PUT":
                STATE["objects"][name] = (
                    self.headers.get("Content-Type", "binary/octet-stream"),
                    body)
                return 200, b"", None
            if self.command == "GET":
                if name not in STATE["objects"]:
                    return 404, xml_error("NoSuchKey", "no key"), None
                content_type, data = STATE["objects"][name]
                return 200, data, content_type
            if self.command == "DELETE":
                STATE["objects"].pop(name, None)
                return 204, b"", None
        return 405, xml_error("MethodNotAllowed", self.command), None

    def dispatch(self):
        url = urlsplit(self.path)
        if url.path.startswith("/_fake/"):
            return self.control(url)
        status, data, content_type = self.api(url)
        with LOCK:
            STATE["calls"].append({"method": self.command, "path": url.path,
                                   "status": status})
        self.send(status, data, content_type or "application/xml")

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = dispatch


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("listening on http://127.0.0.1:%d" % server.server_address[1],
          flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
