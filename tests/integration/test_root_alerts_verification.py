"""The role's verification after apply: pattern tests, the opt-in test notification, exact no-op calls."""

import urllib.parse

from emulator import simulated_accounts  # pylint: disable=import-error
from playbook_checks import count, requests_by_account, run, stack, write_inventory  # pylint: disable=import-error

# What a converged account costs: every read the stack needs, nothing else.
CONVERGED_CALLS = {
    "sts:AssumeRole": 1,
    "cloudtrail:DescribeTrails": 1,
    "cloudtrail:GetTrailStatus": 1,
    "cloudtrail:GetEventSelectors": 1,
    "cloudtrail:ListTags": 1,
    "sns:GetTopicAttributes": 1,
    "sns:ListSubscriptionsByTopic": 1,
    # The first confirmed subscription's filter policy: one that drops our messages is not a recipient.
    "sns:GetSubscriptionAttributes": 1,
    "sns:ListTagsForResource": 1,  # ownership by proof: our tag on the topic
    "events:ListRules": 1,  # every rule of the default bus: the verdict judges all paths, ours among them
    "events:ListTargetsByRule": 1,
    "events:ListTagsForResource": 1,  # ownership by proof: our tag on the rule
    "iam:GetAccountSummary": 1,  # the root credential posture
    # The dead-letter queue of the rule's target: its tag (ownership by proof), and its attributes,
    # whose message counts (visible, in flight, delayed) say whether an alert was not delivered.
    "sqs:GetQueueUrl": 1,
    "sqs:GetQueueAttributes": 1,
    "sqs:ListQueueTags": 1,
}
# The log bucket, by subresource: its policy, our tag (ownership by proof), and for our bucket the
# settings read every run, so drift and a half-done bucket are repaired.
CONVERGED_BUCKET_READS = ["encryption", "ownershipControls", "policy", "publicAccessBlock", "tagging"]


def test_pattern_tests_notification_and_exact_no_op_calls(tmp_path, emulator):
    account = simulated_accounts(1)[0]
    inventory = write_inventory(tmp_path / "inventory.yml", [account], send_test_notification=True)

    # Check mode: the pattern is judged locally; no notification is published.
    preview = run(emulator, inventory, tmp_path / "preview", check=True)
    assert preview.rc == 0, preview
    tests = stack(preview, account)["pattern_tests"]
    assert [(t["event"], t["matched"], t["method"]) for t in tests] == [
        ("failed_root_sign_in", True, "local evaluation"),
        ("forged_custom_event", False, "local evaluation"),  # a custom source: only AWS sends aws.signin
        ("iam_user_sign_in", False, "local evaluation"),
        ("root_sign_in", True, "local evaluation"),
    ]
    assert not [r for r in emulator.requests() if r.action in ("Publish", "TestEventPattern")]

    # Apply: the pattern just written is put to EventBridge (four TestEventPattern calls;
    # the emulator's stub answers without a Result, so the answers come from the local
    # evaluation) and one test message is published through the topic.
    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    calls = count(emulator.requests())
    assert calls["events:TestEventPattern"] == 4, calls
    assert calls["sns:Publish"] == 1, calls
    result = stack(applied, account)
    assert all(t["matched"] == (t["event"] in ("root_sign_in", "failed_root_sign_in")) for t in result["pattern_tests"])

    # A converged run: exactly the reads above, no pattern test against AWS, no write.
    again = run(emulator, write_inventory(tmp_path / "quiet.yml", [account]), tmp_path / "again")
    assert again.rc == 0, again
    assert emulator.write_requests() == []
    requests = requests_by_account(emulator, emulator.requests())[account]
    calls = count(requests)
    bucket_reads = [name for name in calls if name.startswith("s3:GET ")]
    subresources = sorted(key for r in requests if r.service == "s3"
                          for key in urllib.parse.parse_qs(urllib.parse.urlparse(r.url).query, keep_blank_values=True))
    assert subresources == CONVERGED_BUCKET_READS, subresources
    assert dict((k, v) for k, v in calls.items() if k not in bucket_reads) == CONVERGED_CALLS
