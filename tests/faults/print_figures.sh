#!/usr/bin/env bash
# Prints the fault suite's figures (TSV: fault, figure, value, goal, met)
# as a table; fails when a figure missed its goal or none were recorded.
#   tests/faults/print_figures.sh FIGURES.tsv
set -euo pipefail
file=$1
if [ ! -s "$file" ]; then
  echo "no fault figures recorded in $file" >&2
  exit 1
fi
{
  printf 'fault\tfigure\tvalue\tgoal\tmet\n'
  cat "$file"
} | awk -F'\t' '
  { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } rows = NR }
  END {
    for (r = 1; r <= rows; r++) {
      line = "|"
      for (i = 1; i <= 5; i++) line = line " " sprintf("%-" w[i] "s", cell[r, i]) " |"
      print line
      if (r == 1) { sep = "|"; for (i = 1; i <= 5; i++) { d = ""; for (k = 0; k < w[i] + 2; k++) d = d "-"; sep = sep d "|" } print sep }
    }
  }'
! grep -qP '\tNO$' "$file"
