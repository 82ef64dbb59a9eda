"""The CPU cost of one account, in parts (docs/performance.md): ``.venv/bin/python benchmarks/profile_account.py``.

Module-process parts are measured in fresh interpreters that import ansible.module_utils,
amazon.aws's and our module_utils and the module from a zip of their sources first on sys.path, as
AnsiballZ's payload does (zipimport compiles them on every run; the standard library, boto3 and
botocore keep their cached .pyc); each figure is the process time read between two steps of one
interpreter, median of ``--repeats`` interpreters. The in-process parts run the
module's ``main()`` in this process against the emulator, with everything loaded, as a worker
forked by Ansible after the preload does: the API calls' client CPU (serialising, signing,
parsing), the client creation, and the rest (argument validation and the verdict).
Timings are CPU seconds of this machine; on a shared machine compare the parts, not the totals.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import resource
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
COLLECTIONS = os.path.join(ROOT, ".collections")
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
sys.path.insert(0, COLLECTIONS)

from emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from emulator import role_arn  # noqa: E402  pylint: disable=wrong-import-position

SERVICES = ("sts", "cloudtrail", "s3", "sns", "events", "sqs", "iam")
# The steps of a module process, in order; each part is the CPU time of its step.
STEPS = [
    ("interpreter start (to the first line)", None),
    ("import ansible.module_utils (basic)", "import ansible.module_utils.basic"),
    ("import boto3/botocore", "import boto3, botocore.session"),
    ("import amazon.aws and our module_utils", "import ansible_collections.rootwatch.aws.plugins.modules.root_login_alerts_stack"),
    ("botocore JSON: endpoints and %d service models" % len(SERVICES),
     "from ansible_collections.rootwatch.aws.plugins.module_utils._core import botocore_data as b; l = b.shared_loader(); "
     "[l.load_data(n) for n in ('endpoints', 'partitions', 'sdk-default-configuration', '_retry')]; "
     "[l.load_service_model(s, t) for s in %r for t in ('service-2', 'endpoint-rule-set-1')]" % (SERVICES,)),
    ("create %d clients" % len(SERVICES),
     "s = b.boto3_session(b.botocore_session()); [s.client(n, region_name='us-east-1') for n in %r]" % (SERVICES,)),
]


def payload_zip(directory):
    """A zip like AnsiballZ's payload: ansible.module_utils, both collections' module_utils, the module."""
    import ansible  # pylint: disable=import-outside-toplevel
    import ansible_collections.amazon.aws  # pylint: disable=import-outside-toplevel
    path = os.path.join(directory, "payload.zip")
    amazon = list(ansible_collections.amazon.aws.__path__)[0]
    sources = [(os.path.join(os.path.dirname(ansible.__file__), "module_utils"), "ansible/module_utils"),
               (os.path.join(amazon, "plugins", "module_utils"), "ansible_collections/amazon/aws/plugins/module_utils"),
               (os.path.join(ROOT, "plugins", "module_utils"), "ansible_collections/rootwatch/aws/plugins/module_utils"),
               (os.path.join(ROOT, "plugins", "modules"), "ansible_collections/rootwatch/aws/plugins/modules")]
    with zipfile.ZipFile(path, "w") as archive:
        written = set()
        for source, prefix in sources:
            for folder, unused, files in os.walk(source):
                for name in files:
                    if name.endswith(".py"):
                        full = os.path.join(folder, name)
                        arcname = os.path.join(prefix, os.path.relpath(full, source))
                        archive.write(full, arcname)
                        written.add(arcname)
        # zipimport needs an __init__.py in every package folder (AnsiballZ adds them too).
        folders = set()
        for arcname in written:
            parts = arcname.split("/")[:-1]
            folders.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
        for folder in sorted(folders):
            if folder + "/__init__.py" not in written:
                archive.writestr(folder + "/__init__.py", "")
    return path


def child_parts_ms(payload, repeats):
    """Per step, the median CPU ms a fresh interpreter spends on it (process time read between the steps)."""
    path = payload or COLLECTIONS
    lines = ["import time as _t, sys as _s", "_c = [_t.process_time()]", "_s.path.insert(0, %r)" % path]
    for unused, step in STEPS[1:]:
        lines += [step, "_c.append(_t.process_time())"]
    lines.append("print(' '.join(str(v) for v in _c))")
    samples = []
    for unused in range(repeats):
        out = subprocess.run([sys.executable, "-c", "\n".join(lines)], check=True, capture_output=True, text=True).stdout.split()
        marks = [float(v) for v in out]
        samples.append([marks[0]] + [b - a for a, b in zip(marks, marks[1:])])
    return [1000.0 * statistics.median(column) for column in zip(*samples)]


def module_process_parts(repeats):
    directory = tempfile.mkdtemp(prefix="rootwatch-profile-")
    from_zip = child_parts_ms(payload_zip(directory), repeats)
    cached = child_parts_ms(None, repeats)
    return [{"part": label, "from_source_ms": round(a, 1), "cached_ms": round(b, 1)} for (label, unused), a, b in zip(STEPS, from_zip, cached)]


def playbook_cpu_ms_per_host(playbook, hosts, forks=20):
    """Controller CPU ms per host of ``playbook`` (ansible-playbook and its workers) on ``hosts`` local hosts."""
    with tempfile.TemporaryDirectory() as directory:
        inventory = os.path.join(directory, "inventory.json")
        with open(inventory, "w", encoding="utf-8") as handle:
            json.dump({"aws_accounts": {"hosts": dict(("%012d" % (620000000000 + i), {}) for i in range(hosts))}}, handle)
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook, "-i", inventory, "-f", str(forks)],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return 1000.0 * ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) / hosts


class CpuMeter:
    """CPU seconds spent inside wrapped callables (process time: waiting for the emulator is not counted)."""

    def __init__(self):
        self.seconds, self.calls, self._depth = 0.0, 0, 0

    def wrap(self, owner, name):
        original = getattr(owner, name)
        meter = self

        def wrapped(*args, **kwargs):
            if meter._depth:
                return original(*args, **kwargs)
            meter._depth += 1
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                meter.seconds += time.process_time() - started
                meter.calls += 1
                meter._depth -= 1
        setattr(owner, name, wrapped)
        return original


def in_process_parts(emulator, accounts, check_mode):
    """Per-account CPU ms of the module's main() run in this process (everything preloaded)."""
    import botocore.client  # pylint: disable=import-outside-toplevel
    from ansible_collections.rootwatch.aws.plugins.action import root_login_alerts_stack as engine  # pylint: disable=import-outside-toplevel
    from ansible_collections.rootwatch.aws.plugins.module_utils._core import clients as aws_calls  # pylint: disable=import-outside-toplevel
    from ansible_collections.rootwatch.aws.plugins.modules import root_login_alerts_stack as module  # pylint: disable=import-outside-toplevel

    api, clients = CpuMeter(), CpuMeter()
    originals = [(botocore.client.BaseClient, "_make_api_call", api.wrap(botocore.client.BaseClient, "_make_api_call")),
                 (aws_calls.AwsClients, "__call__", clients.wrap(aws_calls.AwsClients, "__call__"))]
    total = 0.0
    try:
        with emulator.exported():
            for account in accounts:
                args = {"state": "present", "emails": ["security@example.com"], "region": "us-east-1", "trail": "create",
                        "assume_role_arn": role_arn(account, "OrganizationAccountAccessRole"), "_ansible_check_mode": check_mode}
                payload = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode()
                started = time.process_time()
                with engine.module_process_state(payload, {}) as (out, unused):
                    try:
                        module.main()
                    except SystemExit:
                        pass
                total += time.process_time() - started
                if json.loads(out.getvalue()).get("failed"):
                    raise SystemExit("profile: the module failed: %s" % out.getvalue()[:2000])
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    count = float(len(accounts))
    # Client creation happens inside AwsClients.__call__; API calls' CPU excludes it.
    return {
        "module main() in-process, total": round(1000 * total / count, 1),
        "client creation (AwsClients)": round(1000 * clients.seconds / count, 1),
        "API calls, client CPU (%d calls per account)" % round(api.calls / count): round(1000 * api.seconds / count, 1),
        "argument validation and the verdict (the rest)": round(1000 * (total - clients.seconds - api.seconds) / count, 1),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=20, help="accounts for the in-process parts")
    args = parser.parse_args(argv)
    results = {"module_process": module_process_parts(args.repeats)}
    print("Module process, per account (CPU ms; from an AnsiballZ-like zip / from installed .pyc):")
    for part in results["module_process"]:
        print("  %-52s %7.1f  %7.1f" % (part["part"], part["from_source_ms"], part["cached_ms"]))
    print("  %-52s %7.1f  %7.1f" % ("total", sum(p["from_source_ms"] for p in results["module_process"]),
                                    sum(p["cached_ms"] for p in results["module_process"])))
    hosts = args.accounts * 5
    debug = playbook_cpu_ms_per_host(os.path.join(HERE, "debug.yml"), hosts)
    ping = playbook_cpu_ms_per_host(os.path.join(HERE, "ping.yml"), hosts)
    results["ansible_task"] = {"debug task per host (fork, TaskExecutor, result)": round(debug, 1),
                               "ping per host (the same, plus a module process)": round(ping, 1),
                               "module process of ping (the difference)": round(ping - debug, 1)}
    print("Ansible, per host (controller CPU ms, %d hosts, whole playbook run divided by hosts):" % hosts)
    for label, value in results["ansible_task"].items():
        print("  %-52s %7.1f" % (label, value))
    # Load everything first, as the action plugin's import does in Ansible's parent process.
    from ansible_collections.rootwatch.aws.plugins.action import root_login_alerts_stack as engine  # pylint: disable=import-outside-toplevel
    if engine.PRELOAD_PROBLEM:
        raise SystemExit("profile: preload failed: %s" % engine.PRELOAD_PROBLEM)
    with Emulator() as emulator:
        fresh = ["%012d" % (610000000000 + i) for i in range(args.accounts)]
        results["in_process_fresh_audit"] = in_process_parts(emulator, fresh, check_mode=True)
        in_process_parts(emulator, fresh, check_mode=False)  # converge them
        results["in_process_converged_audit"] = in_process_parts(emulator, fresh, check_mode=True)
    for key, title in (("in_process_fresh_audit", "fresh account, check mode"), ("in_process_converged_audit", "converged account, check mode")):
        print("In-process engine, %s, per account (CPU ms, %d accounts):" % (title, args.accounts))
        for label, value in results[key].items():
            print("  %-52s %7.1f" % (label, value))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
