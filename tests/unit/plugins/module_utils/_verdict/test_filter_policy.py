# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Subscription filter policies against the alerts EventBridge publishes, and the reads behind them.

Every policy here is written out literally. The GetSubscriptionAttributes answers are shaped like
the SNS API reference's (string attributes; FilterPolicyScope only next to a FilterPolicy).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import messages as alert_message
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as alert_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path as dp
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import filter_policy as fp
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import DeliveryPathReader


ACCOUNT = "111111111111"
TOPIC = "arn:aws:sns:us-east-1:111111111111:alerts"
FIRST = TOPIC + ":6f0c2b1e-0000-4000-8000-00000000000a"
SECOND = TOPIC + ":6f0c2b1e-0000-4000-8000-00000000000b"


def sign_in_body():
    return fp.message_body(alert_message.INPUT_TEMPLATE, alert_message.INPUT_PATHS)


def judge(policy, scope=None, body=None):
    return fp.judge(json.dumps(policy), scope, sign_in_body() if body is None else body)


# -- what our message body is ---------------------------------------------------------
def test_the_sign_in_body_has_fixed_text_and_fields_copied_from_the_event():
    body = sign_in_body()
    assert sorted(body) == ["alert", "event_history", "event_id", "mfa_used", "result", "source_ip", "time", "user_agent"]
    free = dict((key, value.name) for key, value in body.items() if isinstance(value, fp.Free))
    assert free == {"result": "result", "mfa_used": "mfa", "time": "time", "source_ip": "ip", "user_agent": "agent", "event_id": "eventid"}
    # <account> and <region> are filled in by EventBridge inside the text: unknown here, the rest is fixed.
    assert body["alert"].parts == ["Root user console sign-in to AWS account ", None, " (recorded in ", None,
                                   "). The other fields are copied from the CloudTrail record."]


def test_a_template_that_is_not_a_json_object_has_no_body_to_filter():
    assert fp.message_body('"Root sign-in in <account>"', {"account": "$.account"}) is None
    assert fp.judge('{"alert": [{"prefix": "Root"}]}', "MessageBody", None)[0] is None


# -- message attributes (the default scope) ----------------------------------------------
def test_no_filter_policy_passes_everything():
    assert fp.judge(None, None, sign_in_body())[0] is True
    assert fp.judge("", "MessageAttributes", sign_in_body())[0] is True


def test_an_attribute_policy_with_a_key_drops_every_alert():
    ok, why = judge({"severity": ["HIGH"]})
    assert ok is False and "message attributes (severity)" in why and "EventBridge publishes with none" in why
    assert judge({"severity": ["HIGH"]}, "MessageAttributes")[0] is False


def test_exists_false_on_an_attribute_still_drops_an_alert_without_attributes():
    # SNS key matching: '"exists": false only matches if at least one attribute is present. An empty
    # attribute set results in the filter not matching.' EventBridge sets none, so it drops our alerts.
    assert judge({"store": [{"exists": False}]}, "MessageAttributes")[0] is False


def test_an_attribute_policy_under_or_still_drops():
    assert judge({"$or": [{"a": ["x"]}, {"b": [{"exists": False}]}]})[0] is False


def test_a_policy_without_properties_asks_nothing():
    assert fp.judge("{}", "MessageAttributes", sign_in_body())[0] is True


# -- message body ---------------------------------------------------------------------------
def test_body_exists_false_on_a_field_our_alerts_lack_passes():
    assert judge({"severity": [{"exists": False}]}, "MessageBody")[0] is True


def test_body_condition_on_a_field_our_alerts_lack_drops():
    ok, why = judge({"severity": ["HIGH"]}, "MessageBody")
    assert ok is False and "no field severity" in why


def test_body_prefix_on_fixed_text_that_matches_passes():
    assert judge({"alert": [{"prefix": "Root user console sign-in"}]}, "MessageBody")[0] is True
    assert judge({"event_history": [{"suffix": "#/events"}]}, "MessageBody")[0] is True


def test_body_prefix_on_fixed_text_that_does_not_match_drops():
    ok, why = judge({"alert": [{"prefix": "IAM user"}]}, "MessageBody")
    assert ok is False and why.startswith("no alert passes it") and "alert is" in why


def test_body_exact_value_that_the_fixed_text_cannot_be_drops():
    assert judge({"alert": ["Root user"]}, "MessageBody")[0] is False


def test_body_prefix_reaching_into_the_account_number_cannot_be_told():
    # The account is filled in by EventBridge; the policy may or may not name this account.
    assert judge({"alert": [{"prefix": "Root user console sign-in to AWS account 1111"}]}, "MessageBody")[0] is None


def test_body_prefix_on_a_field_copied_from_the_event_passes_only_some_alerts():
    # Decided False, not None: whatever the policy, a sign-in from another address never reaches this
    # recipient, as a rule pattern narrowed on sourceIPAddress skips those sign-ins.
    ok, why = judge({"source_ip": [{"prefix": "198.51.100."}]}, "MessageBody")
    assert ok is False and why.startswith("it passes only some alerts") and "source_ip" in why


def test_body_exact_result_drops_failed_sign_ins():
    assert judge({"result": ["Success"]}, "MessageBody")[0] is False


def test_body_exists_true_on_a_field_copied_from_the_event_cannot_be_told():
    assert judge({"mfa_used": [{"exists": True}]}, "MessageBody")[0] is None


def test_body_or_with_one_branch_that_passes_everything_passes():
    policy = {"$or": [{"source_ip": [{"prefix": "198.51.100."}]}, {"alert": [{"prefix": "Root user"}]}]}
    assert judge(policy, "MessageBody")[0] is True


def test_body_or_where_every_branch_fails_drops():
    policy = {"$or": [{"alert": [{"prefix": "IAM"}]}, {"severity": ["HIGH"]}]}
    assert judge(policy, "MessageBody")[0] is False


def test_body_or_of_two_partial_branches_cannot_be_told():
    # Two conditions that each pass some alerts may together pass them all.
    policy = {"$or": [{"source_ip": [{"prefix": "10."}]}, {"source_ip": [{"anything-but": {"prefix": "10."}}]}]}
    assert judge(policy, "MessageBody")[0] is None


def test_body_values_are_alternatives():
    assert judge({"alert": [{"prefix": "IAM"}, {"prefix": "Root"}]}, "MessageBody")[0] is True


def test_body_anything_but_and_ignore_case_on_fixed_text():
    assert judge({"alert": [{"anything-but": {"prefix": "IAM"}}]}, "MessageBody")[0] is True
    assert judge({"alert": [{"anything-but": {"prefix": "Root"}}]}, "MessageBody")[0] is False
    assert judge({"alert": [{"equals-ignore-case": "something else"}]}, "MessageBody")[0] is False


def test_body_numeric_on_text_drops():
    assert judge({"alert": [{"numeric": [">", 0]}]}, "MessageBody")[0] is False


def test_an_operator_not_judged_here_is_unknown():
    assert judge({"alert": [{"wildcard": "Root*"}]}, "MessageBody")[0] is None


def test_every_property_must_match():
    policy = {"alert": [{"prefix": "Root user"}], "severity": ["HIGH"]}
    assert judge(policy, "MessageBody")[0] is False


def test_an_undocumented_scope_or_bad_json_is_unknown():
    assert fp.judge('{"a": ["b"]}', "Everything", sign_in_body())[0] is None
    assert fp.judge("{not json", None, sign_in_body())[0] is None


@pytest.mark.parametrize("profile", alert_profiles.PROFILE_NAMES)
def test_every_profile_body_is_a_json_object(profile):
    transformer = alert_profiles.input_transformer(profile)
    body = fp.message_body(transformer["input_template"], transformer["input_paths_map"])
    assert isinstance(body, dict) and "alert" in body and "event_history" in body


# -- the recipients link ------------------------------------------------------------------
def topic(subscriptions, filters):
    return {"attributes": {}, "error": None, "subscriptions": subscriptions, "subscriptions_error": None, "filters": filters}


def email(arn, endpoint):
    return {"SubscriptionArn": arn, "Protocol": "email", "Endpoint": endpoint, "TopicArn": TOPIC, "Owner": ACCOUNT}


def attributes(arn, endpoint, policy=None, scope=None):
    found = {"SubscriptionArn": arn, "TopicArn": TOPIC, "Owner": ACCOUNT, "Protocol": "email", "Endpoint": endpoint,
             "PendingConfirmation": "false", "ConfirmationWasAuthenticated": "true"}
    if policy is not None:
        found["FilterPolicy"] = json.dumps(policy)
        found["FilterPolicyScope"] = scope or "MessageAttributes"
    return found


def test_the_only_subscription_filters_out_our_alerts_and_is_named():
    found = topic([email(FIRST, "x@example.com")],
                  {FIRST: {"attributes": attributes(FIRST, "x@example.com", {"severity": ["HIGH"]}), "error": None}})
    result = dp.recipients_link(TOPIC, found)
    assert result["ok"] is False
    assert "x@example.com (email): its filter policy drops our messages: it filters on message attributes (severity)" in result["reason"]


def test_one_recipient_that_receives_is_enough():
    found = topic([email(FIRST, "x@example.com"), email(SECOND, "y@example.com")],
                  {FIRST: {"attributes": attributes(FIRST, "x@example.com", {"severity": ["HIGH"]}), "error": None},
                   SECOND: {"attributes": attributes(SECOND, "y@example.com"), "error": None}})
    result = dp.recipients_link(TOPIC, found, profile="console_sign_in")
    assert result["ok"] is True and result["reason"] == "confirmed: y@example.com (email)"


def test_a_filter_read_that_failed_is_unknown_never_counted_nor_broken():
    found = topic([email(FIRST, "x@example.com")], {FIRST: {"attributes": None, "error": "sns:GetSubscriptionAttributes: AuthorizationError"}})
    result = dp.recipients_link(TOPIC, found)
    assert result["ok"] is None and "could not be read: sns:GetSubscriptionAttributes: AuthorizationError" in result["reason"]


def test_a_body_policy_that_cannot_be_judged_is_unknown():
    found = topic([email(FIRST, "x@example.com")],
                  {FIRST: {"attributes": attributes(FIRST, "x@example.com", {"alert": [{"wildcard": "*"}]}, "MessageBody"), "error": None}})
    assert dp.recipients_link(TOPIC, found)["ok"] is None


def test_a_body_policy_is_judged_per_profile():
    policy = {"alert": [{"prefix": "Root user console sign-in"}]}
    found = topic([email(FIRST, "x@example.com")],
                  {FIRST: {"attributes": attributes(FIRST, "x@example.com", policy, "MessageBody"), "error": None}})
    assert dp.recipients_link(TOPIC, found, profile="console_sign_in")["ok"] is True
    assert dp.recipients_link(TOPIC, found, profile="api_activity")["ok"] is False


def test_the_account_verdict_names_the_dropping_subscription():
    facts = {
        "account_id": ACCOUNT, "region": "us-east-1", "partition": "aws", "ours": {},
        "trails": {"error": None, "trails": [{
            "trail": {"Name": "audit", "TrailARN": "arn:aws:cloudtrail:us-east-1:111111111111:trail/audit", "HomeRegion": "us-east-1",
                      "IsMultiRegionTrail": True, "IncludeGlobalServiceEvents": True, "IsOrganizationTrail": False},
            "status": {"IsLogging": True},
            "selectors": {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]},
            "error": None}]},
        "rules": {"error": None, "rules": [{
            "Name": "alerts", "Arn": "arn:aws:events:us-east-1:111111111111:rule/alerts", "State": "ENABLED", "EventBusName": "default",
            "EventPattern": json.dumps({"source": ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"],
                                        "detail": {"userIdentity": {"type": ["Root"]}}}),
            "targets": [{"Id": "ours", "Arn": TOPIC}], "targets_error": None}]},
        "topics": {TOPIC: dict(topic([email(FIRST, "x@example.com")],
                                     {FIRST: {"attributes": attributes(FIRST, "x@example.com", {"severity": ["HIGH"]}), "error": None}}),
                               attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
                                   "Sid": "Events", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                   "Action": "sns:Publish", "Resource": TOPIC}]})})},
        "keys": {},
    }
    result = dp.evaluate(facts)
    assert result["status"] == dp.NEEDS_ACTION
    assert "x@example.com (email): its filter policy drops our messages" in result["problems"][0], result["problems"]


# -- the reads (botocore Stubber) ------------------------------------------------------------
def queue_listing(stubs, subscriptions):
    sns = stubs.stub("sns")
    sns.add_response("get_topic_attributes", {"Attributes": {"TopicArn": TOPIC}}, {"TopicArn": TOPIC})
    sns.add_response("list_subscriptions_by_topic", {"Subscriptions": subscriptions}, {"TopicArn": TOPIC})
    return sns


def read(stubs):
    return DeliveryPathReader(stubs.factory, "us-east-1", check_mode=True, account_id=ACCOUNT).read_topic(TOPIC)


def test_one_confirmed_subscription_costs_one_request(stubs):
    sns = queue_listing(stubs, [email(FIRST, "x@example.com")])
    sns.add_response("get_subscription_attributes", {"Attributes": attributes(FIRST, "x@example.com")}, {"SubscriptionArn": FIRST})
    entry = read(stubs)
    assert list(entry["filters"]) == [FIRST] and entry["filters"][FIRST]["error"] is None


def test_the_reads_stop_at_the_first_subscription_without_a_filter(stubs):
    sns = queue_listing(stubs, [email(FIRST, "x@example.com"), email(SECOND, "y@example.com")])
    sns.add_response("get_subscription_attributes", {"Attributes": attributes(FIRST, "x@example.com")}, {"SubscriptionArn": FIRST})
    entry = read(stubs)  # the Stubber fails on a second, unqueued, read
    assert list(entry["filters"]) == [FIRST]
    assert dp.recipients_link(TOPIC, entry)["reason"] == "confirmed: x@example.com (email)"


def test_a_filtered_subscription_makes_the_reader_look_at_the_next(stubs):
    sns = queue_listing(stubs, [email(FIRST, "x@example.com"), email(SECOND, "y@example.com")])
    sns.add_response("get_subscription_attributes", {"Attributes": attributes(FIRST, "x@example.com", {"severity": ["HIGH"]})},
                     {"SubscriptionArn": FIRST})
    sns.add_response("get_subscription_attributes", {"Attributes": attributes(SECOND, "y@example.com")}, {"SubscriptionArn": SECOND})
    entry = read(stubs)
    assert dp.recipients_link(TOPIC, entry)["reason"] == "confirmed: y@example.com (email)"


def test_pending_subscriptions_are_not_read(stubs):
    queue_listing(stubs, [email("PendingConfirmation", "new@example.com")])
    entry = read(stubs)
    assert entry["filters"] == {}
    assert "pending: new@example.com" in dp.recipients_link(TOPIC, entry)["reason"]


def test_a_refused_read_makes_the_recipient_unknown(stubs):
    sns = queue_listing(stubs, [email(FIRST, "x@example.com")])
    sns.add_client_error("get_subscription_attributes", service_error_code="AuthorizationError", http_status_code=403)
    entry = read(stubs)
    assert entry["filters"][FIRST] == {"attributes": None, "error": "sns:GetSubscriptionAttributes %s: AuthorizationError" % FIRST}
    assert dp.recipients_link(TOPIC, entry)["ok"] is None


def test_a_subscription_deleted_since_the_listing_is_not_counted(stubs):
    sns = queue_listing(stubs, [email(FIRST, "x@example.com")])
    sns.add_client_error("get_subscription_attributes", service_error_code="NotFound", http_status_code=404)
    entry = read(stubs)
    assert entry["filters"][FIRST] == {"attributes": None, "error": None}
    assert dp.recipients_link(TOPIC, entry)["ok"] is False
