"""Run the project's checks: lint, sanity, unit, integration and molecule.

``make test`` calls ``run_tests.py all``. Each stage prints its own result; the
last line is the plain count of stages that passed and failed.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
# ansible-test needs .../ansible_collections/rootwatch/aws/, resolves symlinks in the
# working directory and lists files with git when inside a checkout, so sanity runs on
# a synced copy outside the checkout; its per-test venvs then survive between runs.
SANITY_ROOT = os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
    "rootwatch-aws-sanity",
    hashlib.sha1(ROOT.encode()).hexdigest()[:12],
    "ansible_collections",
)
PIP_VERSION_FILE = "get_pip_24_2.py"
# ansible-test downloads this pip bootstrap script; there is no internet here, so a
# stand-in bootstraps pip with ensurepip and then installs what it is asked to.
PIP_STAND_IN = '''"""Offline stand-in for get-pip.py, written by rootwatch.aws tests/harness/run_tests.py."""
import os
import subprocess
import sys

args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
env = dict(os.environ)
env.pop("PIP_CONFIG_FILE", None)  # ensurepip sets it to /dev/null, hiding the machine's pip config
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args, env=env))
'''


def tool(name):
    return os.path.join(BIN, name)


def run(cmd, cwd=ROOT, env=None):
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=cwd, env=env)


def tracked_files():
    """Files git tracks plus untracked ones it does not ignore (what a clone will hold)."""
    out = subprocess.check_output(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT
    )
    return sorted({path for path in out.decode().split("\0") if path and os.path.lexists(os.path.join(ROOT, path))})


def sync_sanity_copy():
    target = os.path.join(SANITY_ROOT, "rootwatch", "aws")
    os.makedirs(target, exist_ok=True)
    for entry in os.listdir(target):
        if entry != "tests":
            path = os.path.join(target, entry)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
    tests_dir = os.path.join(target, "tests")
    if os.path.isdir(tests_dir):
        for entry in os.listdir(tests_dir):
            if entry != "output":
                path = os.path.join(tests_dir, entry)
                shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.unlink(path)
    for rel in tracked_files():
        source = os.path.join(ROOT, rel)
        dest = os.path.join(target, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if os.path.islink(source):
            os.symlink(os.readlink(source), dest)
        else:
            shutil.copy2(source, dest)
    # Dependency collections must sit in the same ansible_collections/ root.
    amazon = os.path.join(SANITY_ROOT, "amazon")
    os.makedirs(amazon, exist_ok=True)
    link = os.path.join(amazon, "aws")
    source = os.path.join(sysconfig.get_paths()["purelib"], "ansible_collections", "amazon", "aws")
    if not os.path.lexists(link):
        os.symlink(source, link)
    return target


def ensure_pip_stand_in():
    cache = os.path.expanduser("~/.ansible/test/cache")
    path = os.path.join(cache, PIP_VERSION_FILE)
    if not os.path.exists(path):
        os.makedirs(cache, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(PIP_STAND_IN)


def stage_sanity():
    ensure_pip_stand_in()
    target = sync_sanity_copy()
    python = "%d.%d" % sys.version_info[:2]
    return run([tool("ansible-test"), "sanity", "--venv", "--python", python, "--color", "no"], cwd=target)


def stage_lint():
    return run([tool("ansible-lint"), "--offline", "--profile", "production", "--nocolor"])


def stage_cfnlint():
    return run([tool("cfn-lint"), "docs/member-role.yml"])


def stage_unit():
    return run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--import-mode=importlib", "tests/unit"])


def stage_integration():
    # pytest-xdist: each worker starts its own emulator on a free port. loadfile keeps a file on one worker, for the
    # modules whose tests share runs (module-scoped fixtures); loadgroup would not: with pytest 9 and xdist 3.8 it
    # drops xdist_group marks (the worker suffixes item._nodeid, which pytest 9 no longer reads as nodeid).
    workers = os.environ.get("ROOTWATCH_TEST_WORKERS", "auto")
    return run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", workers, "--dist", "loadfile",
                "--durations=15", "tests/integration"])


def stage_molecule():
    scenarios = os.path.join(ROOT, "extensions", "molecule")
    if not any(os.path.isfile(os.path.join(scenarios, name, "molecule.yml")) for name in os.listdir(scenarios)):
        print("molecule: no scenario")
        return 1
    # The harness starts moto around molecule and exports AWS_ENDPOINT_URL.
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", PY_COLORS="0")
    return run([sys.executable, os.path.join(ROOT, "tests", "harness", "emulator.py"), "--",
                tool("molecule"), "test", "--all"], env=env)


def stage_bench():
    # 20 accounts: fails on the request budget only; the ratio to ping is printed, not judged.
    return run([sys.executable, os.path.join(ROOT, "benchmarks", "scale.py"), "--ci"])


STAGES = {
    "lint": stage_lint,
    "cfnlint": stage_cfnlint,
    "sanity": stage_sanity,
    "unit": stage_unit,
    "integration": stage_integration,
    "molecule": stage_molecule,
    "bench": stage_bench,
}


def main(argv):
    names = list(STAGES) if argv in ([], ["all"]) else argv
    os.environ["PATH"] = BIN + os.pathsep + os.environ.get("PATH", "")
    results = {}
    for name in names:
        started = time.monotonic()
        print("\n=== %s ===" % name, flush=True)
        results[name] = (STAGES[name]() == 0, time.monotonic() - started)
    print("\n=== summary ===")
    for name, (passed, seconds) in results.items():
        print("%-12s %-6s %6.1fs" % (name, "ok" if passed else "FAILED", seconds))
    passed = sum(1 for ok, unused in results.values() if ok)
    print("stages: %d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
