#!/usr/bin/env python3
"""Fails when a Catch2 test name holds ';': ctest splits a discovered test
there, and the halves run nothing (they fail as unknown tests)."""
import pathlib
import re
import sys

NAME = re.compile(r'TEST_CASE(?:_METHOD)?\((?:[A-Za-z_:]+,\s*)?((?:\s*"(?:[^"\\]|\\.)*")+)')
bad = []
for path in sorted(pathlib.Path(sys.argv[1], "tests").rglob("*.cpp")):
    for match in NAME.finditer(path.read_text(encoding="utf-8")):
        name = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1)))
        if ";" in name:
            bad.append(f"{path}: {name}")
print("\n".join(bad) if bad else "no test name holds ';'")
sys.exit(1 if bad else 0)
