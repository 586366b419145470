#!/usr/bin/env bash
# Scans every server log a test run kept (ST_TEST_LOG_DIR) for the secrets
# the suite handed the servers: settings, passwords, API keys, OAuth tokens,
# and any JWT or Fernet token at all. Fails on a hit, and on a run that
# kept too few logs to prove anything.
#   tests/check_log_secrets.sh DIR [MIN_LOGS]
set -euo pipefail
dir=$1
min_logs=${2:-1}

# The secrets the test client saw in requests and answers (passwords,
# access and refresh tokens, API keys, OAuth codes: secrets-*.txt), and
# the settings' secrets of tests/support and the route tests.
literals=(
  integration-test-secret   # SECRET_KEY
  adm-7c2e9f41b3d8          # ADMIN_TOKEN
  test-gemini-key           # GOOGLE_GEMINI_API_KEY
  strava-secret             # STRAVA_CLIENT_SECRET
  password1                 # the athletes' password
  secret-key key-i9         # Intervals.icu API keys
  whsec-callback-path-0f3a9c27e4b81d56  # STRAVA_WEBHOOK_CALLBACK_SECRET
)
# Token shapes, whoever made them: JWTs (access tokens), Fernet tokens
# (encrypted credentials), the fake Strava's access and refresh tokens.
patterns=(
  'eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}'
  'gAAAAA[A-Za-z0-9_=-]{20,}'
  '\b(at|rt)-[0-9]+(-[0-9]+)?\b'
)

seen=$(mktemp)
trap 'rm -f "$seen"' EXIT
cat "$dir"/secrets-*.txt 2>/dev/null | sort -u >"$seen" || true
printf '%s\n' "${literals[@]}" >>"$seen"

scan() { # FILES...: prints each hit as file:line: match
  local found=0
  grep -HnoF -f "$seen" -- "$@" && found=1
  for p in "${patterns[@]}"; do
    grep -HnoE -- "$p" "$@" && found=1
  done
  return $((1 - found))
}

# The scan must see a planted secret, else a clean result proves nothing.
probe=$(mktemp)
trap 'rm -f "$probe" "$seen"' EXIT
echo 'x eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig password1' >"$probe"
if ! scan "$probe" >/dev/null; then
  echo "the scan does not find planted secrets" >&2
  exit 1
fi

shopt -s nullglob
logs=("$dir"/*.log)
lines=$(cat "${logs[@]}" /dev/null | wc -l)
echo "${#logs[@]} server logs, $lines lines; $(wc -l <"$seen") secrets"
if [ "${#logs[@]}" -lt "$min_logs" ]; then
  echo "fewer than $min_logs server logs kept: nothing to prove" >&2
  exit 1
fi
if scan "${logs[@]}"; then
  echo "secrets found in server logs (above)" >&2
  exit 1
fi
echo "no secret in any server log"
