#!/usr/bin/env bash
# Issue 10 figures, images: a 12-megapixel JPEG to 1536 px on one thread
# beside Pillow (the reference's steps), images/s on every core; then the
# server with the fake Gemini: /health p99 while 8 clients upload that file
# to POST /api/v1/nutrition/analyze.
#   bench/image.sh [SECONDS]
source "$(dirname "$0")/lib.sh"
secs=${1:-10}
port=18083
BUILD_TARGETS="bench_image" build_project build/release Release >/dev/null
build/release/bench/bench_image 15

fake_log=$(mktemp /tmp/bench-gemini.XXXXXX)
/usr/bin/python3 tests/fakes/gemini_fake.py >"$fake_log" 2>&1 &
fake_pid=$!
trap 'kill $fake_pid 2>/dev/null; bench_cleanup' EXIT
until grep -q listening "$fake_log"; do sleep 0.05; done
fake_port=$(sed -E 's/.*127.0.0.1:([0-9]+).*/\1/' "$fake_log" | head -1)
bench_start_server $port RATE_LIMIT_PER_MINUTE=100000000 ADMIN_TOKEN=adm \
  GOOGLE_GEMINI_API_KEY=test-gemini-key \
  GEMINI_API_BASE_URL="http://127.0.0.1:$fake_port/v1beta" GEMINI_MAX_CONCURRENCY=16
token=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/auth/register" \
  -H 'Content-Type: application/json' \
  -d '{"email":"bench-image@example.com","password":"password1"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
photo=$(mktemp /tmp/bench-photo.XXXXXX.jpg)
build/release/bench/bench_image --write "$photo"
done_dir=$(mktemp -d /tmp/bench-uploads.XXXXXX)
stop_at=$(($(date +%s) + secs + 3))
uploaders=()
for c in $(seq 1 8); do
  (
    n=0
    while [ "$(date +%s)" -lt $stop_at ]; do
      code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
        -F "file=@$photo;type=image/jpeg" "http://127.0.0.1:$port/api/v1/nutrition/analyze")
      [ "$code" = 200 ] && n=$((n + 1))
    done
    echo $n >"$done_dir/$c"
  ) &
  uploaders+=($!)
done
sleep 2
read -r h_rps h_p99 < <(wrk -t1 -c4 -d"${secs}s" --latency "http://127.0.0.1:$port/health" | awk '
  /Requests\/sec/ {rps=$2}
  $1=="99%" {p99=$2}
  END {print rps, p99}')
wait "${uploaders[@]}"
uploads=$(cat "$done_dir"/* | paste -sd+ | bc)
echo "8 clients uploading a $(stat -c %s "$photo") B 12 MP JPEG for $((secs + 3)) s: $uploads analysed ($(echo "scale=1; $uploads / ($secs + 3)" | bc)/s)"
echo "GET /health meanwhile (wrk -t1 -c4, ${secs}s): ${h_rps} req/s, p99 ${h_p99}"
rm -rf "$photo" "$done_dir" "$fake_log"
