#!/usr/bin/python3
"""Turns bench/run.sh's TSV into bench/RESULTS.md: medians per target and
case, the sluiced / Celery ratios, and the machine the numbers come from.
Usage: summarize.py RESULTS_TSV STARTED_UTC RUNS"""
import csv
import os
import platform
import statistics
import sys

NUMERIC = ("published", "applied", "lost", "e2e_ev_s", "offered_ev_s", "cpu_s", "hwm_mb", "rss_mb")


def machine():
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    load = open("/proc/loadavg").read().split()[:3]
    return (f"{os.cpu_count()} CPUs ({model}), {int(mem) // 1024} MiB RAM, {platform.system()} "
            f"{platform.release()}; load average at the end {' '.join(load)}")


def median_rows(rows):
    groups = {}
    for row in rows:
        groups.setdefault((row["target"], row["case"]), []).append(row)
    out = {}
    for key, group in groups.items():
        merged = dict(group[-1])
        for field in NUMERIC:
            merged[field] = statistics.median(float(r[field]) for r in group)
        merged["runs"] = len(group)
        applied = merged["applied"]
        merged["cpu_s_per_M"] = merged["cpu_s"] * 1e6 / applied if applied else float("nan")
        merged["subscribed"] = "/".join(sorted({r["subscribed"] for r in group}))
        merged["reconnects"] = " ".join(sorted({r["reconnects/obuf_kills"] for r in group}))
        out[key] = merged
    return out


def ratio(a, b):
    return f"{a / b:.1f}×" if b else "n/a"


def main():
    rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
    med = median_rows(rows)
    print("# sluiced benchmark results\n")
    print(f"Run started {sys.argv[2]}, RUNS={sys.argv[3]} (throughput and rate cases: median of RUNS; "
          "idle and 1M-task cases: one run).  \nMachine: " + machine() + ".  ")
    print("Command: `bash bench/run.sh` (build first: `ninja -C build sluiced loadgen`).\n")
    print("| target | case | runs | published | applied | lost | end-to-end ev/s | offered ev/s | "
          "CPU s | CPU s / M ev | peak RSS MB | RSS end MB | subscribed at end | reconnects / Redis obuf kills | "
          "ingest made/accepted | p99 ms | dropped | tasks held |")
    print("|" + "---|" * 18)
    for (target, case), m in med.items():
        print(f"| {target} | {case} | {m['runs']} | {m['published']:.0f} | {m['applied']:.0f} | "
              f"{m['lost']:.0f} | {m['e2e_ev_s']:.0f} | {m['offered_ev_s']:.0f} | {m['cpu_s']:.2f} | "
              f"{m['cpu_s_per_M']:.1f} | {m['hwm_mb']:.1f} | {m['rss_mb']:.1f} | {m['subscribed']} | "
              f"{m['reconnects']} | {m['ingest_made/sink']} | {m['p99_ms']} | {m['dropped']} | {m['tracked_tasks']} |")
    print("\n## sluiced / Celery\n")
    print("| case | wall-clock throughput ratio | CPU-efficiency ratio (Celery CPU s/M ÷ sluiced) | "
          "lost sluiced | lost Celery | peak RSS ratio (Celery / sluiced) |")
    print("|---|---|---|---|---|---|")
    for (target, case), s in med.items():
        c = med.get(("celery", case))
        if target != "sluiced" or c is None:
            continue
        print(f"| {case} | {ratio(s['e2e_ev_s'], c['e2e_ev_s'])} | "
              f"{ratio(c['cpu_s_per_M'], s['cpu_s_per_M'])} | {s['lost']:.0f} | {c['lost']:.0f} | "
              f"{ratio(c['hwm_mb'], s['hwm_mb'])} |")
    for (target, case), m in med.items():
        if case.startswith("idle"):
            print(f"\nIdle CPU, {target}, 20 heartbeating workers: {100 * m['cpu_s'] / 20:.2f} % of one core.")
    print("\nColumns: *applied* = Celery events the target decoded (sluiced_events_received_total) or "
          "applied to State (Celery); *end-to-end ev/s* = applied / (time of the last applied event − "
          "loadgen start); *lost* = published − applied; *p99 ms* = delivery latency of the oldest job "
          "event of each ingest request (sink clock − event timestamp); idle CPU % = CPU s / 20 s.")


if __name__ == "__main__":
    main()
