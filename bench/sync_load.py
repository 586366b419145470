#!/usr/bin/env python3
"""N users call POST /api/v1/intervals/sync at the same moment (one thread
and one connection each, released together by a barrier).

    sync_load.py PORT TOKENS_FILE
Prints: wall seconds, answers by status, latency p50/p99 (ms)."""
import http.client
import sys
import threading
import time

port, tokens = int(sys.argv[1]), open(sys.argv[2]).read().split()
barrier = threading.Barrier(len(tokens) + 1)
results = [None] * len(tokens)


def one(i, token):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.connect()
    barrier.wait()
    t0 = time.monotonic()
    conn.request("POST", "/api/v1/intervals/sync", headers={"Authorization": "Bearer " + token})
    r = conn.getresponse()
    r.read()
    results[i] = (r.status, time.monotonic() - t0)


threading.stack_size(256 * 1024)
threads = [threading.Thread(target=one, args=(i, t)) for i, t in enumerate(tokens)]
for t in threads:
    t.start()
barrier.wait()
t0 = time.monotonic()
for t in threads:
    t.join()
wall = time.monotonic() - t0
statuses = {}
for status, _ in results:
    statuses[status] = statuses.get(status, 0) + 1
lat = sorted(x for _, x in results)
print("wall_s %.2f" % wall)
print("statuses " + " ".join("%d:%d" % kv for kv in sorted(statuses.items())))
print("latency_ms p50 %.0f p99 %.0f" % (lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99) - 1] * 1000))
