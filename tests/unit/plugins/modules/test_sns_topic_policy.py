# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sns_topic_policy: the statements a task asks for, validated before any AWS call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.modules.sns_topic_policy import wanted_statements

TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"
RULE = "arn:aws:events:us-east-1:123456789012:rule/alerts"
DENY = {"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def params(**overrides):
    base = {"topic_arn": TOPIC, "state": "present", "statements": [], "eventbridge_publish": None, "purge_statements": False}
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    "overrides, sids",
    [
        ({"statements": [DENY]}, ["DenyHttp"]),
        ({"eventbridge_publish": {"rule_arn": RULE, "source_account": None, "sid": "AllowEventBridgePublish"}},
         ["AllowEventBridgePublish"]),
        ({"statements": [DENY], "eventbridge_publish": {"rule_arn": RULE, "source_account": "123456789012", "sid": "Eb"}},
         ["DenyHttp", "Eb"]),
        ({"state": "absent", "statements": [{"Sid": "DenyHttp"}]}, ["DenyHttp"]),
        ({"state": "absent", "eventbridge_publish": {"rule_arn": None, "source_account": None, "sid": "AllowEventBridgePublish"}},
         ["AllowEventBridgePublish"]),
        ({"state": "absent", "eventbridge_publish": {"sid": None}}, ["AllowEventBridgePublish"]),
    ],
)
def test_wanted_statements(overrides, sids):
    assert [s["Sid"] for s in wanted_statements(params(**overrides))] == sids


def test_eventbridge_publish_statement_content():
    statement = wanted_statements(params(eventbridge_publish={"rule_arn": RULE, "source_account": "123456789012", "sid": "S"}))[0]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Resource"] == TOPIC
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": RULE}, "StringEquals": {"aws:SourceAccount": "123456789012"}}


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"topic_arn": "alerts"}, "topic_arn must be an SNS topic ARN"),
        ({"statements": [{"Sid": "DenyHttp"}]}, "Effect must be 'Allow' or 'Deny'"),
        ({"statements": [dict(DENY, Sid=None)]}, "statements[0] has no Sid"),
        ({"statements": [DENY, DENY]}, "duplicate Sid 'DenyHttp'"),
        ({"statements": [dict(DENY, Condition="x")]}, "Condition must be an object"),
        ({"eventbridge_publish": {"rule_arn": None, "source_account": None, "sid": "S"}}, "eventbridge_publish.rule_arn is required"),
        ({"eventbridge_publish": {"rule_arn": "rule/alerts", "source_account": None, "sid": "S"}}, "must be an EventBridge rule ARN"),
        # the EventBridge statement's Sid clashes with a given one
        ({"statements": [dict(DENY, Sid="S")], "eventbridge_publish": {"rule_arn": RULE, "source_account": None, "sid": "S"}},
         "duplicate Sid 'S'"),
        ({"state": "absent", "statements": [{"Effect": "Allow"}]}, "statements[0] has no Sid"),
        ({"state": "absent", "statements": [{"Sid": "A"}, {"Sid": "A"}]}, "duplicate Sid 'A'"),
    ],
)
def test_wanted_statements_errors(overrides, message):
    with pytest.raises(ValueError) as exc:
        wanted_statements(params(**overrides))
    assert message in str(exc.value)
