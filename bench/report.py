#!/usr/bin/env python3
"""Turns the loadgen JSON files of one bench/run.sh run into docs/benchmarks.md.

Each point id-kind-rep.json is one loadgen result; repeats are reduced to the median of every
number. One table per benchmark: Parley, the peers, the ratio Parley/peer and the gate.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import statistics
import subprocess

SERVERS = ["parley", "parley-base", "parley-epoll", "parley-tls", "parley-default", "parley-default-base",
           "ws", "socketio"]
LABEL = {"parley": "Parley hub (qt)", "parley-epoll": "Parley hub (epoll)", "parley-tls": "Parley hub over wss://",
         "parley-default": "Parley, default config",
         "parley-base": "Parley before (baseline)", "parley-default-base": "Parley before, default config",
         "ws": "Node ws peer", "socketio": "Socket.IO peer"}
PEERS = ["ws", "socketio"]  # the ratio columns are Parley / each of these
DISPATCHER = {
    "parley": "Parley::Hub::EpollEventDispatcher (hub thread, set in hubrunner.cpp)",
    "parley-epoll": "Parley::Hub::EpollEventDispatcher (hub thread, set in hubrunner.cpp)",
    "parley-tls": "Parley::Hub::EpollEventDispatcher (hub thread, set in hubrunner.cpp)",
    "parley-default": "Parley::Hub::EpollEventDispatcher (hub thread, set in hubrunner.cpp)",
    "parley-base": "Parley::Hub::EpollEventDispatcher (the baseline's build)",
    "parley-default-base": "Parley::Hub::EpollEventDispatcher (the baseline's build)",
    "ws": "libuv (epoll), Node %s" % "",
    "socketio": "libuv (epoll), Node %s" % "",
}
# The product's outgoing cap (HubSettings::maxOutgoingBytes): what "RSS bounded" is held to.
CAP_BYTES = 4 * 1024 * 1024


def get(d, path):
    for key in path.split("."):
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


FAILED = {}  # (id, server) -> the run's JSON, for points whose setup never finished


def load(results):
    runs = {}
    for path in sorted(glob.glob(os.path.join(results, "*.json"))):
        m = re.match(r"(B\d+[abc]?)-([\w-]+)-(\d+)\.json$", os.path.basename(path))
        if not m:
            continue
        text = open(path).read().strip()
        try:
            data = json.loads(text.splitlines()[-1]) if text else None
        except (json.JSONDecodeError, IndexError):
            data = None
        log = path[:-len(".json")] + ".server.log"
        if data is not None and m.group(2).startswith("parley") and os.path.exists(log):
            # What the hub itself says it did (parley-hub logs each slow-consumer close).
            data["server_slow_closes"] = open(log, errors="replace").read().count("closing a slow consumer")
        if data is not None and isinstance(data.get("slow_closed_last_s"), (int, float)) \
                and data["slow_closed_last_s"] < 0:
            del data["slow_closed_last_s"]  # nobody was cut: no time to report
        if data is not None and data.get("setup_ok") is False:
            # Its numbers describe nothing measured: keep it out of every median.
            FAILED[(m.group(1), m.group(2))] = data
            continue
        runs.setdefault((m.group(1), m.group(2)), []).append(data)
    return runs


def setup_failure(data):
    joined = get(data, "join_latency_ms.count") or 0
    clients = get(data, "params.clients") or 0
    return f"failed: {joined:,} of {clients:,} joined in {data.get('wall_s', 0):.0f} s"


def median(runs, path):
    values = [get(r, path) for r in runs if r]
    values = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return statistics.median(values) if values else None


def derived(runs, name):
    if name == "rss_growth_pct":
        vals = []
        for r in runs:
            start, peak = get(r, "hub.rss_start_kb"), get(r, "hub.rss_max_kb")
            if r and start:
                vals.append(100.0 * (peak - start) / start)
        return statistics.median(vals) if vals else None
    if name == "cpu_us_per_delivery":
        vals = [1e6 * r["hub"]["cpu_s"] / r["deliveries"] for r in runs
                if r and r.get("deliveries") and r.get("hub")]
        return statistics.median(vals) if vals else None
    if name == "rss_growth_mb":
        vals = [(get(r, "hub.rss_max_kb") - get(r, "hub.rss_start_kb")) / 1024 for r in runs
                if r and get(r, "hub.rss_start_kb") and get(r, "hub.rss_max_kb") is not None]
        return statistics.median(vals) if vals else None
    if name == "slow_cut_pct":
        vals = [100.0 * r.get("slow_closed_seen", 0) / r["slow_clients"] for r in runs
                if r and r.get("slow_clients")]
        return statistics.median(vals) if vals else None
    if name.endswith("@kB"):
        # Bytes as kB (1,000 bytes, as issue 16's goals state them).
        vals = [get(r, name[:-len("@kB")]) for r in runs if r]
        vals = [v / 1000 for v in vals if isinstance(v, (int, float))]
        return statistics.median(vals) if vals else None
    if name == "loss_pct":
        vals = [100.0 * r["loss"] / r["expected"] for r in runs if r and r.get("expected")]
        return statistics.median(vals) if vals else None
    return median(runs, name)


def fmt(v, digits=1):
    if v is None:
        return "–"
    if isinstance(v, float) and not v.is_integer():
        if abs(v) < 10:
            digits = max(digits, 2)
        return f"{v:,.{digits}f}"
    return f"{int(v):,}"


def within(value, limit):
    """value <= limit, and a missing value (not measured) never passes."""
    return value is not None and value <= limit


def at_least(value, limit):
    return value is not None and value >= limit


# id: (title, [(label, metric path, lower_is_better)], gate text, gate check or None).
# A check gets r(path) for this point's median and other(bid, path) for another point of the
# same server in the same run; every condition of the gate text is checked, and a metric that
# was not measured fails it. None: the row is information, not a gate.
BENCHES = [
    ("B1", "Connections held", [
        ("held at the end", "held", False), ("drops while held", "drops_while_held", True),
        ("setup (connect+join all), s", "setup_s", True), ("server RSS at N, MB", "hub.rss_end_kb", True)],
     "15,000 held, 0 drops", lambda r, o: at_least(r("held"), 15000) and r("drops_while_held") == 0),
    ("B2", "Memory per connection (RSS slope N/3 → N, from B1)", [
        ("KB per connection", "kb_per_conn", True), ("RSS at N/3, MB", "rss_third_kb", True),
        ("RSS at N, MB", "rss_full_kb", True)],
     "≤ 24 KB/conn", lambda r, o: within(r("kb_per_conn"), 24)),
    ("B3", "Connect + join storm", [
        ("joins/s", "joins_per_s", False), ("joined", "joined", False),
        ("join p50, ms", "join_latency_ms.p50", True), ("join p99, ms", "join_latency_ms.p99", True),
        ("failures", "join_failures", True), ("server CPU per join, ms", "server_cpu_ms_per_join", True)],
     "≥ 5,000 joins/s, 0 failures, join p99 ≤ 250 ms",
     lambda r, o: at_least(r("joins_per_s"), 5000) and r("join_failures") == 0
     and within(r("join_latency_ms.p99"), 250)),
    ("B3b", "Connect + join storm, 3 members per room (presence fan-out nearly removed)", [
        ("joins/s", "joins_per_s", False), ("joined", "joined", False),
        ("join p50, ms", "join_latency_ms.p50", True), ("join p99, ms", "join_latency_ms.p99", True),
        ("failures", "join_failures", True), ("server CPU per join, ms", "server_cpu_ms_per_join", True)],
     "information, not a gate (a variant of B3 made here)", None),
    ("B3c", "One big room: 5,000 clients join it (until every member's presence is complete)", [
        ("joined", "joined", False), ("all joined, s", "storm_s", True),
        ("presence complete on every member, s", "converged_s", True),
        ("presence complete (1 = yes)", "presence_converged", False),
        ("received per client, KB", "bytes_in_per_client@kB", True),
        ("hub RSS after, per client, KB", "settled_kb_per_client", True),
        ("join p99, ms", "join_latency_ms.p99", True), ("failures", "join_failures", True),
        ("server CPU per join, ms", "server_cpu_ms_per_join", True)],
     "all 5,000 joined with presence complete in ≤ 3 s, ≤ 20 KB RSS per client",
     lambda r, o: at_least(r("joined"), 5000) and r("presence_converged") == 1
     and within(r("converged_s"), 3) and within(r("settled_kb_per_client"), 20)),
    ("B11", "Big hub: 10,000 clients each join hub:lobby and one of 100 rooms", [
        ("joined", "joined", False), ("setup (all joined), s", "storm_s", True),
        ("received per client, KB", "bytes_in_per_client@kB", True),
        ("… lobby join replies, KB", "bytes_per_client_by_event.lobby phx_reply@kB", True),
        ("… lobby presence_state, KB", "bytes_per_client_by_event.lobby presence_state@kB", True),
        ("… lobby presence_diff, KB", "bytes_per_client_by_event.lobby presence_diff@kB", True),
        ("… lobby rooms_changed, KB", "bytes_per_client_by_event.lobby rooms_changed@kB", True),
        ("… room presence_state, KB", "bytes_per_client_by_event.room presence_state@kB", True),
        ("… room presence_diff, KB", "bytes_per_client_by_event.room presence_diff@kB", True),
        ("hub RSS after, per client, KB", "settled_kb_per_client", True),
        ("join p99, ms", "join_latency_ms.p99", True), ("failures", "join_failures", True),
        ("server CPU per join, ms", "server_cpu_ms_per_join", True)],
     "≤ 10 s setup, ≤ 50 KB received per client on average",
     lambda r, o: at_least(r("joined"), 10000) and within(r("storm_s"), 10)
     and within(r("bytes_in_per_client@kB"), 50)),
    ("B4", "Big-room fan-out", [
        ("deliveries/s", "deliveries_per_s", False), ("loss", "loss", True),
        ("duplicates", "duplicates", True),
        ("p50, ms", "latency_ms.p50", True), ("p99, ms", "latency_ms.p99", True),
        ("p99.9, ms", "latency_ms.p999", True), ("max, ms", "latency_ms.max", True),
        ("RSS growth, %", "rss_growth_pct", True), ("server CPU per delivery, µs", "cpu_us_per_delivery", True),
        ("setup, s", "setup_s", True)],
     "0 loss, p50 ≤ 75 ms, p99 ≤ 250 ms, RSS growth < 5%",
     lambda r, o: r("loss") == 0 and r("duplicates") == 0 and within(r("latency_ms.p50"), 75)
     and within(r("latency_ms.p99"), 250) and r("rss_growth_pct") is not None and r("rss_growth_pct") < 5),
    ("B5", "Single-broadcast latency (last recipient)", [
        ("loss", "loss", True), ("duplicates", "duplicates", True),
        ("last recipient p50, ms", "last_recipient_ms.p50", True),
        ("last recipient p99, ms", "last_recipient_ms.p99", True),
        ("messages every member got", "messages_complete", False),
        ("all deliveries p50, ms", "latency_ms.p50", True), ("all deliveries p99, ms", "latency_ms.p99", True),
        ("setup, s", "setup_s", True)],
     "p99 ≤ 150 ms (last recipient of each message)",
     lambda r, o: r("loss") == 0 and r("duplicates") == 0 and at_least(r("messages_complete"), 1)
     and within(r("last_recipient_ms.p99"), 150)),
    ("B6a", "Many small rooms, 1 msg/s per room", [
        ("deliveries/s", "deliveries_per_s", False), ("loss", "loss", True), ("duplicates", "duplicates", True),
        ("p50, ms", "latency_ms.p50", True), ("p99, ms", "latency_ms.p99", True),
        ("max, ms", "latency_ms.max", True), ("server CPU per delivery, µs", "cpu_us_per_delivery", True)],
     "p99 ≤ 10 ms", lambda r, o: r("loss") == 0 and r("duplicates") == 0 and within(r("latency_ms.p99"), 10)),
    ("B6b", "Many small rooms, 10 msg/s per room", [
        ("deliveries/s", "deliveries_per_s", False), ("loss", "loss", True), ("duplicates", "duplicates", True),
        ("p50, ms", "latency_ms.p50", True), ("p99, ms", "latency_ms.p99", True),
        ("max, ms", "latency_ms.max", True), ("server CPU per delivery, µs", "cpu_us_per_delivery", True)],
     "p99 ≤ 25 ms", lambda r, o: r("loss") == 0 and r("duplicates") == 0 and within(r("latency_ms.p99"), 25)),
    ("B7", "Push/reply RTT beside idle connections", [
        ("requests/s", "requests_per_s", False), ("lost replies", "loss", True),
        ("p50, ms", "latency_ms.p50", True), ("p99, ms", "latency_ms.p99", True),
        ("p99.9, ms", "latency_ms.p999", True), ("max, ms", "latency_ms.max", True)],
     "p99 ≤ 5 ms", lambda r, o: at_least(r("requests_per_s"), 1) and r("loss") == 0
     and within(r("latency_ms.p99"), 5)),
    ("B8", "Presence churn", [
        ("join+leave ops/s", "churn_ops_per_s", False), ("presence_diff deliveries/s", "diff_deliveries_per_s", False),
        ("loss", "loss", True), ("duplicates", "duplicates", True),
        ("diff p50, ms", "latency_ms.p50", True), ("diff p99, ms", "latency_ms.p99", True),
        ("max, ms", "latency_ms.max", True),
        ("final lists checked", "presence_lists_checked", False),
        ("final lists equal to the truth", "presence_lists_equal", False)],
     "0 loss, diff p99 ≤ 250 ms, final presence lists identical on all clients",
     lambda r, o: r("loss") == 0 and r("duplicates") == 0 and within(r("latency_ms.p99"), 250)
     and at_least(r("presence_lists_checked"), 1) and r("presence_lists_equal") == r("presence_lists_checked")),
    ("B9", "Presence sync on join (join → presence_state, measured during B8)", [
        ("churner joins/s", "churn_joins_per_s", False),
        ("presence_state received", "presence_state_received", False),
        ("p50, ms", "join_latency_ms.p50", True), ("p99, ms", "join_latency_ms.p99", True),
        ("max, ms", "join_latency_ms.max", True)],
     "p99 ≤ 50 ms at 50 joins/s",
     # The churn paces joins at 50/s; 2 % below that is pacing granularity, not a slower run.
     lambda r, o: at_least(r("churn_joins_per_s"), 49) and within(r("join_latency_ms.p99"), 50)),
    ("B10", "Slow consumers (1% stop reading)", [
        ("slow clients", "slow_clients", False), ("slow clients cut off by the server", "slow_closed_seen", False),
        ("others' loss", "loss", True), ("others dropped", "others_dropped", True),
        ("others' p50, ms", "latency_ms.p50", True), ("others' p99, ms", "latency_ms.p99", True),
        ("server RSS start, MB", "hub.rss_start_kb", True), ("server RSS max, MB", "hub.rss_max_kb", True),
        ("server fds at the end", "hub.fds_end", True)],
     "RSS bounded (≤ slow clients × 4 MiB cap); others' p99 within 20% of B4; the cut-off shown in B10c",
     lambda r, o: r("loss") == 0 and r("others_dropped") == 0
     and within(r("latency_ms.p99"), 1.2 * (o("B4", "latency_ms.p99") or 0))
     and within(r("rss_growth_mb"), (r("slow_clients") or 0) * CAP_BYTES / 2**20 + 0.05 * (r("hub.rss_start_kb") or 0) / 1024)
     and o("B10c", "slow_cut_pct") == 100),
    ("B10c", "Slow consumers cut off (the 4 MiB cap reached within the run)", [
        ("slow clients", "slow_clients", False), ("slow clients cut off by the server", "slow_closed_seen", False),
        ("slow_consumer closes in the hub's log", "server_slow_closes", False),
        ("last cut, s into the run", "slow_closed_last_s", True),
        ("others' loss", "loss", True), ("others dropped", "others_dropped", True),
        ("others' p99, ms", "latency_ms.p99", True),
        ("server RSS growth, MB", "rss_growth_mb", True)],
     "every slow client closed within the run, others lose nothing, RSS growth ≤ slow clients × cap",
     lambda r, o: at_least(r("slow_clients"), 1) and r("slow_cut_pct") == 100 and r("loss") == 0
     and r("others_dropped") == 0
     and within(r("rss_growth_mb"), r("slow_clients") * CAP_BYTES / 2**20 + 0.05 * (r("hub.rss_start_kb") or 0) / 1024)),
]

SOURCE_OF = {"B2": "B1", "B9": "B8"}

# The numbers the summary table shows (label, metric path).
KEY = {
    "B1": [("held", "held"), ("drops", "drops_while_held")],
    "B2": [("KB/conn", "kb_per_conn")],
    "B3": [("joins/s", "joins_per_s"), ("p99 ms", "join_latency_ms.p99"), ("failures", "join_failures")],
    "B3b": [("joins/s", "joins_per_s"), ("p99 ms", "join_latency_ms.p99"), ("CPU/join ms", "server_cpu_ms_per_join")],
    "B3c": [("complete s", "converged_s"), ("KB recv/client", "bytes_in_per_client@kB"),
            ("RSS KB/client", "settled_kb_per_client")],
    "B11": [("setup s", "storm_s"), ("KB recv/client", "bytes_in_per_client@kB"),
            ("RSS KB/client", "settled_kb_per_client")],
    "B4": [("loss", "loss"), ("p50 ms", "latency_ms.p50"), ("p99 ms", "latency_ms.p99"), ("RSS growth %", "rss_growth_pct")],
    "B5": [("loss", "loss"), ("last-recipient p99 ms", "last_recipient_ms.p99")],
    "B6a": [("loss", "loss"), ("p99 ms", "latency_ms.p99")],
    "B6b": [("loss", "loss"), ("p99 ms", "latency_ms.p99")],
    "B7": [("p99 ms", "latency_ms.p99")],
    "B8": [("loss", "loss"), ("p99 ms", "latency_ms.p99"), ("lists equal", "presence_lists_equal"),
           ("of", "presence_lists_checked")],
    "B9": [("joins/s", "churn_joins_per_s"), ("p99 ms", "join_latency_ms.p99")],
    "B10": [("others' p99 ms", "latency_ms.p99"), ("RSS growth MB", "rss_growth_mb"),
            ("slow cut", "slow_closed_seen"), ("of", "slow_clients")],
    "B10c": [("slow cut", "slow_closed_seen"), ("of", "slow_clients"), ("others' loss", "loss"),
             ("RSS growth MB", "rss_growth_mb")],
}


def workload(runs_by_key, bid):
    src = SOURCE_OF.get(bid, bid)
    for kind in SERVERS:
        runs = runs_by_key.get((src, kind))
        if runs and runs[0]:
            p = runs[0]["params"]
            mode = runs[0]["mode"]
            if mode == "hold":
                return f"{p['clients']:,} clients over {p['rooms']} rooms ({p['clients'] // p['rooms']} each), {p['duration']:.0f} s held, heartbeats every 30 s"
            if mode == "storm":
                lobby = "each joins hub:lobby, then its room; " if p.get("lobby") else ""
                converge = ("; then until every member's room presence is complete (all members, or "
                            "where the room lists some: a summary counting all and the same list everywhere)"
                            if p.get("converge") else "")
                return (f"{p['clients']:,} clients, {p['inflight']} in flight, {lobby}joins spread over "
                        f"{p['rooms']} room{'s' if p['rooms'] != 1 else ''}{converge}")
            if mode in ("fanout", "slow-consumer"):
                extra = f", {p['slow_percent']:.0f}% stop reading" if mode == "slow-consumer" else ""
                return (f"1 room, {p['clients']:,} members, 1 publisher at {p['rate']:.0f} msg/s, "
                        f"{p['body_bytes']} B body, {p['duration']:.0f} s{extra}")
            if mode == "rooms":
                return (f"{p['rooms']:,} rooms × {p['clients'] // p['rooms']} members, {p['rate']:.0f} msg/s "
                        f"per room, {p['duration']:.0f} s")
            if mode == "rtt":
                return (f"{p['clients']:,} idle + {p['active']} active clients (own room each) at "
                        f"{p['rate']:.0f} new_msg/s, {p['duration']:.0f} s")
            if mode == "presence-churn":
                return (f"room of {p['clients']:,} members; {p['churners']} churners do {p['churn_rate']:.0f} "
                        f"joins/s + {p['churn_rate']:.0f} leaves/s, {p['duration']:.0f} s")
    return "not run"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", default="0")
    ap.add_argument("--repeats", default="1")
    ap.add_argument("--command", default="bench/run.sh")
    ap.add_argument("--loadavg", default="", help="load average at the end of the run")
    ap.add_argument("--loadavg-start", default="", help="load average before the first point")
    ap.add_argument("--b1-hold", default="")
    ap.add_argument("--measure", default="")
    ap.add_argument("--baseline", default="", help="the commit the parley-base kinds were built from")
    args = ap.parse_args()

    runs_by_key = load(args.results)
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    for k in ("ws", "socketio"):
        DISPATCHER[k] = f"libuv (epoll), Node {node}"
    cpu = "unknown"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_gb = int(open("/proc/meminfo").readline().split()[1]) / 1024 / 1024
    quick = args.quick == "1"
    lines = []
    w = lines.append
    w("# Benchmarks")
    w("")
    w("Tables generated by `bench/run.sh` (see `bench/README.md`); only an analysis section after them is "
      "written by hand. Design and targets: `performance.md` section 5 (B1–B10).")
    w("")
    # The run's start, from the results directory's stamp (a later re-render keeps it).
    try:
        started = datetime.datetime.strptime(os.path.basename(os.path.normpath(args.results)),
                                             "%Y%m%dT%H%M%SZ")
    except ValueError:
        started = datetime.datetime.now(datetime.timezone.utc)
    w(f"- **Date:** run started {started.strftime('%Y-%m-%d %H:%M UTC')}")
    w(f"- **Machine:** {cpu}, {os.cpu_count()} vCPU, {mem_gb:.0f} GiB, kernel {platform.release()}; "
      "loopback only, server pinned to CPU 0 and `parley-loadgen` to CPU 1 (`taskset`).")
    w(f"- **Command:** `{args.command}` — {'QUICK run: shortened durations and reduced sizes (below)' if quick else 'full suite'}; "
      f"{args.repeats} run(s) per point, median reported; a fresh server per run.")
    w(f"- **Durations:** B1 held {args.b1_hold} s (gate: 600 s); measured phase of B4–B10 {args.measure} s "
      f"(gate: 60 s); 1 s settle and up to 5 s drain after each.")
    w(f"- **Servers:** Parley `parley-hub --ephemeral --max-rate 0 --discovery off` (in-memory store, "
      f"rate limit off: the hub's own cost) on its default QWebSocketServer transport (qt) and, as "
      f"\"Parley hub (epoll)\", the same with `--transport epoll` (the hand-written one); as \"Parley hub "
      f"over wss://\" the same serving TLS with its own certificate (the loadgen checks its fingerprint), "
      f"for B1–B4, B6 and B7 (every other Parley column, like the peers, is plain ws://); Parley in its default configuration, `parley-hub --data-dir DIR "
      f"--discovery off` (SQLite with the ack after the commit, rate limit 30 events/s per connection), for "
      f"B4, B6 and B7; Node ws 8.23.0 peer and Socket.IO 4.8 peer (`bench/peers/`), Node {node}.")
    if args.baseline:
        w(f"- **Baseline:** \"Parley before\" columns run `parley-hub` built from `{args.baseline}` in the same "
          "configurations, alternating with this build repeat by repeat (`--baseline`); ratio now/before.")
    if args.loadavg or args.loadavg_start:
        w(f"- **Load average** (1, 5, 15 min) before the first point: {args.loadavg_start or 'not recorded'}; "
          f"at the end: {args.loadavg or 'not recorded'}. Anything else that ran on the machine meanwhile is "
          "said in the analysis below; ratios measured back-to-back are more trustworthy than absolute values.")
    w("")
    w("Latency is receive time minus the CLOCK_MONOTONIC send time carried in the message body "
      "(or the push's send time for replies), over every delivery of the measured phase. Loss = "
      "expected deliveries − received. Server RSS and CPU come from `/proc/PID` (CPU = utime+stime "
      "during the measured phase). Ratio = Parley / peer (for rates, > 1 means Parley is faster; "
      "for latencies and memory, < 1 means Parley is better).")
    w("")
    if quick:
        w("**Quick-run sizes.** Joining a room is O(N) work for the server (presence_state of N entries "
          "to the joiner, presence_diff to N members), so filling one room of N is O(N²): 1,000 "
          "members take ~15 s here, 10,000 would take tens of minutes. The quick run therefore "
          "measures B4 and B10 with 1,000 members at 100 msg/s (the same 100k deliveries/s offered "
          "as the gate's 10,000 × 10/s) and B5 with 2,000 members; the B4/B5/B10 gates are stated "
          "for 10k/15k members and are **not** established by these points.")
        w("")
    def verdict_of(bid, check, kind):
        """(verdict, key numbers) of one benchmark for one Parley configuration, or None."""
        src = SOURCE_OF.get(bid, bid)
        runs = runs_by_key.get((src, kind))
        if not runs or not any(runs):
            return None
        r = lambda path, runs=runs: derived(runs, path)
        other = lambda obid, path: derived(runs_by_key.get((SOURCE_OF.get(obid, obid), kind), []), path)
        # A point whose clients could not all connect and join measured a smaller workload
        # than its gate states: it cannot meet the gate, whatever its numbers.
        complete = r("join_failures") == 0 and r("connect_failures") == 0
        if check is None:
            verdict = "information"
        elif not complete:
            verdict = "missed (setup incomplete: %s join, %s connect failures)" % (
                fmt(r("join_failures")), fmt(r("connect_failures")))
        else:
            verdict = "met" if check(r, other) else "missed"
        if quick and bid in ("B4", "B5", "B10"):
            verdict += " (reduced size)"
        if quick and bid == "B1" and args.b1_hold not in ("", "600"):
            verdict += f" (for {args.b1_hold} s; the gate asks 600 s)"
        keys = []
        for label, path in KEY.get(bid, []):
            v = r(path)
            if v is not None and path.endswith("_kb"):
                v = v / 1024
            keys.append(f"{label} {fmt(v)}")
        return verdict, ", ".join(keys)

    summary = {"parley": "Parley (in-memory store, no rate limit)",
               "parley-base": "Parley before (baseline)",
               "parley-epoll": "Parley, `--transport epoll`",
               "parley-tls": "Parley over wss:// (its own certificate)",
               "parley-default": "Parley, default config (SQLite, 30 events/s)",
               "parley-default-base": "Parley before, default config"}
    shown = [k for k in summary if k not in ("parley-epoll", "parley-tls", "parley-base", "parley-default-base")
             or any(kind == k for (_src, kind) in list(runs_by_key) + list(FAILED))]
    w("| | Gate | " + " | ".join(f"{summary[k]} | verdict" for k in shown) + " |")
    w("|---|---|" + "---|---|" * len(shown))
    for bid, title, metrics, gate, check in BENCHES:
        cells = []
        for kind in shown:
            verdict, keys = verdict_of(bid, check, kind) or ("not run", "–")
            cells += [keys, verdict]
        w(f"| {bid} {title} | {gate} | " + " | ".join(cells) + " |")
    w("")

    for bid, title, metrics, gate, check in BENCHES:
        src = SOURCE_OF.get(bid, bid)
        w(f"## {bid}: {title}")
        w("")
        w(f"Workload: {workload(runs_by_key, bid)}. Gate: {gate}.")
        w("")
        kinds = [k for k in SERVERS if runs_by_key.get((src, k)) or (src, k) in FAILED]
        if not kinds:
            w("Not run.")
            w("")
            continue
        header = "| metric | " + " | ".join(LABEL[k] for k in kinds)
        # Ratio columns: (numerator kind, denominator kind, label).
        ratios = []
        if "parley" in kinds:
            ratios += [("parley", k, f"Parley/{k}") for k in kinds if k in PEERS]
            if "parley-epoll" in kinds:
                ratios.append(("parley", "parley-epoll", "qt/epoll"))  # the transport decision
            if "parley-tls" in kinds:
                ratios.append(("parley", "parley-tls", "plain/wss"))  # what TLS costs
            if "parley-base" in kinds:
                ratios.append(("parley", "parley-base", "now/before"))
        if "parley-default" in kinds and "parley-default-base" in kinds:
            ratios.append(("parley-default", "parley-default-base", "default now/before"))
        header += "".join(f" | {label}" for _a, _b, label in ratios)
        w(header + " |")
        w("|---" * (1 + len(kinds) + len(ratios)) + "|")
        if any((src, k) in FAILED for k in kinds):
            w("| setup | " + " | ".join(setup_failure(FAILED[(src, k)]) if (src, k) in FAILED
                                       and not runs_by_key.get((src, k)) else "finished"
                                       for k in kinds)
              + " | –" * len(ratios) + " |")
        for label, path, _lower in metrics:
            vals = {}
            for k in kinds:
                v = derived(runs_by_key.get((src, k), []), path)
                if v is not None and path.endswith("_kb") and "per_conn" not in path:
                    v = v / 1024
                vals[k] = v
            row = f"| {label} | " + " | ".join(fmt(vals[k]) for k in kinds)
            for a_kind, b_kind, _label in ratios:
                a, b = vals.get(a_kind), vals.get(b_kind)
                row += " | " + (f"{a / b:.2f}" if a is not None and b not in (None, 0) else "–")
            w(row + " |")
        w("| dispatcher | " + " | ".join(DISPATCHER[k] for k in kinds) + " |" * len(ratios) + " |")
        w("")
    w("Raw results: `" + os.path.relpath(args.results, os.path.dirname(os.path.dirname(os.path.abspath(args.out))))
      + "` (one loadgen JSON per run, not committed).")
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
