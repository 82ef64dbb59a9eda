"""The dead-letter queue of our targets, judged as AWS would lose or keep an alert (issue 21, row 3 and item 3).

- An event in the queue means EventBridge could not deliver an alert, whether it is available, received
  by someone but not deleted (in flight) or delayed: all three counts come from the one GetQueueAttributes
  the run already makes.
- A queue our targets name (DeadLetterConfig) that is missing keeps nothing EventBridge fails to deliver:
  the audit needs action and names it, an apply recreates it with its policy, and a re-run converges.

Emulator quirks these tests live with: SQS lets a queue be created again at once after DeleteQueue,
where AWS asks to "wait 60 seconds after deleting a queue before you can create another queue with the
same name" (SQS API reference, DeleteQueue), so on AWS the repairing apply may have to be re-run a
minute later; and nothing is ever delivered to the queue by EventBridge, so the tests put the events there.
"""

import json
import os
import sys

from accounts import Account  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from playbook_checks import NAME, OUR_TARGET_ID, read_report, run, stack, write_inventory  # pylint: disable=import-error
from playbook_runner import ROOT  # pylint: disable=import-error

if os.path.join(ROOT, ".collections") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, ".collections"))  # the checkout as ansible_collections.rootwatch.aws
# pylint: disable=wrong-import-position
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path  # noqa: E402
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import hub as hub_mode  # noqa: E402

QUEUE = "root-login-alerts-undelivered"
LOST = json.dumps({"detail-type": "AWS Console Sign In via CloudTrail", "source": "aws.signin"})


def queue_url(inside):
    return inside.client("sqs").get_queue_url(QueueName=QUEUE)["QueueUrl"]


def entry_of(reports):
    accounts = read_report(reports)[0]["accounts"]
    assert len(accounts) == 1, accounts
    return accounts[0]


def converged(emulator, tmp_path, name="inventory.yml"):
    account = simulated_accounts(1)[0]
    inventory = write_inventory(tmp_path / name, [account])
    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    assert entry_of(tmp_path / "apply")["status"] == "compliant"
    return account, inventory


def test_an_event_received_but_not_deleted_still_needs_action(tmp_path, emulator):
    account, inventory = converged(emulator, tmp_path)
    sqs = Account(emulator, account).client("sqs")
    url = queue_url(Account(emulator, account))
    sqs.send_message(QueueUrl=url, MessageBody=LOST)
    # Someone read it and did not delete it: not visible for the visibility timeout, yet not handled.
    received = sqs.receive_message(QueueUrl=url, VisibilityTimeout=600)["Messages"]
    assert len(received) == 1
    sqs.send_message(QueueUrl=url, MessageBody=LOST, DelaySeconds=900)

    audit = run(emulator, inventory, tmp_path / "audit", check=True)
    assert audit.rc == 0 and emulator.write_requests() == []
    entry = entry_of(tmp_path / "audit")
    assert entry["status"] == "needs_action", entry
    problems = " ".join(entry["problems"])
    assert "dead-letter queue %s holds 2 event(s) that EventBridge could not deliver " \
           "(1 received by someone but not deleted, 1 delayed)" % QUEUE in problems, problems
    summary = stack(audit, account)["dead_letter_queue"]
    assert (summary["visible"], summary["in_flight"], summary["delayed"], summary["messages"]) == (0, 1, 1, 2), summary


def test_a_missing_queue_our_targets_name_needs_action_and_an_apply_recreates_it(tmp_path, emulator):
    account, inventory = converged(emulator, tmp_path)
    inside = Account(emulator, account)
    queue_arn = "arn:aws:sqs:us-east-1:%s:%s" % (account, QUEUE)
    target = inside.client("events").list_targets_by_rule(Rule=NAME)["Targets"][0]
    assert target["DeadLetterConfig"] == {"Arn": queue_arn}
    inside.client("sqs").delete_queue(QueueUrl=queue_url(inside))

    audit = run(emulator, inventory, tmp_path / "audit", check=True)
    assert audit.rc == 0 and emulator.write_requests() == []
    entry = entry_of(tmp_path / "audit")
    assert entry["status"] == "needs_action", entry
    assert "dead-letter queue %s does not exist, yet rule %s target %s send(s) to it what EventBridge cannot deliver" \
           % (QUEUE, NAME, OUR_TARGET_ID) in " ".join(entry["problems"]), entry["problems"]
    assert "create dead-letter queue %s" % QUEUE in stack(audit, account)["changes"]

    repaired = run(emulator, inventory, tmp_path / "repair")
    assert repaired.rc == 0, repaired
    assert stack(repaired, account)["changes"] == ["create dead-letter queue %s" % QUEUE], stack(repaired, account)["changes"]
    assert entry_of(tmp_path / "repair")["status"] == "compliant"
    attributes = inside.client("sqs").get_queue_attributes(QueueUrl=queue_url(inside), AttributeNames=["All"])["Attributes"]
    policy = json.loads(attributes["Policy"])
    # Written out: EventBridge may send this rule's undelivered events to the queue ("Granting permissions to the dead-letter queue").
    assert {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:%s:rule/%s" % (account, NAME)}}} in \
        [dict((k, v) for k, v in s.items() if k != "Sid") for s in policy["Statement"]], policy
    assert inside.client("events").list_targets_by_rule(Rule=NAME)["Targets"][0]["DeadLetterConfig"] == {"Arn": queue_arn}

    again = run(emulator, inventory, tmp_path / "again")
    assert again.rc == 0 and stack(again, account)["changed"] is False and emulator.write_requests() == []
    assert entry_of(tmp_path / "again")["status"] == "compliant"


# -- the summary and the verdict, without AWS -------------------------------------------------------
COMPLIANT = {"status": "compliant", "paths": [], "problems": [], "unknown": [], "event_source": None, "notes": []}
ARN = "arn:aws:sqs:us-east-1:111111111111:%s" % QUEUE


def outcome(queue_url, **counts):
    facts = {"queue_url": queue_url, "messages": sum(counts.values()) if queue_url else None}
    facts.update(counts)
    return {"queue": {"name": QUEUE}, "queue_arn": ARN, "queue_url": "https://sqs.us-east-1.amazonaws.com/111111111111/" + QUEUE,
            "facts": facts}


RULES = [{"Name": NAME, "targets": [{"Id": OUR_TARGET_ID, "Arn": "arn:aws:sns:us-east-1:111111111111:" + NAME,
                                     "DeadLetterConfig": {"Arn": ARN}}]},
         {"Name": "other", "targets": [{"Id": "t", "Arn": "arn:aws:sns:us-east-1:111111111111:x"}]}]


def test_a_queue_no_target_names_is_no_problem_when_missing():
    summary = hub_mode.queue_summary(outcome(None), [RULES[1]])
    assert summary["exists"] is False and summary["named_by"] == []
    assert delivery_path.with_undelivered_events(COMPLIANT, summary) is COMPLIANT


def test_an_apply_that_created_the_queue_reports_it_present():
    summary = hub_mode.queue_summary(outcome(None), RULES, applied=True)
    assert summary["exists"] is True and summary["named_by"] == ["rule %s target %s" % (NAME, OUR_TARGET_ID)]
    assert delivery_path.with_undelivered_events(COMPLIANT, summary)["status"] == "compliant"


def test_check_mode_reports_the_missing_queue_as_found():
    verdict = delivery_path.with_undelivered_events(COMPLIANT, hub_mode.queue_summary(outcome(None), RULES))
    assert verdict["status"] == "needs_action" and "does not exist" in verdict["problems"][0]


def test_each_count_is_named():
    summary = hub_mode.queue_summary(outcome("u", ApproximateNumberOfMessages=1, ApproximateNumberOfMessagesNotVisible=2,
                                             ApproximateNumberOfMessagesDelayed=0), RULES)
    problem = delivery_path.with_undelivered_events(COMPLIANT, summary)["problems"][0]
    assert "holds 3 event(s) that EventBridge could not deliver (1 available, 2 received by someone but not deleted)" in problem
