#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""trace_check.py TRACE.json: check a `snemu run --trace` file.

It must parse as JSON in the Chrome trace-event format; the slices of each
track must nest (no partial overlap); every flow id has one start ("s")
inside a send's slice and one end ("f", "bp": "e") inside a slice of the
receiving rank, no earlier than its start. Prints what it counted, one
"key value" a line (slices, flows, counters, tracks, calls.NAME, t_min_ns,
t_max_ns), for the test to compare; exits 1 with a message on a failure.
"""
import bisect
import json
import sys
from collections import defaultdict


def ns(us):
    return round(float(us) * 1000)


def fail(msg):
    print("trace_check: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    if doc.get("displayTimeUnit") != "ns":
        fail("no displayTimeUnit ns")
    slices = defaultdict(list)
    starts, ends = {}, {}
    counters = 0
    calls = defaultdict(int)
    tmin, tmax = None, 0
    for e in doc["traceEvents"]:
        ph = e["ph"]
        if ph == "M":
            continue
        t = ns(e["ts"])
        tmin = t if tmin is None else min(tmin, t)
        tmax = max(tmax, t)
        key = (e["pid"], e["tid"])
        if ph == "X":
            d = ns(e["dur"])
            tmax = max(tmax, t + d)
            slices[key].append((t, t + d, e["name"]))
            if e["cat"] == "call":
                calls[e["name"]] += 1
        elif ph in ("s", "f"):
            side = starts if ph == "s" else ends
            if e["id"] in side:
                fail("flow %s has two %s events" % (e["id"], ph))
            if ph == "f" and e.get("bp") != "e":
                fail("flow end %s does not bind to its slice" % e["id"])
            side[e["id"]] = (key, t)
        elif ph == "C":
            counters += 1
            if not 0 <= float(e["args"]["utilization"]) <= 1:
                fail("utilization out of range: %s" % e)
        else:
            fail("unknown phase %s" % ph)
    nslices = 0
    for key, v in slices.items():
        v.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        stack = []
        for s in v:
            while stack and stack[-1][1] <= s[0]:
                stack.pop()
            if stack and s[1] > stack[-1][1]:
                fail("track %s: %s overlaps %s" % (key, s, stack[-1]))
            stack.append(s)
        nslices += len(v)
    firsts = {k: [s[0] for s in v] for k, v in slices.items()}

    def within(key, t, want):
        v = slices[key]
        for i in range(bisect.bisect_right(firsts[key], t) - 1, -1, -1):
            if v[i][0] <= t <= v[i][1] and want in v[i][2]:
                return True
        return False

    if set(starts) != set(ends):
        fail("%d flow starts without an end, %d ends without a start" %
             (len(set(starts) - set(ends)), len(set(ends) - set(starts))))
    for fid, (key, t) in starts.items():
        rkey, rt = ends[fid]
        if rt < t:
            fail("flow %s ends (%d) before it starts (%d)" % (fid, rt, t))
        if not within(key, t, "send"):
            fail("flow %s starts outside a send" % fid)
        if not within(rkey, rt, ""):
            fail("flow %s ends outside a slice" % fid)
    print("slices", nslices)
    print("flows", len(starts))
    print("counters", counters)
    print("tracks", len(slices))
    for name, n in sorted(calls.items()):
        print("calls.%s %d" % (name, n))
    print("t_min_ns", tmin or 0)
    print("t_max_ns", tmax)


main()
