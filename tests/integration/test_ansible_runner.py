"""playbooks/root_alerts.yml through ansible-runner's Python API, the way AWX and AAP run a job.

AWX hands ansible-runner a private data directory (inventory, extra variables, environment)
and the project checkout; these tests do the same against the emulator, with two simulated
accounts entered through their roles, then replay an AWX "Check" job and a sliced job.
"""

import os
import sys

import ansible_runner

from emulator import role_arn, simulated_accounts  # pylint: disable=import-error

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOK = "playbooks/root_alerts.yml"
ACCOUNTS = simulated_accounts(2)
EMAILS = ["security@example.com"]


def inventory(accounts):
    """What the organization_accounts inventory source gives AWX: one host per account."""
    return {
        "aws_accounts": {
            "hosts": {
                account: {"root_login_alerts_assume_role_arn": role_arn(account), "root_login_alerts_emails": EMAILS}
                for account in accounts
            }
        }
    }


def run_job(private_data_dir, emulator, accounts, extravars=None, cmdline=None):
    """One AWX job: ansible-runner with the project checkout as its working directory."""
    os.makedirs(private_data_dir, exist_ok=True)
    envvars = dict(
        emulator.environ(),
        ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        # ansible-playbook of this interpreter's environment, as in an execution environment.
        PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", os.defpath)]),
    )
    return ansible_runner.run(
        private_data_dir=str(private_data_dir),
        project_dir=ROOT,
        playbook=PLAYBOOK,
        inventory=inventory(accounts),
        envvars=envvars,
        extravars=extravars or {},
        cmdline=cmdline,
        quiet=True,
        timeout=600,
    )


def describe(result):
    """Failure context: the job's status and the end of its output."""
    with open(result.stdout.name, encoding="utf-8") as handle:
        output = handle.read()
    return "status=%s rc=%s\n%s" % (result.status, result.rc, output[-6000:])


def assert_succeeded(result, accounts):
    assert result.status == "successful", describe(result)
    assert result.rc == 0, describe(result)
    stats = result.stats
    for account in accounts:
        assert account in stats["processed"], (account, stats)
        assert stats["failures"].get(account, 0) == 0, (account, stats)
        assert stats["dark"].get(account, 0) == 0, (account, stats)
    assert not stats["failures"] and not stats["dark"], stats


def accounts_reached(emulator, requests):
    """{account: [actions]} for requests other than STS, by the account of their signing key."""
    reached = {}
    for account, made in emulator.requests_by_account([r for r in requests if r.service != "sts" and r.access_key]).items():
        reached[account] = [request.action for request in made]
    return reached


def test_root_alerts_job_and_check_job(tmp_path, emulator):
    result = run_job(tmp_path / "job", emulator, ACCOUNTS, extravars={"root_alerts_report_dir": str(tmp_path / "reports")})
    assert_succeeded(result, ACCOUNTS)
    # Every call beyond STS was made in a member account, through its role: both accounts,
    # and nothing in the account of the job's own credentials.
    reached = accounts_reached(emulator, emulator.requests())
    assert sorted(reached) == ACCOUNTS, reached

    # The audit job template: job type "Check" with "Show changes" is --check --diff.
    emulator.clear_recording()
    audit = run_job(tmp_path / "audit", emulator, ACCOUNTS, cmdline="--check --diff",
                    extravars={"root_alerts_report_dir": str(tmp_path / "audit-reports")})
    assert_succeeded(audit, ACCOUNTS)
    assert emulator.write_requests() == []
    for account in ACCOUNTS:
        assert audit.stats["changed"].get(account, 0) == 0, audit.stats
    assert os.path.isfile(tmp_path / "audit-reports" / "report.json")


def test_job_slices_write_their_own_reports(tmp_path, emulator):
    # AWX job slicing: a launch is a workflow job whose slice jobs each get every N-th host as
    # their inventory, and their own awx_job_id next to the shared awx_workflow_job_id. The
    # summary play runs on localhost in every slice, so each slice reports on its own hosts,
    # into the directory docs/awx.md sets on the job template.
    reports = tmp_path / "reports"
    report_dir = str(reports) + "/{{ awx_workflow_job_id | default(awx_job_id) }}/{{ awx_job_id }}"
    for number, account in enumerate(ACCOUNTS, start=1):
        job_id = 100 + number
        extravars = {"awx_workflow_job_id": 100, "awx_job_id": job_id, "root_alerts_report_dir": report_dir}
        result = run_job(tmp_path / ("slice-%d" % number), emulator, [account], extravars=extravars)
        assert_succeeded(result, [account])
        with open(reports / "100" / str(job_id) / "report.json", encoding="utf-8") as handle:
            report = handle.read()
        assert account in report
        assert [other for other in ACCOUNTS if other != account and other in report] == []
    assert sorted(os.listdir(reports / "100")) == ["101", "102"]
