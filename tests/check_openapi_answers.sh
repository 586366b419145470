#!/usr/bin/env bash
# Fails when an answer of the server broke docs/openapi.yaml: the test
# clients (tests/support/http_client) hold every answer to the document as
# a validating proxy would and note each mismatch in openapi-violations-*.
# (The checker itself is a unit test: tests/runtime/openapi.test.cpp.)
#   tests/check_openapi_answers.sh DIR
set -euo pipefail
dir=$1
checked=$(cat "$dir"/openapi-checked-*.txt 2>/dev/null | awk '{n += $1} END {print n + 0}')
echo "$checked answers held to the document"
if [ "$checked" -eq 0 ]; then
  echo "no answer was checked: nothing is proven" >&2
  exit 1
fi
shopt -s nullglob
files=("$dir"/openapi-violations-*.txt)
if [ ${#files[@]} -eq 0 ]; then
  echo "every answer fits the document"
  exit 0
fi
total=$(cat "${files[@]}" | wc -l)
echo "$total answers do not fit the document; by kind (operation | why):" >&2
cut -d'|' -f1,2 "${files[@]}" | sed 's/ *$//' | sort | uniq -c | sort -rn >&2
echo "first test of each kind:" >&2
sort -t'|' -k1,2 -u "${files[@]}" | head -60 >&2
exit 1
