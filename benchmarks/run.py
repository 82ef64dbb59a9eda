"""``make bench``: our playbook against the stock-module reference, on one emulator, in one run.

For N accounts (20 and 100) both playbooks first converge their own set of
accounts; then converged no-op runs of the two alternate, and the wall-time
ratio ours/stock and the API requests per account (counted at the emulator) are
printed. A check-mode audit of 100 fresh accounts is timed too. Hub mode: a hub
and 100 members converge, then a converged no-op and a check-mode audit of them
are timed, with requests per member account and the ratios to per-account mode
at the same size. Timings are
ratios against a reference measured in the same run, never absolute limits:
these machines are noisy.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))

import member_roles  # noqa: E402  pylint: disable=wrong-import-position
from emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from emulator import role_arn  # noqa: E402  pylint: disable=wrong-import-position

OURS = os.path.join(ROOT, "playbooks", "root_alerts.yml")
STOCK = os.path.join(HERE, "stock", "root_alerts_stock.yml")
PING = os.path.join(HERE, "ping.yml")
FORKS = 10
TARGET_RATIO = 0.5
# 12 for the delivery path, 4 for the log bucket's ownership tag and secure settings (read every
# run, so drift and a half-done bucket are repaired), 1 for the root credential posture, 3 for the
# dead-letter queue of the target (its URL, its message counts, its ownership tag), 1 for the filter
# policy of the first confirmed subscription.
TARGET_REQUESTS = 21
# An audit (check mode) also reads when root was last used: the credential report, 2 requests.
TARGET_AUDIT_REQUESTS = TARGET_REQUESTS + 2
TARGET_AUDIT_SECONDS = 60.0


def accounts(first, count):
    return ["%012d" % (first + index) for index in range(count)]


def write_inventory(directory, name, account_ids, hub=None):
    hosts = dict((a, {"root_login_alerts_assume_role_arn": role_arn(a, "OrganizationAccountAccessRole")}) for a in account_ids)
    common = {"root_login_alerts_emails": ["security@example.com"]}
    if hub:
        # The member accounts by ID, as the integration tests do: with an organization ID instead, the member's
        # organization is read (DescribeOrganization), and the emulator's accounts belong to none, so the
        # bus's aws:PrincipalOrgID grant rightly admits no one.
        common.update(root_login_alerts_hub_account_id=hub, root_login_alerts_member_accounts=list(account_ids))
    inventory = {"aws_accounts": {"vars": common, "hosts": hosts}}
    path = os.path.join(directory, name + ".yml")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(inventory, handle)
    return path


def run(emulator, playbook, inventory, report_dir, *args):
    env = dict(os.environ, **emulator.environ())
    env.update(ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook, "-i", inventory,
           "-f", str(FORKS), "-e", "root_alerts_report_dir=%s" % report_dir] + list(args)
    emulator.clear_recording()
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit("bench: %s failed (exit %d)" % (os.path.basename(playbook), proc.returncode))
    return seconds, len(emulator.requests()), len(emulator.write_requests())


def measure(emulator, workdir, count, repeats, first_ours, first_stock):
    ours_inventory = write_inventory(workdir, "ours-%d" % count, accounts(first_ours, count))
    stock_inventory = write_inventory(workdir, "stock-%d" % count, accounts(first_stock, count))
    reports = os.path.join(workdir, "reports")
    print("N=%d: converging both playbooks (not timed)..." % count, flush=True)
    run(emulator, OURS, ours_inventory, reports)
    run(emulator, STOCK, stock_inventory, reports)
    ours, stock = [], []
    for repeat in range(repeats):
        # Alternate, so drift in machine load hits both sides alike.
        ours.append(run(emulator, OURS, ours_inventory, reports))
        stock.append(run(emulator, STOCK, stock_inventory, reports))
        print("  repeat %d: ours %.1f s, stock %.1f s" % (repeat + 1, ours[-1][0], stock[-1][0]), flush=True)
    ours_time = statistics.median(r[0] for r in ours)
    stock_time = statistics.median(r[0] for r in stock)
    return {
        "accounts": count,
        "repeats": repeats,
        "ours_seconds": round(ours_time, 2),
        "stock_seconds": round(stock_time, 2),
        "ratio": round(ours_time / stock_time, 3),
        "ours_requests_per_account": round(ours[-1][1] / float(count), 2),
        "stock_requests_per_account": round(stock[-1][1] / float(count), 2),
        "ours_writes": ours[-1][2],
    }


def measure_hub(emulator, workdir, members, repeats, per_account):
    """Hub mode: a hub and ``members`` member accounts; no-op and audit, against per-account mode."""
    hub = "%012d" % 400000000000
    member_ids = accounts(400000000001, members)
    inventory = write_inventory(workdir, "hub-%d" % members, [hub] + member_ids, hub=hub)
    reports = os.path.join(workdir, "hub-reports")
    print("Hub mode, hub and %d members: docs/member-role.yml in each (the forwarding role), then converging (not timed)..."
          % members, flush=True)
    member_roles.deploy_all(emulator, [hub] + member_ids, hub_account_id=hub)
    run(emulator, OURS, inventory, reports)
    noop = []
    for repeat in range(repeats):
        noop.append(run(emulator, OURS, inventory, reports))
        print("  repeat %d: hub mode no-op %.1f s" % (repeat + 1, noop[-1][0]), flush=True)
    by_account = emulator.requests_by_account(emulator.requests())
    member_requests = sum(len(by_account.get(m, [])) for m in member_ids)
    audit = run(emulator, OURS, inventory, os.path.join(workdir, "hub-audit"), "--check")
    audit_by_account = emulator.requests_by_account(emulator.requests())
    with open(os.path.join(workdir, "hub-audit", "report.json"), encoding="utf-8") as handle:
        statuses = [entry["status"] for entry in json.load(handle)["accounts"]]
    seconds = statistics.median(r[0] for r in noop)
    return {
        "members": members,
        "noop_seconds": round(seconds, 2),
        "noop_ratio_to_per_account": round(seconds / per_account["ours_seconds"], 3),
        "requests_per_member": round(member_requests / float(members), 2),
        "hub_requests": len(by_account.get(hub, [])),
        "requests_ratio_to_per_account": round(member_requests / float(members) / per_account["ours_requests_per_account"], 3),
        "noop_writes": noop[-1][2],
        "audit_seconds": round(audit[0], 1),
        "audit_requests_per_member": round(sum(len(audit_by_account.get(m, [])) for m in member_ids) / float(members), 2),
        "audit_writes": audit[2],
        "audit_compliant": statuses.count("compliant"),
        "accounts": len(statuses),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,100", help="account counts, comma-separated")
    parser.add_argument("--repeats", type=int, default=2, help="timed no-op runs per playbook and size")
    parser.add_argument("--audit-accounts", type=int, default=100)
    parser.add_argument("--hub-members", type=int, default=100, help="member accounts of the hub-mode run (0: none)")
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="rootwatch-bench-")
    results = {"forks": FORKS, "cpus": os.cpu_count(), "sizes": []}
    with Emulator() as emulator:
        for index, count in enumerate(int(s) for s in args.sizes.split(",")):
            base = 200000000000 + index * 10000
            results["sizes"].append(measure(emulator, workdir, count, args.repeats, base, base + 5000))
        audit_inventory = write_inventory(workdir, "audit", accounts(300000000000, args.audit_accounts))
        print("Check-mode audit of %d fresh accounts..." % args.audit_accounts, flush=True)
        seconds, requests, writes = run(emulator, OURS, audit_inventory, os.path.join(workdir, "audit-reports"), "--check")
        ping_seconds = run(emulator, PING, audit_inventory, workdir)[0]
        results["audit"] = {"accounts": args.audit_accounts, "seconds": round(seconds, 1), "requests": requests, "writes": writes,
                            "ping_seconds": round(ping_seconds, 1), "ratio_to_ping": round(seconds / ping_seconds, 2)}
        if args.hub_members:
            # Compared with per-account mode at the size closest to the number of members.
            same = min(results["sizes"], key=lambda size: abs(size["accounts"] - args.hub_members))
            results["hub"] = measure_hub(emulator, workdir, args.hub_members, args.repeats, same)
            results["hub"]["per_account_reference"] = same["accounts"]

    print("\n%-9s %-12s %-12s %-12s %-14s %-14s" % ("accounts", "ours (s)", "stock (s)", "ours/stock", "ours req/acct", "stock req/acct"))
    for size in results["sizes"]:
        print("%-9d %-12.1f %-12.1f %-12.2f %-14.1f %-14.1f" % (
            size["accounts"], size["ours_seconds"], size["stock_seconds"], size["ratio"],
            size["ours_requests_per_account"], size["stock_requests_per_account"]))
    audit = results["audit"]
    print("check-mode audit: %d accounts in %.1f s, %d requests, %d writes; one ping per account takes %.1f s here (audit = %.1fx ping)"
          % (audit["accounts"], audit["seconds"], audit["requests"], audit["writes"], audit["ping_seconds"], audit["ratio_to_ping"]))
    verdicts = [
        ("converged no-op wall time <= %.1fx stock" % TARGET_RATIO, all(s["ratio"] <= TARGET_RATIO for s in results["sizes"])),
        ("<= %d API requests per account" % TARGET_REQUESTS, all(s["ours_requests_per_account"] <= TARGET_REQUESTS for s in results["sizes"])),
        ("check-mode audit of %d accounts <= %.0f s" % (audit["accounts"], TARGET_AUDIT_SECONDS), audit["seconds"] <= TARGET_AUDIT_SECONDS),
        ("no write call in converged or check-mode runs", audit["writes"] == 0 and all(s["ours_writes"] == 0 for s in results["sizes"])),
    ]
    hub = results.get("hub")
    if hub:
        print("hub mode, %d members: no-op %.1f s (%.2fx per-account mode at %d accounts), %.1f requests per member "
              "(%.2fx), %d for the hub; audit %.1f s, %.1f requests per member, %d writes, %d of %d accounts compliant"
              % (hub["members"], hub["noop_seconds"], hub["noop_ratio_to_per_account"], hub["per_account_reference"],
                 hub["requests_per_member"], hub["requests_ratio_to_per_account"], hub["hub_requests"], hub["audit_seconds"],
                 hub["audit_requests_per_member"], hub["audit_writes"], hub["audit_compliant"], hub["accounts"]))
        verdicts.extend([
            ("hub mode: no write call in converged or check-mode runs", hub["noop_writes"] == 0 and hub["audit_writes"] == 0),
            ("hub mode: converged no-op wall time <= 1.5x per-account mode", hub["noop_ratio_to_per_account"] <= 1.5),
            ("hub mode: every account compliant in the audit", hub["audit_compliant"] == hub["accounts"]),
        ])
    for label, ok in verdicts:
        print("%-4s %s" % ("met" if ok else "MISS", label))
    out_dir = os.path.join(HERE, "results")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "latest.json"), "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2)
    print("results: benchmarks/results/latest.json")
    return 0 if all(ok for unused, ok in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
