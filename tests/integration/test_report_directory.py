"""A normal run of playbooks/root_alerts.yml: no warning, and a report directory only its owner can read.

The run is launched as a user would, with the repository's ansible.cfg and the default output
(not the JSON callback, and without the warning switches the other tests turn off), under the
common umask 022, into a report directory that does not exist yet.
"""

import os
import stat
import subprocess
import sys

from emulator import simulated_accounts  # pylint: disable=import-error
from playbook_checks import PLAYBOOK, write_inventory  # pylint: disable=import-error
from playbook_runner import ROOT  # pylint: disable=import-error


def run_as_a_user(emulator, inventory, reports):
    """One ansible-playbook run with the default callback: (exit code, stdout and stderr together)."""
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith("ANSIBLE_"))
    env.update(emulator.environ())
    env.update(ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), PLAYBOOK, "-i", inventory,
           "-e", "root_alerts_report_dir=%s" % reports]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False, umask=0o022)
    return proc.returncode, proc.stdout + proc.stderr


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_normal_run_prints_no_warning_and_keeps_the_report_private(tmp_path, emulator):
    inventory = write_inventory(tmp_path / "inventory.yml", simulated_accounts(2))
    reports = tmp_path / "out" / "reports"  # neither directory exists yet
    rc, output = run_as_a_user(emulator, inventory, reports)
    assert rc == 0, output
    # The play that fails hosts sharing an account has none to fail: it is skipped, silently.
    assert "Each account must be one inventory host" in output, output
    assert [line for line in output.splitlines() if "[WARNING]" in line] == [], output
    assert "Could not match supplied host pattern" not in output, output
    # Recipient addresses and each account's root posture: for the owner only, whatever the umask.
    assert oct(mode_of(tmp_path / "out")) == "0o700" and oct(mode_of(reports)) == "0o700"
    assert sorted(os.listdir(reports)) == ["report.json", "report.md"]
    for name in ("report.json", "report.md"):
        assert oct(mode_of(reports / name)) == "0o600", name
