"""sns_topic through real ansible-playbook runs against the emulator."""

import json
import os

from playbook_runner import run_playbook  # pylint: disable=import-error

# The playbooks run on the implicit localhost; ansible.cfg fails runs with no inventory.
LOCAL_ONLY = {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "false"}
PLAYBOOK = os.path.join(os.path.dirname(__file__), "playbooks", "sns_topic.yml")
TOPIC = "arn:aws:sns:us-east-1:123456789012:rw-alerts"


def apply(emulator, check=False, diff=True, **options):
    extra = {"topic_" + key: value for key, value in options.items()}
    run = run_playbook(PLAYBOOK, dict(emulator.environ(), **LOCAL_ONLY), extra_vars=extra, check=check, diff=diff)
    assert run.rc == 0, run
    return run


def actions(emulator):
    return [(request.service, request.action) for request in emulator.requests()]


def customer_key(emulator):
    kms = emulator.client("kms")
    key = kms.create_key(Description="rootwatch test")["KeyMetadata"]
    kms.create_alias(AliasName="alias/rw-alerts", TargetKeyId=key["KeyId"])
    return key["Arn"]


def test_check_create_noop_and_same_key_spelled_differently(emulator):
    key_arn = customer_key(emulator)
    options = {"display_name": "Root login alert", "kms_key": "alias/rw-alerts", "tags": {"owner": "security"}}

    # Check mode on a topic that does not exist: predicted, nothing written.
    emulator.clear_recording()
    checked = apply(emulator, check=True, **options).result("Topic")
    assert checked["changed"] is True and checked["created"] is True
    assert checked["topic_arn"] == TOPIC
    assert checked["diff"] == {"before": {}, "after": {"display_name": "Root login alert", "kms_master_key_id": "alias/rw-alerts",
                                                       "tags": {"owner": "security"}}}
    assert emulator.write_requests() == []
    assert emulator.client("sns").list_topics()["Topics"] == []

    created = apply(emulator, **options).result("Topic")
    assert created["changed"] is True
    assert created["topic"]["kms_master_key_id"] == "alias/rw-alerts"
    assert created["topic"]["policy"]["Statement"][0]["Sid"] == "__default_statement_ID"
    attributes = emulator.client("sns").get_topic_attributes(TopicArn=TOPIC)["Attributes"]
    assert attributes["DisplayName"] == "Root login alert"
    assert attributes["KmsMasterKeyId"] == "alias/rw-alerts"

    # Another owner's statement: sns_topic must leave the policy alone.
    policy = json.loads(attributes["Policy"])
    policy["Statement"].append({"Sid": "AWSEvents_console_Id1", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                "Action": "sns:Publish", "Resource": TOPIC})
    emulator.client("sns").set_topic_attributes(TopicArn=TOPIC, AttributeName="Policy", AttributeValue=json.dumps(policy))

    # Re-run, then again with the key given as the ARN of the key the alias points at.
    emulator.clear_recording()
    run = apply(emulator, repeat=True, kms_key_again=key_arn, **options)
    assert run.changed() == 0
    assert run.result("Topic")["topic"]["tags"] == {"owner": "security"}
    assert emulator.write_requests() == []
    # A no-op costs 3 calls; the other spelling of the key adds one kms:DescribeKey per side.
    assert actions(emulator) == [
        ("sts", "GetCallerIdentity"), ("sns", "GetTopicAttributes"), ("sns", "ListTagsForResource"),
        ("sts", "GetCallerIdentity"), ("sns", "GetTopicAttributes"), ("sns", "ListTagsForResource"),
        ("kms", "DescribeKey"), ("kms", "DescribeKey"),
    ]
    kept = json.loads(emulator.client("sns").get_topic_attributes(TopicArn=TOPIC)["Attributes"]["Policy"])
    assert [s["Sid"] for s in kept["Statement"]] == ["__default_statement_ID", "AWSEvents_console_Id1"]


def test_check_mode_and_diff_on_existing_topic_then_update(emulator):
    apply(emulator, display_name="Old", tags={"owner": "ops", "stale": "x"})

    emulator.clear_recording()
    checked = apply(emulator, check=True, display_name="New", tags={"owner": "security"}).result("Topic")
    assert checked["changed"] is True and checked["created"] is False
    assert checked["diff"] == {
        "before": {"display_name": "Old", "tags": {"owner": "ops", "stale": "x"}},
        "after": {"display_name": "New", "tags": {"owner": "security"}},
    }
    assert emulator.write_requests() == []
    assert emulator.client("sns").get_topic_attributes(TopicArn=TOPIC)["Attributes"]["DisplayName"] == "Old"

    emulator.clear_recording()
    updated = apply(emulator, display_name="New", tags={"owner": "security"}).result("Topic")
    assert updated["changed"] is True
    assert updated["updated_attributes"] == ["DisplayName"]
    assert sorted(request.action for request in emulator.write_requests()) == ["SetTopicAttributes", "TagResource", "UntagResource"]
    tags = emulator.client("sns").list_tags_for_resource(ResourceArn=TOPIC)["Tags"]
    assert tags == [{"Key": "owner", "Value": "security"}]


def test_absent(emulator):
    apply(emulator)

    emulator.clear_recording()
    checked = apply(emulator, check=True, state="absent").result("Topic")
    assert checked["changed"] is True
    assert checked["diff"]["after"] == {} and checked["diff"]["before"]["arn"] == TOPIC
    assert emulator.write_requests() == []

    run = apply(emulator, state="absent", repeat=True)
    assert run.result("Topic")["changed"] is True
    assert run.result("Topic again")["changed"] is False
    assert emulator.client("sns").list_topics()["Topics"] == []
