#!/usr/bin/env python3
"""Summarises bench/run.sh's runs: a text report and markdown tables.

usage: summary.py RESULTS FAILURES FOUND MARKDOWN_OUT RUNS MAXCONN DELAY_MS
                  SCENARIOS CONFIGS DESCRIPTIONS SKIPS NCPU VERSIONS

RESULTS holds one line per run (config scenario tool run seconds
proxy_connections self_connections self_ms status), FAILURES one per tool
given up on (config scenario tool reason), FOUND what tlsdiag found per
configuration. Prints the text report, then the markdown, and writes the
markdown to MARKDOWN_OUT. Exit status 0 when every target is met and
tlsdiag's connection counts match the proxy's, else 3.
"""
import statistics
import sys
import time

(res_path, fail_path, found_path, md_path, runs, maxconn, delay, scenarios, configs, descs, skips,
 ncpu, versions) = sys.argv[1:]
scenarios = scenarios.split()
configs = configs.split()
TOOLS = ["tlsdiag", "sslscan", "nmap"]

# Targets, tlsdiag at its default 8 connections.
WAN_TIME, DIRECT_TIME = 0.6, 0.15
RATIO = {"sslscan": 10.0, "nmap": 4.0}
CONN_RATIO = 1.2  # tlsdiag's connections at most this many times sslscan's

rows = {}
for line in open(res_path):
    conf, sc, tool, _i, secs, conns, self_c, self_ms, status = line.rstrip("\n").split("\t")
    rows.setdefault((conf, sc, tool), []).append(dict(
        secs=float(secs), conns=int(conns),
        self_c=None if self_c == "-" else int(self_c),
        self_ms=None if self_ms == "-" else float(self_ms), ok=status == "ok"))
failure = {}
for line in open(fail_path):
    conf, sc, tool, why = line.rstrip("\n").split("\t", 3)
    failure[(conf, sc, tool)] = " ".join(why.split())[:100].replace("|", "/")
found = dict(line.rstrip("\n").split("\t", 1) for line in open(found_path) if "\t" in line)
skip = dict(l.split(": ", 1) for l in skips.splitlines() if l)
desc = dict(l.split(": ", 1) for l in descs.splitlines() if l)


def summary(conf, sc, tool):
    ok = [r for r in rows.get((conf, sc, tool), []) if r["ok"]]
    if not ok:
        return None
    t = [r["secs"] for r in ok]
    proxy = [r["conns"] for r in ok]
    own = [r["self_c"] for r in ok if r["self_c"] is not None]
    return dict(n=len(ok), med=statistics.median(t), lo=min(t), hi=max(t),
                conns=statistics.median(own if tool == "tlsdiag" else proxy),
                proxy=proxy, own=own, match=tool != "tlsdiag" or own == proxy,
                self_ms=[r["self_ms"] for r in ok if r["self_ms"] is not None])


def why_missing(conf, sc, tool):
    if tool in skip:
        return skip[tool]
    return "failed: " + failure.get((conf, sc, tool), "not run")


def num(v):
    return "%d" % v if v == int(v) else "%.1f" % v


def verdict(ok):
    return "PASS" if ok else "FAIL"


verdicts, mismatches, notes = [], [], []
text, md = [], []
md.append("## Benchmark results")
md.append("")
md.append("%s; %s cores; %s timed runs per tool, configuration and scenario (medians); tlsdiag "
          "`--max-connections %s`; wan = %s ms one-way delay (%d ms round trip)."
          % (time.strftime("%Y-%m-%d"), ncpu, runs, maxconn, delay, 2 * int(delay)))
md.append("")
md.append("Versions: %s." % versions)
md.append("")
md.append("| configuration | server |")
md.append("| --- | --- |")
for conf in configs:
    md.append("| %s | %s |" % (conf, desc.get(conf, "")))
md.append("")

for sc in scenarios:
    if sc == "wan":
        title = "wan (through the counting proxy and a %s ms one-way latency relay)" % delay
        target_txt = ("targets: tlsdiag <= %g s, sslscan/tlsdiag >= %gx, nmap/tlsdiag >= %gx, "
                      "tlsdiag's connections <= %gx sslscan's" % (WAN_TIME, RATIO["sslscan"], RATIO["nmap"], CONN_RATIO))
    else:
        title = "direct (loopback, through the counting proxy)"
        target_txt = "target: tlsdiag <= %g s" % DIRECT_TIME
    text.append("")
    text.append("== %s; %s" % (title, target_txt))
    text.append("%-21s %-24s %16s %16s %16s %15s %8s %8s %6s  %s" % (
        "configuration", "tlsdiag found", "tlsdiag s", "sslscan s", "nmap s", "connections",
        "sslscan/", "nmap/", "conns/", "targets"))
    md.append("### %s" % title)
    md.append("")
    md.append("%s%s." % (target_txt[0].upper(), target_txt[1:]))
    md.append("")
    md.append("| configuration | tlsdiag found | tlsdiag s | sslscan s | nmap s | connections tlsdiag / sslscan / nmap "
              "| sslscan ÷ tlsdiag | nmap ÷ tlsdiag | connections tlsdiag ÷ sslscan | targets |")
    md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for conf in configs:
        S = {tool: summary(conf, sc, tool) for tool in TOOLS}
        for tool in TOOLS:
            if S[tool] is None:
                notes.append("%s/%s: %s n/a (%s)" % (conf, sc, tool, why_missing(conf, sc, tool)))
        t = S["tlsdiag"]
        if t and not t["match"]:
            mismatches.append("%s/%s: tlsdiag reported %s connections, the proxy counted %s"
                              % (conf, sc, t["own"], t["proxy"]))

        def ratio(other):
            o = S[other]
            return o["med"] / t["med"] if (o and t and t["med"] > 0) else None

        cr = t["conns"] / S["sslscan"]["conns"] if (t and S["sslscan"] and S["sslscan"]["conns"]) else None
        checks = []
        if sc == "wan":
            checks.append(("time", t["med"] <= WAN_TIME if t else None))
            for other in ("sslscan", "nmap"):
                r = ratio(other)
                checks.append((other, r >= RATIO[other] if r is not None else None))
            checks.append(("connections", cr <= CONN_RATIO if cr is not None else None))
        else:
            checks.append(("time", t["med"] <= DIRECT_TIME if t else None))
        cell = ", ".join("%s %s" % (name, "N/A" if ok is None else verdict(ok)) for name, ok in checks)
        verdicts += ["N/A" if ok is None else verdict(ok) for _, ok in checks]

        def secs(tool, wide=False):
            s = S[tool]
            if s is None:
                return "n/a"
            if wide:
                return "%.3f (%.2f-%.2f)" % (s["med"], s["lo"], s["hi"])
            return "%.3f" % s["med"]

        conns = " / ".join(num(S[tool]["conns"]) if S[tool] else "n/a" for tool in TOOLS)
        rs = {o: ("%.1fx" % ratio(o)) if ratio(o) is not None else "n/a" for o in ("sslscan", "nmap")}
        crs = "%.2f" % cr if cr is not None else "n/a"
        text.append("%-21s %-24s %16s %16s %16s %15s %8s %8s %6s  %s" % (
            conf, found.get(conf, "-")[:24], secs("tlsdiag", True), secs("sslscan", True), secs("nmap", True),
            conns, rs["sslscan"], rs["nmap"], crs, cell))
        md.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            conf, found.get(conf, "-"), secs("tlsdiag"), secs("sslscan"), secs("nmap"), conns,
            rs["sslscan"], rs["nmap"], crs, cell))
    md.append("")

met = sum(v == "PASS" for v in verdicts)
line = "targets met: %d of %d" % (met, len(verdicts))
text.append("")
text.append(line)
md.append(line[0].upper() + line[1:] + ".")
md.append("")
if mismatches:
    text += ["MISMATCH " + m for m in mismatches]
    md += ["- connection count MISMATCH: " + m for m in mismatches] + [""]
else:
    m = "tlsdiag's self-reported connections match the proxy's count in every run."
    text.append(m)
    md.append(m)
    md.append("")
for n in notes:
    text.append("note: " + n)
    md.append("- " + n)
if notes:
    md.append("")
if maxconn != "8":
    m = "note: the targets are defined at tlsdiag's default 8 connections; this run used %s." % maxconn
    text.append(m)
    md.append(m)
    md.append("")
md.append("Reproduce: `bench/run.sh --runs %s%s%s%s`." % (
    runs, "" if len(scenarios) == 2 else " --only %s" % scenarios[0],
    "" if maxconn == "8" else " --max-connections %s" % maxconn,
    "" if len(configs) == 6 else " --config %s" % ",".join(configs)))

print("\n".join(text))
print()
print("----- markdown -----")
print("\n".join(md))
open(md_path, "w").write("\n".join(md) + "\n")
sys.exit(0 if verdicts and all(v == "PASS" for v in verdicts) and not mismatches else 3)
