#!/usr/bin/env python3
"""A fake Strava API for the tests and benchmarks (external-apis.md §2).

Speaks the real wire format: /oauth/token (authorization_code and
refresh_token grants, rotating refresh tokens, Strava's fault bodies),
/oauth/deauthorize, /api/v3/athlete, /api/v3/athlete/activities (before,
after, page, per_page ≤ 200, newest first, `start_date_local` as local wall
time written with a `Z`), /api/v3/activities/<id>. Every /api/v3 answer
carries X-RateLimit-Limit/-Usage and X-ReadRateLimit-Limit/-Usage, counted in
fixed 15-minute windows (:00/:15/:30/:45) and UTC days on a clock that can
run faster (`clock`); past a limit the answer is 429 with Strava's body (a
refused request still counts toward the day). Test control under /_fake:

  POST /_fake/clock     {"scale", "origin"}: Strava time = origin + (now - origin) * scale
  POST /_fake/limits    {"overall": [15min, day], "read": [15min, day]}
  PUT  /_fake/athletes/<id>  {"activities": n, "firstname", "lastname", "weight", "ftp",
                              "access_token"?, "refresh_token"?, "expires_in"?}
  POST /_fake/athletes  {"first", "count", "activities"}: athletes first.. with tokens
                        at-<id> / rt-<id>, valid for a day
  POST /_fake/codes     {"code", "athlete_id", "expires_in"?}: a code for the exchange
  POST /_fake/revoke    {"athlete_id"}: the grant is gone (tokens answer 401/400)
  POST /_fake/activity  {"athlete_id", "activity": {...}}: add or replace one
  DELETE /_fake/activity {"athlete_id", "id"}
  POST /_fake/fail      {"status", "count", "path_contains"?}
  POST /_fake/delay     {"ms"}
  GET  /_fake/stats     {"calls": [{"method","path","query","status","at","athlete"}],
                         "throttled": n, "deauthorized": [ids], "usage": {...}}
  POST /_fake/reset     forgets calls, failures, delay (athletes stay)
"""
import argparse
import datetime
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
ATHLETES = {}      # id -> {"activities": {id: obj}, "profile": {...}}
TOKENS = {}        # access token -> (athlete id, expires_at)
REFRESH = {}       # refresh token -> athlete id
CODES = {}         # code -> (athlete id, expires_in)
CALLS = []
FAILURES = []
DEAUTHORIZED = []
SETTINGS = {"delay_ms": 0, "scale": 1.0, "origin": 0.0,
            "overall": [200, 2000], "read": [100, 1000]}
USAGE = {"window": None, "day": None, "w": 0, "d": 0}
COUNTERS = {"throttled": 0, "issued": 0}


def strava_now():
    real = time.time()
    return SETTINGS["origin"] + (real - SETTINGS["origin"]) * SETTINGS["scale"]


def fault(message, resource, field, code):
    return {"message": message,
            "errors": [{"resource": resource, "field": field, "code": code}]}


def make_activity(athlete, n, count):
    # Spread over the last 360 days, newest first, a local zone of +02:00.
    now = int(time.time())
    spacing = min(6 * 3600, (360 * 86400) // max(count, 1))
    start = now - 3600 - n * spacing
    utc = datetime.datetime.utcfromtimestamp(start)
    local = utc + datetime.timedelta(hours=2)
    return {
        "resource_state": 2, "id": athlete * 100000 + n + 1,
        "athlete": {"id": athlete}, "name": "Ride %d" % n,
        "distance": 30000.5 + n, "moving_time": 3600 + n % 600,
        "elapsed_time": 3900 + n % 600, "total_elevation_gain": 250.0,
        "type": "Ride", "sport_type": "Ride", "workout_type": None,
        "start_date": utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "start_date_local": local.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timezone": "(GMT+02:00) Europe/Paris", "utc_offset": 7200.0,
        "trainer": False, "commute": False, "manual": False, "private": False,
        "average_speed": 8.3, "max_speed": 15.2, "average_watts": 180.0,
        "weighted_average_watts": 200, "kilojoules": 650.0,
        "device_watts": True, "has_heartrate": True,
        "average_heartrate": 140.5, "max_heartrate": 171.0,
        "elev_high": 320.0, "elev_low": 110.0, "suffer_score": 42.0,
        "start_latlng": [48.85, 2.35], "map": {"id": "a1", "summary_polyline": "", "resource_state": 2},
    }


def put_athlete(athlete, spec):
    count = int(spec.get("activities", 0))
    ATHLETES[athlete] = {
        "activities": {a["id"]: a for a in (make_activity(athlete, n, count) for n in range(count))},
        "profile": {"id": athlete, "resource_state": 3,
                    "firstname": spec.get("firstname", "Ann"),
                    "lastname": spec.get("lastname", "Lee"), "sex": spec.get("sex", "F"),
                    "weight": spec.get("weight", 61.5), "ftp": spec.get("ftp", 250),
                    "profile": "https://example.com/a%d.jpg" % athlete,
                    "profile_medium": "https://example.com/m%d.jpg" % athlete},
    }
    access = spec.get("access_token", "at-%d" % athlete)
    refresh = spec.get("refresh_token", "rt-%d" % athlete)
    TOKENS[access] = (athlete, int(time.time()) + int(spec.get("expires_in", 86400)))
    REFRESH[refresh] = athlete


def issue(athlete, expires_in):
    COUNTERS["issued"] += 1
    n = COUNTERS["issued"]
    access = "at-%d-%d" % (athlete, n)
    refresh = "rt-%d-%d" % (athlete, n)
    expires_at = int(time.time()) + expires_in
    TOKENS[access] = (athlete, expires_at)
    REFRESH[refresh] = athlete
    return {"token_type": "Bearer", "access_token": access, "refresh_token": refresh,
            "expires_at": expires_at, "expires_in": expires_in}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def body_bytes(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send(self, status, payload, headers=None):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def record(self, status, athlete=None):
        split = urlsplit(self.path)
        with LOCK:
            CALLS.append({"method": self.command, "path": split.path, "query": split.query,
                          "status": status, "at": time.time(), "athlete": athlete})

    # -- control --------------------------------------------------------------

    def control(self):
        path = urlsplit(self.path).path
        raw = self.body_bytes()
        body = json.loads(raw) if raw else {}
        with LOCK:
            if path == "/_fake/clock":
                SETTINGS["scale"] = float(body.get("scale", 1))
                SETTINGS["origin"] = float(body.get("origin", time.time()))
                USAGE.update({"window": None, "day": None, "w": 0, "d": 0})
            elif path == "/_fake/limits":
                SETTINGS["overall"] = body.get("overall", SETTINGS["overall"])
                SETTINGS["read"] = body.get("read", SETTINGS["read"])
            elif path.startswith("/_fake/athletes/") and self.command == "PUT":
                put_athlete(int(path.rsplit("/", 1)[1]), body)
            elif path == "/_fake/athletes":
                for i in range(int(body["count"])):
                    put_athlete(int(body["first"]) + i, body)
            elif path == "/_fake/codes":
                CODES[body["code"]] = (int(body["athlete_id"]), int(body.get("expires_in", 21600)))
            elif path == "/_fake/revoke":
                athlete = int(body["athlete_id"])
                for t in [t for t, v in TOKENS.items() if v[0] == athlete]:
                    del TOKENS[t]
                for t in [t for t, v in REFRESH.items() if v == athlete]:
                    del REFRESH[t]
            elif path == "/_fake/activity" and self.command == "POST":
                a = body["activity"]
                ATHLETES[int(body["athlete_id"])]["activities"][a["id"]] = a
            elif path == "/_fake/activity" and self.command == "DELETE":
                ATHLETES[int(body["athlete_id"])]["activities"].pop(int(body["id"]), None)
            elif path == "/_fake/fail":
                FAILURES.append({"status": int(body["status"]), "count": int(body.get("count", 1)),
                                 "path_contains": body.get("path_contains", "")})
            elif path == "/_fake/delay":
                SETTINGS["delay_ms"] = int(body.get("ms", 0))
            elif path == "/_fake/stats":
                payload = {"calls": CALLS, "throttled": COUNTERS["throttled"],
                           "deauthorized": DEAUTHORIZED, "usage": dict(USAGE)}
                data = json.dumps(payload).encode()
                self.send(200, data)
                return
            elif path == "/_fake/reset":
                CALLS.clear()
                FAILURES.clear()
                DEAUTHORIZED.clear()
                COUNTERS["throttled"] = 0
                SETTINGS["delay_ms"] = 0
            else:
                self.send(404, {"error": "unknown control " + path})
                return
        self.send(200, {"ok": True})

    # -- the API --------------------------------------------------------------

    def injected(self):
        with LOCK:
            for f in FAILURES:
                if f["count"] > 0 and f["path_contains"] in self.path:
                    f["count"] -= 1
                    return f["status"]
        return None

    def rate_headers(self):
        """Counts this request; answers its headers and whether it is refused."""
        now = strava_now()
        window = int(now // 900)
        day = int(now // 86400)
        with LOCK:
            if USAGE["day"] != day:
                USAGE.update({"day": day, "d": 0})
            if USAGE["window"] != window:
                USAGE.update({"window": window, "w": 0})
            over = (USAGE["w"] >= SETTINGS["read"][0] or USAGE["d"] >= SETTINGS["read"][1]
                    or USAGE["w"] >= SETTINGS["overall"][0] or USAGE["d"] >= SETTINGS["overall"][1])
            USAGE["d"] += 1  # refused requests still count toward the day
            if not over:
                USAGE["w"] += 1
            else:
                COUNTERS["throttled"] += 1
            usage = "%d,%d" % (USAGE["w"], USAGE["d"])
        headers = {
            "X-RateLimit-Limit": "%d,%d" % tuple(SETTINGS["overall"]),
            "X-RateLimit-Usage": usage,
            "X-ReadRateLimit-Limit": "%d,%d" % tuple(SETTINGS["read"]),
            "X-ReadRateLimit-Usage": usage,
        }
        return headers, over

    def api(self):
        split = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        headers, over = self.rate_headers()
        if over:
            self.send(429, fault("Rate Limit Exceeded", "Application", "rate limit", "exceeded"),
                      headers)
            return 429, None
        token = (self.headers.get("Authorization") or "")[len("Bearer "):]
        with LOCK:
            entry = TOKENS.get(token)
        if entry is None or entry[1] < time.time():
            self.send(401, fault("Authorization Error", "Athlete", "access_token", "invalid"),
                      headers)
            return 401, None
        athlete = entry[0]
        injected = self.injected()
        if injected:
            self.send(injected, fault("Server Error", "Application", "", "error"), headers)
            return injected, athlete
        path = split.path[len("/api/v3"):]
        with LOCK:
            data = ATHLETES.get(athlete, {"activities": {}, "profile": {"id": athlete}})
            if path == "/athlete":
                payload = data["profile"]
            elif path == "/athlete/activities":
                before = int(query.get("before", 2 ** 40))
                after = int(query.get("after", 0))
                page = max(1, int(query.get("page", 1)))
                per_page = min(200, max(1, int(query.get("per_page", 30))))
                def started(a):
                    return datetime.datetime.strptime(
                        a["start_date"], "%Y-%m-%dT%H:%M:%SZ").replace(
                        tzinfo=datetime.timezone.utc).timestamp()
                rows = [a for a in data["activities"].values() if after < started(a) < before]
                rows.sort(key=started, reverse=True)
                payload = rows[(page - 1) * per_page: page * per_page]
            elif path.startswith("/activities/"):
                activity = data["activities"].get(int(path.rsplit("/", 1)[1]))
                if activity is None:
                    self.send(404, fault("Record Not Found", "Activity", "id", "invalid"), headers)
                    return 404, athlete
                payload = dict(activity, resource_state=3, description="details")
            else:
                self.send(404, fault("Record Not Found", "Path", "", "invalid"), headers)
                return 404, athlete
        self.send(200, payload, headers)
        return 200, athlete

    def oauth(self):
        path = urlsplit(self.path).path
        form = {k: v[0] for k, v in parse_qs(self.body_bytes().decode()).items()}
        if form.get("client_id") != "4242" and path == "/oauth/token":
            self.send(401, fault("Authorization Error", "Application", "", "invalid"))
            return 401, None
        with LOCK:
            if path == "/oauth/token" and form.get("grant_type") == "authorization_code":
                code = CODES.pop(form.get("code", ""), None)
                if code is None:
                    self.send(400, fault("Bad Request", "AuthorizationCode", "code", "invalid"))
                    return 400, None
                athlete, expires_in = code
                if athlete not in ATHLETES:
                    put_athlete(athlete, {"activities": 0})
                grant = issue(athlete, expires_in)
                profile = ATHLETES[athlete]["profile"]
                grant["athlete"] = {k: profile[k] for k in
                                    ("id", "firstname", "lastname", "sex", "profile",
                                     "profile_medium")}
                grant["athlete"]["resource_state"] = 2
                self.send(200, grant)
                return 200, athlete
            if path == "/oauth/token" and form.get("grant_type") == "refresh_token":
                athlete = REFRESH.pop(form.get("refresh_token", ""), None)
                if athlete is None:
                    self.send(400, fault("Bad Request", "RefreshToken", "refresh_token", "invalid"))
                    return 400, None
                self.send(200, issue(athlete, 21600))
                return 200, athlete
            if path == "/oauth/deauthorize":
                entry = TOKENS.get(form.get("access_token", ""))
                if entry is None:
                    self.send(401, fault("Authorization Error", "Athlete", "access_token", "invalid"))
                    return 401, None
                athlete = entry[0]
                DEAUTHORIZED.append(athlete)
                for t in [t for t, v in TOKENS.items() if v[0] == athlete]:
                    del TOKENS[t]
                for t in [t for t, v in REFRESH.items() if v == athlete]:
                    del REFRESH[t]
                self.send(200, {"access_token": form.get("access_token")})
                return 200, athlete
        self.send(404, fault("Record Not Found", "Path", "", "invalid"))
        return 404, None

    def dispatch(self):
        if self.path.startswith("/_fake/"):
            return self.control()
        if SETTINGS["delay_ms"]:
            time.sleep(SETTINGS["delay_ms"] / 1000.0)
        if self.path.startswith("/api/v3/"):
            status, athlete = self.api()
        elif self.path.startswith("/oauth/"):
            status, athlete = self.oauth()
        else:
            self.send(404, {"message": "Not Found", "errors": []})
            status, athlete = 404, None
        self.record(status, athlete)

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
