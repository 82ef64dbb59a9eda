"""playbooks/examples/root_alerts_from_modules.yml, and the audit of what it builds.

The example composes AWS's manual recipe from the single-resource modules, one task per step
(trail, topic, email subscriptions, topic-policy statement, rule), under names that are not the
role's (``root-signin-manual``). The test:

a. runs it in the emulator's default account (123456789012, the default credentials, no
   assume role): rc 0;
b. runs it again: rc 0, changed=0 and not one write request;
c. audits that account with ``playbooks/root_alerts.yml --check``, with
   ``root_login_alerts_adopt_existing``: the account is "compliant" through a delivery path that is
   not ours (rule root-signin-manual -> topic root-signin-manual), and nothing is written.

Part c needs the delivery-path verdict of the audit (the account's status comes from the paths
it finds, whatever their names, never from our own resource names); until that exists the audit
only looks at resources named root-login-alerts, and part c fails.

Emulator quirks these tests rely on (the code stays correct for AWS):
- SNS email subscriptions are confirmed at once (they get a real ARN, never
  PendingConfirmation), so the example's path is complete and the account "compliant" here; on
  AWS the path stays pending, and the account "needs_action", until a recipient clicks the link
  in the confirmation email.
- create_trail checks only that the log bucket exists, and S3 bucket names are unique only within
  the emulator, so the example's fixed default bucket name is free here; on AWS a user picks a
  name of their own.
- Calls made with the default credentials ("testing") land in account 123456789012.
"""

import json
import os

import yaml

from playbook_runner import ROOT, run_playbook  # pylint: disable=import-error

EXAMPLE = os.path.join(ROOT, "playbooks", "examples", "root_alerts_from_modules.yml")
AUDIT = os.path.join(ROOT, "playbooks", "root_alerts.yml")
# The example runs on the implicit localhost; ansible.cfg fails runs with no inventory.
LOCAL_ONLY = {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "false"}
ACCOUNT = "123456789012"  # the emulator's default account
EMAILS = ["security@example.com"]
NAME = "root-signin-manual"  # the example's topic, rule and trail


def run_example(emulator):
    emulator.clear_recording()
    return run_playbook(EXAMPLE, dict(emulator.environ(), **LOCAL_ONLY), extra_vars={"recipients": EMAILS})


def write_audit_inventory(path):
    """One account, audited with the controller's credentials (no role to assume)."""
    host = {
        "root_login_alerts_emails": list(EMAILS),
        "root_login_alerts_use_controller_credentials": True,
        "root_login_alerts_account_id": ACCOUNT,
        "root_login_alerts_adopt_existing": True,
    }
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump({"aws_accounts": {"hosts": {ACCOUNT: host}}}, handle)
    return str(path)


def test_example_converges_is_idempotent_and_audits_compliant(tmp_path, emulator):
    # a. Build the recipe, one task per step, in the default account.
    built = run_example(emulator)
    assert built.rc == 0, built
    assert built.changed() == 5, built.stats
    topic_arn = "arn:aws:sns:us-east-1:%s:%s" % (ACCOUNT, NAME)
    rule = emulator.client("events").describe_rule(Name=NAME)
    assert rule["State"] == "ENABLED" and rule["EventBusName"] == "default"
    assert json.loads(rule["EventPattern"]) == {
        "detail-type": ["AWS Console Sign In via CloudTrail"],
        "detail": {"userIdentity": {"type": ["Root"]}},
    }
    targets = emulator.client("events").list_targets_by_rule(Rule=NAME)["Targets"]
    assert [target["Arn"] for target in targets] == [topic_arn]
    policy = json.loads(emulator.client("sns").get_topic_attributes(TopicArn=topic_arn)["Attributes"]["Policy"])
    events = [s for s in policy["Statement"] if s.get("Principal") == {"Service": "events.amazonaws.com"}]
    assert len(events) == 1, policy
    assert events[0]["Condition"]["ArnEquals"]["aws:SourceArn"] == rule["Arn"]
    assert events[0]["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT
    listing = emulator.client("sns").list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in listing] == [("email", EMAILS[0])]
    trail = emulator.client("cloudtrail").get_trail_status(Name=NAME)
    assert trail["IsLogging"] is True

    # b. A second run changes nothing and writes nothing.
    again = run_example(emulator)
    assert again.rc == 0, again
    assert again.changed() == 0, again.stats
    assert emulator.write_requests() == []

    # c. The audit finds the path that is not ours and calls the account compliant, read-only.
    reports = tmp_path / "reports"
    emulator.clear_recording()
    audit = run_playbook(
        AUDIT,
        emulator.environ(),
        extra_vars={"root_alerts_report_dir": str(reports)},
        check=True,
        inventory=write_audit_inventory(tmp_path / "inventory.yml"),
    )
    assert audit.rc == 0, audit
    assert emulator.write_requests() == []
    with open(os.path.join(str(reports), "report.json"), encoding="utf-8") as handle:
        document = json.load(handle)
    entries = {entry["account"]: entry for entry in document["accounts"]}
    entry = entries[ACCOUNT]
    assert entry["status"] == "compliant", entry
    paths = entry.get("paths") or []
    assert [
        path for path in paths
        if path.get("rule") == NAME and str(path.get("topic", "")).endswith(":" + NAME) and path.get("ours") is False
    ], entry
    # AWS's recipe has no source in its pattern: the path counts, and the report says a custom event could trigger it.
    note = "rule %s -> %s: a custom event could trigger it (no source in its pattern)" % (NAME, topic_arn)
    assert entry["notes"] == [note], entry
    with open(os.path.join(str(reports), "report.md"), encoding="utf-8") as handle:
        assert "note: " + note in handle.read()
