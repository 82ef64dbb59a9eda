"""Alert profiles in per-account mode: credential_changes adds its own rule to the topic, a profile
removed from the list loses its rule, a same-named rule of someone else's stops the account before
any write, and state=absent removes them all.

Emulator quirks this test lives with (the code follows AWS): email subscriptions are confirmed at
once, so every account reads compliant.
"""

import json

from accounts import Account  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from playbook_checks import (  # pylint: disable=import-error
    NAME,
    account_failed,
    assert_accounts,
    failed_task,
    read_report,
    run,
    stack,
    write_inventory,
)

PROFILE_RULE = NAME + "-credential-changes"
BOTH = ["console_sign_in", "credential_changes"]


def publish_sources(inside):
    """The rule ARNs our topic-policy statement lets EventBridge publish for."""
    policy = json.loads(inside.client("sns").get_topic_attributes(TopicArn=inside.topic_arn())["Attributes"]["Policy"])
    ours = [s for s in policy["Statement"] if s.get("Sid") == "RootwatchAllowEventBridgePublish"]
    sources = ours[0]["Condition"]["ArnEquals"]["aws:SourceArn"]
    return sorted(sources if isinstance(sources, list) else [sources])


def rule_arn(inside, name):
    return "arn:aws:events:us-east-1:%s:rule/%s" % (inside.id, name)


def test_credential_changes_profile_apply_reapply_remove_and_absent(tmp_path, emulator):
    account = simulated_accounts(1, first=555555555501)[0]
    inside = Account(emulator, account)
    both = write_inventory(tmp_path / "both.yml", [account], profiles=BOTH)

    preview = run(emulator, both, tmp_path / "preview", check=True)
    assert preview.rc == 0 and emulator.write_requests() == []
    assert "create rule %s" % PROFILE_RULE in " ".join(stack(preview, account)["changes"]), stack(preview, account)["changes"]

    applied = run(emulator, both, tmp_path / "apply")
    assert applied.rc == 0, applied
    events = inside.client("events")
    rule = events.describe_rule(Name=PROFILE_RULE)
    pattern = json.loads(rule["EventPattern"])
    assert pattern["detail"]["userIdentity"]["type"] == ["Root"] and sorted(pattern["source"]) == ["aws.iam", "aws.signin"]
    assert "CreateAccessKey" in json.dumps(pattern) and "PasswordRecoveryRequested" in json.dumps(pattern)
    assert {"Key": "rootwatch:created-by", "Value": "root_login_alerts"} in events.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"]
    target = events.list_targets_by_rule(Rule=PROFILE_RULE)["Targets"][0]
    assert target["Arn"] == inside.topic_arn()
    assert target["InputTransformer"]["InputTemplate"].startswith('{\n  "alert": "AWS account root user credential change in AWS account <account>,')
    assert target["InputTransformer"]["InputPathsMap"]["account"] == "$.account"
    assert publish_sources(inside) == sorted([rule_arn(inside, NAME), rule_arn(inside, PROFILE_RULE)])
    assert stack(applied, account)["compliance"]["status"] == "compliant"
    assert stack(applied, account)["profile_rules"]["credential_changes"]["name"] == PROFILE_RULE

    again = run(emulator, both, tmp_path / "again")
    assert_accounts(again, [account], changed=False)
    assert emulator.write_requests() == []

    # The profile leaves the list: its rule goes, and the statement names the sign-in rule only.
    default = write_inventory(tmp_path / "default.yml", [account])
    reduced = run(emulator, default, tmp_path / "reduced")
    assert reduced.rc == 0, reduced
    assert "delete rule %s" % PROFILE_RULE in stack(reduced, account)["changes"], stack(reduced, account)["changes"]
    assert PROFILE_RULE not in inside.rules()
    assert publish_sources(inside) == [rule_arn(inside, NAME)]
    assert_accounts(run(emulator, default, tmp_path / "quiet"), [account], changed=False)

    run(emulator, both, tmp_path / "back")
    removed = run(emulator, both, tmp_path / "absent", root_login_alerts_state="absent")
    assert removed.rc == 0, removed
    assert [r for r in inside.rules() if r.startswith(NAME)] == []


def test_a_same_named_rule_of_someone_else_stops_the_account_before_any_write(tmp_path, emulator):
    account = simulated_accounts(1, first=555555555601)[0]
    inside = Account(emulator, account)
    inside.client("events").put_rule(Name=PROFILE_RULE, EventPattern=json.dumps({"source": ["aws.iam"]}),
                                     Description="the security team's own")
    emulator.clear_recording()
    checked = run(emulator, write_inventory(tmp_path / "inventory.yml", [account], profiles=BOTH), tmp_path / "reports")
    assert checked.rc != 0
    assert account_failed(checked, account)
    unused, message = failed_task(checked, account)
    assert "EventBridge rule %s in us-east-1 exists but was not created by rootwatch.aws" % PROFILE_RULE in message, message
    assert emulator.write_requests() == [], [r.action for r in emulator.write_requests()]
    assert inside.client("events").describe_rule(Name=PROFILE_RULE)["Description"] == "the security team's own"


API_RULE = NAME + "-api-activity"
ALL_EVENTS = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"


def test_api_activity_rule_merely_enabled_is_judged_and_fixed(tmp_path, emulator):
    """Table row 6. EventBridge delivers read-only management events only to rules in state
    ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (PutRule ``State``), so a rule that is merely ENABLED drops
    every read-only root call. The emulator stores that state as AWS does (it delivers nothing either way)."""
    account = simulated_accounts(1, first=555555555701)[0]
    inside = Account(emulator, account)
    inventory = write_inventory(tmp_path / "api.yml", [account], profiles=["console_sign_in", "api_activity"], regions=["us-east-1"])
    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    events = inside.client("events")
    assert events.describe_rule(Name=API_RULE)["State"] == ALL_EVENTS
    assert stack(applied, account)["profiles"]["api_activity"]["status"] == "compliant", stack(applied, account)["profiles"]
    document, unused = read_report(tmp_path / "apply")
    assert document["accounts"][0]["status"] == "compliant"

    # A careless admin (or an older version) sets the rule to ENABLED: same pattern, same target.
    current = events.describe_rule(Name=API_RULE)
    events.put_rule(Name=API_RULE, EventPattern=current["EventPattern"], State="ENABLED", Description=current["Description"])
    audit = run(emulator, inventory, tmp_path / "audit", check=True)
    assert audit.rc == 0 and emulator.write_requests() == []
    found = stack(audit, account)["profiles"]["api_activity"]
    drop = "rule %s is ENABLED, not %s: it drops every read-only root call" % (API_RULE, ALL_EVENTS)
    assert found == {"status": "needs_action", "problems": ["us-east-1: " + drop],
                     "regions": {"us-east-1": {"status": "needs_action", "problems": [drop]}}}, found
    document, markdown = read_report(tmp_path / "audit")
    entry = document["accounts"][0]
    assert entry["status"] == "needs_action" and entry["profiles"]["console_sign_in"]["status"] == "compliant"
    assert "profile api_activity, us-east-1: " + drop in entry["problems"]
    assert "api_activity: needs_action (us-east-1); console_sign_in: compliant" in markdown

    fixed = run(emulator, inventory, tmp_path / "fixed")
    assert fixed.rc == 0, fixed
    assert events.describe_rule(Name=API_RULE)["State"] == ALL_EVENTS
    assert stack(fixed, account)["profiles"]["api_activity"]["status"] == "compliant"
    assert read_report(tmp_path / "fixed")[0]["accounts"][0]["status"] == "compliant"
    assert_accounts(run(emulator, inventory, tmp_path / "again"), [account], changed=False)
