"""Every host works in the account it names, or fails before any write; failures are never hidden.

Emulator quirks these tests live with (the code follows AWS):
- sts:AssumeRole accepts any role ARN and lands in the account the ARN names, so "a role that
  leads into another account" is a role ARN of another account;
- the controller's own credentials belong to the emulator's default account 123456789012.
"""

import yaml

from accounts import Account  # pylint: disable=import-error
from emulator import role_arn, simulated_accounts  # pylint: disable=import-error
from playbook_checks import EMAILS, STACK_TASK, account_failed, failed_task, read_report, run  # pylint: disable=import-error

DEFAULT_ACCOUNT = "123456789012"  # the emulator's account of the controller's credentials


def inventory(path, hosts):
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump({"aws_accounts": {"vars": {"root_login_alerts_emails": list(EMAILS), "root_login_alerts_trail": "none"},
                                         "hosts": hosts}}, handle)
    return str(path)


def test_hosts_must_reach_the_account_they_name_before_any_write(tmp_path, emulator):
    named, other = simulated_accounts(2)
    hosts = {
        "910000000011": {},  # a 12-digit name and no role: must not fall back to the controller's account
        "prod": {},  # no role, no account ID, no opt-in
        named: {"root_login_alerts_assume_role_arn": role_arn(other)},  # the role leads into another account
        "tagged": {"root_login_alerts_account_id": named, "root_login_alerts_assume_role_arn": role_arn(other)},
    }
    checked = run(emulator, inventory(tmp_path / "inventory.yml", hosts), tmp_path / "reports")
    assert checked.rc != 0, checked
    assert emulator.write_requests() == [], [r.action for r in emulator.write_requests()]
    messages = {}
    for host in hosts:
        assert account_failed(checked, host), (host, checked.stats.get(host))
        task, messages[host] = failed_task(checked, host)
        assert task == STACK_TASK, (host, task)
    assert "The credentials reach account %s, but this host names account 910000000011" % DEFAULT_ACCOUNT in messages["910000000011"]
    assert "nothing was changed" in messages["910000000011"]
    assert "root_login_alerts_assume_role_arn is not set" in messages["prod"]
    assert "root_login_alerts_use_controller_credentials: true" in messages["prod"]
    for host in (named, "tagged"):
        assert "leads into account %s, but this host names account %s" % (other, named) in messages[host], messages[host]
    assert Account(emulator, DEFAULT_ACCOUNT).topics() == [], "nothing was created in the controller's account"
    # The recap counts each of them as failed, and the report names host and account.
    for host in hosts:
        assert checked.stats[host]["failures"] == 1, (host, checked.stats[host])
    document, markdown = read_report(tmp_path / "reports")
    assert sorted(entry["host"] for entry in document["accounts"]) == sorted(hosts)
    assert all(entry["status"] == "failed" for entry in document["accounts"])
    assert "| prod | prod | failed |" in markdown


def test_controller_credentials_on_purpose_and_two_hosts_in_one_account(tmp_path, emulator):
    account = simulated_accounts(1)[0]
    hosts = {
        "controller": {"root_login_alerts_use_controller_credentials": True},
        "first": {"root_login_alerts_assume_role_arn": role_arn(account)},
        "second": {"root_login_alerts_assume_role_arn": role_arn(account, "OtherRole")},
    }
    applied = run(emulator, inventory(tmp_path / "inventory.yml", hosts), tmp_path / "reports")
    assert applied.rc != 0, applied
    document, unused = read_report(tmp_path / "reports")
    entries = {entry["host"]: entry for entry in document["accounts"]}
    assert entries["controller"]["account"] == DEFAULT_ACCOUNT and entries["controller"]["status"] != "failed"
    for host in ("first", "second"):
        assert entries[host]["status"] == "failed" and entries[host]["account"] == account
        assert "hosts first, second all reach account %s" % account in entries[host]["problems"][0], entries[host]
    # The run fails, and the recap counts the failure on each host that shares, and on no other.
    for host in ("first", "second"):
        assert account_failed(applied, host), (host, applied.stats.get(host))
        task, message = failed_task(applied, host)
        assert task == "Fail each host that reaches an account another host also reaches", task
        assert message.startswith("Hosts first, second reach the same account"), message
    assert applied.stats["controller"]["failures"] == 0, applied.stats["controller"]


def test_limit_to_a_failing_account_fails_the_run_and_writes_its_report(tmp_path, emulator):
    good, bad = simulated_accounts(2)
    hosts = {good: {"root_login_alerts_assume_role_arn": role_arn(good)},
             bad: {"root_login_alerts_assume_role_arn": role_arn(good)}}  # its role leads elsewhere
    path = inventory(tmp_path / "inventory.yml", hosts)
    limited = run(emulator, path, tmp_path / "reports", args=("--limit", bad))
    assert limited.rc != 0, limited
    assert limited.stats[bad]["failures"] == 1, limited.stats
    assert good not in limited.stats
    document, unused = read_report(tmp_path / "reports")
    assert [(e["host"], e["status"]) for e in document["accounts"]] == [(bad, "failed")]
    assert document["run"]["limit"] == bad and document["run"]["id"]
    summary = limited.run_once_result("Summary")["msg"]
    assert summary[0] == "1 accounts: 0 compliant, 0 need action, 0 unknown, 1 failed, 0 not run", summary
    assert not [line for line in summary if "re-run converges" in line.lower()], summary


def test_check_mode_absent_says_would_remove(tmp_path, emulator):
    account = simulated_accounts(1)[0]
    path = inventory(tmp_path / "inventory.yml", {account: {"root_login_alerts_assume_role_arn": role_arn(account)}})
    assert run(emulator, path, tmp_path / "apply").rc == 0
    preview = run(emulator, path, tmp_path / "preview", check=True, root_login_alerts_state="absent")
    assert preview.rc == 0, preview
    assert emulator.write_requests() == []
    summary = preview.run_once_result("Summary")["msg"]
    assert summary[0].endswith("1 would be removed") and summary[1].startswith("%s would remove: " % account), summary
