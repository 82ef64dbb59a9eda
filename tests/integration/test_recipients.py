"""Recipients follow root_login_alerts_emails: a dropped address is unsubscribed, one mailbox is one
subscription whatever its case, other protocols are kept; a renamed topic's old one is reported.

Emulator quirk: email subscriptions are confirmed at once (on AWS a pending one cannot be
deleted; it is reported, and SNS deletes it after 48 hours).
"""

from emulator import simulated_accounts  # pylint: disable=import-error
from test_kill_and_concurrency import foreign_sqs_subscription
from test_root_alerts_playbook import NAME, STACK_TASK, Account, account_failed, failed_task, run, stack, write_inventory


def test_dropped_address_is_unsubscribed_and_other_protocols_kept(tmp_path, emulator):
    account = simulated_accounts(1)[0]
    both = write_inventory(tmp_path / "both.yml", [account], emails=["a@example.com", "b@example.com"], trail="none")
    assert run(emulator, both, tmp_path / "r1").rc == 0
    inside = Account(emulator, account)
    queue = foreign_sqs_subscription(inside)
    one = write_inventory(tmp_path / "one.yml", [account], emails=["a@example.com"], trail="none")

    preview = run(emulator, one, tmp_path / "preview", check=True, diff=True)
    assert preview.rc == 0 and emulator.write_requests() == []
    assert "unsubscribe b@example.com" in stack(preview, account)["changes"]

    applied = run(emulator, one, tmp_path / "apply")
    assert applied.rc == 0, applied
    assert stack(applied, account)["changes"] == ["unsubscribe b@example.com"]
    listing = inside.client("sns").list_subscriptions_by_topic(TopicArn=inside.topic_arn())["Subscriptions"]
    assert sorted((s["Protocol"], s["Endpoint"]) for s in listing) == [("email", "a@example.com"), ("sqs", queue)]


def test_one_mailbox_whatever_its_case(tmp_path, emulator):
    account = simulated_accounts(1)[0]
    lower = write_inventory(tmp_path / "lower.yml", [account], emails=["secops@acme.test"], trail="none")
    assert run(emulator, lower, tmp_path / "r1").rc == 0
    mixed = write_inventory(tmp_path / "mixed.yml", [account], emails=["SecOps@Acme.test"], trail="none")
    again = run(emulator, mixed, tmp_path / "r2")
    assert again.rc == 0 and stack(again, account)["changed"] is False, stack(again, account).get("changes")
    assert Account(emulator, account).subscriptions() == ["secops@acme.test"]

    twice = write_inventory(tmp_path / "twice.yml", [account], emails=["secops@acme.test", "SecOps@Acme.test"], trail="none")
    refused = run(emulator, twice, tmp_path / "r3")
    assert refused.rc != 0 and account_failed(refused, account)
    task, message = failed_task(refused, account)
    assert task == STACK_TASK and "are one mailbox" in message and "root_login_alerts_emails" in message, message
    assert emulator.requests() == []


def test_renamed_topic_leaves_the_old_one_reported(tmp_path, emulator):
    account = simulated_accounts(1)[0]
    old = write_inventory(tmp_path / "old.yml", [account], trail="none")
    assert run(emulator, old, tmp_path / "r1").rc == 0
    renamed = write_inventory(tmp_path / "new.yml", [account], trail="none", topic_name="root-alerts-v2")
    applied = run(emulator, renamed, tmp_path / "r2")
    assert applied.rc == 0, applied
    result = stack(applied, account)
    old_arn = Account(emulator, account).topic_arn(NAME)
    assert [w for w in result.get("warnings", []) if old_arn in w and "no longer" in w], result.get("warnings")
    assert result["orphaned_topics"] == [old_arn]
