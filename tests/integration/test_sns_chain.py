"""The three SNS modules together, as the role composes them, and their input checks."""

import json
import os

from playbook_runner import run_playbook  # pylint: disable=import-error

# The playbooks run on the implicit localhost; ansible.cfg fails runs with no inventory.
LOCAL_ONLY = {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "false"}
PLAYBOOKS = os.path.join(os.path.dirname(__file__), "playbooks")
TOPIC = "arn:aws:sns:us-east-1:123456789012:rw-alerts"


def run(emulator, name, check=False):
    return run_playbook(os.path.join(PLAYBOOKS, name), dict(emulator.environ(), **LOCAL_ONLY), check=check, diff=True)


def test_fresh_account_check_mode_create_and_noop(emulator):
    # Check mode on an account with nothing: every task predicts, none fails, nothing is written.
    checked = run(emulator, "sns_chain.yml", check=True)
    assert checked.rc == 0, checked
    assert checked.changed() == 3
    assert checked.result("Topic")["topic_arn"] == TOPIC
    assert checked.result("Policy")["topic_exists"] is False
    assert checked.result("Subscriptions")["pending_endpoints"] == ["security@example.com", "oncall@example.com"]
    assert emulator.write_requests() == []
    assert emulator.client("sns").list_topics()["Topics"] == []

    created = run(emulator, "sns_chain.yml")
    assert created.rc == 0, created
    assert created.changed() == 3
    policy = json.loads(emulator.client("sns").get_topic_attributes(TopicArn=TOPIC)["Attributes"]["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["__default_statement_ID", "AllowEventBridgePublish"]

    # Converged: 5 read calls for topic + policy + 2 subscriptions, no write.
    emulator.clear_recording()
    again = run(emulator, "sns_chain.yml")
    assert again.rc == 0, again
    assert again.changed() == 0
    assert [(r.service, r.action) for r in emulator.requests()] == [
        ("sts", "GetCallerIdentity"), ("sns", "GetTopicAttributes"), ("sns", "ListTagsForResource"),  # sns_topic
        ("sns", "GetTopicAttributes"),  # sns_topic_policy
        ("sns", "ListSubscriptionsByTopic"),  # sns_subscription, both addresses
    ]
    assert emulator.write_requests() == []


EXPECTED_ERRORS = {
    "AWS-managed key": "is the AWS-managed key alias/aws/sns. EventBridge cannot publish",
    "AWS-managed key as an alias ARN": "EventBridge cannot publish to a topic encrypted with it",
    "Bad topic name": "name must be 1-256 letters, digits, hyphens or underscores",
    "Statement without Sid": "statements[0] has no Sid",
    "Statement without Principal": "statements[0] (Sid NoPrincipal): Principal (or NotPrincipal) is required",
    "Bad rule ARN for EventBridge": "eventbridge_publish.rule_arn must be an EventBridge rule ARN",
    "Bad email": "endpoints[1] 'security.example.com' is not a valid email address",
    "URL not matching the protocol": "does not match protocol https: it must be a URL starting with https://",
    "Not a queue ARN": "is not the ARN of an SQS queue",
    "Not an E.164 number": "is not a phone number in E.164 form",
    "Policy of a missing topic": "SNS topic arn:aws:sns:us-east-1:123456789012:rw-missing does not exist",
    "Subscription to a missing topic": "SNS topic arn:aws:sns:us-east-1:123456789012:rw-missing does not exist",
}


def test_bad_input_fails_clearly_before_any_call(emulator):
    result = run(emulator, "sns_validation.yml")
    assert result.rc == 0, result  # every task ignores its error
    for task, message in EXPECTED_ERRORS.items():
        outcome = result.result(task)
        assert outcome.get("failed") is True, (task, outcome)
        assert message in outcome["msg"], (task, outcome["msg"])
    # Only the two tasks about a missing topic reached AWS, to find it missing.
    assert [(r.service, r.action) for r in emulator.requests()] == [
        ("sns", "GetTopicAttributes"), ("sns", "ListSubscriptionsByTopic")]
