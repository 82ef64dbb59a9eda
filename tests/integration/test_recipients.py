"""Recipients follow root_login_alerts_emails: a dropped address is unsubscribed, one mailbox is one
subscription whatever its case, other protocols are kept; a renamed topic's old one is reported. A
confirmed subscription whose filter policy drops our alerts is not a recipient (issue 21, row 2).

Each test has an account of its own; one run converges them all with their first settings before the
tests (a run costs seconds), and each test goes on from there with its own inventory.

Emulator quirk: email subscriptions are confirmed at once (on AWS a pending one cannot be
deleted; it is reported, and SNS deletes it after 48 hours).
"""

import pytest

from accounts import Account, foreign_sqs_subscription  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from playbook_checks import (  # pylint: disable=import-error
    EMAILS,
    NAME,
    NO_OP_REQUEST_BUDGET,
    STACK_TASK,
    account_failed,
    count,
    failed_task,
    read_report,
    requests_by_account,
    run,
    stack,
    write_inventory,
)

# Each test's account and its first settings (host variables without the prefix).
FIRST_SETTINGS = {
    "dropped": {"emails": ["a@example.com", "b@example.com"], "trail": "none"},
    "one_mailbox": {"emails": ["secops@acme.test"], "trail": "none"},
    "renamed": {"trail": "none"},
    "filtered": {},
}


@pytest.fixture(scope="module")
def accounts(emulator_server, tmp_path_factory):
    """{test: account}, every account converged with its FIRST_SETTINGS by one run."""
    emulator_server.reset()
    found = dict(zip(FIRST_SETTINGS, simulated_accounts(len(FIRST_SETTINGS), first=111111111201)))
    tmp = tmp_path_factory.mktemp("recipients")
    inventory = write_inventory(tmp / "first.yml", {found[name]: settings for name, settings in FIRST_SETTINGS.items()})
    converged = run(emulator_server, inventory, tmp / "first")
    assert converged.rc == 0, converged
    return found


@pytest.fixture
def emulator(emulator_server, accounts):  # pylint: disable=unused-argument
    """The emulator as the converging run left it: no reset, since each test works in its own account."""
    return emulator_server


def test_dropped_address_is_unsubscribed_and_other_protocols_kept(tmp_path, emulator, accounts):
    account = accounts["dropped"]
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


def test_one_mailbox_whatever_its_case(tmp_path, emulator, accounts):
    account = accounts["one_mailbox"]
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


def test_renamed_topic_leaves_the_old_one_reported(tmp_path, emulator, accounts):
    account = accounts["renamed"]
    renamed = write_inventory(tmp_path / "new.yml", [account], trail="none", topic_name="root-alerts-v2")
    applied = run(emulator, renamed, tmp_path / "r2")
    assert applied.rc == 0, applied
    result = stack(applied, account)
    old_arn = Account(emulator, account).topic_arn(NAME)
    assert [w for w in result.get("warnings", []) if old_arn in w and "no longer" in w], result.get("warnings")
    assert result["orphaned_topics"] == [old_arn]


# -- issue 21, row 2: a confirmed subscription counts only when its filter policy passes our alerts ------------
# NO_OP_REQUEST_BUDGET (21) counts the filter policy of the first confirmed subscription
# (sns:GetSubscriptionAttributes), read until one receives everything.


def subscription_arn(inside, endpoint):
    listing = inside.client("sns").list_subscriptions_by_topic(TopicArn=inside.topic_arn())["Subscriptions"]
    return [s["SubscriptionArn"] for s in listing if s["Endpoint"] == endpoint][0]


def test_the_only_subscription_filters_out_our_alerts_so_the_audit_needs_action(tmp_path, emulator, accounts):
    account = accounts["filtered"]
    inventory = write_inventory(tmp_path / "inventory.yml", [account])
    again = run(emulator, inventory, tmp_path / "again")
    assert again.rc == 0 and stack(again, account)["changed"] is False and emulator.write_requests() == []
    counted = count(requests_by_account(emulator, emulator.requests())[account])
    assert sum(counted.values()) <= NO_OP_REQUEST_BUDGET, counted
    assert counted["sns:GetSubscriptionAttributes"] == 1, counted
    assert [e["status"] for e in read_report(tmp_path / "again")[0]["accounts"]] == ["compliant"]

    # Written out literally: an attribute policy. EventBridge publishes without message attributes, so SNS
    # never delivers our alerts to this subscription (the emulator stores the policy as AWS does).
    inside = Account(emulator, account)
    sns = inside.client("sns")
    arn = subscription_arn(inside, EMAILS[0])
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue='{"severity": ["HIGH"]}')
    audit = run(emulator, inventory, tmp_path / "audit", check=True)
    assert audit.rc == 0 and emulator.write_requests() == []
    entry = read_report(tmp_path / "audit")[0]["accounts"][0]
    assert entry["status"] == "needs_action", entry
    problems = " ".join(entry["problems"])
    assert "%s (email): its filter policy drops our messages: it filters on message attributes (severity)" % EMAILS[0] in problems, problems

    # A body policy our alerts satisfy (their fixed text begins so): the recipient counts again.
    # Quirk: the emulator checks a FilterPolicy against the scope stored at the time, so the scope goes first.
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicyScope", AttributeValue="MessageBody")
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy",
                                    AttributeValue='{"alert": [{"prefix": "Root user console sign-in"}]}')
    audit = run(emulator, inventory, tmp_path / "body", check=True)
    assert audit.rc == 0
    assert [e["status"] for e in read_report(tmp_path / "body")[0]["accounts"]] == ["compliant"]

    # A body policy on a field copied from the event passes only some sign-ins: not counted, named.
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue='{"source_ip": [{"prefix": "10."}]}')
    audit = run(emulator, inventory, tmp_path / "partial", check=True)
    entry = read_report(tmp_path / "partial")[0]["accounts"][0]
    assert entry["status"] == "needs_action" and "it passes only some alerts: source_ip" in " ".join(entry["problems"]), entry
