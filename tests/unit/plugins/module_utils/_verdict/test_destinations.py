# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The chat and webhook paths of the verdict, and ``reaches``, on facts written out as AWS answers them.

DescribeConnection/DescribeApiDestination answers follow the EventBridge API reference (ConnectionState,
StateReason, ApiDestinationState); channel configurations the chat API reference (``State`` ENABLED or
DISABLED, ``StateReason``), as ``ChatChannelManager.inventory`` returns them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

from ansible_collections.rootwatch.aws.plugins.plugin_utils import report as compliance
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path as dp
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import destinations as dv

ACCOUNT = "111111111111"
RULE_ARN = "arn:aws:events:us-east-1:111111111111:rule/root-login-alerts"
EMAIL_TOPIC = "arn:aws:sns:us-east-1:111111111111:root-login-alerts"
CHAT_TOPIC = "arn:aws:sns:us-east-1:111111111111:root-login-alerts-chat"
DESTINATION = "arn:aws:events:us-east-1:111111111111:api-destination/root-login-alerts-pagerduty/7b1c8f3e-1d2a-4c5b-9e8f-0a1b2c3d4e5f"
CONNECTION = "arn:aws:events:us-east-1:111111111111:connection/root-login-alerts-pagerduty/0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a"
ROLE = "arn:aws:iam::111111111111:role/root-login-alerts-webhooks"
SLACK_CONFIG = "root-login-alerts-slack-T0123ABCD-C0123ABCD"
TEAMS_CONFIG = "root-login-alerts-teams-5d1f0c3a9b8e7d6c"
PATTERN = {"source": ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}
DELAY_FIELDS = {"DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:111111111111:root-login-alerts-undelivered"},
                "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}}


def publish_policy(topic):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "RootwatchAllowEventBridgePublish", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish", "Resource": topic,
        "Condition": {"ArnEquals": {"aws:SourceArn": RULE_ARN}, "StringEquals": {"aws:SourceAccount": ACCOUNT}}}]})


def facts(targets, topics=None, chat=None, webhooks=None, roles=None):
    """A logging multi-Region trail, our sign-in rule with ``targets``; ``topics`` as delivery_reader reads them."""
    found = {
        "account_id": ACCOUNT, "region": "us-east-1", "partition": "aws",
        "ours": {"rule_arn": RULE_ARN, "topic_arn": EMAIL_TOPIC, "target_id": "rootwatch-root-login-alerts", "chat_topic_arn": CHAT_TOPIC},
        "trails": {"error": None, "trails": [{
            "trail": {"Name": "org", "TrailARN": "arn:aws:cloudtrail:us-east-1:111111111111:trail/org", "HomeRegion": "us-east-1",
                      "IsMultiRegionTrail": True, "IncludeGlobalServiceEvents": True, "IsOrganizationTrail": False},
            "status": {"IsLogging": True},
            "selectors": {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]},
            "error": None}]},
        "rules": {"error": None, "rules": [{"Name": "root-login-alerts", "Arn": RULE_ARN, "State": "ENABLED", "EventBusName": "default",
                                            "EventPattern": json.dumps(PATTERN), "targets": targets, "targets_error": None}]},
        "topics": topics or {},
        "keys": {},
    }
    for key, value in (("chat", chat), ("webhooks", webhooks), ("roles", roles)):
        if value is not None:
            found[key] = value
    return found


def email_topic():
    return {EMAIL_TOPIC: {"attributes": {"Policy": publish_policy(EMAIL_TOPIC)}, "error": None, "subscriptions_error": None,
                          "subscriptions": [{"SubscriptionArn": EMAIL_TOPIC + ":1f2e", "Protocol": "email", "Endpoint": "sec@example.com"}],
                          "filters": {EMAIL_TOPIC + ":1f2e": {"attributes": {"Protocol": "email"}, "error": None}}}}


def chat_topic():
    # The chat service's own subscription, confirmed by the service; no filter policy.
    return {CHAT_TOPIC: {"attributes": {"Policy": publish_policy(CHAT_TOPIC)}, "error": None, "subscriptions_error": None,
                         "subscriptions": [{"SubscriptionArn": CHAT_TOPIC + ":9a8b", "Protocol": "https",
                                            "Endpoint": "https://global.sns-api.chatbot.amazonaws.com"}],
                         "filters": {CHAT_TOPIC + ":9a8b": {"attributes": {"Protocol": "https"}, "error": None}}}}


def configurations(slack_state="ENABLED", teams_state="ENABLED", reason=None, topics=(CHAT_TOPIC,)):
    return {"error": None, "configurations": {
        SLACK_CONFIG: {"kind": "slack", "arn": "arn:aws:chatbot::111111111111:chat-configuration/slack-channel/" + SLACK_CONFIG,
                       "view": {"type": "slack", "name": SLACK_CONFIG, "topic_arns": list(topics)}, "state": slack_state,
                       "state_reason": reason if slack_state == "DISABLED" else None, "tags": {"rootwatch:created-by": "root_login_alerts"},
                       "owned": True},
        TEAMS_CONFIG: {"kind": "teams", "arn": "arn:aws:chatbot::111111111111:chat-configuration/microsoft-teams-channel/" + TEAMS_CONFIG,
                       "view": {"type": "teams", "name": TEAMS_CONFIG, "topic_arns": list(topics)}, "state": teams_state,
                       "state_reason": reason if teams_state == "DISABLED" else None, "tags": {"rootwatch:created-by": "root_login_alerts"},
                       "owned": True}}}


def webhook_read(state="AUTHORIZED", reason=None, destination_state="ACTIVE"):
    connection = {"name": "root-login-alerts-pagerduty", "arn": CONNECTION, "state": state, "exists": True, "owned": True,
                  "authorization_type": "API_KEY", "header": "X-Rootwatch-Source", "secret": "set"}
    if reason:
        connection["state_reason"] = reason
    return {DESTINATION: {"name": "pagerduty", "read": {
        "name": "root-login-alerts-pagerduty", "region": "us-east-1", "connection": connection,
        "api_destination": {"name": "root-login-alerts-pagerduty", "arn": DESTINATION, "state": destination_state, "exists": True,
                            "owned": True, "connection_arn": CONNECTION, "endpoint": "https://events.pagerduty.com/...", "http_method": "POST"}}}}


EMAIL_TARGET = dict(DELAY_FIELDS, Id="rootwatch-root-login-alerts", Arn=EMAIL_TOPIC)
CHAT_TARGET = dict(DELAY_FIELDS, Id="rootwatch-root-login-alerts-chat", Arn=CHAT_TOPIC)
WEBHOOK_TARGET = dict(DELAY_FIELDS, Id="rootwatch-webhook-pagerduty", Arn=DESTINATION, RoleArn=ROLE)
ROLE_OK = {ROLE: {"ok": True, "reason": "its trust lets events.amazonaws.com assume it for rule " + RULE_ARN}}


def path_of(result, target_id):
    return [p for p in result["paths"] if p["target_id"] == target_id][0]


def links_of(path):
    return [(entry["link"], entry["ok"]) for entry in path["links"]]


# -- webhooks -------------------------------------------------------------------------------
def test_a_webhook_path_is_judged_link_by_link_and_counts_alone():
    result = dp.evaluate(facts([WEBHOOK_TARGET], webhooks=webhook_read(), roles=ROLE_OK))
    assert result["status"] == dp.COMPLIANT and result["reaches"] == ["webhook:pagerduty"]
    path = path_of(result, "rootwatch-webhook-pagerduty")
    assert path["ours"] is True and path["complete"] is True and path["reaches"] == ["webhook:pagerduty"]
    assert links_of(path) == [("event_source", True), ("rule", True), ("target", True), ("role", True), ("connection", True),
                              ("api_destination", True)]
    assert path["links"][4]["reason"] == "connection %s is AUTHORIZED" % CONNECTION


def test_a_deauthorized_connection_is_reported_with_its_reason_and_email_still_counts():
    reason = "Connection is deauthorized because the endpoint returned 401 Unauthorized"
    result = dp.evaluate(facts([EMAIL_TARGET, WEBHOOK_TARGET], topics=email_topic(), webhooks=webhook_read("DEAUTHORIZED", reason), roles=ROLE_OK))
    assert result["status"] == dp.COMPLIANT and result["reaches"] == ["email"]
    path = path_of(result, "rootwatch-webhook-pagerduty")
    assert path["complete"] is False and path["reaches"] == []
    assert path["problem"] == "connection root-login-alerts-pagerduty is DEAUTHORIZED: " + reason
    entry = compliance.verdict_entry(ACCOUNT, result, [])
    assert entry["reaches"] == ["email"]


def test_only_a_deauthorized_webhook_needs_action_naming_it():
    result = dp.evaluate(facts([WEBHOOK_TARGET], webhooks=webhook_read("DEAUTHORIZED", "401"), roles=ROLE_OK))
    assert result["status"] == dp.NEEDS_ACTION
    assert result["problems"] == ["rule root-login-alerts -> %s: connection root-login-alerts-pagerduty is DEAUTHORIZED: 401" % DESTINATION]


def test_a_connection_aws_is_still_authorizing_does_not_deliver_yet_and_is_no_failed_read():
    result = dp.evaluate(facts([WEBHOOK_TARGET], webhooks=webhook_read("AUTHORIZING"), roles=ROLE_OK))
    assert result["status"] == dp.NEEDS_ACTION and result["unknown"] == []
    assert result["problems"] == ["rule root-login-alerts -> %s: connection root-login-alerts-pagerduty is AUTHORIZING (AWS is still "
                                  "working on it)" % DESTINATION]


def test_an_inactive_destination_and_a_target_without_role_are_broken():
    result = dp.evaluate(facts([dict(WEBHOOK_TARGET, RoleArn=None)], webhooks=webhook_read(destination_state="INACTIVE"), roles=ROLE_OK))
    path = path_of(result, "rootwatch-webhook-pagerduty")
    assert links_of(path)[3:] == [("role", False), ("connection", True), ("api_destination", False)]
    assert path["links"][3]["reason"] == "the target has no role: EventBridge needs one to invoke an API destination"
    assert path["links"][5]["reason"] == "API destination root-login-alerts-pagerduty is INACTIVE"


def test_a_role_whose_trust_does_not_admit_the_rule_breaks_the_path():
    roles = {ROLE: {"ok": False, "reason": "its trust does not let events.amazonaws.com assume it for rule " + RULE_ARN}}
    path = path_of(dp.evaluate(facts([WEBHOOK_TARGET], webhooks=webhook_read(), roles=roles)), "rootwatch-webhook-pagerduty")
    assert path["problem"] == "role %s: its trust does not let events.amazonaws.com assume it for rule %s" % (ROLE, RULE_ARN)


def test_an_api_destination_that_is_not_one_of_ours_is_not_read_and_does_not_count():
    other = dict(WEBHOOK_TARGET, Id="theirs", Arn="arn:aws:events:us-east-1:111111111111:api-destination/theirs/1a2b")
    result = dp.evaluate(facts([EMAIL_TARGET, other], topics=email_topic(), webhooks={}, roles={}))
    path = path_of(result, "theirs")
    assert path["ours"] is False and path["complete"] is False
    assert path["problem"] == ("target theirs (arn:aws:events:us-east-1:111111111111:api-destination/theirs/1a2b) is an API destination "
                               "that is not one of root_login_alerts_webhooks, so it is not read")
    assert result["reaches"] == ["email"]


# -- chat -----------------------------------------------------------------------------------
def test_a_chat_path_counts_through_enabled_channel_configurations():
    result = dp.evaluate(facts([CHAT_TARGET], topics=chat_topic(), chat=configurations()))
    assert result["status"] == dp.COMPLIANT and result["reaches"] == ["slack", "teams"]
    path = path_of(result, "rootwatch-root-login-alerts-chat")
    assert path["ours"] is True and path["complete"] is True
    assert links_of(path) == [(name, True) for name in dp.LINKS]
    assert path["links"][-1]["reason"] == ("confirmed: https://global.sns-api.chatbot.amazonaws.com (https): chat channels %s, %s (ENABLED)"
                                           % (SLACK_CONFIG, TEAMS_CONFIG))


def test_one_disabled_channel_leaves_the_other_kind():
    result = dp.evaluate(facts([CHAT_TARGET], topics=chat_topic(), chat=configurations(teams_state="DISABLED", reason="denied")))
    assert result["reaches"] == ["slack"]


def test_disabled_channels_deliver_nothing_and_are_named_with_the_reason():
    policy = "Disabled by the organization's chat applications policy"
    result = dp.evaluate(facts([EMAIL_TARGET, CHAT_TARGET], topics=dict(email_topic(), **chat_topic()),
                               chat=configurations("DISABLED", "DISABLED", policy)))
    assert result["status"] == dp.COMPLIANT and result["reaches"] == ["email"]
    path = path_of(result, "rootwatch-root-login-alerts-chat")
    assert path["complete"] is False
    assert path["problem"] == (
        "topic root-login-alerts-chat has no confirmed subscription that receives our alerts: https://global.sns-api.chatbot.amazonaws.com "
        "(https): the channel configurations listing root-login-alerts-chat are not enabled: %s is DISABLED (%s); %s is DISABLED (%s)"
        % (SLACK_CONFIG, policy, TEAMS_CONFIG, policy))


def test_a_chat_subscription_without_a_configuration_listing_the_topic_does_not_count():
    result = dp.evaluate(facts([CHAT_TARGET], topics=chat_topic(), chat=configurations(topics=["arn:aws:sns:us-east-1:111111111111:other"])))
    assert result["status"] == dp.NEEDS_ACTION
    assert "the chat service is subscribed to root-login-alerts-chat, but no channel configuration of ours lists it" in result["problems"][0]


def test_configurations_not_read_leave_a_chat_subscription_counted_as_today():
    # No chat channels configured: nothing of the chat service is read, and the verdict stays what it was.
    result = dp.evaluate(facts([CHAT_TARGET], topics=chat_topic()))
    assert result["status"] == dp.COMPLIANT and result["reaches"] == ["chat"]


def test_a_topic_with_email_and_the_chat_service_reaches_both():
    topics = chat_topic()
    topics[CHAT_TOPIC]["subscriptions"].append({"SubscriptionArn": CHAT_TOPIC + ":77aa", "Protocol": "email", "Endpoint": "ops@example.com"})
    topics[CHAT_TOPIC]["filters"][CHAT_TOPIC + ":77aa"] = {"attributes": {"Protocol": "email"}, "error": None}
    result = dp.evaluate(facts([CHAT_TARGET], topics=topics, chat=configurations(slack_state="DISABLED", teams_state="DISABLED")))
    assert result["reaches"] == ["email"]


# -- the report -----------------------------------------------------------------------------
def test_the_report_shows_what_each_account_reaches():
    webhook_only = dp.evaluate(facts([WEBHOOK_TARGET], webhooks=webhook_read(), roles=ROLE_OK))
    chat_and_email = dp.evaluate(facts([EMAIL_TARGET, CHAT_TARGET], topics=dict(email_topic(), **chat_topic()), chat=configurations()))
    entries = [dict(compliance.verdict_entry("111111111111", webhook_only, []), host="a"),
               dict(compliance.verdict_entry("222222222222", chat_and_email, []), host="b")]
    report = compliance.build_report(copy.deepcopy(entries), False, "2026-12-03T00:00:00Z")
    assert "| 0 / 0 (reaches webhook:pagerduty) |" in report["markdown"]
    # The chat service's subscription is one confirmed recipient beside the email address.
    assert "| 2 / 0 (reaches email, slack, teams) |" in report["markdown"]
    assert "alerts reach: email in 1 account, slack in 1 account, teams in 1 account, webhook:pagerduty in 1 account" in report["summary_lines"]


def test_email_alone_adds_no_summary_line():
    entry = dict(compliance.verdict_entry("111111111111", dp.evaluate(facts([EMAIL_TARGET], topics=email_topic())), []), host="a")
    report = compliance.build_report([entry], False, "2026-12-03T00:00:00Z")
    assert not [line for line in report["summary_lines"] if line.startswith("alerts reach")]
    assert "| 1 / 0 (reaches email) |" in report["markdown"]


def test_target_ids_and_arns():
    assert dv.webhook_target_id("pagerduty") == "rootwatch-webhook-pagerduty"
    long_id = dv.webhook_target_id("x" * 64)
    assert len(long_id) == 64 and long_id.startswith("rootwatch-webhook-")
    assert dv.is_api_destination_arn(DESTINATION) and not dv.is_api_destination_arn(CONNECTION)
    assert not dv.is_api_destination_arn(EMAIL_TOPIC)
