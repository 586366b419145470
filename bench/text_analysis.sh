#!/usr/bin/env bash
# Issue 23 figure: what the service adds to a nutrition/analyze-from-text
# call (HTTP, the user actor, the prompt, the broker, the upstream actor,
# reading the answer) over the model itself: the fake Gemini answering at
# once, asked directly with the same request body, against the same call
# through the server; 200 calls each, one at a time, curl's total time.
#   bench/text_analysis.sh [CALLS]
source "$(dirname "$0")/lib.sh"
calls=${1:-200}
port=18084
bench_start_fake_gemini
bench_start_server $port RATE_LIMIT_PER_MINUTE=100000000 \
  GOOGLE_GEMINI_API_KEY=test-gemini-key \
  GEMINI_API_BASE_URL="$BENCH_GEMINI_URL/v1beta"
token=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/auth/register" \
  -H 'Content-Type: application/json' \
  -d '{"email":"bench-text@example.com","password":"password1"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
body='{"name":"Chicken curry with rice","portion_grams":400,"correction":"coconut milk, no cream"}'
# The request the server sends, captured from the fake, to ask it directly.
curl -s -o /dev/null -X POST "http://127.0.0.1:$port/api/v1/nutrition/analyze-from-text" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body"
model=$(curl -s "$BENCH_GEMINI_URL/_fake/stats" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"][0]["model"])')
direct=$(mktemp /tmp/bench-request.XXXXXX)
python3 - "$direct" <<'PY'
import json, sys
# A GenerateContentRequest of the same shape and size as the server's.
req = {"systemInstruction": {"parts": [{"text": "You are a nutrition analysis system. " * 12}]},
       "contents": [{"role": "user", "parts": [{"text": "Dish: \"Chicken curry with rice\"\nPortion: 400 g\nCorrection from the athlete: \"coconut milk, no cream\""}]}],
       "generationConfig": {"temperature": 0.2, "topP": 0.95, "maxOutputTokens": 8192,
                            "responseMimeType": "application/json"}}
open(sys.argv[1], "w").write(json.dumps(req))
PY
# median_ms URL ARGS...: the median of `calls` one-at-a-time calls.
median_ms() {
  local url=$1
  shift
  for _ in $(seq 1 "$calls"); do
    curl -s -o /dev/null -w '%{time_total}\n' "$@" "$url"
  done | sort -n | awk '{t[NR]=$1} END {printf "%.2f", t[int((NR+1)/2)] * 1000}'
}
fake_ms=$(median_ms "$BENCH_GEMINI_URL/v1beta/models/$model:generateContent" \
  -H 'x-goog-api-key: test-gemini-key' -H 'Content-Type: application/json' --data-binary "@$direct")
server_ms=$(median_ms "http://127.0.0.1:$port/api/v1/nutrition/analyze-from-text" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body")
rm -f "$direct"
echo "machine: $(nproc) cores; $calls calls one at a time, curl total time, median"
echo "the fake Gemini asked directly:             $fake_ms ms"
echo "POST /nutrition/analyze-from-text via us:  $server_ms ms"
echo "added by the service: $(awk -v a="$server_ms" -v b="$fake_ms" 'BEGIN {printf "%.2f", a - b}') ms"
