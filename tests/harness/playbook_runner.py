"""Run ``ansible-playbook`` from the checkout and return its per-task results.

The ``ansible.posix.json`` callback gives machine-readable results, so tests
assert on what each task returned, not on console text.
"""

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class PlaybookRun:
    def __init__(self, rc, output, stderr):
        self.rc = rc
        self.stderr = stderr
        self.raw = output
        try:
            self.data = json.loads(output[output.index("{"):]) if "{" in output else {}
        except ValueError:
            self.data = {}

    @property
    def stats(self):
        return self.data.get("stats", {})

    def tasks(self, host="localhost"):
        """[(task name, result dict)] for ``host``, in play order."""
        found = []
        for play in self.data.get("plays", []):
            for task in play.get("tasks", []):
                result = task.get("hosts", {}).get(host)
                if result is not None:
                    found.append((task["task"]["name"], result))
        return found

    def result(self, name, host="localhost"):
        """The result of the task called ``name`` (the last one, if repeated)."""
        matches = [result for task_name, result in self.tasks(host) if task_name == name]
        if not matches:
            raise KeyError("no task %r for %s; tasks: %s" % (name, host, [task_name for task_name, unused in self.tasks(host)]))
        return matches[-1]

    def run_once_result(self, name):
        """The result of a run_once task called ``name``, on whichever host ran it."""
        for play in self.data.get("plays", []):
            for task in play.get("tasks", []):
                if task["task"]["name"] == name and task.get("hosts"):
                    return next(iter(task["hosts"].values()))
        raise KeyError("no task %r in any play" % name)

    def changed(self, host="localhost"):
        return self.stats.get(host, {}).get("changed", 0)

    def failed(self, host="localhost"):
        return self.stats.get(host, {}).get("failures", 0)

    def __repr__(self):
        return "<PlaybookRun rc=%s stats=%s stderr=%s>" % (self.rc, self.stats, self.stderr[-2000:])


def run_playbook(playbook, env, extra_vars=None, check=False, diff=False, inventory=None, args=(), callback="ansible.posix.json"):
    """Run a playbook with ``env`` (the emulator's variables) and return a PlaybookRun."""
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook]
    if inventory:
        cmd += ["-i", inventory]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if extra_vars:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(extra_vars, handle)
        cmd += ["-e", "@" + handle.name]
    cmd += list(args)
    full_env = dict(os.environ)
    full_env.update(env)
    full_env.update(
        ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
        ANSIBLE_STDOUT_CALLBACK=callback,
        ANSIBLE_CALLBACK_RESULT_FORMAT="json",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCALHOST_WARNING="False",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
    )
    proc = subprocess.run(cmd, cwd=ROOT, env=full_env, capture_output=True, text=True, check=False)
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr)
