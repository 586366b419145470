#!/usr/bin/env bash
# GET /api/v1/wellness against its peer: 4,400 users with 30 days each,
# wrk -t2 -c64, gzip. For this tree's binary and PREV_BIN (an older one,
# when given), in the same run: requests/s, p50 and p99 with every user's
# first read in the run (cold: a fresh process), then warm; and nginx
# serving the same gzip body as a static file (the peer).
#   [PREV_BIN=path] bench/wellness_peers.sh [SECONDS]
source "$(dirname "$0")/lib.sh"
install_missing_packages nginx-light
secs=${1:-10}
port=18085
nginx_port=18086
secret=bench-secret
users=4400

build/release/smart-trainer migrate >/dev/null
psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres bench <<SQL
INSERT INTO users (email, created_at)
  SELECT 'bench' || i || '@example.com', now() FROM generate_series(1, $users) i;
INSERT INTO wellness_cache (user_id, date, sleep_hours, rhr, hrv, ctl, atl, tsb)
  SELECT u.id, current_date - d, 7.5, 50, 60, 40, 45, -5
  FROM users u, generate_series(0, 29) d;
SQL
script=$(mktemp /tmp/bench-wellness.XXXXXX.lua)
bench_wrk_script "$secret" $users /api/v1/wellness >"$script"
# wrk_figures URL [wrk args...]: "requests/s p50 p99".
wrk_figures() {
  local url=$1
  shift
  wrk -t2 -c64 -d"${secs}s" --latency "$@" "$url" | awk '
    /Requests\/sec/ {rps=$2}
    $1=="50%" {p50=$2}
    $1=="99%" {p99=$2}
    END {print rps, p50, p99}'
}
env_vars=(RATE_LIMIT_PER_MINUTE=100000000 SECRET_KEY=$secret)
echo "GET /api/v1/wellness, $users users x 30 days, wrk -t2 -c64 ${secs}s, gzip; $(nproc) cores shared by server, PostgreSQL and wrk"
body=""
for bin in ${PREV_BIN:+"$PREV_BIN"} build/release/smart-trainer; do
  [ -n "$BENCH_SERVER_PID" ] && kill -TERM "$BENCH_SERVER_PID" && wait "$BENCH_SERVER_PID" || true
  BENCH_BIN=$bin bench_start_server $port "${env_vars[@]}"
  read -r c_rps c_p50 c_p99 < <(wrk_figures "http://127.0.0.1:$port" -s "$script")
  read -r w_rps w_p50 w_p99 < <(wrk_figures "http://127.0.0.1:$port" -s "$script")
  echo "  $bin: cold (first reads in the run) $c_rps req/s, p50 $c_p50, p99 $c_p99; warm $w_rps req/s, p50 $w_p50, p99 $w_p99; RSS $(($(bench_rss_kib "$BENCH_SERVER_PID") / 1024)) MB"
  body=$(mktemp -d /tmp/bench-nginx.XXXXXX)
  curl -s -H "Accept-Encoding: gzip" \
    -H "Authorization: Bearer $(sed -n 2p "$script" | tr -d '",')" \
    "http://127.0.0.1:$port/api/v1/wellness" >"$body/wellness.json.gz"
  gunzip -c "$body/wellness.json.gz" | grep -q '"date"' || {
    echo "the wellness answer is not the seeded days" >&2
    exit 1
  }
done
cat >"$body/nginx.conf" <<CONF
worker_processes 2;
pid $body/nginx.pid;
error_log $body/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $body; proxy_temp_path $body; fastcgi_temp_path $body;
  uwsgi_temp_path $body; scgi_temp_path $body;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /wellness {
      alias $body/wellness.json.gz;
      default_type application/json;
      add_header Content-Encoding gzip;
    }
  }
}
CONF
kill -TERM "$BENCH_SERVER_PID" && wait "$BENCH_SERVER_PID" || true
BENCH_SERVER_PID=""
nginx -c "$body/nginx.conf"
read -r n_rps n_p50 n_p99 < <(wrk_figures "http://127.0.0.1:$nginx_port/wellness" -H "Accept-Encoding: gzip")
nginx -c "$body/nginx.conf" -s stop
echo "  nginx (the same $(stat -c %s "$body/wellness.json.gz") B gzip body, static): $n_rps req/s, p50 $n_p50, p99 $n_p99"
rm -rf "$body" "$script"
