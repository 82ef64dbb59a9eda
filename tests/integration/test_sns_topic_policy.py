"""sns_topic_policy through real ansible-playbook runs against the emulator."""

import json
import os

from playbook_runner import run_playbook  # pylint: disable=import-error

# The playbooks run on the implicit localhost; ansible.cfg fails runs with no inventory.
LOCAL_ONLY = {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "false"}
PLAYBOOK = os.path.join(os.path.dirname(__file__), "playbooks", "sns_topic_policy.yml")
TOPIC = "arn:aws:sns:us-east-1:123456789012:rw-alerts"
RULE = "arn:aws:events:us-east-1:123456789012:rule/rw-alerts"
EVENTBRIDGE = {"rule_arn": RULE, "source_account": "123456789012"}
FOREIGN = {"Sid": "AWSEvents_console-rule_Id1", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
           "Action": "sns:Publish", "Resource": TOPIC}
DENY = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC,
        "Condition": {"Bool": {"aws:SecureTransport": False}}}
# The same two statements spelled differently: lists, other order, another
# spelling of "everyone", the EventBridge statement written out by hand.
RESPELLED = [
    {"Resource": [TOPIC], "Condition": {"Bool": {"aws:SecureTransport": "false"}}, "Action": ["sns:Publish"],
     "Principal": {"AWS": "*"}, "Effect": "Deny", "Sid": "DenyInsecureTransport"},
    {"Sid": "AllowEventBridgePublish", "Effect": "Allow", "Principal": {"Service": ["events.amazonaws.com"]},
     "Action": ["sns:Publish"], "Resource": TOPIC,
     "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}, "ArnEquals": {"aws:SourceArn": [RULE]}}},
]


def apply(emulator, check=False, diff=True, **options):
    extra = {"policy_" + key: value for key, value in options.items()}
    run = run_playbook(PLAYBOOK, dict(emulator.environ(), **LOCAL_ONLY), extra_vars=extra, check=check, diff=diff)
    assert run.rc == 0, run
    return run


def topic_with_foreign_statement(emulator):
    """A topic whose policy AWS (default) and the console (AWSEvents_*) wrote to."""
    sns = emulator.client("sns")
    sns.create_topic(Name="rw-alerts")
    policy = json.loads(sns.get_topic_attributes(TopicArn=TOPIC)["Attributes"]["Policy"])
    policy["Statement"].append(FOREIGN)
    sns.set_topic_attributes(TopicArn=TOPIC, AttributeName="Policy", AttributeValue=json.dumps(policy))


def sids(emulator):
    policy = json.loads(emulator.client("sns").get_topic_attributes(TopicArn=TOPIC)["Attributes"]["Policy"])
    return [statement["Sid"] for statement in policy["Statement"]]


def test_merge_noop_and_absent_keep_foreign_statements(emulator):
    topic_with_foreign_statement(emulator)
    options = {"eventbridge": EVENTBRIDGE, "statements": [DENY]}

    # Check mode with diff: the whole documents, before and after; nothing written.
    emulator.clear_recording()
    checked = apply(emulator, check=True, **options).result("Policy")
    assert checked["changed"] is True
    assert checked["statements_added"] == ["DenyInsecureTransport", "AllowEventBridgePublish"]
    before, after = checked["diff"]["before"], checked["diff"]["after"]
    assert [s["Sid"] for s in before["Statement"]] == ["__default_statement_ID", FOREIGN["Sid"]]
    assert [s["Sid"] for s in after["Statement"]] == ["__default_statement_ID", FOREIGN["Sid"], "DenyInsecureTransport",
                                                      "AllowEventBridgePublish"]
    assert after["Version"] == "2008-10-17"  # moto's default policy version, kept
    assert emulator.write_requests() == []
    assert sids(emulator) == ["__default_statement_ID", FOREIGN["Sid"]]

    created = apply(emulator, **options).result("Policy")
    assert created["changed"] is True
    assert sids(emulator) == ["__default_statement_ID", FOREIGN["Sid"], "DenyInsecureTransport", "AllowEventBridgePublish"]

    # Re-run, and the same statements spelled differently: one read each, no write.
    emulator.clear_recording()
    run = apply(emulator, statements_again=RESPELLED, **options)
    assert run.changed() == 0
    assert [(r.service, r.action) for r in emulator.requests()] == [("sns", "GetTopicAttributes")] * 2
    assert emulator.write_requests() == []

    # absent removes exactly ours.
    removed = apply(emulator, state="absent", statements=[{"Sid": "DenyInsecureTransport"}], eventbridge={}).result("Policy")
    assert removed["changed"] is True
    assert sorted(removed["statements_removed"]) == ["AllowEventBridgePublish", "DenyInsecureTransport"]
    assert sids(emulator) == ["__default_statement_ID", FOREIGN["Sid"]]


def test_replace_changed_statement_and_purge(emulator):
    topic_with_foreign_statement(emulator)
    apply(emulator, eventbridge=EVENTBRIDGE)

    other_rule = dict(EVENTBRIDGE, rule_arn=RULE + "-2")
    replaced = apply(emulator, eventbridge=other_rule).result("Policy")
    assert replaced["changed"] is True
    assert replaced["statements_replaced"] == ["AllowEventBridgePublish"]

    emulator.clear_recording()
    purged = apply(emulator, check=True, eventbridge=other_rule, purge=True).result("Policy")
    assert purged["changed"] is True
    assert purged["statements_removed"] == ["__default_statement_ID", FOREIGN["Sid"]]
    assert emulator.write_requests() == []
    apply(emulator, eventbridge=other_rule, purge=True)
    assert sids(emulator) == ["AllowEventBridgePublish"]


def test_check_mode_on_a_topic_not_yet_created(emulator):
    # An earlier task of the same check-mode run would have created it: predict, don't fail.
    run = apply(emulator, check=True, eventbridge=EVENTBRIDGE)
    result = run.result("Policy")
    assert result["changed"] is True
    assert result["topic_exists"] is False
    assert [s["Sid"] for s in result["diff"]["after"]["Statement"]] == ["__default_statement_ID", "AllowEventBridgePublish"]
    assert any("does not exist" in warning for warning in result.get("warnings", []))
    assert emulator.write_requests() == []
