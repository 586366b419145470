#!/usr/bin/env bash
# Image figures: a 12-megapixel JPEG to at most 1536 px on one thread
# beside Pillow (the reference's steps), images/s on every core; then the
# server with the fake Gemini: one photo end to end (upload, multipart,
# conversion, base64, the fake model) and the idle RSS, for this tree's
# binary and PREV_BIN (an older one, when given) in the same run; /health
# p99 while 8 clients upload that file to POST /api/v1/nutrition/analyze.
#   [PREV_BIN=path] bench/image.sh [SECONDS]
source "$(dirname "$0")/lib.sh"
secs=${1:-10}
port=18083
BUILD_TARGETS="bench_image" build_project build/release Release >/dev/null
build/release/bench/bench_image 15

bench_start_fake_gemini
bench_start_server $port RATE_LIMIT_PER_MINUTE=100000000 ADMIN_TOKEN=adm \
  GOOGLE_GEMINI_API_KEY=test-gemini-key \
  GEMINI_API_BASE_URL="$BENCH_GEMINI_URL/v1beta" GEMINI_MAX_CONCURRENCY=16
photo=$(mktemp /tmp/bench-photo.XXXXXX.jpg)
build/release/bench/bench_image --write "$photo"
register() {
  curl -s -X POST "http://127.0.0.1:$port/api/v1/auth/register" \
    -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench-image-$1@example.com\",\"password\":\"password1\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
# e2e_median_ms TOKEN: 15 uploads one after another to
# POST /api/v1/photo/analyze?save=false; the median of curl's total time.
e2e_median_ms() {
  for _ in $(seq 1 15); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $1" \
      -F "file=@$photo;type=image/jpeg" "http://127.0.0.1:$port/api/v1/photo/analyze?save=false"
  done | sort -n | awk '{t[NR]=$1} END {printf "%.1f", t[int((NR+1)/2)] * 1000}'
}
pillow_ms=$(/usr/bin/python3 - "$photo" <<'PY'
import io, sys, time
from PIL import Image
data = open(sys.argv[1], "rb").read()
times = []
for _ in range(9):
    t0 = time.perf_counter()
    img = Image.open(io.BytesIO(data)); img.load(); img = img.convert("RGB")
    w, h = img.size; s = 1536 / max(w, h)
    img = img.resize((round(w * s), round(h * s)), Image.LANCZOS)
    img.save(io.BytesIO(), "JPEG", quality=85)
    times.append((time.perf_counter() - t0) * 1000)
print("%.1f" % sorted(times)[4])
PY
)
server_env=(RATE_LIMIT_PER_MINUTE=100000000 ADMIN_TOKEN=adm GOOGLE_GEMINI_API_KEY=test-gemini-key
  GEMINI_API_BASE_URL="$BENCH_GEMINI_URL/v1beta" GEMINI_MAX_CONCURRENCY=16)
echo "one $(stat -c %s "$photo") B 12 MP JPEG through POST /api/v1/photo/analyze?save=false (median of 15, fake model); Pillow's conversion alone: ${pillow_ms} ms"
for bin in ${PREV_BIN:+"$PREV_BIN"} build/release/smart-trainer; do
  kill -TERM "$BENCH_SERVER_PID" && wait "$BENCH_SERVER_PID" || true
  BENCH_BIN=$bin bench_start_server $port "${server_env[@]}"
  sleep 1
  idle=$(bench_rss_kib "$BENCH_SERVER_PID")
  t=$(register "$(basename "$(dirname "$bin")")-$RANDOM")
  e2e_median_ms "$t" >/dev/null # warm: the user's actor, the codec handles
  ms=$(e2e_median_ms "$t")
  echo "  $bin: ${ms} ms end to end = $(echo "scale=3; $ms / $pillow_ms" | bc)x Pillow; idle RSS $((idle / 1024)) MB ($(awk '/RssFile/ {print int($2 / 1024)}' "/proc/$BENCH_SERVER_PID/status") MB file-backed)"
done
token=$(register load)
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
rm -rf "$photo" "$done_dir"
