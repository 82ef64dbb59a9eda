"""Running playbooks/root_alerts.yml against the emulator and reading what it did, for the integration tests.

Every account is a simulated one, entered through sts:AssumeRole with its ``root_login_alerts_assume_role_arn``
host variable, as in an organization. ``write_inventory`` writes the hosts, ``run`` runs the playbook from a clean
recording, and the rest read a run's results (``stack``, ``assert_accounts``, ``failed_task``, ``read_report``) and
its requests (``count``, ``requests_by_account``).
"""

import json
import os
import re
from collections import Counter

import yaml

from emulator import role_arn  # pylint: disable=import-error
from playbook_runner import ROOT, run_playbook  # pylint: disable=import-error

PLAYBOOK = os.path.join(ROOT, "playbooks", "root_alerts.yml")
# ansible.posix.json names a role's tasks "<role FQCN> : <task name>".
ROLE = "rootwatch.aws.root_login_alerts : "
STACK_TASK = ROLE + "Root login alerts | Trail, topic, subscriptions, topic policy and rule"
NAME = "root-login-alerts"  # topic, rule and trail names by default
EMAILS = ["security@example.com"]
OUR_SID = "RootwatchAllowEventBridgePublish"
OUR_TARGET_ID = "rootwatch-root-login-alerts"
CREATED_BY = {"Key": "rootwatch:created-by", "Value": "root_login_alerts"}
# Per account, AssumeRole included: 12 for the delivery path, 4 for the log bucket (its tag, public
# access block, encryption and ownership), 1 for the root credentials (iam:GetAccountSummary), 3 for
# the dead-letter queue (its URL, attributes with the message counts, and tag), and 1 for the first
# confirmed subscription's filter policy (sns:GetSubscriptionAttributes: a filter can drop every alert).
NO_OP_REQUEST_BUDGET = 21
# Credentials that must never reach any output.
SECRET_PATTERNS = [
    re.compile(r"ASIA[A-Z0-9]{12,}"),  # an assumed role's access key ID
    re.compile(r"FQoG[A-Za-z0-9/+=]{20,}"),  # a session token
    re.compile(r"SecretAccessKey"),
    re.compile(r"SessionToken"),
    # A session token given as a value (null and Ansible's no_log placeholder are not values).
    re.compile(r"""(aws_)?session_token["']?\s*[:=]\s*["']?(?!null|None|VALUE_SPECIFIED_IN_NO_LOG_PARAMETER)[A-Za-z0-9/+=]{8,}"""),
]


# -- running the playbook -------------------------------------------------------------------
def write_inventory(path, accounts, **common):
    """An inventory of group aws_accounts: one host per account, entered through its role.

    ``accounts`` maps an account ID to its own extra host variables (or is a list of IDs);
    ``common`` are root_login_alerts_* variables every host gets (without the prefix).
    """
    if not isinstance(accounts, dict):
        accounts = {account: {} for account in accounts}
    hosts = {}
    for account, own in accounts.items():
        host = {"root_login_alerts_assume_role_arn": role_arn(account), "root_login_alerts_emails": list(EMAILS)}
        host.update({"root_login_alerts_" + key: value for key, value in common.items()})
        host.update({"root_login_alerts_" + key: value for key, value in own.items()})
        hosts[account] = host
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump({"aws_accounts": {"hosts": hosts}}, handle)
    return str(path)


def run(emulator, inventory, reports, playbook=PLAYBOOK, check=False, diff=False, args=(), **extra_vars):
    """One ansible-playbook run, recorded from a clean recording, with reports under ``reports``."""
    emulator.clear_recording()
    extra_vars.setdefault("root_alerts_report_dir", str(reports))
    return run_playbook(playbook, emulator.environ(), extra_vars=extra_vars, check=check, diff=diff, inventory=inventory, args=args)


# -- reading a run ---------------------------------------------------------------------------
def stack(playbook_run, account):
    """The stack module's result for ``account``."""
    return playbook_run.result(STACK_TASK, host=account)


def assert_accounts(playbook_run, accounts, changed):
    """Each account ran its stack task without failure or skip; ``changed`` True/False for every one.
    (The sample-alert task is skipped with state absent; it makes no AWS call.)"""
    for account in accounts:
        stats = playbook_run.stats.get(account)
        assert stats is not None, (account, playbook_run)
        assert not account_failed(playbook_run, account) and stats["unreachable"] == 0, (account, stats, playbook_run)
        result = stack(playbook_run, account)
        assert not result.get("failed") and not result.get("skipped"), (account, result)
        assert result["changed"] is changed, (account, result.get("changes"))
        assert (stats["changed"] > 0) is changed, (account, stats)


def account_failed(playbook_run, account):
    """The account failed, whether its failure ended the host or was rescued to be reported."""
    stats = playbook_run.stats.get(account) or {}
    return stats.get("failures", 0) > 0 or stats.get("rescued", 0) > 0


def failed_task(playbook_run, host):
    """(task name, message) of the task that failed ``host``."""
    failures = [(name, result) for name, result in playbook_run.tasks(host) if result.get("failed")]
    assert failures, (host, playbook_run.tasks(host))
    name, result = failures[0]
    return name, str(result.get("msg", ""))


def read_report(reports):
    """(report.json as a document, report.md as text) from a run's report directory."""
    with open(os.path.join(str(reports), "report.json"), encoding="utf-8") as handle:
        document = json.load(handle)
    with open(os.path.join(str(reports), "report.md"), encoding="utf-8") as handle:
        markdown = handle.read()
    return document, markdown


def statuses(reports):
    """({account: status}, report document, report markdown) of a run's report."""
    document, markdown = read_report(reports)
    return {entry["account"]: entry["status"] for entry in document["accounts"]}, document, markdown


# -- reading the requests ----------------------------------------------------------------------
def requests_by_account(emulator, requests):
    """{account: [request]}: see Emulator.requests_by_account."""
    return emulator.requests_by_account(requests)


def count(requests):
    """Counter of "service:Action" (S3 REST requests keep their method and path)."""
    return Counter("%s:%s" % (request.service, request.action) for request in requests)
