# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SNS subscription pure helpers: endpoint validation, attribute comparison, listing matches."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import attributes_to_change
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import canonical_endpoint
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import canonical_endpoints
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import current_attribute
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import matching
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import normalize_attributes
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import pending_message
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import readable_attributes

TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:alerts"
ROLE = "arn:aws:iam::123456789012:role/sns-firehose"


# -- endpoints -----------------------------------------------------------------
@pytest.mark.parametrize(
    "protocol, endpoint, canonical",
    [
        ("email", "security@example.com", "security@example.com"),
        ("email", " Ops.Team+alerts@Example.CO.uk ", "Ops.Team+alerts@Example.CO.uk"),  # kept as given
        ("email-json", "a@b.io", "a@b.io"),
        ("http", "http://hooks.example.com/sns", "http://hooks.example.com/sns"),
        ("https", "https://hooks.example.com:8443/sns?x=1", "https://hooks.example.com:8443/sns?x=1"),
        ("sqs", QUEUE, QUEUE),
        ("sqs", QUEUE + ".fifo", QUEUE + ".fifo"),
        ("lambda", "arn:aws:lambda:us-east-1:123456789012:function:notify", "arn:aws:lambda:us-east-1:123456789012:function:notify"),
        ("lambda", "arn:aws:lambda:us-east-1:123456789012:function:notify:live", "arn:aws:lambda:us-east-1:123456789012:function:notify:live"),
        ("firehose", "arn:aws:firehose:us-east-1:123456789012:deliverystream/logs", "arn:aws:firehose:us-east-1:123456789012:deliverystream/logs"),
        ("application", "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/app/0123-abcd", "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/app/0123-abcd"),
        ("sms", "+14155550100", "+14155550100"),
        ("sms", "+1 (415) 555-0100", "+14155550100"),
        ("sms", "+44 20.7946.0958", "+442079460958"),
    ],
)
def test_canonical_endpoint(protocol, endpoint, canonical):
    assert canonical_endpoint(protocol, endpoint) == canonical


@pytest.mark.parametrize(
    "protocol, endpoint, message",
    [
        ("email", "security", "is not a valid email address"),
        ("email", "security@", "is not a valid email address"),
        ("email", "@example.com", "is not a valid email address"),
        ("email", "a@localhost", "is not a valid email address"),
        ("email", "a b@example.com", "is not a valid email address"),
        ("email", "a@@example.com", "is not a valid email address"),
        ("email-json", "a@-example.com", "is not a valid email address"),
        ("email", "", "must be a non-empty string"),
        ("email", None, "must be a non-empty string"),
        ("http", "https://hooks.example.com/", "does not match protocol http: it must be a URL starting with http://"),
        ("https", "http://hooks.example.com/", "does not match protocol https"),
        ("https", "hooks.example.com", "does not match protocol https"),
        ("https", "https://", "does not match protocol https"),
        ("sqs", "alerts", "is not the ARN of an SQS queue"),
        ("sqs", "arn:aws:sns:us-east-1:123456789012:alerts", "is not the ARN of an SQS queue"),
        ("sqs", "https://sqs.us-east-1.amazonaws.com/123456789012/alerts", "is not the ARN of an SQS queue"),
        ("lambda", QUEUE, "is not the ARN of a Lambda function"),
        ("lambda", "arn:aws:lambda:us-east-1:123456789012:layer:x", "is not the ARN of a Lambda function"),
        ("firehose", "arn:aws:firehose:us-east-1:123456789012:logs", "is not the ARN of a Firehose delivery stream"),
        ("application", TOPIC, "is not the ARN of an SNS platform application endpoint"),
        ("sms", "4155550100", "is not a phone number in E.164 form"),
        ("sms", "+0155550100", "E.164"),
        ("sms", "+1234567890123456", "E.164"),
        ("sms", "+1 415 CALL-NOW", "E.164"),
        ("fax", "+14155550100", "protocol must be one of"),
    ],
)
def test_canonical_endpoint_errors(protocol, endpoint, message):
    with pytest.raises(ValueError) as exc:
        canonical_endpoint(protocol, endpoint)
    assert message in str(exc.value)


def test_canonical_endpoints_dedupes_and_names_the_index():
    assert canonical_endpoints("sms", ["+1 415 555 0100", "+14155550100", "+442079460958"]) == ["+14155550100", "+442079460958"]
    with pytest.raises(ValueError, match=r"endpoints\[1\] 'nope' is not a valid email address"):
        canonical_endpoints("email", ["a@example.com", "nope"])


# -- attributes ------------------------------------------------------------------
@pytest.mark.parametrize(
    "protocol, attributes, normalized",
    [
        ("email", None, {}),
        ("email", {}, {}),
        ("email", {"FilterPolicy": '{"b": [2, 1], "a": ["x"]}'}, {"FilterPolicy": {"a": ["x"], "b": [1, 2]}}),
        ("email", {"FilterPolicy": {"a": ["y", "x"]}, "FilterPolicyScope": "MessageBody"},
         {"FilterPolicy": {"a": ["x", "y"]}, "FilterPolicyScope": "MessageBody"}),
        ("sqs", {"RawMessageDelivery": True}, {"RawMessageDelivery": "true"}),
        ("sqs", {"RawMessageDelivery": "False"}, {"RawMessageDelivery": "false"}),
        ("sqs", {"RawMessageDelivery": "yes"}, {"RawMessageDelivery": "true"}),
        ("https", {"DeliveryPolicy": '{"healthyRetryPolicy": {"numRetries": 5}}'},
         {"DeliveryPolicy": {"healthyRetryPolicy": {"numRetries": 5}}}),
        ("email", {"RedrivePolicy": {"deadLetterTargetArn": QUEUE}}, {"RedrivePolicy": {"deadLetterTargetArn": QUEUE}}),
        ("firehose", {"SubscriptionRoleArn": ROLE}, {"SubscriptionRoleArn": ROLE}),
    ],
)
def test_normalize_attributes(protocol, attributes, normalized):
    assert normalize_attributes(protocol, attributes) == normalized


@pytest.mark.parametrize(
    "protocol, attributes, message",
    [
        ("email", {"Colour": "red"}, "unknown subscription attribute 'Colour'"),
        ("email", {"RawMessageDelivery": True}, "attributes.RawMessageDelivery applies only to protocol http or https or sqs or firehose"),
        ("sqs", {"DeliveryPolicy": {}}, "attributes.DeliveryPolicy applies only to protocol http or https, not sqs"),
        ("sqs", {"SubscriptionRoleArn": ROLE}, "applies only to protocol firehose"),
        ("sqs", {"RawMessageDelivery": "maybe"}, "attributes.RawMessageDelivery must be a boolean"),
        ("email", {"FilterPolicy": "{not json"}, "attributes.FilterPolicy is not valid JSON"),
        ("email", {"FilterPolicy": "[1]"}, "attributes.FilterPolicy must be a JSON object"),
        ("email", {"FilterPolicyScope": "Body"}, "must be one of MessageAttributes, MessageBody"),
        ("email", {"RedrivePolicy": {"x": 1}}, "must name deadLetterTargetArn"),
        ("firehose", {}, "SubscriptionRoleArn is required for protocol firehose"),
        ("firehose", {"SubscriptionRoleArn": QUEUE}, "must be the ARN of an IAM role"),
        ("email", "FilterPolicy", "must be a dictionary"),
    ],
)
def test_normalize_attributes_errors(protocol, attributes, message):
    with pytest.raises(ValueError) as exc:
        normalize_attributes(protocol, attributes)
    assert message in str(exc.value)


@pytest.mark.parametrize(
    "current, wanted, changes",
    [
        # equal in meaning: key order, list order, JSON text vs dict, bool vs text
        ({"FilterPolicy": '{"b": ["2", "1"], "a": "x"}'}, {"FilterPolicy": {"a": "x", "b": ["1", "2"]}}, {}),
        ({"RawMessageDelivery": "true"}, {"RawMessageDelivery": "true"}, {}),
        ({}, {"RawMessageDelivery": "false"}, {}),  # AWS's default
        ({"FilterPolicy": '{"a": ["x"]}'}, {"FilterPolicyScope": "MessageAttributes"}, {}),  # AWS's default
        ({"RedrivePolicy": '{"deadLetterTargetArn": "%s"}' % QUEUE}, {"RedrivePolicy": {"deadLetterTargetArn": QUEUE}}, {}),
        # numeric conditions are sequences: their order matters
        ({"FilterPolicy": '{"n": [{"numeric": [">", 0, "<=", 5]}]}'}, {"FilterPolicy": {"n": [{"numeric": [">", 0, "<=", 5]}]}}, {}),
        ({"FilterPolicy": '{"n": [{"numeric": [">", 0, "<=", 5]}]}'}, {"FilterPolicy": {"n": [{"numeric": ["<=", 0, ">", 5]}]}},
         {"FilterPolicy": '{"n": [{"numeric": ["<=", 0, ">", 5]}]}'}),
        # different
        ({"RawMessageDelivery": "false"}, {"RawMessageDelivery": "true"}, {"RawMessageDelivery": "true"}),
        ({}, {"FilterPolicy": {"a": ["x"]}}, {"FilterPolicy": '{"a": ["x"]}'}),
        ({"FilterPolicy": "not json"}, {"FilterPolicy": {"a": ["x"]}}, {"FilterPolicy": '{"a": ["x"]}'}),
        ({"FilterPolicyScope": "MessageAttributes"}, {"FilterPolicyScope": "MessageBody"}, {"FilterPolicyScope": "MessageBody"}),
        ({"SubscriptionRoleArn": ROLE}, {"SubscriptionRoleArn": ROLE + "2"}, {"SubscriptionRoleArn": ROLE + "2"}),
    ],
)
def test_attributes_to_change(current, wanted, changes):
    normalized = {}
    for name, value in wanted.items():
        protocol = "sqs" if name != "SubscriptionRoleArn" else "firehose"
        extra = {"SubscriptionRoleArn": ROLE} if protocol == "firehose" and name != "SubscriptionRoleArn" else {}
        normalized.update(normalize_attributes(protocol, dict(extra, **{name: value})))
    assert attributes_to_change(current, normalized) == changes


def test_current_attribute_defaults():
    assert current_attribute("FilterPolicyScope", {}) == "MessageAttributes"
    assert current_attribute("RawMessageDelivery", {"RawMessageDelivery": ""}) == "false"
    assert current_attribute("FilterPolicy", {"FilterPolicy": ""}) is None
    assert current_attribute("SubscriptionRoleArn", {}) is None


def test_readable_attributes_decodes_json():
    assert readable_attributes({"FilterPolicy": '{"a": 1}', "RawMessageDelivery": "true", "RedrivePolicy": "bad"}) == {
        "FilterPolicy": {"a": 1},
        "RawMessageDelivery": "true",
        "RedrivePolicy": "bad",
    }
    assert readable_attributes(None) == {}


# -- listing -----------------------------------------------------------------------
LISTING = [
    {"SubscriptionArn": "PendingConfirmation", "Protocol": "email", "Endpoint": "a@example.com"},
    {"SubscriptionArn": TOPIC + ":1", "Protocol": "email", "Endpoint": "a@example.com"},
    {"SubscriptionArn": TOPIC + ":2", "Protocol": "email-json", "Endpoint": "a@example.com"},
    {"SubscriptionArn": TOPIC + ":3", "Protocol": "email", "Endpoint": "A@example.com"},
    {"SubscriptionArn": "Deleted", "Protocol": "email", "Endpoint": "gone@example.com"},
]


@pytest.mark.parametrize(
    "protocol, endpoint, arns",
    [
        ("email", "a@example.com", [TOPIC + ":1", TOPIC + ":3", "PendingConfirmation"]),  # confirmed first
        ("email-json", "a@example.com", [TOPIC + ":2"]),
        # One mailbox whatever the case (SNS would keep two subscriptions, and send every alert twice).
        ("email", "A@example.com", [TOPIC + ":1", TOPIC + ":3", "PendingConfirmation"]),
        ("email", "gone@example.com", []),
        ("email", "b@example.com", []),
    ],
)
def test_matching(protocol, endpoint, arns):
    assert [entry["SubscriptionArn"] for entry in matching(LISTING, protocol, endpoint)] == arns


@pytest.mark.parametrize(
    "protocol, text",
    [
        ("email", "click the 'Confirm subscription' link in the email 'AWS Notification - Subscription Confirmation'"),
        ("email-json", "AWS Notification - Subscription Confirmation"),
        ("https", "SubscribeURL"),
        ("sqs", "the owner of the endpoint must confirm it"),
    ],
)
def test_pending_message(protocol, text):
    message = pending_message(TOPIC, protocol, "x")
    assert text in message
    assert TOPIC in message and "48 hours" in message


def test_attribute_text_round_trip():
    normalized = normalize_attributes("email", {"FilterPolicy": {"a": ["y", "x"]}})
    changes = attributes_to_change({}, normalized)
    assert json.loads(changes["FilterPolicy"]) == {"a": ["x", "y"]}
