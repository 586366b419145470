#!/usr/bin/env python3
"""A fake Gemini API (Generative Language API v1beta) for the tests and
benchmarks (external-apis.md §1, §5).

Speaks the real wire format: POST /v1beta/models/<model>:generateContent and
:streamGenerateContent?alt=sse, the key in `x-goog-api-key` (or `key=`),
camelCase or snake_case bodies, google.rpc.Status error bodies with
QuotaFailure / RetryInfo details, SSE with CRLF framing written in small
pieces (events and UTF-8 characters split across writes). Test control
lives under /_fake (never part of the real API):

  POST /_fake/script   {"outcomes": [outcome, ...]}: the next API calls, in
                       order, answer these (then the default answer)
      outcome: {"text": str, "finish"?: str, "delay_ms"?: n}
             | {"status": 429|500|503|504|400|404, "quota"?: "PerMinute"|
                "PerDay"|"Zero", "retry_delay"?: "2s", "delay_ms"?: n}
             | {"block": "SAFETY"}            prompt blocked, no candidates
             | {"finish": "SAFETY", "empty": true}  candidate without parts
             | {"malformed": true}            a 200 that is not JSON
             | {"text": str, "stream_error": 503}   SSE: raw JSON error after
                                                    the events
             | {"text": str, "piece_delay_ms": n}  SSE: a pause between
                                                    written pieces
  POST /_fake/default  {"delay_ms"?: n, "text"?: str, "fail_rate"?: r,
                       "fail_statuses"?: [429, 503], "seed"?: n}: every call
                       without a scripted outcome (text: else chosen by the
                       prompt); a share r of them fails with one of the
                       statuses, drawn from a seeded generator
  GET  /_fake/stats    also "failed": how many calls fail_rate failed
  POST /_fake/models   {"known": [..], "overloaded": [..]}: other models 404,
                       overloaded ones 503 (empty known = every model)
  GET  /_fake/stats    {"calls": [{model, stream, system, texts, image_mime,
                       image_bytes, started, ended}], "max_in_flight": n,
                       "failed": n}
  GET  /_fake/image    the last call's inline image (?n=<index>), raw bytes
  POST /_fake/reset    forgets calls, script, defaults and models
"""
import argparse
import base64
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API_KEY = "test-gemini-key"
LOCK = threading.Lock()
STATE = {}


def reset():
    STATE.update(calls=[], images=[], script=[], default={}, known=[],
                 overloaded=[], in_flight=0, max_in_flight=0, failed=0,
                 rng=random.Random(1))


reset()

MEAL = {"name": "Oatmeal with banana", "portion_grams": 350, "calories": 420,
        "protein_g": 12, "fat_g": 8.5, "carbs_g": 72}
SLEEP = {"date": "2026-11-30", "sleep_hours": 7.9, "actual_sleep_hours": 7.2,
         "quality_score": 81, "bedtime": "23:10", "wake_time": "07:05",
         "deep_sleep_min": 95, "rem_min": 100, "light_sleep_min": 240,
         "awake_min": 20}


DECISION = {"decision": "Modify", "reason": "Short sleep; keep it aerobic.",
            "modified_plan": {"title": "Easy spin 45 min",
                              "start_date": "2026-12-01T17:00:00",
                              "end_date": None,
                              "description": "Zone 2 only"},
            "suggestions_next_days": "Intervals on Thursday if HRV recovers."}


ADVICE = {"decision": "Advice", "reason": "Sleep a little longer tonight.",
          "modified_plan": None, "suggestions_next_days": None,
          "evening_tips": "A light dinner, screens off by 22:00.",
          "plan_tomorrow": "A 30-minute walk."}


def default_text(system):
    if "sports physiologist" in system:
        return json.dumps(DECISION)
    if "health and activity consultant" in system:
        return json.dumps(ADVICE)
    if "nutrition analysis" in system:
        return json.dumps(MEAL)
    if "classify" in system:
        return json.dumps({"type": "food", "food": MEAL, "sleep": None,
                           "wellness": None})
    if "sleep tracker" in system:
        return json.dumps(SLEEP, ensure_ascii=False)
    return "Keep going, the plan holds."


def error_body(status, outcome, model):
    names = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED",
             404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
             503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
    messages = {404: "models/%s is not found for API version v1beta" % model,
                503: "The model is overloaded. Please try again later.",
                429: "You exceeded your current quota, please check your plan"
                     " and billing details."}
    error = {"code": status, "message": messages.get(status, "failure"),
             "status": names.get(status, "UNKNOWN")}
    details = []
    quota = outcome.get("quota")
    if quota:
        quota_id = {"PerMinute": "GenerateRequestsPerMinutePerProjectPerModel",
                    "PerDay": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                    "Zero": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}
        details.append({
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": [{"quotaMetric": "generativelanguage.googleapis.com/"
                                           "generate_content_free_tier_requests",
                            "quotaId": quota_id[quota],
                            "quotaDimensions": {"location": "global",
                                                "model": model},
                            "quotaValue": "0" if quota == "Zero" else "15"}]})
        if quota == "Zero":
            error["message"] += " limit: 0, model: " + model
    if outcome.get("retry_delay"):
        details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo",
                        "retryDelay": outcome["retry_delay"]})
    if details:
        error["details"] = details
    return error


def answer(text, finish="STOP", model="gemini-flash-latest"):
    return {"candidates": [{"content": {"role": "model",
                                        "parts": [{"text": text}]},
                            "finishReason": finish, "index": 0}],
            "usageMetadata": {"promptTokenCount": 1290,
                              "candidatesTokenCount": max(1, len(text) // 4),
                              "totalTokenCount": 1290 + max(1, len(text) // 4)},
            "modelVersion": model, "responseId": "fake"}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send(self, status, obj, content_type="application/json; charset=UTF-8"):
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.call_ends()
        self.wfile.write(data)

    def call_ends(self):
        """An API call is no longer in flight once its answer's last bytes
        go out: the client may start its next call the moment they arrive,
        before this handler thread runs again."""
        ends = getattr(self, "ending", None)
        if ends:
            self.ending = None
            ends()

    def control(self, url):
        path = url.path[len("/_fake/"):]
        with LOCK:
            if path == "reset":
                reset()
                return self.send(200, {})
            if path == "stats":
                return self.send(200, {"calls": STATE["calls"],
                                       "max_in_flight": STATE["max_in_flight"],
                                       "failed": STATE["failed"]})
            if path == "image":
                n = int(parse_qs(url.query).get("n", ["-1"])[0])
                mime, data = STATE["images"][n]
                return self.send(200, data, mime)
        body = json.loads(self.body() or b"{}")
        with LOCK:
            if path == "script":
                STATE["script"].extend(body.get("outcomes", []))
            elif path == "default":
                STATE["default"] = body
                STATE["rng"] = random.Random(body.get("seed", 1))
            elif path == "models":
                STATE["known"] = body.get("known", [])
                STATE["overloaded"] = body.get("overloaded", [])
            else:
                return self.send(404, {"error": "unknown control " + path})
        self.send(200, {})

    def api(self, url):
        if not url.path.startswith("/v1beta/models/") or ":" not in url.path:
            return self.send(404, {"error": {"code": 404, "message": "Not Found",
                                             "status": "NOT_FOUND"}})
        model, method = url.path[len("/v1beta/models/"):].split(":", 1)
        key = self.headers.get("x-goog-api-key") or \
            parse_qs(url.query).get("key", [""])[0]
        raw = self.body()
        if key != API_KEY:
            return self.send(400, {"error": {
                "code": 400, "message": "API key not valid. Please pass a valid"
                                        " API key.", "status": "INVALID_ARGUMENT",
                "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                             "reason": "API_KEY_INVALID"}]}})
        try:
            request = json.loads(raw)
        except ValueError:
            request = None
        contents = request and (request.get("contents"))
        if not contents:
            return self.send(400, error_body(400, {}, model))
        stream = method == "streamGenerateContent"
        system = request.get("systemInstruction") or \
            request.get("system_instruction") or {}
        system = " ".join(p.get("text", "") for p in system.get("parts", []))
        texts, image = [], None
        for turn in contents:
            for part in turn.get("parts", []):
                if "text" in part:
                    texts.append(part["text"])
                inline = part.get("inlineData") or part.get("inline_data")
                if inline:
                    image = (inline.get("mimeType") or inline.get("mime_type"),
                             base64.b64decode(inline["data"]))
        with LOCK:
            STATE["in_flight"] += 1
            STATE["max_in_flight"] = max(STATE["max_in_flight"],
                                         STATE["in_flight"])
            outcome = STATE["script"].pop(0) if STATE["script"] else \
                dict(STATE["default"])
            rate = outcome.pop("fail_rate", 0)
            statuses = outcome.pop("fail_statuses", [503])
            if rate and STATE["rng"].random() < rate:
                outcome["status"] = STATE["rng"].choice(statuses)
                STATE["failed"] += 1
            call = {"model": model, "stream": stream, "system": system,
                    "texts": texts, "image_mime": image[0] if image else None,
                    "image_bytes": len(image[1]) if image else 0,
                    "started": time.time(), "ended": None}
            STATE["calls"].append(call)
            if image:
                STATE["images"].append(image)
                del STATE["images"][:-8]
            known, overloaded = STATE["known"], STATE["overloaded"]
        def ends():
            with LOCK:
                STATE["in_flight"] -= 1
                call["ended"] = time.time()
        self.ending = ends
        try:
            if outcome.get("delay_ms"):
                time.sleep(outcome["delay_ms"] / 1000.0)
            if known and model not in known:
                return self.send(404, {"error": error_body(404, {}, model)})
            if model in overloaded:
                return self.send(503, {"error": error_body(503, {}, model)})
            if "status" in outcome:
                return self.send(outcome["status"],
                                 {"error": error_body(outcome["status"], outcome,
                                                      model)})
            if outcome.get("malformed"):
                return self.send(200, b'{"candidates": [', "application/json")
            if outcome.get("block"):
                return self.send(200, {"promptFeedback": {
                    "blockReason": outcome["block"]},
                    "usageMetadata": {"promptTokenCount": 10,
                                      "totalTokenCount": 10}})
            if outcome.get("empty"):
                return self.send(200, {"candidates": [{
                    "finishReason": outcome.get("finish", "SAFETY"),
                    "index": 0}]})
            text = outcome.get("text") or default_text(system)
            finish = outcome.get("finish", "STOP")
            if not stream:
                return self.send(200, answer(text, finish, model))
            self.stream(text, finish, model, outcome)
        finally:
            self.call_ends()

    def stream(self, text, finish, model, outcome):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        pieces = [text[i:i + 5] for i in range(0, len(text), 5)] or [""]
        out = b""
        for n, piece in enumerate(pieces):
            chunk = answer(piece, finish if n == len(pieces) - 1 else None, model)
            if chunk["candidates"][0]["finishReason"] is None:
                del chunk["candidates"][0]["finishReason"]
            out += b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + \
                b"\r\n\r\n"
        if outcome.get("stream_error"):
            status = outcome["stream_error"]
            out += json.dumps({"error": error_body(status, {}, model)},
                              indent=2).encode() + b"\n"
        # Small writes: events, JSON and UTF-8 characters split anywhere.
        pause = outcome.get("piece_delay_ms", 0) / 1000.0
        for i in range(0, len(out), 7):
            if i + 7 >= len(out):
                self.call_ends()
            self.wfile.write(out[i:i + 7])
            self.wfile.flush()
            if pause:
                time.sleep(pause)

    def dispatch(self):
        url = urlsplit(self.path)
        if url.path.startswith("/_fake/"):
            return self.control(url)
        return self.api(url)

    do_GET = do_POST = dispatch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    print("listening on http://127.0.0.1:%d" % server.server_address[1],
          flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
