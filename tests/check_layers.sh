#!/usr/bin/env bash
# The layer check holds for the tree, and refuses each kind of wrong-way
# include when one is planted in a copy of it.
#   tests/check_layers.sh SOURCE_DIR
set -euo pipefail
src=$1
"$src/scripts/check-layers" "$src"
copy=$(mktemp -d /tmp/layers.XXXXXX)
trap 'rm -rf "$copy"' EXIT
plant() { # FILE INCLUDE: expects the check to name FILE
  rm -rf "$copy"/*
  cp -r "$src"/{util,protocols,domain,media,actors,runtime} "$copy"/
  sed -i "1a #include \"$2\"" "$copy/$1"
  if out=$("$src/scripts/check-layers" "$copy" 2>&1); then
    echo "not refused: $1 including $2" >&2
    exit 1
  fi
  grep -q "^$1:2: $2" <<<"$out" || { echo "wrong report: $out" >&2; exit 1; }
}
plant util/text.cpp protocols/errors.hpp
plant protocols/strava.hpp domain/strava_budget.hpp
plant domain/readiness.cpp media/image.hpp
plant media/image.cpp actors/user.hpp
plant actors/user.cpp runtime/router.hpp
plant actors/auth.cpp config/settings.hpp
plant protocols/http/auth_json.cpp config/defaults.hpp
echo "layers hold; seven planted wrong-way includes refused"
