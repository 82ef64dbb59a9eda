"""sns_subscription through real ansible-playbook runs against the emulator.

The emulator confirms every subscription at once (email included), so pending
confirmation is covered by the Stubber unit tests, not here.
"""

import json
import os

from playbook_runner import run_playbook  # pylint: disable=import-error

# The playbooks run on the implicit localhost; ansible.cfg fails runs with no inventory.
LOCAL_ONLY = {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "false"}
PLAYBOOK = os.path.join(os.path.dirname(__file__), "playbooks", "sns_subscription.yml")
TOPIC = "arn:aws:sns:us-east-1:123456789012:rw-alerts"
EMAILS = ["security@example.com", "oncall@example.com"]
ATTRIBUTES = {"RawMessageDelivery": True, "FilterPolicy": {"severity": ["high", "critical"]}}
# Equal in meaning: text forms, alternatives in another order.
ATTRIBUTES_RESPELLED = {"RawMessageDelivery": "true", "FilterPolicy": '{"severity": ["critical", "high"]}'}


def apply(emulator, check=False, diff=True, **options):
    extra = {"subscription_" + key: value for key, value in options.items()}
    run = run_playbook(PLAYBOOK, dict(emulator.environ(), **LOCAL_ONLY), extra_vars=extra, check=check, diff=diff)
    assert run.rc == 0, run
    return run


def subscribed(emulator):
    return sorted((s["Protocol"], s["Endpoint"]) for s in emulator.client("sns").list_subscriptions_by_topic(TopicArn=TOPIC)["Subscriptions"])


def setup_topic_and_queue(emulator):
    emulator.client("sns").create_topic(Name="rw-alerts")
    url = emulator.client("sqs").create_queue(QueueName="rw-alerts")["QueueUrl"]
    return emulator.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_create_noop_purge_and_absent(emulator):
    queue = setup_topic_and_queue(emulator)

    # Check mode: predicted, nothing written.
    emulator.clear_recording()
    run = apply(emulator, check=True, emails=EMAILS, queue=queue, attributes=ATTRIBUTES)
    emails, queued = run.result("Emails"), run.result("Queue")
    assert emails["changed"] is True and queued["changed"] is True
    assert [s["action"] for s in emails["subscriptions"]] == ["created", "created"]
    assert emails["pending_confirmation"] is True  # email always waits for the recipient on AWS
    assert emails["diff"]["after"] == {email: {"pending_confirmation": True} for email in EMAILS}
    assert queued["subscription_arn"] is None and queued["pending_confirmation"] is False
    assert emulator.write_requests() == []
    assert subscribed(emulator) == []

    run = apply(emulator, emails=EMAILS, queue=queue, attributes=ATTRIBUTES)
    assert run.changed() == 2
    assert subscribed(emulator) == sorted([("email", email) for email in EMAILS] + [("sqs", queue)])
    queued = run.result("Queue")
    assert queued["subscription_arn"].startswith(TOPIC + ":")
    assert queued["subscription"]["attributes"] == {"FilterPolicy": {"severity": ["critical", "high"]}, "RawMessageDelivery": "true"}
    stored = emulator.client("sns").get_subscription_attributes(SubscriptionArn=queued["subscription_arn"])["Attributes"]
    assert stored["RawMessageDelivery"] == "true"
    assert json.loads(stored["FilterPolicy"]) == {"severity": ["critical", "high"]}

    # No-op: one listing for both addresses; the queue adds a listing and its attributes.
    emulator.clear_recording()
    run = apply(emulator, emails=EMAILS, queue=queue, attributes=ATTRIBUTES_RESPELLED)
    assert run.changed() == 0
    assert [(r.service, r.action) for r in emulator.requests()] == [
        ("sns", "ListSubscriptionsByTopic"), ("sns", "ListSubscriptionsByTopic"), ("sns", "GetSubscriptionAttributes")]
    assert emulator.write_requests() == []

    # A new address in check mode; then purge the others of the protocol (the queue stays).
    emulator.clear_recording()
    checked = apply(emulator, check=True, emails=["new@example.com"] + EMAILS).result("Emails")
    assert checked["changed"] is True
    assert [s["action"] for s in checked["subscriptions"]] == ["created", "unchanged", "unchanged"]
    assert emulator.write_requests() == []

    purged = apply(emulator, emails=EMAILS[:1], purge=True).result("Emails")
    assert purged["changed"] is True
    assert purged["removed_endpoints"] == [EMAILS[1]]
    assert subscribed(emulator) == sorted([("email", EMAILS[0]), ("sqs", queue)])

    # absent: check mode first, then for real, then again (nothing left).
    emulator.clear_recording()
    checked = apply(emulator, check=True, emails=EMAILS, state="absent").result("Emails")
    assert checked["changed"] is True
    assert checked["removed_endpoints"] == [EMAILS[0]]
    assert [s["action"] for s in checked["subscriptions"]] == ["deleted", "absent"]
    assert emulator.write_requests() == []

    run = apply(emulator, emails=EMAILS, queue=queue, state="absent")
    assert run.changed() == 2
    assert subscribed(emulator) == []
    run = apply(emulator, emails=EMAILS, queue=queue, state="absent")
    assert run.changed() == 0
    assert run.result("Queue")["subscription"] == {}
