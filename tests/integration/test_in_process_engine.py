"""The in-process engine (plugins/action/root_login_alerts_stack.py) against the module process.

The same check-mode audit through both gives the same result; module_defaults of the action
group reach the module; the emulator's endpoint comes only from the task's ``environment``;
no_log censors the result; -vvv says which engine ran.
"""

import os

from emulator import role_arn  # pylint: disable=import-error
from playbook_runner import run_playbook  # pylint: disable=import-error

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOK = os.path.join(ROOT, "tests", "integration", "playbooks", "in_process_engine.yml")
ACCOUNT = "555555557101"
TOPIC = "engine-defaults-topic"
SECRET = "engine-secret-4711"


def inventory(tmp_path):
    path = tmp_path / "inventory.yml"
    path.write_text("aws_accounts:\n  hosts:\n    '%s':\n" % ACCOUNT)
    return str(path)


def run(emulator, tmp_path, in_process, args=(), callback="ansible.posix.json"):
    env = dict((key, value) for key, value in emulator.environ().items() if key != "AWS_ENDPOINT_URL")
    env["ROOTWATCH_IN_PROCESS"] = "true" if in_process else "false"
    extra = {"engine_topic_name": TOPIC, "engine_role_arn": role_arn(ACCOUNT), "engine_endpoint": emulator.endpoint, "engine_secret": SECRET}
    return run_playbook(PLAYBOOK, env, extra_vars=extra, check=True, inventory=inventory(tmp_path), args=args, callback=callback)


def comparable(result):
    """The audit's result without what differs from run to run."""
    kept = dict((key, result.get(key)) for key in ("changed", "changes", "account_id", "failed"))
    kept["status"] = (result.get("compliance") or {}).get("status")
    kept["warnings"] = sorted(result.get("warnings") or [])
    return kept


def test_both_engines_give_the_same_audit_with_defaults_environment_and_no_log(tmp_path, emulator):
    assert "AWS_ENDPOINT_URL" not in os.environ
    found = {}
    for in_process in (True, False):
        emulator.clear_recording()
        checked = run(emulator, tmp_path, in_process)
        assert checked.rc == 0, checked.raw[-3000:] + checked.stderr[-3000:]
        assert emulator.requests() and emulator.write_requests() == []  # the endpoint came from `environment`
        audit = checked.result("Audit with the group's defaults", host=ACCOUNT)
        assert "create topic %s" % TOPIC in " ".join(audit["changes"]), audit["changes"]  # module_defaults
        censored = checked.result("A task under no_log", host=ACCOUNT)
        assert SECRET not in checked.raw + checked.stderr
        assert "censored" in censored, censored
        found[in_process] = comparable(audit)
    assert found[True] == found[False]


def test_vvv_names_the_engine(tmp_path, emulator):
    for in_process, marker in ((True, "in the controller's worker process"), (False, "module process (ROOTWATCH_IN_PROCESS is false)")):
        verbose = run(emulator, tmp_path, in_process, args=("-vvv",), callback="default")
        output = verbose.raw + verbose.stderr
        assert verbose.rc == 0, output[-3000:]
        assert marker in output, output[-3000:]
        assert SECRET not in output
