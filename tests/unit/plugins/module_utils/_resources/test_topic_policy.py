# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SNS topic policy: the EventBridge publish statement, the default policy, the change plan."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import validate_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.sns_common import validate_topic_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import default_topic_policy
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import eventbridge_publish_statement
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import parse_policy
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import plan_policy

TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"
RULE = "arn:aws:events:us-east-1:123456789012:rule/alerts"
OTHER_RULE = "arn:aws:events:us-east-1:123456789012:rule/custom-bus/other"
DEFAULT = default_topic_policy(TOPIC)
CONSOLE = {
    "Sid": "AWSEvents_console-rule_Id1",
    "Effect": "Allow",
    "Principal": {"Service": "events.amazonaws.com"},
    "Action": "sns:Publish",
    "Resource": TOPIC,
}
WITH_CONSOLE = dict(DEFAULT, Statement=DEFAULT["Statement"] + [CONSOLE])


# -- eventbridge_publish_statement -------------------------------------------
def test_eventbridge_statement_least_privilege():
    statement = eventbridge_publish_statement(TOPIC, RULE)
    assert statement == {
        "Sid": "AllowEventBridgePublish",
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": TOPIC,
        "Condition": {"ArnEquals": {"aws:SourceArn": RULE}},
    }
    assert validate_statements([statement])


@pytest.mark.parametrize(
    "rule_arn, source_account, sid, condition",
    [
        (RULE, "123456789012", "S", {"ArnEquals": {"aws:SourceArn": RULE}, "StringEquals": {"aws:SourceAccount": "123456789012"}}),
        ([RULE], None, "S", {"ArnEquals": {"aws:SourceArn": RULE}}),
        ([RULE, OTHER_RULE], None, "S", {"ArnEquals": {"aws:SourceArn": [RULE, OTHER_RULE]}}),
        ("arn:aws-cn:events:cn-north-1:123456789012:rule/r", None, "S", {"ArnEquals": {"aws:SourceArn": "arn:aws-cn:events:cn-north-1:123456789012:rule/r"}}),
    ],
)
def test_eventbridge_statement_variants(rule_arn, source_account, sid, condition):
    statement = eventbridge_publish_statement(TOPIC, rule_arn, source_account=source_account, sid=sid)
    assert statement["Sid"] == sid
    assert statement["Condition"] == condition


@pytest.mark.parametrize(
    "topic_arn, rule_arn, source_account, sid, message",
    [
        ("alerts", RULE, None, "S", "topic_arn must be an SNS topic ARN"),
        ("arn:aws:sqs:us-east-1:123456789012:alerts", RULE, None, "S", "topic_arn must be an SNS topic ARN"),
        (TOPIC, "my-rule", None, "S", "rule_arn must be an EventBridge rule ARN"),
        (TOPIC, "arn:aws:sns:us-east-1:123456789012:alerts", None, "S", "rule_arn must be an EventBridge rule ARN"),
        (TOPIC, "arn:aws:events:us-east-1:123456789012:event-bus/default", None, "S", "rule_arn must be"),
        (TOPIC, [], None, "S", "at least one"),
        (TOPIC, None, None, "S", "rule_arn must be"),
        (TOPIC, RULE, "12345", "S", "source_account must be a 12-digit account ID"),
        (TOPIC, RULE, 123456789012, "S", "source_account must be"),
        (TOPIC, RULE, None, "", "sid must be a non-empty string"),
    ],
)
def test_eventbridge_statement_errors(topic_arn, rule_arn, source_account, sid, message):
    with pytest.raises(ValueError, match=message):
        eventbridge_publish_statement(topic_arn, rule_arn, source_account=source_account, sid=sid)


# -- default policy, parsing --------------------------------------------------
def test_default_topic_policy_names_the_owner():
    statement = DEFAULT["Statement"][0]
    assert DEFAULT["Version"] == "2008-10-17"
    assert statement["Sid"] == "__default_statement_ID"
    assert statement["Resource"] == TOPIC
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceOwner": "123456789012"}}


@pytest.mark.parametrize(
    "text, expected",
    [
        (None, None),
        ("", None),
        ('{"Statement": []}', {"Statement": []}),
        ({"Statement": []}, {"Statement": []}),
    ],
)
def test_parse_policy(text, expected):
    assert parse_policy(text, TOPIC) == expected


def test_parse_policy_error_names_the_topic():
    with pytest.raises(ValidationError, match="the policy of topic %s is not valid JSON" % TOPIC):
        parse_policy("{nope", TOPIC)


@pytest.mark.parametrize(
    "arn, ok",
    [
        (TOPIC, True),
        ("arn:aws-us-gov:sns:us-gov-west-1:123456789012:a_b-c", True),
        ("arn:aws:sns:us-east-1:123456789012:orders.fifo", True),
        ("arn:aws:sns:us-east-1:1234:alerts", False),
        ("arn:aws:sns:us-east-1:123456789012:", False),
        ("arn:aws:sns:us-east-1:123456789012:a b", False),
        (None, False),
    ],
)
def test_validate_topic_arn(arn, ok):
    if ok:
        assert validate_topic_arn(arn) == arn
    else:
        with pytest.raises(ValueError, match="topic_arn must be an SNS topic ARN"):
            validate_topic_arn(arn)


# -- plan_policy ---------------------------------------------------------------
OURS = eventbridge_publish_statement(TOPIC, RULE, "123456789012")
# The same statement as AWS might give it back: lists, reordered keys, root ARN.
OURS_RESHAPED = {
    "Condition": {"StringEquals": {"aws:SourceAccount": ["123456789012"]}, "ArnEquals": {"aws:SourceArn": [RULE]}},
    "Resource": [TOPIC],
    "Action": ["sns:Publish"],
    "Principal": {"Service": ["events.amazonaws.com"]},
    "Effect": "Allow",
    "Sid": "AllowEventBridgePublish",
}
OURS_CHANGED = eventbridge_publish_statement(TOPIC, OTHER_RULE, "123456789012")
DENY = {"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC,
        "Condition": {"Bool": {"aws:SecureTransport": False}}}


def policy_with(*statements):
    return dict(DEFAULT, Statement=DEFAULT["Statement"] + [CONSOLE] + list(statements))


@pytest.mark.parametrize(
    "current, statements, state, purge, changed, added, replaced, removed, after_sids",
    [
        # add to a policy that others wrote to: theirs stay
        (WITH_CONSOLE, [OURS], "present", False, True, ["AllowEventBridgePublish"], [], [],
         ["__default_statement_ID", CONSOLE["Sid"], "AllowEventBridgePublish"]),
        # already there, or there in another shape: nothing to write
        (policy_with(OURS), [OURS], "present", False, False, [], [], [], None),
        (policy_with(OURS_RESHAPED), [OURS], "present", False, False, [], [], [], None),
        (policy_with(OURS), [OURS_RESHAPED], "present", False, False, [], [], [], None),
        # changed meaning: replaced in place of the old one
        (policy_with(OURS), [OURS_CHANGED], "present", False, True, [], ["AllowEventBridgePublish"], [],
         ["__default_statement_ID", CONSOLE["Sid"], "AllowEventBridgePublish"]),
        # two of ours, one present
        (policy_with(OURS), [OURS, DENY], "present", False, True, ["DenyHttp"], [], [],
         ["__default_statement_ID", CONSOLE["Sid"], "AllowEventBridgePublish", "DenyHttp"]),
        # purge drops the others
        (policy_with(OURS), [OURS], "present", True, True, [], [], ["__default_statement_ID", CONSOLE["Sid"]],
         ["AllowEventBridgePublish"]),
        ({"Version": "2008-10-17", "Statement": [OURS]}, [OURS], "present", True, False, [], [], [], None),
        # nothing asked
        (WITH_CONSOLE, [], "present", False, False, [], [], [], None),
        # absent removes exactly ours
        (policy_with(OURS, DENY), [{"Sid": "AllowEventBridgePublish"}, {"Sid": "DenyHttp"}], "absent", False, True,
         [], [], ["AllowEventBridgePublish", "DenyHttp"], ["__default_statement_ID", CONSOLE["Sid"]]),
        (WITH_CONSOLE, [{"Sid": "AllowEventBridgePublish"}], "absent", False, False, [], [], [], None),
        (None, [{"Sid": "AllowEventBridgePublish"}], "absent", False, False, [], [], [], None),
        # removing the last statement: the default policy takes its place
        ({"Version": "2012-10-17", "Statement": [OURS]}, [{"Sid": "AllowEventBridgePublish"}], "absent", False, True,
         [], [], ["AllowEventBridgePublish"], ["__default_statement_ID"]),
    ],
)
def test_plan_policy(current, statements, state, purge, changed, added, replaced, removed, after_sids):
    plan = plan_policy(current, statements, state=state, purge=purge, fallback=DEFAULT)
    assert plan["changed"] is changed
    assert (plan["added"], plan["replaced"], plan["removed"]) == (added, replaced, removed)
    assert plan["before"] == current
    if after_sids is None:
        assert plan["after"] == current  # unchanged: the document as it is, not a reformatted copy
    else:
        assert [s["Sid"] for s in plan["after"]["Statement"]] == after_sids
    assert plan["fallback"] is (changed and after_sids == ["__default_statement_ID"])


def test_plan_keeps_version_and_id_of_current():
    plan = plan_policy(WITH_CONSOLE, [OURS])
    assert plan["after"]["Version"] == "2008-10-17"
    assert plan["after"]["Id"] == "__default_policy_ID"


def test_plan_absent_with_explicit_sids():
    plan = plan_policy(policy_with(OURS), [], state="absent", sids=["AllowEventBridgePublish"])
    assert plan["removed"] == ["AllowEventBridgePublish"]
