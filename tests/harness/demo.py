"""``make demo``: the main job against the embedded emulator, narrated.

Emulator up -> preview (--check --diff) -> apply -> no-op re-run -> teardown.
"""

import os
import re
import subprocess
import sys
import time

from emulator import Emulator

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOK = os.path.join(ROOT, "playbooks", "examples", "eventbridge_rule.yml")
RECAP_RE = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


def banner(text):
    print("\n" + "=" * 78 + "\n== " + text + "\n" + "=" * 78, flush=True)


def playbook(emulator, *args):
    env = dict(os.environ, **emulator.environ())
    env.update(ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False")
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), PLAYBOOK] + list(args)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        raise SystemExit("demo: ansible-playbook failed with exit code %d" % proc.returncode)
    return {host: dict(ok=int(o), changed=int(c), failed=int(f)) for host, o, c, _u, f in RECAP_RE.findall(proc.stdout)}


def main():
    started = time.monotonic()
    banner("1/4 Starting the local AWS emulator (moto server on 127.0.0.1)")
    with Emulator() as emulator:
        print("moto server at %s, pid %s" % (emulator.endpoint, emulator.pid))

        banner("2/4 Preview: ansible-playbook --check --diff (nothing is written)")
        emulator.clear_recording()
        playbook(emulator, "--check", "--diff")
        writes = emulator.write_requests()
        print("write calls made by the preview: %d" % len(writes))

        banner("3/4 Apply")
        playbook(emulator, "--diff")

        banner("4/4 Re-run: converged, so nothing changes")
        emulator.clear_recording()
        recap = playbook(emulator)
        changed = sum(host["changed"] for host in recap.values())
        print("changed tasks on re-run: %d; API requests: %d (writes: %d)"
              % (changed, len(emulator.requests()), len(emulator.write_requests())))
        if writes or changed:
            raise SystemExit("demo: expected a write-free preview and a changed=0 re-run")
        pid = emulator.pid

    banner("Teardown")
    try:
        os.kill(pid, 0)
        raise SystemExit("demo: emulator process %s is still running" % pid)
    except ProcessLookupError:
        print("emulator stopped; no process left behind. Demo took %.1f s." % (time.monotonic() - started))


if __name__ == "__main__":
    main()
