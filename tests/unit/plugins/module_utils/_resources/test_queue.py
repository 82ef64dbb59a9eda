# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dead-letter queue: its policy, and DeadLetterQueueManager against stubbed AWS answers.

A Stubber fails on any call not queued, so a test that queues only reads proves
that nothing was written (converged runs and check mode).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import WriteConflictError
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.queue import QUEUE_ATTRIBUTES
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.queue import DeadLetterQueueManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.queue import dead_letter_queue_policy

from aws_stubs import client_error  # pylint: disable=import-error

REGION = "us-east-1"
HUB = "111111111111"
MEMBER = "222222222222"
OTHER = "333333333333"
OWNER = {"rootwatch:created-by": "root_login_alerts"}
BUS_ARN = "arn:aws:events:us-east-1:111111111111:event-bus/rootwatch-hub"
RULE_ARN = "arn:aws:events:us-east-1:222222222222:rule/rootwatch-forward-to-hub"
QUEUE = "rootwatch-forward-dlq"
QUEUE_ARN = "arn:aws:sqs:us-east-1:222222222222:rootwatch-forward-dlq"
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/222222222222/rootwatch-forward-dlq"


def manager(cls, stubs, check_mode=False, account=HUB):
    return cls(stubs.factory, REGION, check_mode=check_mode, warn=stubs.warn, account_id=account)


def document(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def other_statement(sid="SomeoneElse"):
    return {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER}, "Action": "events:PutEvents",
            "Resource": BUS_ARN}


class TestDeadLetterQueuePolicy:
    def test_one_rule(self):
        assert dead_letter_queue_policy(QUEUE_ARN, [RULE_ARN]) == document({
            "Sid": "RootwatchEventBridgeDeadLetter", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": QUEUE_ARN, "Condition": {"ArnEquals": {"aws:SourceArn": RULE_ARN}}})

    def test_several_rules_on_a_custom_bus(self):
        rules = [RULE_ARN, "arn:aws:events:us-east-1:222222222222:rule/hub/other"]
        condition = dead_letter_queue_policy(QUEUE_ARN, rules, sid="Mine")["Statement"][0]
        assert condition["Sid"] == "Mine" and condition["Condition"] == {"ArnEquals": {"aws:SourceArn": rules}}

    def test_rule_in_another_region_is_refused(self):
        with pytest.raises(ValueError, match="Region"):
            dead_letter_queue_policy(QUEUE_ARN, ["arn:aws:events:eu-west-1:222222222222:rule/r"])

    @pytest.mark.parametrize("queue, rules", [("arn:aws:sqs:us-east-1:222222222222:q.fifo", [RULE_ARN]), ("q", [RULE_ARN]),
                                              (QUEUE_ARN, []), (QUEUE_ARN, ["arn:aws:events:us-east-1:222222222222:event-bus/b"])])
    def test_malformed(self, queue, rules):
        with pytest.raises(ValueError):
            dead_letter_queue_policy(queue, rules)


DLQ_PARAMS = {"name": QUEUE, "state": "present", "rule_arns": [RULE_ARN], "tags": dict(OWNER), "owner_tag": OWNER}
DLQ_DOC = dead_letter_queue_policy(QUEUE_ARN, [RULE_ARN])


def attributes(policy=None, messages="0", **extra):
    found = {"QueueArn": QUEUE_ARN, "ApproximateNumberOfMessages": messages, "SqsManagedSseEnabled": "true",
             "MessageRetentionPeriod": "1209600"}
    if policy is not None:
        found["Policy"] = json.dumps(policy)
    found.update(extra)
    return found


def queue(stubber, found):
    stubber.add_response("get_queue_url", {"QueueUrl": QUEUE_URL}, {"QueueName": QUEUE})
    stubber.add_response("get_queue_attributes", {"Attributes": found}, {"QueueUrl": QUEUE_URL, "AttributeNames": QUEUE_ATTRIBUTES})


def queue_tags(stubber, tags):
    stubber.add_response("list_queue_tags", {"Tags": dict(tags)}, {"QueueUrl": QUEUE_URL})


def queue_policy(stubber, policy):
    found = {"Policy": json.dumps(policy)} if policy else {}
    stubber.add_response("get_queue_attributes", {"Attributes": found}, {"QueueUrl": QUEUE_URL, "AttributeNames": ["Policy"]})


def other_queue_statement():
    return {"Sid": "Consumer", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER}, "Action": "sqs:ReceiveMessage",
            "Resource": QUEUE_ARN}


class TestDeadLetterQueueManager:
    def test_create(self, stubs):
        sqs = stubs.stub("sqs")
        client_error(sqs, "get_queue_url", "AWS.SimpleQueueService.NonExistentQueue", 400, {"QueueName": QUEUE})
        sqs.add_response("create_queue", {"QueueUrl": QUEUE_URL}, {"QueueName": QUEUE, "tags": dict(OWNER), "Attributes": {
            "MessageRetentionPeriod": "1209600", "SqsManagedSseEnabled": "true", "Policy": json.dumps(DLQ_DOC, sort_keys=True)}})
        result = manager(DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS))
        assert result["changed"] is True and result["changes"] == ["create dead-letter queue %s" % QUEUE]
        assert result["queue_arn"] == QUEUE_ARN and result["queue_url"] == QUEUE_URL
        assert result["queue"]["sqs_managed_sse_enabled"] is True and result["queue"]["policy"] == DLQ_DOC

    def test_create_with_a_customer_managed_key(self, stubs):
        sqs = stubs.stub("sqs")
        client_error(sqs, "get_queue_url", "QueueDoesNotExist", 400)
        sqs.add_response("create_queue", {"QueueUrl": QUEUE_URL}, {"QueueName": QUEUE, "tags": dict(OWNER), "Attributes": {
            "MessageRetentionPeriod": "86400", "KmsMasterKeyId": "alias/dlq", "Policy": json.dumps(DLQ_DOC, sort_keys=True)}})
        params = dict(DLQ_PARAMS, kms_master_key_id="alias/dlq", message_retention_period=86400)
        assert manager(DeadLetterQueueManager, stubs, account=MEMBER).ensure(params)["queue"]["kms_master_key_id"] == "alias/dlq"

    def test_check_mode_create_predicts_and_writes_nothing(self, stubs):
        client_error(stubs.stub("sqs"), "get_queue_url", "QueueDoesNotExist", 400)
        result = manager(DeadLetterQueueManager, stubs, check_mode=True, account=MEMBER).ensure(dict(DLQ_PARAMS))
        assert result["changed"] is True and result["queue_arn"] == QUEUE_ARN and result["queue_url"] == QUEUE_URL
        assert result["facts"]["ApproximateNumberOfMessages"] is None

    def test_converged_reads_only(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(document(other_queue_statement(), DLQ_DOC["Statement"][0])))
        queue_tags(sqs, OWNER)
        result = manager(DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS))
        assert result["changed"] is False and result["changes"] == []
        assert result["facts"]["ApproximateNumberOfMessages"] == 0 and stubs.warnings == []

    def test_messages_are_reported(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(DLQ_DOC, messages="3"))
        queue_tags(sqs, OWNER)
        result = manager(DeadLetterQueueManager, stubs, check_mode=True, account=MEMBER).ensure(dict(DLQ_PARAMS))
        assert result["facts"]["ApproximateNumberOfMessages"] == 3 and "holds 3 event(s)" in stubs.warnings[0]

    def test_update_policy_and_retention_in_one_write(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(DLQ_DOC))
        queue_tags(sqs, OWNER)
        rules = [RULE_ARN, "arn:aws:events:us-east-1:222222222222:rule/second"]
        wanted = document(other_queue_statement(), dead_letter_queue_policy(QUEUE_ARN, rules)["Statement"][0])
        queue_policy(sqs, document(DLQ_DOC["Statement"][0], other_queue_statement()))
        sqs.add_response("set_queue_attributes", {}, {"QueueUrl": QUEUE_URL, "Attributes": {
            "MessageRetentionPeriod": "345600", "Policy": json.dumps(wanted, sort_keys=True)}})
        queue_policy(sqs, wanted)
        result = manager(DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS, rule_arns=rules, message_retention_period=345600))
        assert result["changes"] == ["update dead-letter queue %s: retention, policy" % QUEUE,
                                     "replace queue policy statement RootwatchEventBridgeDeadLetter"]
        assert result["queue"]["policy"] == wanted and result["queue"]["message_retention_period"] == 345600

    def test_move_to_sqs_managed_encryption(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(DLQ_DOC, SqsManagedSseEnabled="false", KmsMasterKeyId="alias/old"))
        queue_tags(sqs, OWNER)
        sqs.add_response("set_queue_attributes", {}, {"QueueUrl": QUEUE_URL, "Attributes": {"SqsManagedSseEnabled": "true", "KmsMasterKeyId": ""}})
        result = manager(DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS))
        assert result["changes"] == ["update dead-letter queue %s: encryption" % QUEUE]

    def test_tags_update(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(DLQ_DOC))
        queue_tags(sqs, OWNER)
        sqs.add_response("tag_queue", {}, {"QueueUrl": QUEUE_URL, "Tags": {"team": "sec"}})
        result = manager(DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS, tags=dict(OWNER, team="sec")))
        assert result["changes"] == ["update dead-letter queue %s: tags" % QUEUE]

    def test_policy_changed_during_write_raises(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(None))
        queue_tags(sqs, OWNER)
        queue_policy(sqs, None)
        sqs.add_response("set_queue_attributes", {}, {"QueueUrl": QUEUE_URL, "Attributes": {"Policy": json.dumps(DLQ_DOC, sort_keys=True)}})
        queue_policy(sqs, document(other_queue_statement()))
        with pytest.raises(WriteConflictError, match="changed while"):
            manager(DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS))

    def test_check_mode_update_reads_only(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(None, MessageRetentionPeriod="60"))
        queue_tags(sqs, OWNER)
        result = manager(DeadLetterQueueManager, stubs, check_mode=True, account=MEMBER).ensure(dict(DLQ_PARAMS))
        assert result["changed"] is True and result["changes"][0] == "update dead-letter queue %s: retention, policy" % QUEUE

    def test_foreign_queue_raises(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(None))
        queue_tags(sqs, {"team": "x"})
        with pytest.raises(ForeignResourceError, match="Either choose another name, so"):
            manager(DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS))

    @pytest.mark.parametrize("changes", [{"name": "q.fifo"}, {"rule_arns": []}, {"message_retention_period": 30},
                                         {"message_retention_period": True}, {"state": "gone"}])
    def test_invalid_params(self, stubs, changes):
        sqs = stubs.stub("sqs")
        if "rule_arns" in changes or "message_retention_period" in changes:
            client_error(sqs, "get_queue_url", "QueueDoesNotExist", 400)
        with pytest.raises(ValueError):
            manager(DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS, **changes))

    def test_absent_deletes_our_queue_and_warns_about_its_messages(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(DLQ_DOC, messages="2"))
        queue_tags(sqs, OWNER)
        sqs.add_response("delete_queue", {}, {"QueueUrl": QUEUE_URL})
        result = manager(DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS, state="absent"))
        assert result["changes"] == ["delete dead-letter queue %s" % QUEUE] and "discards the 2" in stubs.warnings[-1]

    def test_absent_check_mode_writes_nothing(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(DLQ_DOC))
        queue_tags(sqs, OWNER)
        assert manager(DeadLetterQueueManager, stubs, check_mode=True, account=MEMBER).ensure(dict(DLQ_PARAMS, state="absent"))["changed"]

    def test_absent_leaves_a_foreign_queue(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(DLQ_DOC))
        queue_tags(sqs, {})
        result = manager(DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS, state="absent"))
        assert result["changed"] is False and result["kept_because"]

    def test_absent_when_missing(self, stubs):
        client_error(stubs.stub("sqs"), "get_queue_url", "QueueDoesNotExist", 400)
        assert manager(DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS, state="absent"))["changed"] is False

    def test_known_reads_are_not_repeated(self, stubs):
        stubs.stub("sqs")
        known = {"queue_url": QUEUE_URL, "attributes": attributes(DLQ_DOC), "tags": dict(OWNER)}
        result = manager(DeadLetterQueueManager, stubs, account=MEMBER).ensure(copy.deepcopy(DLQ_PARAMS), known)
        assert result["changed"] is False
