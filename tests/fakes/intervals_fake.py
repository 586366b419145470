#!/usr/bin/env python3
"""A fake Intervals.icu API for the tests and benchmarks (external-apis.md §3).

Speaks the real wire format under /api/v1: HTTP Basic auth with the user
name API_KEY, athlete ids `0`, `i<num>` and `<num>`, `oldest`/`newest`
windows, newest-first activity lists honouring `fields`, Strava stubs,
`{"status": .., "error": ..}` error bodies. Everything else is test control
under /_fake (never part of the real API):

  PUT  /_fake/athletes/<id>   {"api_key", "wellness": [..], "activities": [..],
                               "events": [..]} or {"api_key", "generate":
                               {"wellness_days": n, "activities": n}}
  POST /_fake/athletes        {"first", "count", "key_prefix", "generate"}: athletes
                              i<first>.. with keys <key_prefix><n> (benchmarks)
  POST /_fake/fail            {"status", "count", "path_contains"?, "retry_after"?,
                               "body"?}: the next `count` matching API calls
                              answer `status` (with `body` as is, if given)
  POST /_fake/delay           {"ms"}: every API call waits this long first
  POST /_fake/throttle        {"per_second"}: beyond it, 429 (0 = off)
  GET  /_fake/stats           {"calls": [{"method","path","query","status","at"}], "created_events": [..]}
  POST /_fake/reset           forgets calls, failures, delay, throttle
"""
import argparse
import base64
import datetime
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
ATHLETES = {}  # canonical id "i<num>" -> dict
CALLS = []
CREATED = []
FAILURES = []  # dicts with status, count, path_contains, retry_after
SETTINGS = {"delay_ms": 0, "per_second": 0}
STARTS = []  # monotonic times of recent API calls (throttle window)
CACHE = {}
NEXT_EVENT_ID = [1000]


def canonical(athlete_id):
    if athlete_id.startswith("i"):
        athlete_id = athlete_id[1:]
    return "i" + athlete_id if athlete_id.isdigit() else None


def generated(spec):
    """Deterministic data: `wellness_days` days up to today, `activities`
    spread over the last 90 days."""
    today = datetime.date.today()
    wellness = []
    for n in range(spec.get("wellness_days", 0)):
        day = today - datetime.timedelta(days=n)
        wellness.append({
            "id": day.isoformat(), "ctl": 40.0 + n % 7, "atl": 45.5 + n % 5,
            "rampRate": 1.2, "sportInfo": [{"type": "Ride", "eftp": 250.0}],
            "weight": 72.5, "restingHR": 48, "hrv": 65.0, "hrvSDNN": None,
            "sleepSecs": 27000 + n * 10, "sleepScore": 80.0, "readiness": 70.0,
        })
    activities = []
    count = spec.get("activities", 0)
    for n in range(count):
        start = datetime.datetime.combine(
            today - datetime.timedelta(days=(n * 90) // max(count, 1)),
            datetime.time(6, 0)) + datetime.timedelta(minutes=n % 600)
        activities.append({
            "id": "i%d" % (900000 + n), "name": "Ride %d" % n, "type": "Ride",
            "start_date_local": start.isoformat(),
            "start_date": (start - datetime.timedelta(hours=1)).isoformat() + "Z",
            "distance": 30000.0 + n, "moving_time": 3600 + n,
            "icu_training_load": 50 + n % 40, "source": "UPLOAD",
            "icu_average_watts": 180, "average_heartrate": 140,
        })
    return wellness, activities


def in_window(date_text, oldest, newest):
    day = (date_text or "")[:10]
    try:
        datetime.date.fromisoformat(day)
    except ValueError:
        return True  # undated records pass: the client must cope with them
    return (not oldest or day >= oldest[:10]) and (not newest or day <= newest[:10])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    # -- plumbing -----------------------------------------------------------

    def body_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return json.loads(raw) if raw else None

    def send(self, status, payload, headers=None):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, message, headers=None):
        self.send(status, {"status": status, "error": message}, headers)

    def record(self, status):
        split = urlsplit(self.path)
        with LOCK:
            CALLS.append({"method": self.command, "path": split.path,
                          "query": split.query, "status": status,
                          "at": time.time()})

    # -- control --------------------------------------------------------------

    def control(self):
        path = urlsplit(self.path).path
        body = self.body_json() if self.command in ("PUT", "POST") else None
        with LOCK:
            if path.startswith("/_fake/athletes/") and self.command == "PUT":
                athlete = canonical(path.rsplit("/", 1)[1])
                entry = {"api_key": body["api_key"], "events": body.get("events", [])}
                if "generate" in body:
                    key = json.dumps(body["generate"], sort_keys=True)
                    if key not in CACHE:
                        CACHE[key] = generated(body["generate"])
                    entry["wellness"], entry["activities"] = CACHE[key]
                    entry["dataset"] = key
                else:
                    entry["wellness"] = body.get("wellness", [])
                    entry["activities"] = body.get("activities", [])
                    entry["dataset"] = None
                ATHLETES[athlete] = entry
                return self.send(200, {"athlete": athlete})
            if path == "/_fake/athletes" and self.command == "POST":
                key = json.dumps(body["generate"], sort_keys=True)
                if key not in CACHE:
                    CACHE[key] = generated(body["generate"])
                for n in range(body["first"], body["first"] + body["count"]):
                    ATHLETES["i%d" % n] = {
                        "api_key": "%s%d" % (body["key_prefix"], n), "events": [],
                        "wellness": CACHE[key][0], "activities": CACHE[key][1],
                        "dataset": key}
                return self.send(200, {"count": body["count"]})
            if path == "/_fake/fail":
                FAILURES.append({"status": body["status"], "count": body.get("count", 1),
                                 "path_contains": body.get("path_contains", ""),
                                 "retry_after": body.get("retry_after"),
                                 "body": body.get("body")})
                return self.send(200, {})
            if path == "/_fake/delay":
                SETTINGS["delay_ms"] = body["ms"]
                return self.send(200, {})
            if path == "/_fake/throttle":
                SETTINGS["per_second"] = body["per_second"]
                return self.send(200, {})
            if path == "/_fake/stats":
                return self.send(200, {"calls": CALLS, "created_events": CREATED})
            if path == "/_fake/reset":
                CALLS.clear(); CREATED.clear(); FAILURES.clear(); STARTS.clear()
                SETTINGS.update(delay_ms=0, per_second=0)
                return self.send(200, {})
        self.send(404, {"error": "unknown control path"})

    # -- the API ------------------------------------------------------------------

    def api(self):
        split = urlsplit(self.path)
        parts = split.path[len("/api/v1/"):].split("/")
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        if SETTINGS["delay_ms"]:
            time.sleep(SETTINGS["delay_ms"] / 1000.0)
        with LOCK:
            now = time.monotonic()
            while STARTS and now - STARTS[0] >= 1.0:
                STARTS.pop(0)
            STARTS.append(now)
            throttled = SETTINGS["per_second"] and len(STARTS) > SETTINGS["per_second"]
            failure = None
            for f in FAILURES:
                if f["count"] > 0 and f["path_contains"] in split.path:
                    f["count"] -= 1
                    failure = f
                    break
        if throttled:
            self.record(429)
            return self.error(429, "Too many requests")
        if failure:
            self.record(failure["status"])
            headers = {"Retry-After": str(failure["retry_after"])} if failure["retry_after"] else None
            if failure["body"] is not None:
                return self.send(failure["status"], failure["body"].encode(), headers)
            return self.error(failure["status"], "injected failure", headers)
        status = self.route(parts, query)
        self.record(status)

    def authorised(self, athlete):
        header = self.headers.get("Authorization", "")
        entry = ATHLETES.get(athlete)
        if entry is None or not header.startswith("Basic "):
            return False
        try:
            user, _, key = base64.b64decode(header[6:]).decode().partition(":")
        except Exception:
            return False
        return user == "API_KEY" and key == entry["api_key"]

    def key_owner(self):
        for athlete in ATHLETES:
            if self.authorised(athlete):
                return athlete
        return None

    def route(self, parts, query):
        if parts[0] == "activity" and len(parts) == 2 and self.command == "GET":
            owner = self.key_owner()
            if owner is None:
                self.error(403, "Access denied"); return 403
            for a in ATHLETES[owner]["activities"]:
                if a.get("id") == parts[1]:
                    self.send(200, a); return 200
            self.error(404, "Activity not found"); return 404
        if parts[0] != "athlete" or len(parts) < 2:
            self.send(404, {"timestamp": "now", "status": 404, "error": "Not Found",
                            "path": self.path}); return 404
        athlete = self.key_owner() if parts[1] == "0" else canonical(parts[1])
        if athlete is None or not self.authorised(athlete):
            self.error(403, "Access denied"); return 403
        entry = ATHLETES[athlete]
        rest = parts[2:]
        if not rest and self.command == "GET":
            self.send(200, {"id": athlete, "name": "Fake Athlete"}); return 200
        if rest == ["wellness"] and self.command == "GET":
            if "oldest" not in query:
                self.error(422, "oldest is required"); return 422
            key = ("w", entry["dataset"], query.get("oldest"), query.get("newest"))
            body = CACHE.get(key) if entry["dataset"] else None
            if body is None:
                body = json.dumps([w for w in entry["wellness"]
                                   if in_window(str(w.get("id") or w.get("date") or ""),
                                                query.get("oldest"), query.get("newest"))]).encode()
                if entry["dataset"]:
                    CACHE[key] = body
            self.send(200, body); return 200
        if rest == ["activities"] and self.command == "GET":
            if "oldest" not in query:
                self.error(422, "oldest is required"); return 422
            key = ("a", entry["dataset"], tuple(sorted(query.items())))
            body = CACHE.get(key) if entry["dataset"] else None
            if body is None:
                rows = [a for a in entry["activities"]
                        if in_window(a.get("start_date_local"), query["oldest"], query.get("newest"))]
                rows.sort(key=lambda a: a.get("start_date_local") or "", reverse=True)
                rows = rows[: int(query.get("limit", 1000000))]
                fields = query.get("fields")
                if fields:
                    wanted = fields.split(",")
                    rows = [{k: v for k, v in a.items() if k in wanted or k == "_note"} for a in rows]
                body = json.dumps(rows).encode()
                if entry["dataset"]:
                    CACHE[key] = body
            self.send(200, body); return 200
        if rest == ["events"] and self.command == "GET":
            rows = [e for e in entry["events"]
                    if in_window(e.get("start_date_local"), query.get("oldest"), query.get("newest"))]
            self.send(200, rows); return 200
        if rest == ["events"] and self.command == "POST":
            body = self.body_json() or {}
            if "category" not in body or "start_date_local" not in body:
                self.error(422, "category and start_date_local are required"); return 422
            if len(body.get("name") or "") > 80:
                self.error(422, "Name is too long"); return 422
            with LOCK:
                NEXT_EVENT_ID[0] += 1
                event = dict(body, id=NEXT_EVENT_ID[0], athlete_id=athlete)
                CREATED.append(body)
                entry["events"].append(event)
            self.send(200, event); return 200
        self.send(404, {"timestamp": "now", "status": 404, "error": "Not Found",
                        "path": self.path}); return 404

    def dispatch(self):
        if self.path.startswith("/_fake/"):
            return self.control()
        if self.path.startswith("/api/v1/"):
            return self.api()
        self.send(404, {"error": "Not Found"})

    do_GET = do_PUT = do_POST = do_DELETE = dispatch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
