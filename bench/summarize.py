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
    order = ["flat-unbatched", "flat-multi10", "rate-5k", "rate-40k", "rate-100k", "rate-150k", "rate-200k",
             "multi10-rate-150k", "multi10-rate-200k", "hold20-rate-10k", "hold20-rate-100k",
             "hold100-rate-10k", "hold100-rate-100k", "idle-20-workers", "tasks-1M"]
    rank = lambda key: (key[0] != "sluiced", order.index(key[1]) if key[1] in order else len(order), key[1])
    for key in sorted(groups, key=rank):
        group = groups[key]
        # Text columns (made/accepted, final/sent, …) come from the median run
        # by events applied, so a row reads as one consistent run.
        merged = dict(sorted(group, key=lambda r: float(r["applied"]))[len(group) // 2])
        for field in NUMERIC:
            merged[field] = statistics.median(float(r[field]) for r in group)
        for field in ("p99_ms", "dropped"):  # "-" where a target has no such figure
            values = [float(r[field]) for r in group if r[field] not in ("-", "")]
            merged[field] = f"{statistics.median(values):.0f}" if values else "-"
        merged["runs"] = len(group)
        merged["clean_runs"] = sum(clean_run(r) for r in group)
        merged["clean"] = merged["clean_runs"] == len(group)
        applied = merged["applied"]
        merged["cpu_s_per_M"] = merged["cpu_s"] * 1e6 / applied if applied else float("nan")
        merged["subscribed"] = "/".join(sorted({r["subscribed"] for r in group}))
        merged["reconnects"] = " ".join(sorted({r["reconnects/obuf_kills"] for r in group}))
        merged["concurrency"] = " ".join(r.get("concurrency_limit/sink_max_in_flight") or "-" for r in group)
        out[key] = merged
    return out


def clean_run(row):
    """One run carried all it was offered: nothing lost, never cut off by
    Redis and, for sluiced, every ingest event accepted, none dropped, and
    every task the load generator sent reached the sink in a final state."""
    if float(row["lost"]) != 0 or row["subscribed"] != "yes" or row["reconnects/obuf_kills"] not in ("0/0", "-/0"):
        return False
    if row["target"] != "sluiced":
        return True
    made, _, accepted = row["ingest_made/sink"].partition("/")
    final, _, sent = row["jobs_final/tasks_sent"].partition("/")
    return made == accepted and row["dropped"] == "0" and final == sent


def clean(m, target=None):
    return m["clean"]


def best_clean_rate(med, target, prefix):
    rates = [m["e2e_ev_s"] for (t, case), m in med.items()
             if t == target and case.startswith(prefix) and clean(m, target)]
    return max(rates, default=0.0)


def targets(med):
    """The issue's targets, each with the figure it is judged on."""
    def get(target, case, field, default=float("nan")):
        m = med.get((target, case))
        return m[field] if m else default
    rows = []
    # "Sustained 150 000/s" is judged on the cases offered at that rate for
    # 10 s: met when every run carried all of it. The end-to-end figure sits
    # a little under the offered rate (the generator's start and pacing).
    for label, case in (("unbatched", "rate-150k"), ("task.multi", "multi10-rate-150k")):
        m = med.get(("sluiced", case))
        runs = f"clean in {m['clean_runs']} of {m['runs']} runs, {m['e2e_ev_s']:.0f} ev/s end to end" if m else "not run"
        rows.append((f"≥ 150 000 events/s sustained, zero loss ({label}: {case})", runs, bool(m) and clean(m)))
    unbatched = max(best_clean_rate(med, "sluiced", "rate-"), best_clean_rate(med, "sluiced", "flat-unbatched"))
    multi = max(best_clean_rate(med, "sluiced", "multi10"), best_clean_rate(med, "sluiced", "flat-multi10"))
    m40 = med.get(("sluiced", "rate-40k"))
    ok40 = bool(m40) and clean(m40, "sluiced")
    rows.append(("zero loss, no disconnect at 40 000 events/s", "yes" if ok40 else "no", ok40))
    p99 = get("sluiced", "rate-5k", "p99_ms", "-")
    ok_p99 = p99 not in ("-", None) and float(p99) <= 1100
    rows.append(("p99 latency ≤ flush interval + 100 ms (1 100 ms) at 5 000 events/s", f"{p99} ms", ok_p99))
    # While sluiced keeps up; a case it cannot carry fills the delivery buffer
    # (100 000 events by default), which is memory spent on purpose.
    # The hold cases keep round trips' worth of events in flight on purpose:
    # they are judged by their own bound below.
    local = {k: m for k, m in med.items() if k[0] == "sluiced" and not k[1].startswith("hold")}
    peak = max((m["hwm_mb"] for m in local.values() if clean(m)), default=float("nan"))
    worst = max((m["hwm_mb"] for m in local.values()), default=float("nan"))
    rows.append(("peak RSS ≤ 30 MB (every case sluiced carried without loss, API on loopback)",
                 f"{peak:.1f} MB (all cases, backlog included: {worst:.1f} MB)", peak <= 30))
    m = med.get(("sluiced", "hold100-rate-100k"))
    if m:
        rows.append(("≥ 100 000 events/s for 10 s, zero loss, API 100 ms away (hold100-rate-100k)",
                     f"clean in {m['clean_runs']} of {m['runs']} runs, {m['e2e_ev_s']:.0f} ev/s end to end, "
                     f"concurrency {m['concurrency']}", m["clean"]))
        rows.append(("peak RSS ≤ 40 MB at 100 000 events/s, API 100 ms away", f"{m['hwm_mb']:.1f} MB",
                     m["hwm_mb"] <= 40))
    idle = 100 * get("sluiced", "idle-20-workers", "cpu_s") / 20
    rows.append(("idle CPU < 0.5 % (20 heartbeating workers)", f"{idle:.2f} %", idle < 0.5))
    celery_best = max(best_clean_rate(med, "celery", "rate-"), best_clean_rate(med, "celery", "flat-"))
    best = max(unbatched, multi)
    times = best / celery_best if celery_best else float("inf")
    rows.append(("≥ 5× Celery's zero-loss throughput", f"{best:.0f} vs {celery_best:.0f} ({times:.1f}×)", times >= 5))
    mem_ratio = get("celery", "rate-5k", "hwm_mb") / get("sluiced", "rate-5k", "hwm_mb")
    rows.append(("≤ 1/4 of Celery's memory (rate-5k, where both keep up)", f"1/{mem_ratio:.1f}", mem_ratio >= 4))
    print("\n## Targets\n")
    print("| target | measured | met |")
    print("|---|---|---|")
    for name, value, ok in rows:
        print(f"| {name} | {value} | {'yes' if ok else '**no**'} |")


def ratio(a, b):
    return f"{a / b:.1f}×" if b else "n/a"


def main():
    rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
    med = median_rows(rows)
    print("# sluiced benchmark results\n")
    print(f"Run started {sys.argv[2]}, RUNS={sys.argv[3]} (throughput and rate cases: median of RUNS; "
          "idle and 1M-task cases: one run).  \nMachine: " + machine() + ".  ")
    print("Command: `bash bench/run.sh` (installs dependencies and builds first).\n")
    print("| target | case | runs | published | applied | lost | end-to-end ev/s | offered ev/s | "
          "CPU s | CPU s / M ev | peak RSS MB | RSS end MB | subscribed at end | reconnects / Redis obuf kills | "
          "ingest made/accepted | p99 ms | dropped | tasks held | tasks final at sink / sent |")
    print("|" + "---|" * 19)
    for (target, case), m in med.items():
        print(f"| {target} | {case} | {m['runs']} | {m['published']:.0f} | {m['applied']:.0f} | "
              f"{m['lost']:.0f} | {m['e2e_ev_s']:.0f} | {m['offered_ev_s']:.0f} | {m['cpu_s']:.2f} | "
              f"{m['cpu_s_per_M']:.1f} | {m['hwm_mb']:.1f} | {m['rss_mb']:.1f} | {m['subscribed']} | "
              f"{m['reconnects']} | {m['ingest_made/sink']} | {m['p99_ms']} | {m['dropped']} | {m['tracked_tasks']} | {m['jobs_final/tasks_sent']} |")
    targets(med)
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
    holds = [(case, m) for (target, case), m in med.items() if case.startswith("hold")]
    if holds:
        print("\n## The ingest API a round trip away\n")
        print("The sink holds every response `hold_ms` before answering. *concurrency* is, per run, "
              "the limit adaptive control had settled on at the end / the most requests the sink held at once.\n")
        print("| case | clean runs | end-to-end ev/s | CPU s / M ev | peak RSS MB | p99 ms | dropped | concurrency |")
        print("|---|---|---|---|---|---|---|---|")
        for case, m in holds:
            print(f"| {case} | {m['clean_runs']} of {m['runs']} | {m['e2e_ev_s']:.0f} | {m['cpu_s_per_M']:.1f} | "
                  f"{m['hwm_mb']:.1f} | {m['p99_ms']} | {m['dropped']} | {m['concurrency']} |")
    for (target, case), m in med.items():
        if case.startswith("idle"):
            print(f"\nIdle CPU, {target}, 20 heartbeating workers: {100 * m['cpu_s'] / 20:.2f} % of one core.")
    print("\nColumns: *applied* = Celery events the target decoded (sluiced_events_received_total) or "
          "applied to State (Celery); *end-to-end ev/s* = applied / (time of the last applied event − "
          "loadgen start); *lost* = published − applied; *p99 ms* = delivery latency of the oldest job "
          "event of each ingest request (sink clock − event timestamp); idle CPU % = CPU s / 20 s.")


if __name__ == "__main__":
    main()
