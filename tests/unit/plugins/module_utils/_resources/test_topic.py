# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SNS topic pure helpers: names, KMS key spellings, the AWS-managed key refusal, facts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import is_aws_managed_sns_key
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import kms_key_local_form
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import kms_keys_textually_same
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import managed_view
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import topic_facts
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import topic_kept_because
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import validate_topic_name
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import validate_topic_options

REGION = "us-east-1"
ACCOUNT = "123456789012"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/" + KEY_ID
ALIAS_ARN = "arn:aws:kms:us-east-1:123456789012:alias/alerts"
TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"


@pytest.mark.parametrize("name", ["alerts", "a", "A_b-9", "x" * 256])
def test_valid_topic_names(name):
    assert validate_topic_name(name) == name


@pytest.mark.parametrize("name", ["", "x" * 257, "a b", "alerts.fifo", "a/b", "a:b", None])
def test_invalid_topic_names(name):
    with pytest.raises(ValueError, match="name must be 1-256 letters"):
        validate_topic_name(name)


@pytest.mark.parametrize(
    "key_id",
    [None, "", KEY_ID, KEY_ARN, "alias/alerts", ALIAS_ARN, "mrk-1234abcd12ab34cd56ef1234567890ab", "alias/aws/sns",
     "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/" + KEY_ID],
)
def test_valid_kms_key_ids(key_id):
    validate_topic_options("alerts", key_id, allow_aws_managed_key=True)


@pytest.mark.parametrize("key_id", ["alias/", "my-key", "arn:aws:kms:us-east-1:123456789012:alerts", "1234", "arn:aws:s3:::bucket"])
def test_invalid_kms_key_ids(key_id):
    with pytest.raises(ValueError, match="kms_master_key_id must be a KMS key ID"):
        validate_topic_options("alerts", key_id)


@pytest.mark.parametrize(
    "key_id, managed",
    [
        ("alias/aws/sns", True),
        ("arn:aws:kms:us-east-1:123456789012:alias/aws/sns", True),
        ("arn:aws:kms:eu-west-1:210987654321:alias/aws/sns", True),
        ("arn:aws-cn:kms:cn-north-1:123456789012:alias/aws/sns", True),
        ("alias/aws/sqs", False),
        ("alias/aws/sns-custom", False),
        ("alias/my/aws/sns", False),
        (KEY_ID, False),
        (KEY_ARN, False),
        ("", False),
        (None, False),
    ],
)
def test_is_aws_managed_sns_key(key_id, managed):
    assert is_aws_managed_sns_key(key_id) is managed


@pytest.mark.parametrize(
    "key_id, form",
    [
        (KEY_ID, "key/" + KEY_ID),
        (KEY_ARN, "key/" + KEY_ID),
        ("alias/alerts", "alias/alerts"),
        (ALIAS_ARN, "alias/alerts"),
        ("arn:aws:kms:eu-west-1:123456789012:alias/alerts", "arn:aws:kms:eu-west-1:123456789012:alias/alerts"),
        ("arn:aws:kms:us-east-1:210987654321:key/" + KEY_ID, "arn:aws:kms:us-east-1:210987654321:key/" + KEY_ID),
        ("", ""),
        (None, ""),
    ],
)
def test_kms_key_local_form(key_id, form):
    assert kms_key_local_form(key_id, REGION, ACCOUNT) == form


@pytest.mark.parametrize(
    "left, right, same",
    [
        (KEY_ID, KEY_ARN, True),
        ("alias/alerts", ALIAS_ARN, True),
        ("alias/alerts", "alias/alerts", True),
        # an alias and its key: only kms:DescribeKey can tell
        ("alias/alerts", KEY_ARN, False),
        (ALIAS_ARN, KEY_ID, False),
        # same text elsewhere is another key
        (KEY_ID, "arn:aws:kms:eu-west-1:123456789012:key/" + KEY_ID, False),
        (KEY_ID, "arn:aws:kms:us-east-1:210987654321:key/" + KEY_ID, False),
    ],
)
def test_kms_keys_textually_same(left, right, same):
    assert kms_keys_textually_same(left, right, REGION, ACCOUNT) is same
    assert kms_keys_textually_same(right, left, REGION, ACCOUNT) is same


def test_topic_facts():
    attributes = {
        "TopicArn": TOPIC,
        "Owner": ACCOUNT,
        "DisplayName": "Alerts",
        "KmsMasterKeyId": "alias/alerts",
        "Policy": json.dumps({"Version": "2008-10-17", "Statement": []}),
        "SubscriptionsConfirmed": "2",
        "SubscriptionsPending": "1",
        "SubscriptionsDeleted": "0",
    }
    assert topic_facts(TOPIC, attributes, {"owner": "security"}) == {
        "arn": TOPIC,
        "name": "alerts",
        "display_name": "Alerts",
        "kms_master_key_id": "alias/alerts",
        "owner": ACCOUNT,
        "policy": {"Version": "2008-10-17", "Statement": []},
        "subscriptions_confirmed": 2,
        "subscriptions_pending": 1,
        "tags": {"owner": "security"},
    }


def test_topic_facts_of_a_bare_topic():
    facts = topic_facts(TOPIC, {"SubscriptionsPending": "n/a"})
    assert facts["display_name"] == facts["kms_master_key_id"] == ""
    assert facts["policy"] == {}
    assert facts["owner"] == ACCOUNT
    assert facts["subscriptions_pending"] == 0
    assert "tags" not in facts


@pytest.mark.parametrize(
    "desired, view",
    [
        ({}, {}),
        ({"display_name": "A"}, {"display_name": "Alerts"}),
        ({"kms_master_key_id": ""}, {"kms_master_key_id": "alias/alerts"}),
        ({"tags": {}}, {"tags": {"a": "b"}}),
        ({"display_name": "", "kms_master_key_id": "x", "tags": {}},
         {"display_name": "Alerts", "kms_master_key_id": "alias/alerts", "tags": {"a": "b"}}),
    ],
)
def test_managed_view_shows_only_managed_options(desired, view):
    facts = {"display_name": "Alerts", "kms_master_key_id": "alias/alerts", "tags": {"a": "b"}, "policy": {}}
    assert managed_view(facts, desired) == view


KEPT_TOPIC = "arn:aws:sns:us-east-1:111111111111:root-login-alerts"
OURS = ["security@example.com"]
DEFAULT_ONLY = {"Version": "2008-10-17", "Statement": [{"Sid": "__default_statement_ID", "Effect": "Allow"}]}


def sub(endpoint, arn=KEPT_TOPIC + ":1", protocol="email"):
    return {"SubscriptionArn": arn, "Protocol": protocol, "Endpoint": endpoint}


@pytest.mark.parametrize(
    "listing, policy, reason",
    [
        ([], DEFAULT_ONLY, ""),
        ([sub("security@example.com")], DEFAULT_ONLY, ""),
        # An unsubscribe still completing lists as "Deleted": it no longer keeps the topic.
        ([sub("gone@example.net", arn="Deleted")], DEFAULT_ONLY, ""),
        ([sub("other@example.net")], DEFAULT_ONLY, "other subscriptions remain (other@example.net)"),
        ([sub("arn:aws:sqs:us-east-1:111111111111:q", protocol="sqs")], DEFAULT_ONLY,
         "other subscriptions remain (arn:aws:sqs:us-east-1:111111111111:q)"),
        ([], dict(DEFAULT_ONLY, Statement=DEFAULT_ONLY["Statement"] + [{"Sid": "TheirStatement"}]),
         "its policy has statements of others (TheirStatement)"),
        ([], dict(DEFAULT_ONLY, Statement=DEFAULT_ONLY["Statement"] + [{"Sid": "RootwatchAllowEventBridgePublish"}]), ""),
    ],
)
def test_topic_kept_because(listing, policy, reason):
    assert topic_kept_because(listing, OURS, policy, ["RootwatchAllowEventBridgePublish"]) == reason
