# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SNS managers against stubbed AWS answers (botocore Stubber).

The emulator never reports a subscription as pending confirmation, so those
paths, and the KMS look-ups, are tested here with recorded-shape responses.
A Stubber fails on any call not queued, which proves the call counts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
from botocore.stub import ANY


from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import AwsCallError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import WriteConflictError
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import TopicPolicyManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import default_topic_policy
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import eventbridge_publish_statement
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import TopicSubscriptions
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import manage_endpoints
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import TopicManager


ACCOUNT = "123456789012"
TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"
RULE = "arn:aws:events:us-east-1:123456789012:rule/alerts"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:alerts"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/" + KEY_ID


def not_found(stubber, method, code="NotFound"):
    stubber.add_client_error(method, service_error_code=code, service_message="does not exist", http_status_code=404)


# -- subscriptions ------------------------------------------------------------------
def sub(endpoint, arn=None, protocol="email"):
    return {"SubscriptionArn": arn or "PendingConfirmation", "Owner": ACCOUNT, "Protocol": protocol,
            "Endpoint": endpoint, "TopicArn": TOPIC}


def listing(stubber, *entries):
    stubber.add_response("list_subscriptions_by_topic", {"Subscriptions": list(entries)}, {"TopicArn": TOPIC})


def sub_attributes(stubber, arn, pending="false", **extra):
    attributes = {"SubscriptionArn": arn, "TopicArn": TOPIC, "Owner": ACCOUNT, "PendingConfirmation": pending}
    attributes.update(extra)
    stubber.add_response("get_subscription_attributes", {"Attributes": attributes}, {"SubscriptionArn": arn})


def expect_subscribe(stubber, protocol, endpoint, arn, attributes=None):
    params = {"TopicArn": TOPIC, "Protocol": protocol, "Endpoint": endpoint, "ReturnSubscriptionArn": True}
    if attributes:
        params["Attributes"] = attributes
    stubber.add_response("subscribe", {"SubscriptionArn": arn}, params)


def subscription_manager(stubs, check_mode=False):
    return TopicSubscriptions(stubs.client("sns"), TOPIC, check_mode=check_mode, warn=stubs.warn)


def test_pending_email_is_reported_not_resubscribed(stubs):
    listing(stubs.stub("sns"), sub("security@example.com"))
    result = subscription_manager(stubs).ensure_present("email", "security@example.com")
    assert result["changed"] is False
    assert result["action"] == "pending"
    assert result["subscription"]["pending_confirmation"] is True
    assert result["subscription"]["subscription_arn"] is None
    assert len(stubs.warnings) == 1
    assert "AWS Notification - Subscription Confirmation" in stubs.warnings[0]
    assert "security@example.com" in stubs.warnings[0]


def test_pending_email_with_attributes_warns_they_wait(stubs):
    listing(stubs.stub("sns"), sub("security@example.com"))
    result = subscription_manager(stubs).ensure_present("email", "security@example.com", {"FilterPolicy": {"a": ["b"]}})
    assert result["changed"] is False
    assert any("can be checked only once it is confirmed" in warning for warning in stubs.warnings)


def test_converged_emails_cost_one_listing(stubs):
    emails = ["a@example.com", "b@example.com", "c@example.com"]
    listing(stubs.stub("sns"), *[sub(email, "%s:%d" % (TOPIC, index)) for index, email in enumerate(emails)])
    manager = subscription_manager(stubs)
    result = manage_endpoints(manager, "email", emails)
    assert result["changed"] is False
    assert result["pending_confirmation"] is False
    assert [entry["action"] for entry in result["subscriptions"]] == ["unchanged"] * 3
    assert stubs.warnings == []


def test_listing_follows_pages(stubs):
    stubber = stubs.stub("sns")
    stubber.add_response("list_subscriptions_by_topic", {"Subscriptions": [sub("a@example.com", TOPIC + ":1")], "NextToken": "t1"},
                         {"TopicArn": TOPIC})
    stubber.add_response("list_subscriptions_by_topic", {"Subscriptions": [sub("b@example.com", TOPIC + ":2")]},
                         {"TopicArn": TOPIC, "NextToken": "t1"})
    manager = subscription_manager(stubs)
    assert [entry["Endpoint"] for entry in manager.listing()] == ["a@example.com", "b@example.com"]
    assert manager.ensure_present("email", "b@example.com")["changed"] is False


def test_new_email_is_created_and_reported_pending(stubs):
    stubber = stubs.stub("sns")
    listing(stubber)
    arn = TOPIC + ":new"
    expect_subscribe(stubber, "email", "a@example.com", arn)
    sub_attributes(stubber, arn, pending="true")
    manager = subscription_manager(stubs)
    result = manager.ensure_present("email", "a@example.com")
    assert result["changed"] is True
    assert result["action"] == "created"
    assert result["subscription"]["subscription_arn"] == arn
    assert result["subscription"]["pending_confirmation"] is True
    assert "AWS Notification - Subscription Confirmation" in stubs.warnings[0]
    # The listing is kept current: asking again makes no call.
    again = manager.ensure_present("email", "a@example.com")
    assert again["changed"] is False and again["action"] == "pending"


def test_new_sqs_subscription_with_attributes_confirmed_at_once(stubs):
    stubber = stubs.stub("sns")
    listing(stubber)
    arn = TOPIC + ":sqs"
    expect_subscribe(stubber, "sqs", QUEUE, arn, {"RawMessageDelivery": "true", "FilterPolicy": '{"a": ["x", "y"]}'})
    sub_attributes(stubber, arn)
    result = subscription_manager(stubs).ensure_present("sqs", QUEUE, {"RawMessageDelivery": True, "FilterPolicy": {"a": ["y", "x"]}})
    assert result["changed"] is True
    assert result["subscription"]["pending_confirmation"] is False
    assert result["subscription"]["attributes"] == {"RawMessageDelivery": "true", "FilterPolicy": {"a": ["x", "y"]}}
    assert stubs.warnings == []


def test_confirmed_listing_but_attributes_say_pending(stubs):
    stubber = stubs.stub("sns")
    arn = TOPIC + ":1"
    listing(stubber, sub("a@example.com", arn))
    sub_attributes(stubber, arn, pending="true", FilterPolicy='{"a": ["b"]}')
    result = subscription_manager(stubs).ensure_present("email", "a@example.com", {"FilterPolicy": {"a": ["b"]}})
    assert result["changed"] is False
    assert result["action"] == "pending"
    assert result["subscription"]["pending_confirmation"] is True
    assert stubs.warnings


def test_attributes_updated_only_where_meaning_differs(stubs):
    stubber = stubs.stub("sns")
    arn = TOPIC + ":1"
    listing(stubber, sub(QUEUE, arn, "sqs"))
    sub_attributes(stubber, arn, RawMessageDelivery="false", FilterPolicy='{"a": ["y", "x"]}')
    stubber.add_response("set_subscription_attributes", {},
                         {"SubscriptionArn": arn, "AttributeName": "RawMessageDelivery", "AttributeValue": "true"})
    result = subscription_manager(stubs).ensure_present("sqs", QUEUE, {"RawMessageDelivery": "yes", "FilterPolicy": '{"a": ["x", "y"]}'})
    assert result["changed"] is True
    assert result["action"] == "updated"
    assert result["diff"]["before"]["attributes"]["RawMessageDelivery"] == "false"
    assert result["diff"]["after"]["attributes"]["RawMessageDelivery"] == "true"


def test_attributes_check_mode_writes_nothing(stubs):
    stubber = stubs.stub("sns")
    arn = TOPIC + ":1"
    listing(stubber, sub(QUEUE, arn, "sqs"))
    sub_attributes(stubber, arn, RawMessageDelivery="false")
    result = subscription_manager(stubs, check_mode=True).ensure_present("sqs", QUEUE, {"RawMessageDelivery": True})
    assert result["changed"] is True


@pytest.mark.parametrize("protocol, endpoint, pending", [("email", "a@example.com", True), ("https", "https://x.example.com/", True),
                                                         ("sqs", QUEUE, False)])
def test_check_mode_predicts_without_writing(stubs, protocol, endpoint, pending):
    listing(stubs.stub("sns"))
    result = subscription_manager(stubs, check_mode=True).ensure_present(protocol, endpoint)
    assert result["changed"] is True
    assert result["subscription"]["pending_confirmation"] is pending
    assert result["subscription"]["subscription_arn"] is None


def test_absent_leaves_pending_and_warns(stubs):
    listing(stubs.stub("sns"), sub("a@example.com"))
    result = subscription_manager(stubs).ensure_absent("email", "a@example.com")
    assert result["changed"] is False
    assert result["action"] == "pending"
    assert result["subscription"]["pending_confirmation"] is True
    assert "cannot be deleted" in stubs.warnings[0] and "48 hours" in stubs.warnings[0]


def test_absent_unsubscribes_confirmed(stubs):
    stubber = stubs.stub("sns")
    arn = TOPIC + ":1"
    listing(stubber, sub("a@example.com", arn), sub("b@example.com", TOPIC + ":2"))
    stubber.add_response("unsubscribe", {}, {"SubscriptionArn": arn})
    manager = subscription_manager(stubs)
    result = manager.ensure_absent("email", "a@example.com")
    assert result["changed"] is True and result["action"] == "deleted"
    assert result["subscription"]["subscription_arn"] == arn
    assert manager.ensure_absent("email", "a@example.com")["changed"] is False
    assert [entry["Endpoint"] for entry in manager.listing()] == ["b@example.com"]


def test_absent_check_mode_and_nothing_there(stubs):
    listing(stubs.stub("sns"), sub("a@example.com", TOPIC + ":1"))
    manager = subscription_manager(stubs, check_mode=True)
    assert manager.ensure_absent("email", "a@example.com")["changed"] is True
    assert manager.ensure_absent("email", "z@example.com") == {
        "changed": False, "action": "absent", "subscription": {}, "diff": {"before": {}, "after": {}}}


def test_missing_topic(stubs):
    stubber = stubs.stub("sns")
    not_found(stubber, "list_subscriptions_by_topic")
    with pytest.raises(ValidationError, match="SNS topic %s does not exist" % TOPIC):
        subscription_manager(stubs).ensure_present("email", "a@example.com")


def test_missing_topic_in_check_mode_and_absent(stubs):
    stubber = stubs.stub("sns")
    not_found(stubber, "list_subscriptions_by_topic")
    not_found(stubber, "list_subscriptions_by_topic")
    checking = subscription_manager(stubs, check_mode=True)
    assert checking.ensure_present("email", "a@example.com")["changed"] is True
    assert checking.ensure_present("email", "b@example.com")["changed"] is True
    assert checking.topic_exists is False
    assert len(stubs.warnings) == 3  # the topic once, then each address's confirmation
    assert "does not exist; in check mode" in stubs.warnings[0]
    assert subscription_manager(stubs).ensure_absent("email", "a@example.com")["changed"] is False


def test_new_topic_is_not_listed(stubs):
    """A topic the caller has just created (or would, in check mode) has no subscriptions: no listing."""
    stubber = stubs.stub("sns")
    arn = TOPIC + ":new"
    expect_subscribe(stubber, "email", "a@example.com", arn)
    sub_attributes(stubber, arn, pending="true")
    created = TopicSubscriptions(stubs.client("sns"), TOPIC, warn=stubs.warn, new_topic=True)
    assert created.ensure_present("email", "a@example.com")["action"] == "created"
    assert created.topic_exists is True
    predicted = TopicSubscriptions(stubs.client("sns"), TOPIC, check_mode=True, warn=stubs.warn, new_topic=True)
    assert predicted.ensure_present("email", "b@example.com")["action"] == "created"
    assert predicted.topic_exists is False


def test_other_listing_errors_fail(stubs):
    stubs.stub("sns").add_client_error("list_subscriptions_by_topic", service_error_code="AuthorizationError", http_status_code=403)
    with pytest.raises(AwsCallError, match="Failed to list the subscriptions of SNS topic"):
        subscription_manager(stubs).listing()


def test_purge_removes_confirmed_others_and_reports_pending(stubs):
    stubber = stubs.stub("sns")
    listing(stubber, sub("keep@example.com", TOPIC + ":1"), sub("old@example.com", TOPIC + ":2"), sub("new@example.com"),
            sub(QUEUE, TOPIC + ":3", "sqs"))
    stubber.add_response("unsubscribe", {}, {"SubscriptionArn": TOPIC + ":2"})
    result = manage_endpoints(subscription_manager(stubs), "email", ["keep@example.com"], purge=True)
    assert result["changed"] is True
    assert result["removed_endpoints"] == ["old@example.com"]
    assert result["pending_endpoints"] == ["new@example.com"]
    assert [(entry["endpoint"], entry["action"]) for entry in result["subscriptions"]] == [
        ("keep@example.com", "unchanged"), ("old@example.com", "deleted"), ("new@example.com", "pending")]
    assert result["diff"] == {
        "before": {"keep@example.com": {"pending_confirmation": False}, "old@example.com": {"pending_confirmation": False},
                   "new@example.com": {"pending_confirmation": True}},
        "after": {"keep@example.com": {"pending_confirmation": False}, "new@example.com": {"pending_confirmation": True}},
    }


def test_manage_endpoints_single(stubs):
    listing(stubs.stub("sns"), sub("a@example.com"))
    result = manage_endpoints(subscription_manager(stubs), "email", ["a@example.com"], single=True)
    assert result["subscription_arn"] is None
    assert result["pending_confirmation"] is True
    assert result["subscription"]["endpoint"] == "a@example.com"


def test_manage_endpoints_absent_nothing_there(stubs):
    listing(stubs.stub("sns"))
    result = manage_endpoints(subscription_manager(stubs), "email", ["a@example.com"], state="absent", single=True)
    assert result["subscription"] == {} and result["subscription_arn"] is None
    assert result["subscriptions"] == [{"endpoint": "a@example.com", "protocol": "email", "pending_confirmation": False,
                                        "action": "absent"}]


# -- topic ---------------------------------------------------------------------------
def identity(stubs):
    stubs.stub("sts").add_response("get_caller_identity", {"Account": ACCOUNT, "Arn": "arn:aws:iam::123456789012:user/x", "UserId": "X"})


def topic_attributes(stubber, **attributes):
    values = {"TopicArn": TOPIC, "Owner": ACCOUNT, "DisplayName": "", "Policy": json.dumps(default_topic_policy(TOPIC)),
              "SubscriptionsConfirmed": "1", "SubscriptionsPending": "0"}
    values.update(attributes)
    stubber.add_response("get_topic_attributes", {"Attributes": values}, {"TopicArn": TOPIC})


def describe_key(stubs, key_id, arn=KEY_ARN, manager="CUSTOMER"):
    stubs.stub("kms").add_response(
        "describe_key", {"KeyMetadata": {"KeyId": arn.rsplit("/", 1)[-1], "Arn": arn, "KeyManager": manager}}, {"KeyId": key_id})


def topic_manager(stubs, check_mode=False, account_id=None):
    return TopicManager(stubs.factory, "us-east-1", check_mode=check_mode, warn=stubs.warn, account_id=account_id)


def test_topic_check_mode_predicts_arn(stubs):
    identity(stubs)
    not_found(stubs.stub("sns"), "get_topic_attributes")
    result = topic_manager(stubs, check_mode=True).ensure_present("alerts", display_name="Alerts", kms_master_key_id="alias/alerts",
                                                                  tags={"owner": "security"})
    assert result["changed"] is True and result["created"] is True
    assert result["topic_arn"] == TOPIC
    assert result["topic"]["kms_master_key_id"] == "alias/alerts"
    assert result["topic"]["policy"] == default_topic_policy(TOPIC)
    assert result["topic"]["tags"] == {"owner": "security"}
    assert result["diff"] == {"before": {}, "after": {"display_name": "Alerts", "kms_master_key_id": "alias/alerts",
                                                      "tags": {"owner": "security"}}}


def test_topic_create(stubs):
    stubber = stubs.stub("sns")
    not_found(stubber, "get_topic_attributes")
    stubber.add_response("create_topic", {"TopicArn": TOPIC}, {
        "Name": "alerts", "Attributes": {"DisplayName": "Alerts"}, "Tags": [{"Key": "owner", "Value": "security"}]})
    topic_attributes(stubber, DisplayName="Alerts")
    result = topic_manager(stubs, account_id=ACCOUNT).ensure_present("alerts", display_name="Alerts", tags={"owner": "security"})
    assert result["changed"] is True
    assert result["topic"]["display_name"] == "Alerts"
    assert result["topic"]["subscriptions_confirmed"] == 1


def test_topic_converged_makes_no_write(stubs):
    identity(stubs)
    stubber = stubs.stub("sns")
    topic_attributes(stubber, DisplayName="Alerts", KmsMasterKeyId="alias/alerts")
    stubber.add_response("list_tags_for_resource", {"Tags": [{"Key": "owner", "Value": "security"}, {"Key": "aws:x", "Value": "y"}]},
                         {"ResourceArn": TOPIC})
    result = topic_manager(stubs).ensure_present("alerts", display_name="Alerts", kms_master_key_id="alias/alerts",
                                                 tags={"owner": "security"})
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]


def test_topic_tags_not_read_when_not_managed(stubs):
    topic_attributes(stubs.stub("sns"))
    result = topic_manager(stubs, account_id=ACCOUNT).ensure_present("alerts")
    assert result["changed"] is False
    assert "tags" not in result["topic"]


@pytest.mark.parametrize("current, wanted", [(KEY_ID, KEY_ARN), ("alias/alerts", "arn:aws:kms:us-east-1:123456789012:alias/alerts")])
def test_kms_same_key_by_text_needs_no_lookup(stubs, current, wanted):
    topic_attributes(stubs.stub("sns"), KmsMasterKeyId=current)
    result = topic_manager(stubs, account_id=ACCOUNT).ensure_present("alerts", kms_master_key_id=wanted)
    assert result["changed"] is False
    assert ("kms", "us-east-1") not in stubs.clients  # no kms:DescribeKey


def test_kms_alias_and_key_arn_resolved_once_each(stubs):
    topic_attributes(stubs.stub("sns"), KmsMasterKeyId="alias/alerts")
    describe_key(stubs, KEY_ARN)
    describe_key(stubs, "alias/alerts")
    result = topic_manager(stubs, account_id=ACCOUNT).ensure_present("alerts", kms_master_key_id=KEY_ARN)
    assert result["changed"] is False


def test_kms_other_key_is_set(stubs):
    stubber = stubs.stub("sns")
    topic_attributes(stubber, KmsMasterKeyId="alias/old")
    describe_key(stubs, "alias/new", KEY_ARN)
    describe_key(stubs, "alias/old", KEY_ARN.replace("1234abcd", "9999abcd"))
    stubber.add_response("set_topic_attributes", {}, {"TopicArn": TOPIC, "AttributeName": "KmsMasterKeyId", "AttributeValue": "alias/new"})
    result = topic_manager(stubs, account_id=ACCOUNT).ensure_present("alerts", kms_master_key_id="alias/new")
    assert result["changed"] is True
    assert result["updated_attributes"] == ["KmsMasterKeyId"]
    assert result["diff"] == {"before": {"kms_master_key_id": "alias/old"}, "after": {"kms_master_key_id": "alias/new"}}


def test_kms_aws_managed_key_by_id_is_refused(stubs):
    topic_attributes(stubs.stub("sns"), KmsMasterKeyId="alias/old")
    describe_key(stubs, KEY_ID, manager="AWS")
    with pytest.raises(ValidationError, match="AWS-managed key alias/aws/sns. EventBridge cannot publish"):
        topic_manager(stubs, account_id=ACCOUNT).ensure_present("alerts", kms_master_key_id=KEY_ID)


@pytest.mark.parametrize("key", ["alias/aws/sns", "arn:aws:kms:us-east-1:123456789012:alias/aws/sns"])
def test_kms_aws_managed_alias_refused_before_any_call(stubs, key):
    with pytest.raises(ValidationError, match="EventBridge cannot publish"):
        topic_manager(stubs).ensure_present("alerts", kms_master_key_id=key)
    assert list(stubs.clients) == []  # refused before any client is made


def test_kms_aws_managed_alias_allowed_on_request(stubs):
    topic_attributes(stubs.stub("sns"), KmsMasterKeyId="alias/aws/sns")
    result = topic_manager(stubs, account_id=ACCOUNT).ensure_present("alerts", kms_master_key_id="alias/aws/sns",
                                                                     allow_aws_managed_key=True)
    assert result["changed"] is False
    assert stubs.warnings == []


def test_topic_on_aws_managed_key_warns(stubs):
    topic_attributes(stubs.stub("sns"), KmsMasterKeyId="alias/aws/sns")
    topic_manager(stubs, account_id=ACCOUNT).ensure_present("alerts")
    assert "EventBridge cannot publish" in stubs.warnings[0]


def test_kms_missing_key_fails_clearly(stubs):
    topic_attributes(stubs.stub("sns"), KmsMasterKeyId="alias/old")
    not_found(stubs.stub("kms"), "describe_key", "NotFoundException")
    with pytest.raises(ValidationError, match="kms_master_key_id alias/new: no such KMS key in us-east-1"):
        topic_manager(stubs, account_id=ACCOUNT).ensure_present("alerts", kms_master_key_id="alias/new")


def test_kms_missing_key_in_check_mode_warns(stubs):
    topic_attributes(stubs.stub("sns"), KmsMasterKeyId="alias/old")
    not_found(stubs.stub("kms"), "describe_key", "NotFoundException")
    result = topic_manager(stubs, check_mode=True, account_id=ACCOUNT).ensure_present("alerts", kms_master_key_id="alias/new")
    assert result["changed"] is True
    assert "assumed to be created earlier" in stubs.warnings[0]


@pytest.mark.parametrize("current, wanted", [("", ""), (None, ""), ("alias/a", "")])
def test_kms_encryption_off(stubs, current, wanted):
    stubber = stubs.stub("sns")
    topic_attributes(stubber, **({"KmsMasterKeyId": current} if current is not None else {}))
    if current:
        stubber.add_response("set_topic_attributes", {}, {"TopicArn": TOPIC, "AttributeName": "KmsMasterKeyId", "AttributeValue": ""})
    result = topic_manager(stubs, account_id=ACCOUNT).ensure_present("alerts", kms_master_key_id=wanted)
    assert result["changed"] is bool(current)


def test_topic_update_display_name_and_tags(stubs):
    stubber = stubs.stub("sns")
    topic_attributes(stubber, DisplayName="Old")
    stubber.add_response("list_tags_for_resource", {"Tags": [{"Key": "owner", "Value": "ops"}, {"Key": "stale", "Value": "1"}]},
                         {"ResourceArn": TOPIC})
    stubber.add_response("set_topic_attributes", {}, {"TopicArn": TOPIC, "AttributeName": "DisplayName", "AttributeValue": "New"})
    stubber.add_response("tag_resource", {}, {"ResourceArn": TOPIC, "Tags": [{"Key": "owner", "Value": "security"}]})
    stubber.add_response("untag_resource", {}, {"ResourceArn": TOPIC, "TagKeys": ["stale"]})
    result = topic_manager(stubs, account_id=ACCOUNT).ensure_present("alerts", display_name="New", tags={"owner": "security"})
    assert result["changed"] is True
    assert result["topic"]["tags"] == {"owner": "security"}
    assert result["diff"]["before"] == {"display_name": "Old", "tags": {"owner": "ops", "stale": "1"}}
    assert result["diff"]["after"] == {"display_name": "New", "tags": {"owner": "security"}}


def test_topic_tags_without_purge(stubs):
    stubber = stubs.stub("sns")
    topic_attributes(stubber)
    stubber.add_response("list_tags_for_resource", {"Tags": [{"Key": "other", "Value": "x"}]}, {"ResourceArn": TOPIC})
    result = topic_manager(stubs, check_mode=True, account_id=ACCOUNT).ensure_present("alerts", tags={"owner": "s"}, purge_tags=False)
    assert result["changed"] is True
    assert result["topic"]["tags"] == {"other": "x", "owner": "s"}


def test_topic_absent(stubs):
    identity(stubs)
    stubber = stubs.stub("sns")
    topic_attributes(stubber)
    stubber.add_response("delete_topic", {}, {"TopicArn": TOPIC})
    not_found(stubber, "get_topic_attributes")
    manager = topic_manager(stubs)
    assert manager.ensure_absent("alerts")["changed"] is True
    assert manager.ensure_absent("alerts")["changed"] is False  # one STS call for both


def test_topic_absent_check_mode(stubs):
    topic_attributes(stubs.stub("sns"))
    result = topic_manager(stubs, check_mode=True, account_id=ACCOUNT).ensure_absent("alerts")
    assert result["changed"] is True
    assert result["diff"]["after"] == {}


def test_topic_read_errors_name_the_topic(stubs):
    stubs.stub("sns").add_client_error("get_topic_attributes", service_error_code="AuthorizationError", http_status_code=403)
    with pytest.raises(AwsCallError, match="Failed to read the attributes of SNS topic %s" % TOPIC):
        topic_manager(stubs, account_id=ACCOUNT).ensure_present("alerts")


# -- topic policy -------------------------------------------------------------------------
OURS = eventbridge_publish_statement(TOPIC, RULE, ACCOUNT)
FOREIGN = {"Sid": "AWSEvents_console_Id1", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
           "Action": "sns:Publish", "Resource": TOPIC}


def policy_manager(stubs, check_mode=False):
    return TopicPolicyManager(stubs.factory, "us-east-1", check_mode=check_mode, warn=stubs.warn)


def with_statements(*statements):
    policy = default_topic_policy(TOPIC)
    policy["Statement"].extend(statements)
    return policy


def test_policy_equal_is_not_written(stubs):
    # As a service may hand it back: lists, root ARN principal is not involved here.
    reshaped = dict(OURS, Action=["sns:Publish"], Resource=[TOPIC])
    topic_attributes(stubs.stub("sns"), Policy=json.dumps(with_statements(FOREIGN, reshaped)))
    result = policy_manager(stubs).apply(TOPIC, [OURS])
    assert result["changed"] is False
    assert result["statements_added"] == [] and result["statements_replaced"] == []


def test_policy_merge_writes_everyones_statements(stubs):
    stubber = stubs.stub("sns")
    topic_attributes(stubber, Policy=json.dumps(with_statements(FOREIGN)))
    topic_attributes(stubber, Policy=json.dumps(with_statements(FOREIGN)))  # re-read just before the write
    stubber.add_response("set_topic_attributes", {}, {"TopicArn": TOPIC, "AttributeName": "Policy", "AttributeValue": ANY})
    topic_attributes(stubber, Policy=json.dumps(with_statements(FOREIGN, OURS)))  # read back
    result = policy_manager(stubs).apply(TOPIC, [OURS])
    assert result["changed"] is True
    assert result["statements_added"] == ["AllowEventBridgePublish"]
    assert [s["Sid"] for s in result["policy"]["Statement"]] == ["__default_statement_ID", FOREIGN["Sid"], "AllowEventBridgePublish"]
    assert result["diff"]["before"] == with_statements(FOREIGN)
    assert result["diff"]["after"] == result["policy"]


LATE = {"Sid": "AddedWhileWeWorked", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
        "Action": "sns:Subscribe", "Resource": TOPIC}


def test_policy_statement_added_by_others_while_we_work_survives(stubs):
    """Someone adds a statement between our first read and our write: the write is planned on
    the read made just before it, so their statement is written back, and the read-back shows it."""
    stubber = stubs.stub("sns")
    topic_attributes(stubber, Policy=json.dumps(with_statements(FOREIGN)))
    topic_attributes(stubber, Policy=json.dumps(with_statements(FOREIGN, LATE)))
    expected = json.dumps(with_statements(FOREIGN, LATE, OURS), sort_keys=True)
    stubber.add_response("set_topic_attributes", {}, {"TopicArn": TOPIC, "AttributeName": "Policy", "AttributeValue": expected})
    topic_attributes(stubber, Policy=expected)
    result = policy_manager(stubs).apply(TOPIC, [OURS])
    assert [s["Sid"] for s in result["policy"]["Statement"]] == ["__default_statement_ID", FOREIGN["Sid"], LATE["Sid"], OURS["Sid"]]
    assert result["diff"]["before"] == with_statements(FOREIGN)


def test_policy_write_overtaken_by_another_writer_fails_and_names_it(stubs):
    stubber = stubs.stub("sns")
    topic_attributes(stubber, Policy=json.dumps(with_statements(FOREIGN)))
    topic_attributes(stubber, Policy=json.dumps(with_statements(FOREIGN)))
    stubber.add_response("set_topic_attributes", {}, {"TopicArn": TOPIC, "AttributeName": "Policy", "AttributeValue": ANY})
    topic_attributes(stubber, Policy=json.dumps(with_statements(LATE)))  # their write landed after ours
    with pytest.raises(WriteConflictError, match="changed while this run wrote it"):
        policy_manager(stubs).apply(TOPIC, [OURS])


def test_policy_already_added_by_a_concurrent_run_is_not_written_again(stubs):
    stubber = stubs.stub("sns")
    topic_attributes(stubber, Policy=json.dumps(with_statements(FOREIGN)))
    topic_attributes(stubber, Policy=json.dumps(with_statements(FOREIGN, OURS)))
    result = policy_manager(stubs).apply(TOPIC, [OURS])
    assert result["changed"] is False  # and no set_topic_attributes: nothing else was queued


def test_policy_uses_attributes_already_read(stubs):
    result = policy_manager(stubs, check_mode=True).apply(TOPIC, [OURS], attributes={"Policy": json.dumps(with_statements(OURS))})
    assert result["changed"] is False  # and no call: nothing was queued


def test_policy_missing_topic_check_mode_predicts(stubs):
    not_found(stubs.stub("sns"), "get_topic_attributes")
    result = policy_manager(stubs, check_mode=True).apply(TOPIC, [OURS])
    assert result["changed"] is True
    assert result["topic_exists"] is False
    assert result["diff"]["before"] == default_topic_policy(TOPIC)
    assert "does not exist" in stubs.warnings[0]


def test_policy_missing_topic_fails_clearly(stubs):
    not_found(stubs.stub("sns"), "get_topic_attributes")
    with pytest.raises(ValidationError, match="SNS topic %s does not exist" % TOPIC):
        policy_manager(stubs).apply(TOPIC, [OURS])


def test_policy_absent_on_missing_topic(stubs):
    not_found(stubs.stub("sns"), "get_topic_attributes")
    result = policy_manager(stubs).apply(TOPIC, [{"Sid": "AllowEventBridgePublish"}], state="absent")
    assert result["changed"] is False
    assert result["policy"] == {}


def test_policy_absent_removes_only_ours_and_falls_back_to_default(stubs):
    stubber = stubs.stub("sns")
    topic_attributes(stubber, Policy=json.dumps({"Version": "2012-10-17", "Statement": [OURS]}))
    topic_attributes(stubber, Policy=json.dumps({"Version": "2012-10-17", "Statement": [OURS]}))
    stubber.add_response("set_topic_attributes", {}, {"TopicArn": TOPIC, "AttributeName": "Policy",
                                                      "AttributeValue": json.dumps(default_topic_policy(TOPIC), sort_keys=True)})
    topic_attributes(stubber, Policy=json.dumps(default_topic_policy(TOPIC)))
    result = policy_manager(stubs).apply(TOPIC, [{"Sid": "AllowEventBridgePublish"}], state="absent")
    assert result["changed"] is True
    assert result["statements_removed"] == ["AllowEventBridgePublish"]
    assert "default topic policy" in stubs.warnings[0]


def test_policy_write_error_names_the_topic(stubs):
    stubber = stubs.stub("sns")
    topic_attributes(stubber)
    topic_attributes(stubber)
    stubber.add_client_error("set_topic_attributes", service_error_code="InvalidParameter", http_status_code=400)
    with pytest.raises(AwsCallError, match="Failed to set the policy of SNS topic %s" % TOPIC):
        policy_manager(stubs).apply(TOPIC, [OURS])
