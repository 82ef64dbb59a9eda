"""``make bench`` at organization scale, and ``make bench-ci``: the cost of one account against ping.

For each size (100, 300 and 1,000 accounts; ``BENCH_ACCOUNTS`` caps it, 300 on a slow day) on one
emulator, in one run, with the same inventory, forks and interpreter:

- one ``ansible.builtin.ping`` per host (benchmarks/ping.yml): the floor the ratios mean;
- a check-mode audit of the fresh accounts;
- the apply that converges them (timed, not judged);
- a check-mode audit of the converged accounts;
- a converged no-op apply.

Each run reports wall time, the controller's CPU seconds (ansible-playbook and its workers), the
emulator's CPU seconds, requests and writes per account, the ratio to ping, and the controller's
peak memory (its main process, and the sum of PSS over it and its workers). The results go to
``benchmarks/results/<date>.json``; benchmarks/plot.py draws seconds per account against accounts.

``--ci`` runs 20 accounts: it fails when a converged account costs more requests than the budget
(deterministic), and prints the ratios to ping without judging them (CI machines are noisy).
Timings on a shared machine are noisy: compare ratios measured in the same run.
"""

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))

from emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from run import OURS, PING, TARGET_AUDIT_REQUESTS, TARGET_REQUESTS, accounts, write_inventory  # noqa: E402  pylint: disable=wrong-import-position

SIZES = (100, 300, 1000)
CI_SIZE = 20
FORKS = int(os.environ.get("BENCH_FORKS") or 20)
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid):
    """utime + stime of a live process (all its threads), from /proc."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / float(TICKS)


def descendants(pid):
    """``pid`` and every live process under it."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry, encoding="ascii") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def memory_kib(pid, field):
    """``Pss`` (smaps_rollup) or ``VmRSS`` (status) of a live process, in KiB; 0 when gone."""
    path = "/proc/%d/%s" % (pid, "smaps_rollup" if field == "Pss" else "status")
    try:
        with open(path, encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Peak RSS of the controller's main process, peak PSS summed over it and its workers, its CPU."""

    def __init__(self, pid, interval=0.5):
        super(MemorySampler, self).__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.main_rss = self.tree_pss = 0
        self.main_cpu = 0.0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            # The main process's own CPU (its strategy loop), last seen at most one interval before it ended.
            self.main_cpu = max(self.main_cpu, process_cpu_seconds(self.pid))
            self.main_rss = max(self.main_rss, memory_kib(self.pid, "VmRSS"))
            self.tree_pss = max(self.tree_pss, sum(memory_kib(p, "Pss") for p in descendants(self.pid)))
            self.done.wait(self.interval)


def timed_run(emulator, playbook, inventory, report_dir, *args, **env_extra):
    """One ansible-playbook run: wall, controller CPU, emulator CPU, memory, requests, writes."""
    env = dict(os.environ, **emulator.environ())
    env.update(ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1", **env_extra)
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook, "-i", inventory,
           "-f", str(FORKS), "-e", "root_alerts_report_dir=%s" % report_dir] + list(args)
    emulator.clear_recording()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    emulator_before = process_cpu_seconds(emulator.pid)
    started = time.monotonic()
    with tempfile.TemporaryFile(mode="w+") as output:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
        sampler = MemorySampler(proc.pid)
        sampler.start()
        returncode = proc.wait()
        seconds = time.monotonic() - started
        sampler.done.set()
        sampler.join()
        if returncode != 0:
            output.seek(0)
            sys.stdout.write(output.read()[-4000:])
            raise SystemExit("bench: %s failed (exit %d)" % (os.path.basename(playbook), returncode))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    requests = emulator.requests()
    return {
        "seconds": round(seconds, 2),
        "controller_cpu_seconds": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2),
        "controller_main_cpu_seconds": round(sampler.main_cpu, 2),
        "emulator_cpu_seconds": round(process_cpu_seconds(emulator.pid) - emulator_before, 2),
        "controller_peak_rss_mib": round(sampler.main_rss / 1024.0, 1),
        "controller_peak_pss_mib": round(sampler.tree_pss / 1024.0, 1),
        "requests": len(requests),
        "writes": sum(1 for r in requests if r.is_write),
    }


RUN_NAMES = ("ping", "fresh_audit", "apply", "converged_audit", "noop")


def measure(emulator, workdir, count, first, env_extra, names=RUN_NAMES):
    inventory = write_inventory(workdir, "scale-%d" % count, accounts(first, count))
    reports = os.path.join(workdir, "reports-%d" % count)
    runs = {}
    steps = [
        ("ping", PING, ()),
        ("fresh_audit", OURS, ("--check",)),
        ("apply", OURS, ()),
        ("converged_audit", OURS, ("--check",)),
        ("noop", OURS, ()),
    ]
    for name, playbook, args in [step for step in steps if step[0] in names]:
        extra = {} if name == "ping" else env_extra
        runs[name] = timed_run(emulator, playbook, inventory, reports, *args, **extra)
        run = runs[name]
        run["seconds_per_account"] = round(run["seconds"] / count, 4)
        run["controller_cpu_ms_per_account"] = round(1000.0 * run["controller_cpu_seconds"] / count, 1)
        run["requests_per_account"] = round(run["requests"] / float(count), 2)
        print("  N=%-5d %-16s %7.1f s  %6.1f CPU-s (main %5.1f)  emulator %5.1f CPU-s  %5.1f req/acct  %d writes  rss %6.1f MiB  pss %7.1f MiB"
              % (count, name, run["seconds"], run["controller_cpu_seconds"], run["controller_main_cpu_seconds"], run["emulator_cpu_seconds"],
                 run["requests_per_account"], run["writes"], run["controller_peak_rss_mib"], run["controller_peak_pss_mib"]), flush=True)
    ping = runs["ping"]["seconds"]  # the ping always runs
    for name in [n for n in RUN_NAMES[1:] if n in runs]:
        runs[name]["ratio_to_ping"] = round(runs[name]["seconds"] / ping, 3)
    return {"accounts": count, "runs": runs}


def verdicts(results):
    """(label, ok, judged): requests and writes are judged; time ratios are printed only."""
    found = []
    for size in results["sizes"]:
        runs, count = size["runs"], size["accounts"]
        converged = "noop" in runs  # --runs may leave the converged runs out
        if converged:
            for name, label, budget in (("noop", "converged no-op", TARGET_REQUESTS),
                                        ("converged_audit", "converged audit", TARGET_AUDIT_REQUESTS)):
                found.append(("N=%d: %s <= %d requests per account (%.1f)" % (count, label, budget, runs[name]["requests_per_account"]),
                              runs[name]["requests_per_account"] <= budget, True))
        checked = [name for name in ("fresh_audit", "converged_audit", "noop") if name in runs]
        found.append(("N=%d: no write in %s" % (count, ", ".join(checked)), all(runs[name]["writes"] == 0 for name in checked), True))
        if not results["ci"]:
            found.append(("N=%d: fresh audit <= 1x ping (%.2fx)" % (count, runs["fresh_audit"]["ratio_to_ping"]),
                          runs["fresh_audit"]["ratio_to_ping"] <= 1.0, False))
            if count >= 1000:
                found.append(("N=%d: fresh audit <= 240 s (%.0f s)" % (count, runs["fresh_audit"]["seconds"]),
                              runs["fresh_audit"]["seconds"] <= 240.0, False))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ci", action="store_true", help="%d accounts; fail only on the request budget" % CI_SIZE)
    parser.add_argument("--accounts", type=int, default=int(os.environ.get("BENCH_ACCOUNTS") or SIZES[-1]),
                        help="the largest size (sizes: %s, capped by this)" % ", ".join(str(s) for s in SIZES))
    parser.add_argument("--module-process", action="store_true", help="ROOTWATCH_IN_PROCESS=false: the module process per account")
    parser.add_argument("--sizes", help="comma-separated sizes instead of %s" % ", ".join(str(s) for s in SIZES))
    parser.add_argument("--runs", default=",".join(RUN_NAMES), help="which runs (ping always; fresh_audit is needed)")
    parser.add_argument("--output", help="results file (default benchmarks/results/<date>.json)")
    args = parser.parse_args(argv)
    sizes = [CI_SIZE] if args.ci else [int(s) for s in args.sizes.split(",")] if args.sizes else [s for s in SIZES if s <= args.accounts] or [args.accounts]
    env_extra = {"ROOTWATCH_IN_PROCESS": "false"} if args.module_process else {}
    results = {"ci": args.ci, "forks": FORKS, "cpus": os.cpu_count(), "engine": "module process" if args.module_process else "in-process",
               "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "sizes": []}
    workdir = tempfile.mkdtemp(prefix="rootwatch-scale-")
    with Emulator() as emulator:
        for index, count in enumerate(sizes):
            print("N=%d accounts, forks %d, %s:" % (count, FORKS, results["engine"]), flush=True)
            names = set(args.runs.split(",")) | {"ping", "fresh_audit"}
            results["sizes"].append(measure(emulator, workdir, count, 500000000000 + index * 100000, env_extra, names))
            emulator.reset()  # the next size starts from an empty emulator
    print("\n%-7s %-16s %9s %9s %10s %9s %9s" % ("accounts", "run", "seconds", "s/acct", "CPU-ms/acct", "req/acct", "x ping"))
    for size in results["sizes"]:
        for name, run in sorted(size["runs"].items(), key=lambda item: RUN_NAMES.index(item[0])):
            ratio = "%.2f" % run["ratio_to_ping"] if "ratio_to_ping" in run else "-"
            print("%-7d %-16s %9.1f %9.3f %10.0f %9.1f %9s" % (
                size["accounts"], name, run["seconds"], run["seconds_per_account"], run["controller_cpu_ms_per_account"],
                run["requests_per_account"], ratio))
    failed = False
    for label, ok, judged in verdicts(results):
        print("%-6s %s" % (("met" if ok else "MISS") if judged else ("(met)" if ok else "(miss)"), label))
        failed = failed or (judged and not ok)
    if args.ci:
        print("(the time ratios are printed, not judged: CI machines are noisy)")
    out = args.output or os.path.join(HERE, "results", "%s%s.json" % (results["date"][:10], "-ci" if args.ci else ""))
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2)
    if not args.ci and not args.output:  # the plot's input (make bench)
        with open(os.path.join(HERE, "results", "scale-latest.json"), "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
    print("results: %s" % os.path.relpath(out, ROOT))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
