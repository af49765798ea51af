"""The tables of tools/bench/figures, from its results.jsonl (one JSON line per run).

    python3 tools/bench/figures-table.py target/figures/DATE/results.jsonl

Prints, in Markdown: each run; the median of the runs for each row and server, figure by figure
(each column's median on its own); what the logs and bench said besides; and last the
side-by-side table of lab03 and lab05 with the ratio lab05/lab03, as the guide shows it.
"""

import json
import statistics
import sys


def ms(us):
    return f"{us / 1000:.2f} ms"


def count(value):
    return f"{value:,.0f}"


def mib(kb):
    return f"{kb / 1024:.1f} MiB"


def seconds(millis):
    return f"{millis / 1000:.2f} s"


def millis(value):
    return f"{value:.2f} ms"


# The figures of the per-run and median tables: (heading, field, how to show it).
COLUMNS = [
    ("passed", "passed", lambda v: "yes" if v else "NO"),
    ("joined", "joined", count),
    ("lost", "lost", count),
    ("garbled", "garbled", count),
    ("dup", "duplicated", count),
    ("deliveries/s", "deliveries_per_second", count),
    ("p50", "latency_p50_us", ms),
    ("p99", "latency_p99_us", ms),
    ("max", "latency_max_us", ms),
    ("join", "join_ms", seconds),
    ("member join max", "member_join_max_ms", millis),
    ("threads", "server_threads_most", count),
    ("server RSS", "server_peak_rss_kb", mib),
    ("server CPU", "server_cpu_ms", seconds),
    ("bench reader", "reader_busy_percent", lambda v: f"{v:.0f} %"),
]

# The side-by-side table: for each kit row, the figures that matter, as (label, field, show),
# and a fourth element False where a ratio means nothing (counts that should be 0, or equal).
# A field may also be a function of (the row's runs for one server, every run, the server): a
# figure derived from them.
SIDE_BY_SIDE = [
    ("100 x 200 at once", "throughput", [
        ("deliveries/s", "deliveries_per_second", count),
        ("lost", "lost", count, False),
        ("garbled", "garbled", count, False),
        ("peak RSS", "server_peak_rss_kb", mib),
        ("server CPU (user + system)", "server_cpu_ms", seconds),
        # Near 100 %, bench could read no faster: the row would measure bench (--readers).
        ("bench's busiest reader, busy", "reader_busy_percent", lambda v: f"{v:.0f} %", False),
    ]),
    ("500 connecting at once", "connect500", [
        ("joined", "joined", count, False),
        ("join time", "join_ms", seconds),
        ("lost", "lost", count, False),
    ]),
    ("10,000 members, one message", "ten-thousand", [
        ("joined", "joined", count, False),
        ("reached all within", "latency_max_us", ms),
        ("peak RSS", "server_peak_rss_kb", mib),
        ("join time", "join_ms", seconds),
    ]),
    ("100 x 50 at 20/s, --spread", "rate-spread", [
        ("p50", "latency_p50_us", ms),
        ("p99", "latency_p99_us", ms),
    ]),
    ("100 x 50 at 20/s, lockstep", "rate", [
        ("p99", "latency_p99_us", ms),
    ]),
    ("30 % killed (--kill 30)", "kill30", [
        ("lost", "lost", count, False),
        ("deliveries/s", "deliveries_per_second", count),
    ]),
    ("100 x 1000 (baseline)", "baseline", [
        ("p99", "latency_p99_us", ms),
    ]),
    ("same + one non-reader", "non-reader", [
        ("p99", "latency_p99_us", ms),
        ("live members dropped", "dropped", count, False),
        ("p99 / the baseline's p99", lambda group, records, server: ratio_to_baseline(
            group, records, server), lambda v: f"{v:.2f}x", False),
        ("runs where the non-reader's drop was logged",
         lambda group, records, server: sum(1 for r in group if r.get("dropped_logged")),
         count, False),
    ]),
    ("slowloris: 8,200 silent, then 5 join", "slowloris", [
        ("members joined", "joined", count, False),
        ("slowest join", "member_join_max_ms", millis),
        ("silent ones closed", "silent_closed", count),
        ("of them told why", "silent_told_why", count),
        ("server threads at most", "server_threads_most", count),
        ("peak RSS", "server_peak_rss_kb", mib),
    ]),
    ("flood: one floods, one at 20/s", "flood", [
        ("steady member p50", "latency_p50_us", ms),
        ("steady member p99", "latency_p99_us", ms),
        ("flood, messages/s", "flood_per_second", count),
    ]),
    ("100-byte messages", "kit-100B", [
        ("deliveries/s", "deliveries_per_second", count),
        ("garbled", "garbled", count, False),
    ]),
    ("5 x 20/s, Nagle off / on", "nagle-kit", [
        ("p50, Nagle off", "latency_p50_us", ms),
    ]),
    ("", "nagle-kit-on", [
        ("p50, Nagle on", "latency_p50_us", ms),
    ]),
]


def ratio_to_baseline(group, records, server):
    """The non-reader row's p99 over the baseline row's, for one server (target: within 2x)."""
    baseline = [r for r in records if r["row"] == "baseline" and r["server"] == server
                and "failed" not in r]
    with_it, without = median(group, "latency_p99_us"), median(baseline, "latency_p99_us")
    return with_it / without if with_it is not None and without else None


def median(group, field, records=(), server=None):
    if callable(field):
        value = field(group, records, server) if group else None
        values = [] if value is None else [value]
    else:
        values = [r[field] for r in group if isinstance(r.get(field), (int, float))]
    return statistics.median(values) if values else None


def table(title, heading, groups):
    print(f"\n{title}\n")
    print(f"| {heading} | " + " | ".join(name for name, _, _ in COLUMNS) + " |")
    print("|" + " --- |" * (len(COLUMNS) + 1))
    for label, group in groups:
        cells = []
        for _, field, show in COLUMNS:
            value = median(group, field)
            cells.append("-" if value is None else show(value))
        print(f"| {label} | " + " | ".join(cells) + " |")


def side_by_side(records):
    def group(row, server):
        return [r for r in records if r["row"] == row and r["server"] == server and "failed" not in r]

    def runs(row, server):
        every = [r for r in records if r["row"] == row and r["server"] == server]
        passed = sum(1 for r in every if r.get("passed"))
        return f"{passed}/{len(every)} passed" if every else "-"

    print("\nlab03 and lab05 side by side (medians; ratio = lab05 / lab03: above 1 is better "
          "for deliveries/s, below 1 for times, memory and threads; blank where dividing means "
          "nothing, - where there is nothing to divide):\n")
    print("| row | figure | lab03 | lab05 | lab05/lab03 |")
    print("| --- | --- | --- | --- | --- |")
    for title, row, figures in SIDE_BY_SIDE:
        if not any(r["row"] == row for r in records):
            continue
        print(f"| {title} | runs | {runs(row, 'lab03')} | {runs(row, 'lab05')} | |")
        for label, field, show, *divide in figures:
            old = median(group(row, "lab03"), field, records, "lab03")
            new = median(group(row, "lab05"), field, records, "lab05")
            if divide == [False]:
                ratio = ""
            elif old and new is not None:
                ratio = f"{new / old:.2f}"
            else:
                ratio = "-"
            cells = ["-" if value is None else show(value) for value in (old, new)]
            print(f"| | {label} | {cells[0]} | {cells[1]} | {ratio} |")


def notes(records):
    print("\nWhat the logs and bench said besides:\n")
    for record in records:
        said = []
        if "failed" in record:
            said.append(f'did not finish: {record["failed"]}')
        if record.get("failure"):
            said.append(record["failure"])
        if record.get("ended") not in (None, "complete"):
            said.append(f'ended: {record["ended"]}')
        for key in ("killed", "dropped", "abandoned", "join_failed"):
            if record.get(key):
                said.append(f"{key} {record[key]}")
        if record.get("non_reader_joined") is not None:
            said.append(f'non-reader joined: {record["non_reader_joined"]}')
        if record.get("leaves_logged"):
            said.append(f'leaves logged {record["leaves_logged"]}, '
                        f'twice {record["leaves_logged_twice"]}')
        said += record.get("dropped_logged", [])[:3]
        if record.get("refused_logged"):
            said.append(f'connections refused {record["refused_logged"]}')
        if record.get("tracebacks"):
            said.append(f'{record["tracebacks"]} tracebacks: {record["errors"]}')
        if record.get("log_cut"):
            said.append("the server's log was cut at its cap")
        if said:
            print(f'- {record["row"]}, {record["server"]} #{record["run"]}: ' + "; ".join(said))


def main(path):
    records = [json.loads(line) for line in open(path) if line.strip()]
    if not records:
        print("figures: no run was recorded")
        return
    keys = []
    for record in records:
        if (record["row"], record["server"]) not in keys:
            keys.append((record["row"], record["server"]))
    table("Each run:", "row, server #run",
          [(f'{r["row"]}, {r["server"]} #{r["run"]}', [r]) for r in records])
    table("Median of the runs, figure by figure:", "row, server",
          [(f"{row}, {server}", [r for r in records if (r["row"], r["server"]) == (row, server)
                                  and "failed" not in r])
           for row, server in keys])
    notes(records)
    side_by_side(records)
    print(f"\nCommand: tools/bench/figures; each run is bench --json with the arguments in {path}")


main(sys.argv[1])
