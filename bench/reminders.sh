#!/usr/bin/env bash
# Issue 9 figures: 100,000 users holding a durable reminder each. RSS and
# resident user actors when nothing is due (goal: none), what the scheduler
# holds in memory, then 5,000 reminders falling due at once: how long until
# all fired, and the actors passivating again afterwards.
#   bench/reminders.sh [USERS] [DUE_AT_ONCE]
source "$(dirname "$0")/lib.sh"
users=${1:-100000}
burst=${2:-5000}
port=18082

bench_start_server $port ADMIN_TOKEN=adm USER_IDLE_SECONDS=3 REMINDER_POLL_MS=1000
psql -q -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres bench <<SQL
INSERT INTO users (email, created_at)
  SELECT 'rem' || i || '@example.com', now() FROM generate_series(1, $users) i;
-- Spread over the next six hours: nothing due within the scheduler's horizon.
INSERT INTO user_reminders (user_id, kind, due_at)
  SELECT id, 'probe', now() + interval '1 hour' + (id % 18000) * interval '1 second'
  FROM users;
SQL
stats() { curl -s -H "Authorization: Bearer adm" "http://127.0.0.1:$port/api/v1/admin/actors"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }
sleep 3
s=$(stats)
echo "machine: $(nproc) cores; $users users with one reminder each (due in 1-6 h)"
echo "idle:   RSS $(bench_rss_kib "$BENCH_SERVER_PID") KiB, resident user actors $(echo "$s" | field "['user_actors']['resident']"), scheduler holds $(echo "$s" | field "['reminders']['num_pending']") reminders ($(echo "$s" | field "['reminders']['pending_bytes']") B)"
psql -q -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres bench <<SQL
UPDATE user_reminders SET due_at = now() + interval '3 seconds'
  WHERE user_id <= $burst;
SQL
t0=$(date +%s%N)
due_ns=$((t0 + 3000000000))
while [ "$(stats | field "['reminders']['num_fired']")" -lt "$burst" ]; do sleep 0.05; done
t1=$(date +%s%N)
s=$(stats)
echo "burst:  $burst due at once, all fired $(( (t1 - due_ns) / 1000000 )) ms after the due time; RSS $(bench_rss_kib "$BENCH_SERVER_PID") KiB, resident user actors $(echo "$s" | field "['user_actors']['resident']")"
rows() { psql -tA -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres bench -c "SELECT count(*) FROM user_reminders"; }
# Each woken actor loads its account, then its probe deletes its row.
while [ "$(rows)" -gt $((users - burst)) ]; do sleep 0.1; done
t2=$(date +%s%N)
echo "        every woken actor done (its row gone) $(( (t2 - due_ns) / 1000000 )) ms after the due time"
while [ "$(stats | field "['user_actors']['resident']")" -gt 0 ] && [ $(( $(date +%s%N) - t2 )) -lt 30000000000 ]; do sleep 0.2; done
t3=$(date +%s%N)
echo "after:  resident user actors $(stats | field "['user_actors']['resident']") $(( (t3 - t2) / 1000000 )) ms later (idle time 3 s), RSS $(bench_rss_kib "$BENCH_SERVER_PID") KiB"
