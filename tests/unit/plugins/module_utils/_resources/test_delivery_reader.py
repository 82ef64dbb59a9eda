# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The delivery-path reader against stubbed AWS answers (botocore Stubber).

The emulator cannot show these: a pending subscription, an AWS-managed KMS key, a
key policy or a topic the automation role may not read, an organization trail a
member account may not read. A Stubber fails on any call not queued, which also
proves what is (not) read.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

import pytest


from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.cloudwatch1 import cloudwatch1_verdict
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.messages import ROOT_SIGN_IN_PATTERN
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import DeliveryPathReader
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import known_for_managers
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import read_answer
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import receives_every_message
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import default_topic_policy
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import eventbridge_publish_statement


ACCOUNT = "111111111111"
TOPIC = "arn:aws:sns:us-east-1:111111111111:alerts"
RULE_ARN = "arn:aws:events:us-east-1:111111111111:rule/alerts"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/" + KEY_ID
OURS = {"rule_arn": RULE_ARN, "topic_arn": TOPIC, "target_id": "t"}
ORG_TRAIL = {"Name": "org", "TrailARN": "arn:aws:cloudtrail:us-east-1:999999999999:trail/org", "HomeRegion": "us-east-1",
             "IsMultiRegionTrail": True, "IncludeGlobalServiceEvents": True, "IsOrganizationTrail": True, "S3BucketName": "org-logs"}
OWN_TRAIL = {"Name": "audit", "TrailARN": "arn:aws:cloudtrail:us-east-1:111111111111:trail/audit", "HomeRegion": "us-east-1",
             "IsMultiRegionTrail": True, "IncludeGlobalServiceEvents": True, "IsOrganizationTrail": False, "S3BucketName": "logs"}


def reader(stubs):
    return DeliveryPathReader(stubs.factory, "us-east-1", check_mode=True, account_id=ACCOUNT)


def denied(stubber, method, code="AccessDeniedException"):
    stubber.add_client_error(method, service_error_code=code, service_message="not authorized", http_status_code=400)


def queue_trails(stubs, trails, status=True):
    cloudtrail = stubs.stub("cloudtrail")
    cloudtrail.add_response("describe_trails", {"trailList": trails}, {"includeShadowTrails": True})
    for trail in trails:
        if status:
            cloudtrail.add_response("get_trail_status", {"IsLogging": True}, {"Name": trail["TrailARN"]})
            cloudtrail.add_response("get_event_selectors", {"TrailARN": trail["TrailARN"], "EventSelectors": [
                {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]}, {"TrailName": trail["TrailARN"]})


def queue_rule(stubs, pattern=None, targets=None):
    events = stubs.stub("events")
    pattern = pattern or ROOT_SIGN_IN_PATTERN
    rule = {"Name": "alerts", "Arn": RULE_ARN, "State": "ENABLED", "EventBusName": "default", "EventPattern": json.dumps(pattern)}
    events.add_response("list_rules", {"Rules": [rule], "NextToken": "p2"}, {"EventBusName": "default"})
    events.add_response("list_rules", {"Rules": []}, {"EventBusName": "default", "NextToken": "p2"})
    if targets is not False:
        events.add_response("list_targets_by_rule", {"Targets": targets or [{"Id": "t", "Arn": TOPIC}]},
                            {"Rule": "alerts", "EventBusName": "default"})


def queue_topic(stubs, key=None, subscriptions=None):
    sns = stubs.stub("sns")
    policy = default_topic_policy(TOPIC)
    policy["Statement"].append(eventbridge_publish_statement(TOPIC, RULE_ARN, ACCOUNT, sid="Events"))
    attributes = {"TopicArn": TOPIC, "Policy": json.dumps(policy)}
    if key:
        attributes["KmsMasterKeyId"] = key
    sns.add_response("get_topic_attributes", {"Attributes": attributes}, {"TopicArn": TOPIC})
    listed = subscriptions if subscriptions is not None else [
        {"SubscriptionArn": TOPIC + ":1", "Owner": ACCOUNT, "Protocol": "email", "Endpoint": "sec@example.com", "TopicArn": TOPIC}]
    sns.add_response("list_subscriptions_by_topic", {"Subscriptions": listed}, {"TopicArn": TOPIC})
    # The first confirmed subscription's attributes (no FilterPolicy: it receives everything, so the reader stops).
    for item in [s for s in listed if s["SubscriptionArn"] not in ("PendingConfirmation", "Deleted")][:1]:
        sns.add_response("get_subscription_attributes", {"Attributes": {
            "SubscriptionArn": item["SubscriptionArn"], "TopicArn": TOPIC, "Owner": ACCOUNT, "Protocol": "email", "Endpoint": item["Endpoint"],
            "PendingConfirmation": "false", "ConfirmationWasAuthenticated": "true"}}, {"SubscriptionArn": item["SubscriptionArn"]})


KEY_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Events", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
     "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}]})


def queue_key(stubs, manager="CUSTOMER", state="Enabled", policy=KEY_POLICY, policy_error=None):
    kms = stubs.stub("kms")
    metadata = {"KeyId": KEY_ID, "Arn": KEY_ARN, "KeyManager": manager, "KeyState": state, "Enabled": state == "Enabled"}
    kms.add_response("describe_key", {"KeyMetadata": metadata}, {"KeyId": KEY_ARN})
    if policy_error:
        denied(kms, "get_key_policy", policy_error)
    else:
        kms.add_response("get_key_policy", {"Policy": policy}, {"KeyId": KEY_ID, "PolicyName": "default"})


def test_complete_path_read_in_the_fewest_calls_and_judged_compliant(stubs):
    queue_trails(stubs, [OWN_TRAIL])
    queue_rule(stubs)
    queue_topic(stubs)
    facts = reader(stubs).read(OURS)
    assert delivery_path.evaluate(facts)["status"] == delivery_path.COMPLIANT


def test_customer_key_is_described_and_its_policy_read(stubs):
    queue_trails(stubs, [OWN_TRAIL])
    queue_rule(stubs)
    queue_topic(stubs, key=KEY_ARN)
    queue_key(stubs)
    facts = reader(stubs).read(OURS)
    assert facts["keys"][KEY_ARN]["metadata"]["KeyManager"] == "CUSTOMER"
    assert delivery_path.evaluate(facts)["status"] == delivery_path.COMPLIANT


def test_aws_managed_key_behind_an_alias_is_named(stubs):
    queue_trails(stubs, [OWN_TRAIL])
    queue_rule(stubs)
    queue_topic(stubs, key=KEY_ARN)
    queue_key(stubs, manager="AWS")
    result = delivery_path.evaluate(reader(stubs).read(OURS))
    assert result["status"] == delivery_path.NEEDS_ACTION and "AWS-managed key" in result["problems"][0]


def test_alias_aws_sns_is_judged_without_any_kms_call(stubs):
    queue_trails(stubs, [OWN_TRAIL])
    queue_rule(stubs)
    queue_topic(stubs, key="alias/aws/sns")
    result = delivery_path.evaluate(reader(stubs).read(OURS))
    assert "encrypted with alias/aws/sns" in result["problems"][0]


def test_key_policy_the_role_may_not_read_makes_the_account_unknown(stubs):
    queue_trails(stubs, [OWN_TRAIL])
    queue_rule(stubs)
    queue_topic(stubs, key=KEY_ARN)
    queue_key(stubs, policy_error="AccessDeniedException")
    facts = reader(stubs).read(OURS)
    assert "kms:GetKeyPolicy" in facts["keys"][KEY_ARN]["error"]
    assert delivery_path.evaluate(facts)["status"] == delivery_path.UNKNOWN


def test_missing_key_is_absent_not_an_error(stubs):
    queue_trails(stubs, [OWN_TRAIL])
    queue_rule(stubs)
    queue_topic(stubs, key=KEY_ARN)
    stubs.stub("kms").add_client_error("describe_key", service_error_code="NotFoundException", http_status_code=400)
    facts = reader(stubs).read(OURS)
    assert facts["keys"][KEY_ARN] == {"metadata": None, "policy": None, "error": None}
    assert "does not exist" in delivery_path.evaluate(facts)["problems"][0]


def test_pending_subscription_on_aws_is_needs_action(stubs):
    """The emulator confirms email subscriptions at once; AWS lists them as PendingConfirmation."""
    queue_trails(stubs, [OWN_TRAIL])
    queue_rule(stubs)
    queue_topic(stubs, subscriptions=[{"SubscriptionArn": "PendingConfirmation", "Owner": ACCOUNT, "Protocol": "email",
                                       "Endpoint": "sec@example.com", "TopicArn": TOPIC}])
    result = delivery_path.evaluate(reader(stubs).read(OURS))
    assert result["status"] == delivery_path.NEEDS_ACTION and "pending: sec@example.com" in result["problems"][0]


def test_topic_the_role_may_not_read_is_unknown_not_missing(stubs):
    queue_trails(stubs, [OWN_TRAIL])
    queue_rule(stubs)
    stubs.stub("sns").add_client_error("get_topic_attributes", service_error_code="AuthorizationError", http_status_code=403)
    facts = reader(stubs).read(OURS)
    assert facts["topics"][TOPIC]["error"].startswith("sns:GetTopicAttributes")
    assert delivery_path.evaluate(facts)["status"] == delivery_path.UNKNOWN
    assert known_for_managers(facts, OURS)["topic"] == {}, "an unread topic is not handed to the managers as missing"


def test_throttled_rule_listing_is_unknown(stubs):
    queue_trails(stubs, [OWN_TRAIL])
    denied(stubs.stub("events"), "list_rules", "AccessDeniedException")
    stubs.stub("sns")  # our topic is still read
    queue_topic(stubs)
    facts = reader(stubs).read(OURS)
    assert delivery_path.evaluate(facts)["status"] == delivery_path.UNKNOWN
    assert known_for_managers(facts, OURS)["rule"] == {}


def test_members_cannot_read_the_organization_trail_which_is_then_trusted(stubs):
    cloudtrail = stubs.stub("cloudtrail")
    cloudtrail.add_response("describe_trails", {"trailList": [ORG_TRAIL]}, {"includeShadowTrails": True})
    denied(cloudtrail, "get_trail_status", "CloudTrailARNInvalidException")
    denied(cloudtrail, "get_event_selectors", "CloudTrailARNInvalidException")
    queue_rule(stubs)
    queue_topic(stubs)
    facts = reader(stubs).read(OURS)
    assert facts["trails"]["trails"][0]["error"] is None
    result = delivery_path.evaluate(facts)
    assert result["status"] == delivery_path.COMPLIANT and "assumed" in result["event_source"]["reason"]


def test_own_trail_status_read_failure_is_recorded(stubs):
    cloudtrail = stubs.stub("cloudtrail")
    cloudtrail.add_response("describe_trails", {"trailList": [OWN_TRAIL]}, {"includeShadowTrails": True})
    denied(cloudtrail, "get_trail_status", "AccessDeniedException")
    denied(cloudtrail, "get_event_selectors", "AccessDeniedException")
    queue_rule(stubs)
    queue_topic(stubs)
    facts = reader(stubs).read(OURS)
    assert "get_trail_status" in facts["trails"]["trails"][0]["error"]
    assert delivery_path.evaluate(facts)["status"] == delivery_path.UNKNOWN


def test_what_was_read_is_handed_to_the_managers(stubs):
    queue_trails(stubs, [OWN_TRAIL])
    queue_rule(stubs)
    queue_topic(stubs)
    facts = reader(stubs).read(OURS)
    known = known_for_managers(facts, OURS)
    assert known["trail"]["trails"] == [OWN_TRAIL] and OWN_TRAIL["TrailARN"] in known["trail"]["status"]
    assert known["rule"]["rule"]["Arn"] == RULE_ARN and known["rule"]["targets"] == [{"Id": "t", "Arn": TOPIC}]
    assert known["topic"]["attributes"]["TopicArn"] == TOPIC
    assert known["subscriptions"]["subscriptions"][0]["Endpoint"] == "sec@example.com"


def test_no_rule_of_ours_is_handed_over_as_absent(stubs):
    queue_trails(stubs, [])
    events = stubs.stub("events")
    events.add_response("list_rules", {"Rules": []}, {"EventBusName": "default"})
    queue_topic(stubs)
    assert known_for_managers(reader(stubs).read(OURS), OURS)["rule"] == {"rule": None, "targets": []}


# -- what the CloudWatch.1 verdict reads (read_cis; CIS on and off) ---------------------------
CIS_ACCOUNT = "123456789012"
CIS_REGION = "us-east-1"
CIS_GROUP = "rootwatch/cloudtrail"
CIS_GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:rootwatch/cloudtrail:*"
CIS_GROUP_BASE_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:rootwatch/cloudtrail"
CIS_TOPIC = "arn:aws:sns:us-east-1:123456789012:root-login-alerts"
CIS_TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/root-login-alerts"
CIS_ROLE_ARN = "arn:aws:iam::123456789012:role/rootwatch-cloudtrail-logs"
# Security Hub's remediation prints the CIS pattern without spaces around the operators.
SECURITY_HUB_PATTERN = '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}'
NOW = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
CIS_TRAIL = {"Name": "root-login-alerts", "TrailARN": CIS_TRAIL_ARN, "HomeRegion": CIS_REGION, "IsMultiRegionTrail": True,
             "IncludeGlobalServiceEvents": True, "IsOrganizationTrail": False, "S3BucketName": "root-login-alerts-logs",
             "CloudWatchLogsLogGroupArn": CIS_GROUP_ARN, "CloudWatchLogsRoleArn": CIS_ROLE_ARN}
CIS_ALARM = {"AlarmName": "CIS-1.7-RootAccountUsage", "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:CIS-1.7-RootAccountUsage",
             "MetricName": "RootAccountUsage", "Namespace": "LogMetrics", "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1,
             "Threshold": 1.0, "ComparisonOperator": "GreaterThanOrEqualToThreshold", "ActionsEnabled": True, "AlarmActions": [CIS_TOPIC],
             "StateValue": "OK"}


def queue_trail_and_rules(stubs, status):
    cloudtrail = stubs.stub("cloudtrail")
    cloudtrail.add_response("describe_trails", {"trailList": [CIS_TRAIL]}, {"includeShadowTrails": True})
    cloudtrail.add_response("get_trail_status", status, {"Name": CIS_TRAIL_ARN})
    cloudtrail.add_response("get_event_selectors", {"TrailARN": CIS_TRAIL_ARN, "EventSelectors": [
        {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]}, {"TrailName": CIS_TRAIL_ARN})
    stubs.stub("events").add_response("list_rules", {"Rules": []}, {"EventBusName": "default"})


def queue_cis_reads(stubs):
    """The log group; DescribeMetricFilters in two pages, the CIS filter on the second (50 is the most a page
    holds, CloudWatch Logs API reference); the alarm on its metric; the alarm topic's subscriptions in two pages."""
    logs = stubs.stub("logs")
    logs.add_response("describe_log_groups", {"logGroups": [
        {"logGroupName": CIS_GROUP, "arn": CIS_GROUP_ARN, "logGroupArn": CIS_GROUP_BASE_ARN, "creationTime": 1, "storedBytes": 0}]},
        {"logGroupNamePrefix": CIS_GROUP})
    others = [{"filterName": "app-errors-%02d" % number, "logGroupName": CIS_GROUP, "filterPattern": '{ $.errorCode = "*" }',
               "creationTime": 1, "metricTransformations": [{"metricName": "Errors%02d" % number, "metricNamespace": "App",
                                                             "metricValue": "1"}]} for number in range(50)]
    logs.add_response("describe_metric_filters", {"metricFilters": others, "nextToken": "page-2"}, {"logGroupName": CIS_GROUP})
    logs.add_response("describe_metric_filters", {"metricFilters": [
        {"filterName": "CIS-RootAccountUsage", "logGroupName": CIS_GROUP, "filterPattern": SECURITY_HUB_PATTERN, "creationTime": 2,
         "metricTransformations": [{"metricName": "RootAccountUsage", "metricNamespace": "LogMetrics", "metricValue": "1"}]}]},
        {"logGroupName": CIS_GROUP, "nextToken": "page-2"})
    stubs.stub("cloudwatch").add_response("describe_alarms_for_metric", {"MetricAlarms": [CIS_ALARM]},
                                          {"MetricName": "RootAccountUsage", "Namespace": "LogMetrics"})
    sns = stubs.stub("sns")
    sns.add_response("list_subscriptions_by_topic", {"Subscriptions": [
        {"SubscriptionArn": "PendingConfirmation", "Owner": CIS_ACCOUNT, "Protocol": "email", "Endpoint": "new@example.com",
         "TopicArn": CIS_TOPIC}], "NextToken": "subscriptions-2"}, {"TopicArn": CIS_TOPIC})
    sns.add_response("list_subscriptions_by_topic", {"Subscriptions": [
        {"SubscriptionArn": CIS_TOPIC + ":0b1c2d3e", "Owner": CIS_ACCOUNT, "Protocol": "email", "Endpoint": "sec@example.com",
         "TopicArn": CIS_TOPIC}]}, {"TopicArn": CIS_TOPIC, "NextToken": "subscriptions-2"})


def read_and_judge(stubs):
    facts = DeliveryPathReader(stubs.factory, CIS_REGION, check_mode=True, account_id=CIS_ACCOUNT).read(None, cis=True)
    return facts, cloudwatch1_verdict(dict(facts["cis"], trails=facts["trails"], account_id=CIS_ACCOUNT, region=CIS_REGION))


class TestReadForTheVerdict:
    def test_every_page_of_metric_filters_and_subscriptions_is_read(self, stubs):
        queue_trail_and_rules(stubs, {"IsLogging": True, "LatestDeliveryTime": NOW, "LatestCloudWatchLogsDeliveryTime": NOW,
                                      "StartLoggingTime": NOW})
        queue_cis_reads(stubs)
        facts, verdict = read_and_judge(stubs)
        assert len(facts["cis"]["metric_filters"][CIS_GROUP]["filters"]) == 51
        assert verdict["passes"] is True, verdict
        assert "metric filter CIS-RootAccountUsage" in verdict["reasons"][0] and "1 confirmed subscription" in verdict["reasons"][0]

    def test_a_delivery_error_in_get_trail_status_fails(self, stubs):
        # The error text is illustrative: the API reference types LatestCloudWatchLogsDeliveryError as a string only.
        queue_trail_and_rules(stubs, {"IsLogging": True, "LatestDeliveryTime": NOW, "StartLoggingTime": NOW,
                                      "LatestCloudWatchLogsDeliveryTime": datetime.datetime(2026, 11, 2, tzinfo=datetime.timezone.utc),
                                      "LatestCloudWatchLogsDeliveryError": "AccessDeniedException"})
        queue_cis_reads(stubs)
        unused, verdict = read_and_judge(stubs)
        assert verdict["passes"] is False
        assert verdict["reasons"][0].startswith(
            "trail root-login-alerts cannot deliver its events to CloudWatch Logs (GetTrailStatus "
            "LatestCloudWatchLogsDeliveryError: AccessDeniedException); its last delivery to CloudWatch Logs was at 2026-11-02")

    def test_a_failed_second_page_is_unknown_not_absent(self, stubs):
        queue_trail_and_rules(stubs, {"IsLogging": True})
        logs = stubs.stub("logs")
        logs.add_response("describe_log_groups", {"logGroups": [{"logGroupName": CIS_GROUP, "arn": CIS_GROUP_ARN}]}, {"logGroupNamePrefix": CIS_GROUP})
        logs.add_response("describe_metric_filters", {"metricFilters": [], "nextToken": "page-2"}, {"logGroupName": CIS_GROUP})
        logs.add_client_error("describe_metric_filters", service_error_code="AccessDeniedException", service_message="AccessDeniedException",
                              http_status_code=400, expected_params={"logGroupName": CIS_GROUP, "nextToken": "page-2"})
        facts, verdict = read_and_judge(stubs)
        assert facts["cis"]["metric_filters"][CIS_GROUP] == {"error": "logs:DescribeMetricFilters %s: AccessDeniedException" % CIS_GROUP, "filters": []}
        assert verdict["status"] == "unknown" and "AccessDeniedException" in verdict["reasons"][0]

    def test_cis_off_reads_nothing_of_cis(self, stubs):
        queue_trail_and_rules(stubs, {"IsLogging": True})
        facts = DeliveryPathReader(stubs.factory, CIS_REGION, check_mode=True, account_id=CIS_ACCOUNT).read(None)
        assert "cis" not in facts
        assert not [key for key in stubs.clients if key[0] in ("logs", "cloudwatch")], "CIS off: no CloudWatch Logs or CloudWatch call"


@pytest.mark.parametrize("attributes, every", [
    ({}, True), ({"FilterPolicy": ""}, True), ({"FilterPolicy": "{}"}, True),
    ({"FilterPolicy": '{"kind": ["x"]}'}, False), ({"FilterPolicy": "[]"}, False), ({"FilterPolicy": "{"}, False),
])
def test_only_a_subscription_without_a_filter_policy_receives_every_message(attributes, every):
    assert receives_every_message(attributes) is every


def test_a_failed_read_is_text_and_a_missing_thing_is_none(stubs):
    sns = stubs.stub("sns")
    denied(sns, "get_topic_attributes", "AuthorizationError")
    denied(sns, "get_topic_attributes", "NotFound")
    client = stubs.factory("sns", "us-east-1")
    assert read_answer("sns:GetTopicAttributes t", client.get_topic_attributes, TopicArn=TOPIC) == (
        None, "sns:GetTopicAttributes t: AuthorizationError")
    assert read_answer("sns:GetTopicAttributes t", client.get_topic_attributes, not_found=("NotFound",), TopicArn=TOPIC) == (None, None)
