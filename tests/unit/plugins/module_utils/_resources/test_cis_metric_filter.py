# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CIS CloudWatch.1 pieces: the pure parts, and each manager against stubbed AWS answers.

A Stubber fails on any call not queued, so a test that queues only reads proves
that nothing was written (converged runs and check mode).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime

import pytest


from ansible_collections.rootwatch.aws.plugins.module_utils._resources import cis_metric_filter as cis
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import DeliveryPathReader
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError

from aws_stubs import Stubs  # pylint: disable=import-error

ACCOUNT = "123456789012"
REGION = "us-east-1"
OWNER = {"rootwatch:created-by": "root_login_alerts"}
GROUP = "rootwatch/cloudtrail"
GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:rootwatch/cloudtrail:*"
GROUP_BASE_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:rootwatch/cloudtrail"
TOPIC = "arn:aws:sns:us-east-1:123456789012:root-login-alerts"
TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/root-login-alerts"
ROLE_ARN = "arn:aws:iam::123456789012:role/rootwatch-cloudtrail-logs"
ALARM = "rootwatch-cis-root-usage"
ALARM_ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:rootwatch-cis-root-usage"
FILTER = "rootwatch-cis-root-usage"
# Security Hub's remediation prints the CIS pattern without spaces around the operators.
SECURITY_HUB_PATTERN = '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}'
NOW = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)


@pytest.fixture
def stubs():
    made = Stubs()
    yield made
    made.assert_done()


def manager(cls, stubs, check_mode=False):
    return cls(stubs.factory, REGION, check_mode=check_mode, warn=stubs.warn, account_id=ACCOUNT)


def client_error(stubber, method, code, status=400, expected=None):
    stubber.add_client_error(method, service_error_code=code, service_message=code, http_status_code=status,
                             expected_params=expected)


# == pure parts ========================================================================
class TestPattern:
    def test_the_constant_is_the_cis_text(self):
        assert cis.CIS_ROOT_USAGE_PATTERN == (
            '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }')

    def test_tokens(self):
        assert cis.pattern_tokens(SECURITY_HUB_PATTERN) == [
            "{", "$.userIdentity.type", "=", '"Root"', "&&", "$.userIdentity.invokedBy", "NOT", "EXISTS", "&&",
            "$.eventType", "!=", '"AwsServiceEvent"', "}"]

    def test_normalize_makes_spacing_irrelevant(self):
        assert cis.normalize_pattern(SECURITY_HUB_PATTERN) == cis.CIS_ROOT_USAGE_PATTERN
        assert cis.normalize_pattern("  {  $.a   =  \"x  y\" }\n") == '{ $.a = "x  y" }'

    @pytest.mark.parametrize("pattern, how", [
        (cis.CIS_ROOT_USAGE_PATTERN, "exact"),
        (SECURITY_HUB_PATTERN, "whitespace"),
        ('{\n  $.userIdentity.type = "Root"\n  && $.userIdentity.invokedBy NOT EXISTS\n  && $.eventType != "AwsServiceEvent"\n}', "whitespace"),
        ('\t{$.userIdentity.type="Root"&&$.userIdentity.invokedBy   NOT\tEXISTS&&$.eventType!="AwsServiceEvent"}  ', "whitespace"),
    ])
    def test_accepted(self, pattern, how):
        assert cis.pattern_match(pattern) == how
        assert cis.is_cis_root_usage_pattern(pattern)
        assert cis.pattern_reordered(pattern) is False

    @pytest.mark.parametrize("pattern", [
        '{ $.eventType != "AwsServiceEvent" && $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }',
        '{$.userIdentity.invokedBy NOT EXISTS&&$.eventType!="AwsServiceEvent"&&$.userIdentity.type="Root"}',
    ])
    def test_reordered_terms_are_not_the_exact_filter(self, pattern):
        """Security Hub CloudWatch.1 "fails if the exact metric filters prescribed by CIS are not used"
        (Security Hub controls reference, cloudwatch-controls.html#cloudwatch-1): the same meaning in
        another order does not pass, and is recognised only to say why."""
        assert cis.pattern_match(pattern) == ""
        assert not cis.is_cis_root_usage_pattern(pattern)
        assert cis.pattern_reordered(pattern) is True

    @pytest.mark.parametrize("pattern", [
        None,
        "",
        '{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }',
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }',
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" && $.x = 1 }',
        '{ ($.userIdentity.type = "Root") && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
        '{ $.userIdentity.type = "Root" || $.userIdentity.invokedBy NOT EXISTS || $.eventType != "AwsServiceEvent" }',
        '{ $.userIdentity.type = "root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy not exists && $.eventType != "AwsServiceEvent" }',
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType = "AwsServiceEvent" }',
        '{ $.userIdentity.type = "Root" && && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
        '$.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent"',
    ])
    def test_refused(self, pattern):
        assert cis.pattern_match(pattern) == ""
        assert cis.pattern_reordered(pattern) is False


class TestArns:
    def test_arn_helpers(self):
        assert cis.log_group_arn(REGION, ACCOUNT, GROUP) == GROUP_ARN
        assert cis.log_group_name_from_arn(GROUP_ARN) == GROUP
        assert cis.log_group_name_from_arn(GROUP_BASE_ARN) == GROUP
        assert cis.log_group_name_from_arn("arn:aws:s3:::b") is None
        assert cis.is_sns_topic_arn(TOPIC)
        assert not cis.is_sns_topic_arn("arn:aws:automate:us-east-1:ec2:stop")


class TestSpecs:
    def test_metric_filter_spec(self):
        assert cis.metric_filter_spec(FILTER, GROUP) == {
            "logGroupName": GROUP, "filterName": FILTER, "filterPattern": cis.CIS_ROOT_USAGE_PATTERN,
            "metricTransformations": [{"metricName": "RootAccountUsage", "metricNamespace": "rootwatch.aws/CIS", "metricValue": "1"}]}

    def test_alarm_spec(self):
        assert cis.alarm_spec("RootAccountUsage", "rootwatch.aws/CIS", TOPIC) == {
            "MetricName": "RootAccountUsage", "Namespace": "rootwatch.aws/CIS", "Statistic": "Sum", "Period": 300,
            "EvaluationPeriods": 1, "Threshold": 1.0, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching", "AlarmActions": [TOPIC]}


# == the verdict ======================================================================
def passing_facts():
    trail = {"Name": "org-trail", "TrailARN": TRAIL_ARN, "HomeRegion": REGION, "IsMultiRegionTrail": True,
             "CloudWatchLogsLogGroupArn": GROUP_ARN, "IncludeGlobalServiceEvents": True}
    selectors = {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]}
    return {
        "account_id": ACCOUNT,
        "region": REGION,
        "trails": {"error": None, "trails": [{"trail": trail, "status": {"IsLogging": True}, "selectors": selectors, "error": None}]},
        "log_groups": {GROUP: {"error": None, "log_group": {"logGroupName": GROUP, "arn": GROUP_ARN}}},
        "metric_filters": {GROUP: {"error": None, "filters": [{
            "filterName": "CIS-RootAccountUsage", "filterPattern": SECURITY_HUB_PATTERN, "logGroupName": GROUP,
            "metricTransformations": [{"metricName": "RootAccountUsage", "metricNamespace": "LogMetrics", "metricValue": "1"}]}]}},
        "alarms": {"error": None, "alarms": [
            {"AlarmName": "CIS-1.7-RootAccountUsage", "MetricName": "RootAccountUsage", "Namespace": "LogMetrics", "AlarmActions": [TOPIC]}]},
        "subscriptions": {TOPIC: {"error": None, "subscriptions": [
            {"SubscriptionArn": TOPIC + ":1234", "Protocol": "email", "Endpoint": "sec@example.com"}]}},
    }


def trail_entry(facts):
    return facts["trails"]["trails"][0]


class TestVerdict:
    def test_complete_chain_passes(self):
        verdict = cis.cloudwatch1_verdict(passing_facts())
        assert verdict["passes"] is True and verdict["status"] == "passed"
        assert "org-trail" in verdict["reasons"][0] and "CIS-1.7-RootAccountUsage" in verdict["reasons"][0]

    def test_nothing_read(self):
        assert cis.cloudwatch1_verdict({})["passes"] is None
        assert cis.cloudwatch1_verdict(None)["status"] == "unknown"

    def test_trails_read_failed(self):
        facts = passing_facts()
        facts["trails"] = {"error": "AccessDenied", "trails": []}
        verdict = cis.cloudwatch1_verdict(facts)
        assert verdict["passes"] is None and "AccessDenied" in verdict["reasons"][0]

    def test_no_trail(self):
        facts = passing_facts()
        facts["trails"]["trails"] = []
        assert cis.cloudwatch1_verdict(facts) == {"passes": False, "status": "failed", "reasons": ["no CloudTrail trail is configured"]}

    def _broken(self, change):
        facts = passing_facts()
        change(facts)
        return cis.cloudwatch1_verdict(facts)

    def test_single_region_trail(self):
        verdict = self._broken(lambda f: trail_entry(f)["trail"].update(IsMultiRegionTrail=False))
        assert verdict["passes"] is False and "not a multi-Region trail" in verdict["reasons"][0]

    def test_no_log_group_on_trail(self):
        verdict = self._broken(lambda f: trail_entry(f)["trail"].pop("CloudWatchLogsLogGroupArn"))
        assert verdict["passes"] is False and "CloudWatchLogsLogGroupArn" in verdict["reasons"][0]

    def test_trail_not_logging(self):
        verdict = self._broken(lambda f: trail_entry(f).update(status={"IsLogging": False}))
        assert verdict["passes"] is False and "not logging" in verdict["reasons"][0]

    def test_status_unread(self):
        verdict = self._broken(lambda f: trail_entry(f).update(status=None, error="GetTrailStatus: AccessDenied"))
        assert verdict["passes"] is None and "AccessDenied" in verdict["reasons"][0]

    def test_write_only_management_events(self):
        verdict = self._broken(lambda f: trail_entry(f).update(selectors={"EventSelectors": [
            {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]}))
        assert verdict["passes"] is False and "WriteOnly" in verdict["reasons"][0]

    def test_advanced_selectors_all_management_events(self):
        verdict = self._broken(lambda f: trail_entry(f).update(selectors={"AdvancedEventSelectors": [
            {"Name": "Management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]}))
        assert verdict["passes"] is True

    def test_selectors_unread(self):
        assert self._broken(lambda f: trail_entry(f).update(selectors=None))["passes"] is None

    def test_log_group_missing(self):
        verdict = self._broken(lambda f: f["log_groups"][GROUP].update(log_group=None))
        assert verdict["passes"] is False and "does not exist" in verdict["reasons"][0]

    def test_log_group_unread(self):
        assert self._broken(lambda f: f["log_groups"][GROUP].update(error="Throttled"))["passes"] is None
        assert self._broken(lambda f: f["log_groups"].clear())["passes"] is None

    def test_no_cis_filter(self):
        def change(facts):
            facts["metric_filters"][GROUP]["filters"][0]["filterPattern"] = '{ $.userIdentity.type = "Root" }'
        verdict = self._broken(change)
        assert verdict["passes"] is False and "no metric filter with the CIS root usage pattern" in verdict["reasons"][0]

    def test_exact_pattern_passes(self):
        def exact(facts):
            facts["metric_filters"][GROUP]["filters"][0]["filterPattern"] = cis.CIS_ROOT_USAGE_PATTERN
        assert self._broken(exact) == dict(self._broken(exact), passes=True, status="passed")

    def test_reordered_pattern_fails_and_says_why(self):
        def reordered(facts):
            facts["metric_filters"][GROUP]["filters"][0]["filterPattern"] = (
                '{ $.eventType != "AwsServiceEvent" && $.userIdentity.invokedBy NOT EXISTS && $.userIdentity.type = "Root" }')
        verdict = self._broken(reordered)
        assert verdict["passes"] is False and verdict["status"] == "failed"
        assert "no metric filter with the CIS root usage pattern" in verdict["reasons"][0]
        assert verdict["reasons"][1] == ("metric filter CIS-RootAccountUsage has the CIS terms in another order; Security Hub "
                                         "asks for the exact filter pattern (only whitespace may differ)")

    def test_a_reordered_filter_beside_an_exact_one_passes(self):
        def both(facts):
            filters = facts["metric_filters"][GROUP]["filters"]
            filters.insert(0, dict(filters[0], filterName="Reordered", filterPattern=(
                '{ $.userIdentity.invokedBy NOT EXISTS && $.userIdentity.type = "Root" && $.eventType != "AwsServiceEvent" }')))
        verdict = self._broken(both)
        assert verdict["passes"] is True and "metric filter CIS-RootAccountUsage" in verdict["reasons"][0]

    def test_cloudwatch_logs_delivery_error_fails_with_its_text(self):
        """GetTrailStatus names a CloudWatch Logs delivery error (CloudTrail user guide, Troubleshooting:
        "If there's a failure, the command output includes the LatestCloudWatchLogsDeliveryError field").
        The error text here is illustrative: the API reference only types it as a string."""
        delivered = datetime.datetime(2026, 11, 30, 8, 15, tzinfo=datetime.timezone.utc)
        verdict = self._broken(lambda f: trail_entry(f)["status"].update(
            LatestCloudWatchLogsDeliveryError="AccessDeniedException", LatestCloudWatchLogsDeliveryTime=delivered,
            LatestDeliveryTime=NOW))
        assert verdict["passes"] is False and verdict["status"] == "failed"
        assert verdict["reasons"] == [
            "trail org-trail cannot deliver its events to CloudWatch Logs (GetTrailStatus LatestCloudWatchLogsDeliveryError: "
            "AccessDeniedException); its last delivery to CloudWatch Logs was at 2026-11-30T08:15:00+00:00, so no root usage "
            "reaches the metric filter"]

    def test_cloudwatch_logs_delivery_error_before_any_delivery(self):
        verdict = self._broken(lambda f: trail_entry(f)["status"].update(LatestCloudWatchLogsDeliveryError="AccessDeniedException"))
        assert verdict["passes"] is False
        assert "AccessDeniedException); it has not delivered to CloudWatch Logs yet" in verdict["reasons"][0]

    def test_a_delivery_time_without_an_error_passes(self):
        verdict = self._broken(lambda f: trail_entry(f)["status"].update(LatestCloudWatchLogsDeliveryTime=NOW))
        assert verdict["passes"] is True

    def test_a_delivery_error_on_one_trail_does_not_hide_a_working_one(self):
        def change(facts):
            broken = copy.deepcopy(trail_entry(facts))
            broken["trail"].update(Name="other", TrailARN=TRAIL_ARN + "-other")
            broken["status"]["LatestCloudWatchLogsDeliveryError"] = "AccessDeniedException"
            facts["trails"]["trails"].insert(0, broken)
        assert self._broken(change)["passes"] is True

    def test_filters_unread(self):
        assert self._broken(lambda f: f["metric_filters"][GROUP].update(error="AccessDenied"))["passes"] is None

    def test_no_alarm_on_the_metric(self):
        verdict = self._broken(lambda f: f["alarms"]["alarms"][0].update(Namespace="Other"))
        assert verdict["passes"] is False and "no alarm watches metric LogMetrics/RootAccountUsage" in verdict["reasons"][0]

    def test_alarms_unread(self):
        assert self._broken(lambda f: f.update(alarms={"error": "Throttling", "alarms": []}))["passes"] is None

    def test_alarm_without_sns_action(self):
        verdict = self._broken(lambda f: f["alarms"]["alarms"][0].update(AlarmActions=["arn:aws:automate:us-east-1:ec2:stop"]))
        assert verdict["passes"] is False and "no SNS topic" in verdict["reasons"][0]

    def test_topic_without_confirmed_subscriber(self):
        verdict = self._broken(lambda f: f["subscriptions"][TOPIC].update(subscriptions=[
            {"SubscriptionArn": "PendingConfirmation", "Protocol": "email", "Endpoint": "sec@example.com"}]))
        assert verdict["passes"] is False and "no confirmed subscription" in verdict["reasons"][0]

    def test_subscriptions_unread(self):
        assert self._broken(lambda f: f["subscriptions"][TOPIC].update(error="AuthorizationError"))["passes"] is None
        assert self._broken(lambda f: f["subscriptions"].clear())["status"] == "unknown"

    def test_trail_of_another_account_is_no_data(self):
        verdict = self._broken(lambda f: trail_entry(f)["trail"].update(
            TrailARN="arn:aws:cloudtrail:us-east-1:999999999999:trail/org", IsOrganizationTrail=True))
        assert verdict["passes"] is None and verdict["status"] == "no_data"
        assert "999999999999" in verdict["reasons"][0]

    def test_trail_in_another_region_is_no_data(self):
        verdict = self._broken(lambda f: trail_entry(f)["trail"].update(HomeRegion="eu-west-1"))
        assert verdict["status"] == "no_data"

    def test_one_good_trail_among_bad_ones_passes(self):
        def change(facts):
            bad = copy.deepcopy(trail_entry(facts))
            bad["trail"].update(Name="other", TrailARN=TRAIL_ARN + "-other", IsMultiRegionTrail=False)
            facts["trails"]["trails"].insert(0, bad)
        assert self._broken(change)["passes"] is True

    def test_failure_lists_every_trail(self):
        def change(facts):
            second = copy.deepcopy(trail_entry(facts))
            second["trail"].update(Name="other", TrailARN=TRAIL_ARN + "-other", IsMultiRegionTrail=False)
            facts["trails"]["trails"].append(second)
            trail_entry(facts)["status"] = {"IsLogging": False}
        verdict = self._broken(change)
        assert verdict["passes"] is False and len(verdict["reasons"]) == 2


# == what the verdict reads (DeliveryPathReader, CIS on and off) ==========================
CIS_TRAIL = {"Name": "root-login-alerts", "TrailARN": TRAIL_ARN, "HomeRegion": REGION, "IsMultiRegionTrail": True,
             "IncludeGlobalServiceEvents": True, "IsOrganizationTrail": False, "S3BucketName": "root-login-alerts-logs",
             "CloudWatchLogsLogGroupArn": GROUP_ARN, "CloudWatchLogsRoleArn": ROLE_ARN}
CIS_ALARM = {"AlarmName": "CIS-1.7-RootAccountUsage", "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:CIS-1.7-RootAccountUsage",
             "MetricName": "RootAccountUsage", "Namespace": "LogMetrics", "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1,
             "Threshold": 1.0, "ComparisonOperator": "GreaterThanOrEqualToThreshold", "ActionsEnabled": True, "AlarmActions": [TOPIC],
             "StateValue": "OK"}


def queue_trail_and_rules(stubs, status):
    cloudtrail = stubs.stub("cloudtrail")
    cloudtrail.add_response("describe_trails", {"trailList": [CIS_TRAIL]}, {"includeShadowTrails": True})
    cloudtrail.add_response("get_trail_status", status, {"Name": TRAIL_ARN})
    cloudtrail.add_response("get_event_selectors", {"TrailARN": TRAIL_ARN, "EventSelectors": [
        {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]}, {"TrailName": TRAIL_ARN})
    stubs.stub("events").add_response("list_rules", {"Rules": []}, {"EventBusName": "default"})


def queue_cis_reads(stubs):
    """The log group; DescribeMetricFilters in two pages, the CIS filter on the second (50 is the most a page
    holds, CloudWatch Logs API reference); the alarm on its metric; the alarm topic's subscriptions in two pages."""
    logs = stubs.stub("logs")
    logs.add_response("describe_log_groups", {"logGroups": [
        {"logGroupName": GROUP, "arn": GROUP_ARN, "logGroupArn": GROUP_BASE_ARN, "creationTime": 1, "storedBytes": 0}]},
        {"logGroupNamePrefix": GROUP})
    others = [{"filterName": "app-errors-%02d" % number, "logGroupName": GROUP, "filterPattern": '{ $.errorCode = "*" }',
               "creationTime": 1, "metricTransformations": [{"metricName": "Errors%02d" % number, "metricNamespace": "App",
                                                             "metricValue": "1"}]} for number in range(50)]
    logs.add_response("describe_metric_filters", {"metricFilters": others, "nextToken": "page-2"}, {"logGroupName": GROUP})
    logs.add_response("describe_metric_filters", {"metricFilters": [
        {"filterName": "CIS-RootAccountUsage", "logGroupName": GROUP, "filterPattern": SECURITY_HUB_PATTERN, "creationTime": 2,
         "metricTransformations": [{"metricName": "RootAccountUsage", "metricNamespace": "LogMetrics", "metricValue": "1"}]}]},
        {"logGroupName": GROUP, "nextToken": "page-2"})
    stubs.stub("cloudwatch").add_response("describe_alarms_for_metric", {"MetricAlarms": [CIS_ALARM]},
                                          {"MetricName": "RootAccountUsage", "Namespace": "LogMetrics"})
    sns = stubs.stub("sns")
    sns.add_response("list_subscriptions_by_topic", {"Subscriptions": [
        {"SubscriptionArn": "PendingConfirmation", "Owner": ACCOUNT, "Protocol": "email", "Endpoint": "new@example.com",
         "TopicArn": TOPIC}], "NextToken": "subscriptions-2"}, {"TopicArn": TOPIC})
    sns.add_response("list_subscriptions_by_topic", {"Subscriptions": [
        {"SubscriptionArn": TOPIC + ":0b1c2d3e", "Owner": ACCOUNT, "Protocol": "email", "Endpoint": "sec@example.com",
         "TopicArn": TOPIC}]}, {"TopicArn": TOPIC, "NextToken": "subscriptions-2"})


def read_and_judge(stubs):
    facts = DeliveryPathReader(stubs.factory, REGION, check_mode=True, account_id=ACCOUNT).read(None, cis=True)
    return facts, cis.cloudwatch1_verdict(dict(facts["cis"], trails=facts["trails"], account_id=ACCOUNT, region=REGION))


class TestReadForTheVerdict:
    def test_every_page_of_metric_filters_and_subscriptions_is_read(self, stubs):
        queue_trail_and_rules(stubs, {"IsLogging": True, "LatestDeliveryTime": NOW, "LatestCloudWatchLogsDeliveryTime": NOW,
                                      "StartLoggingTime": NOW})
        queue_cis_reads(stubs)
        facts, verdict = read_and_judge(stubs)
        assert len(facts["cis"]["metric_filters"][GROUP]["filters"]) == 51
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
        logs.add_response("describe_log_groups", {"logGroups": [{"logGroupName": GROUP, "arn": GROUP_ARN}]}, {"logGroupNamePrefix": GROUP})
        logs.add_response("describe_metric_filters", {"metricFilters": [], "nextToken": "page-2"}, {"logGroupName": GROUP})
        client_error(logs, "describe_metric_filters", "AccessDeniedException", expected={"logGroupName": GROUP, "nextToken": "page-2"})
        facts, verdict = read_and_judge(stubs)
        assert facts["cis"]["metric_filters"][GROUP] == {"error": "logs:DescribeMetricFilters %s: AccessDeniedException" % GROUP, "filters": []}
        assert verdict["status"] == "unknown" and "AccessDeniedException" in verdict["reasons"][0]

    def test_cis_off_reads_nothing_of_cis(self, stubs):
        queue_trail_and_rules(stubs, {"IsLogging": True})
        facts = DeliveryPathReader(stubs.factory, REGION, check_mode=True, account_id=ACCOUNT).read(None)
        assert "cis" not in facts
        assert not [key for key in stubs.clients if key[0] in ("logs", "cloudwatch")], "CIS off: no CloudWatch Logs or CloudWatch call"


# == LogGroupManager ===================================================================
def group(retention=None):
    item = {"logGroupName": GROUP, "arn": GROUP_ARN, "logGroupArn": GROUP_BASE_ARN, "creationTime": 1, "storedBytes": 0}
    if retention:
        item["retentionInDays"] = retention
    return item


def describe_groups(stubber, *groups, **extra):
    response = {"logGroups": list(groups)}
    response.update(extra.get("response", {}))
    stubber.add_response("describe_log_groups", response, dict({"logGroupNamePrefix": GROUP}, **extra.get("params", {})))


def group_tags(stubber, tags):
    stubber.add_response("list_tags_for_resource", {"tags": tags}, {"resourceArn": GROUP_BASE_ARN})


GROUP_PARAMS = {"name": GROUP, "state": "present", "retention_in_days": 365, "tags": dict(OWNER), "owner_tag": OWNER}


class TestLogGroupManager:
    def test_create(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs)
        logs.add_response("create_log_group", {}, {"logGroupName": GROUP, "tags": OWNER})
        logs.add_response("put_retention_policy", {}, {"logGroupName": GROUP, "retentionInDays": 365})
        result = manager(cis.LogGroupManager, stubs).ensure(dict(GROUP_PARAMS))
        assert result["changed"] is True
        assert result["changes"] == ["create log group %s" % GROUP]
        assert result["log_group_arn"] == GROUP_ARN
        assert result["diff"]["before"] == {} and result["diff"]["after"]["retention_in_days"] == 365
        assert result["facts"] == {"log_group": None, "tags": None}

    def test_converged_reads_only(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs, group(365))
        group_tags(logs, dict(OWNER, team="sec"))
        result = manager(cis.LogGroupManager, stubs).ensure(dict(GROUP_PARAMS, purge_tags=False))
        assert result["changed"] is False and result["changes"] == []
        assert result["diff"]["before"] == result["diff"]["after"]

    def test_prefix_pages_are_followed_to_the_exact_name(self, stubs):
        logs = stubs.stub("logs")
        longer = dict(group(), logGroupName=GROUP + "-old")
        describe_groups(logs, longer, response={"nextToken": "t"})
        describe_groups(logs, group(365), params={"nextToken": "t"})
        group_tags(logs, dict(OWNER))
        assert manager(cis.LogGroupManager, stubs).ensure(dict(GROUP_PARAMS))["changed"] is False

    def test_update_retention_and_tags(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs, group(30))
        group_tags(logs, dict(OWNER, old="x"))
        logs.add_response("put_retention_policy", {}, {"logGroupName": GROUP, "retentionInDays": 365})
        logs.add_response("untag_resource", {}, {"resourceArn": GROUP_BASE_ARN, "tagKeys": ["old"]})
        logs.add_response("tag_resource", {}, {"resourceArn": GROUP_BASE_ARN, "tags": {"team": "sec"}})
        result = manager(cis.LogGroupManager, stubs).ensure(dict(GROUP_PARAMS, tags=dict(OWNER, team="sec")))
        assert result["changed"] is True
        assert result["changes"] == ["update log group %s: retention, tags" % GROUP]
        assert result["diff"]["before"]["retention_in_days"] == 30 and result["diff"]["after"]["tags"] == dict(OWNER, team="sec")

    def test_check_mode_create_writes_nothing_and_predicts_the_arn(self, stubs):
        describe_groups(stubs.stub("logs"))
        result = manager(cis.LogGroupManager, stubs, check_mode=True).ensure(dict(GROUP_PARAMS))
        assert result["changed"] is True and result["log_group_arn"] == GROUP_ARN

    def test_check_mode_update_writes_nothing(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs, group(30))
        group_tags(logs, dict(OWNER))
        result = manager(cis.LogGroupManager, stubs, check_mode=True).ensure(dict(GROUP_PARAMS))
        assert result["changes"] == ["update log group %s: retention" % GROUP]

    def test_foreign_log_group_raises(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs, group(365))
        group_tags(logs, {"team": "other"})
        with pytest.raises(ForeignResourceError) as error:
            manager(cis.LogGroupManager, stubs).ensure(dict(GROUP_PARAMS))
        assert "root_login_alerts_cis_log_group_name" in str(error.value) and GROUP in str(error.value)

    def test_absent_deletes_ours(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs, group(365))
        group_tags(logs, dict(OWNER))
        logs.add_response("delete_log_group", {}, {"logGroupName": GROUP})
        result = manager(cis.LogGroupManager, stubs).ensure({"name": GROUP, "state": "absent", "owner_tag": OWNER})
        assert result["changed"] is True and result["changes"] == ["delete log group %s" % GROUP]
        assert result["diff"]["after"] == {}

    def test_absent_check_mode_writes_nothing(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs, group(365))
        group_tags(logs, dict(OWNER))
        result = manager(cis.LogGroupManager, stubs, check_mode=True).ensure({"name": GROUP, "state": "absent", "owner_tag": OWNER})
        assert result["changed"] is True

    def test_absent_keeps_a_foreign_log_group(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs, group(365))
        group_tags(logs, {})
        result = manager(cis.LogGroupManager, stubs).ensure({"name": GROUP, "state": "absent", "owner_tag": OWNER})
        assert result["changed"] is False and "not created by rootwatch.aws" in result["kept_because"]
        assert stubs.warnings

    def test_absent_when_missing(self, stubs):
        describe_groups(stubs.stub("logs"))
        result = manager(cis.LogGroupManager, stubs).ensure({"name": GROUP, "state": "absent", "owner_tag": OWNER})
        assert result["changed"] is False

    def test_known_saves_the_reads(self, stubs):
        result = manager(cis.LogGroupManager, stubs).ensure(dict(GROUP_PARAMS), known={"log_group": group(365), "tags": dict(OWNER)})
        assert result["changed"] is False

    @pytest.mark.parametrize("params", [{"name": "bad:name"}, {"name": GROUP, "retention_in_days": 2}, {"name": GROUP, "state": "gone"}])
    def test_validation_before_any_call(self, stubs, params):
        with pytest.raises(ValueError):
            manager(cis.LogGroupManager, stubs).ensure(params)


# == MetricFilterManager ===============================================================
FILTER_PARAMS = {"name": FILTER, "log_group_name": GROUP, "state": "present", "owner_tag": OWNER}


def metric_filter(namespace=cis.CIS_NAMESPACE, pattern=cis.CIS_ROOT_USAGE_PATTERN):
    return {"filterName": FILTER, "logGroupName": GROUP, "filterPattern": pattern, "creationTime": 1,
            "metricTransformations": [{"metricName": "RootAccountUsage", "metricNamespace": namespace, "metricValue": "1"}]}


def describe_filters(stubber, *items):
    stubber.add_response("describe_metric_filters", {"metricFilters": list(items)},
                         {"logGroupName": GROUP, "filterNamePrefix": FILTER})


class TestMetricFilterManager:
    def test_create(self, stubs):
        logs = stubs.stub("logs")
        describe_filters(logs)
        logs.add_response("put_metric_filter", {}, cis.metric_filter_spec(FILTER, GROUP))
        result = manager(cis.MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS))
        assert result["changed"] is True and result["changes"] == ["create metric filter %s on log group %s" % (FILTER, GROUP)]
        assert result["metric_filter"]["metric_namespace"] == "rootwatch.aws/CIS"

    def test_converged_reads_only(self, stubs):
        describe_filters(stubs.stub("logs"), dict(metric_filter(), filterName=FILTER + "-2"), metric_filter())
        result = manager(cis.MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS))
        assert result["changed"] is False and result["changes"] == []

    def test_update_pattern(self, stubs):
        logs = stubs.stub("logs")
        describe_filters(logs, metric_filter(pattern=SECURITY_HUB_PATTERN))
        logs.add_response("put_metric_filter", {}, cis.metric_filter_spec(FILTER, GROUP))
        result = manager(cis.MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS))
        assert result["changes"] == ["update metric filter %s: pattern" % FILTER]

    def test_our_filter_with_reordered_terms_is_rewritten(self, stubs):
        logs = stubs.stub("logs")
        describe_filters(logs, metric_filter(pattern=(
            '{ $.eventType != "AwsServiceEvent" && $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }')))
        logs.add_response("put_metric_filter", {}, cis.metric_filter_spec(FILTER, GROUP))
        result = manager(cis.MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS))
        assert result["changes"] == ["update metric filter %s: pattern" % FILTER]

    def test_pages_are_followed_to_our_filter(self, stubs):
        logs = stubs.stub("logs")
        logs.add_response("describe_metric_filters", {"metricFilters": [dict(metric_filter(), filterName=FILTER + "-old")],
                                                      "nextToken": "page-2"}, {"logGroupName": GROUP, "filterNamePrefix": FILTER})
        logs.add_response("describe_metric_filters", {"metricFilters": [metric_filter()]},
                          {"logGroupName": GROUP, "filterNamePrefix": FILTER, "nextToken": "page-2"})
        assert manager(cis.MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS))["changed"] is False

    def test_update_metric(self, stubs):
        logs = stubs.stub("logs")
        describe_filters(logs, metric_filter())
        logs.add_response("put_metric_filter", {}, cis.metric_filter_spec(FILTER, GROUP, "RootUse"))
        result = manager(cis.MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS, metric_name="RootUse"))
        assert result["changes"] == ["update metric filter %s: metric" % FILTER]

    def test_check_mode_writes_nothing_even_before_the_log_group_exists(self, stubs):
        client_error(stubs.stub("logs"), "describe_metric_filters", "ResourceNotFoundException")
        result = manager(cis.MetricFilterManager, stubs, check_mode=True).ensure(dict(FILTER_PARAMS))
        assert result["changed"] is True

    def test_foreign_filter_raises(self, stubs):
        describe_filters(stubs.stub("logs"), metric_filter(namespace="LogMetrics"))
        with pytest.raises(ForeignResourceError) as error:
            manager(cis.MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS))
        text = str(error.value)
        assert "root_login_alerts_cis_metric_filter_name" in text and "LogMetrics" in text and "metric namespace" in text

    def test_our_namespace_is_required(self, stubs):
        with pytest.raises(ValueError):
            manager(cis.MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS, metric_namespace="LogMetrics"))

    def test_absent_deletes_ours(self, stubs):
        logs = stubs.stub("logs")
        describe_filters(logs, metric_filter())
        logs.add_response("delete_metric_filter", {}, {"logGroupName": GROUP, "filterName": FILTER})
        result = manager(cis.MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS, state="absent"))
        assert result["changes"] == ["delete metric filter %s on log group %s" % (FILTER, GROUP)]

    def test_absent_check_mode_writes_nothing(self, stubs):
        describe_filters(stubs.stub("logs"), metric_filter())
        assert manager(cis.MetricFilterManager, stubs, check_mode=True).ensure(dict(FILTER_PARAMS, state="absent"))["changed"] is True

    def test_absent_keeps_a_foreign_filter(self, stubs):
        describe_filters(stubs.stub("logs"), metric_filter(namespace="LogMetrics"))
        result = manager(cis.MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS, state="absent"))
        assert result["changed"] is False and "LogMetrics" in result["kept_because"]

    def test_absent_when_the_log_group_is_gone(self, stubs):
        client_error(stubs.stub("logs"), "describe_metric_filters", "ResourceNotFoundException")
        assert manager(cis.MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS, state="absent"))["changed"] is False


# == AlarmManager ======================================================================
ALARM_PARAMS = {"name": ALARM, "state": "present", "metric_name": "RootAccountUsage", "namespace": cis.CIS_NAMESPACE,
                "topic_arn": TOPIC, "tags": dict(OWNER), "owner_tag": OWNER}


def alarm(**changes):
    item = dict(cis.alarm_spec("RootAccountUsage", cis.CIS_NAMESPACE, TOPIC), AlarmName=ALARM, AlarmArn=ALARM_ARN,
                ActionsEnabled=True, Dimensions=[], OKActions=[], InsufficientDataActions=[],
                AlarmDescription=cis.DEFAULT_ALARM_DESCRIPTION, StateValue="OK")
    item.update(changes)
    return item


def describe_alarm(stubber, *alarms):
    stubber.add_response("describe_alarms", {"MetricAlarms": list(alarms)}, {"AlarmNames": [ALARM], "AlarmTypes": ["MetricAlarm"]})


def alarm_tags(stubber, tags):
    stubber.add_response("list_tags_for_resource", {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}, {"ResourceARN": ALARM_ARN})


def put_alarm_params(**extra):
    params = dict(cis.alarm_spec("RootAccountUsage", cis.CIS_NAMESPACE, TOPIC), AlarmName=ALARM, ActionsEnabled=True,
                  Dimensions=[], AlarmDescription=cis.DEFAULT_ALARM_DESCRIPTION)
    params.update(extra)
    return params


class TestAlarmManager:
    def test_create_with_tags(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch)
        cloudwatch.add_response("put_metric_alarm", {}, put_alarm_params(
            Tags=[{"Key": "rootwatch:created-by", "Value": "root_login_alerts"}]))
        result = manager(cis.AlarmManager, stubs).ensure(dict(ALARM_PARAMS))
        assert result["changed"] is True and result["changes"] == ["create alarm %s" % ALARM]
        assert result["alarm_arn"] == ALARM_ARN

    def test_converged_reads_only(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch, alarm())
        alarm_tags(cloudwatch, OWNER)
        result = manager(cis.AlarmManager, stubs).ensure(dict(ALARM_PARAMS))
        assert result["changed"] is False and result["changes"] == []

    def test_update_actions_keeps_the_other_actions(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        other = "arn:aws:sns:us-east-1:123456789012:ops"
        describe_alarm(cloudwatch, alarm(AlarmActions=[other], OKActions=[other], Threshold=5.0))
        alarm_tags(cloudwatch, OWNER)
        cloudwatch.add_response("put_metric_alarm", {}, put_alarm_params(OKActions=[other]))
        result = manager(cis.AlarmManager, stubs).ensure(dict(ALARM_PARAMS))
        assert result["changes"] == ["update alarm %s: threshold, actions" % ALARM]
        assert result["diff"]["before"]["AlarmActions"] == [other] and result["diff"]["after"]["AlarmActions"] == [TOPIC]

    def test_tags_only_use_tag_resource(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch, alarm())
        alarm_tags(cloudwatch, dict(OWNER, old="1"))
        cloudwatch.add_response("untag_resource", {}, {"ResourceARN": ALARM_ARN, "TagKeys": ["old"]})
        result = manager(cis.AlarmManager, stubs).ensure(dict(ALARM_PARAMS))
        assert result["changes"] == ["update alarm %s: tags" % ALARM]

    def test_check_mode_writes_nothing_and_predicts_the_arn(self, stubs):
        describe_alarm(stubs.stub("cloudwatch"))
        result = manager(cis.AlarmManager, stubs, check_mode=True).ensure(dict(ALARM_PARAMS))
        assert result["changed"] is True and result["alarm_arn"] == ALARM_ARN

    def test_check_mode_update_writes_nothing(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch, alarm(TreatMissingData="breaching"))
        alarm_tags(cloudwatch, OWNER)
        result = manager(cis.AlarmManager, stubs, check_mode=True).ensure(dict(ALARM_PARAMS))
        assert result["changes"] == ["update alarm %s: missing data" % ALARM]

    def test_foreign_alarm_raises(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch, alarm())
        alarm_tags(cloudwatch, {})
        with pytest.raises(ForeignResourceError) as error:
            manager(cis.AlarmManager, stubs).ensure(dict(ALARM_PARAMS))
        assert "root_login_alerts_cis_alarm_name" in str(error.value)

    def test_topic_must_be_an_sns_topic(self, stubs):
        describe_alarm(stubs.stub("cloudwatch"))
        with pytest.raises(ValueError):
            manager(cis.AlarmManager, stubs).ensure(dict(ALARM_PARAMS, topic_arn="alerts"))

    def test_absent_deletes_ours(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch, alarm())
        alarm_tags(cloudwatch, OWNER)
        cloudwatch.add_response("delete_alarms", {}, {"AlarmNames": [ALARM]})
        result = manager(cis.AlarmManager, stubs).ensure({"name": ALARM, "state": "absent", "owner_tag": OWNER})
        assert result["changes"] == ["delete alarm %s" % ALARM]

    def test_absent_check_mode_writes_nothing(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch, alarm())
        alarm_tags(cloudwatch, OWNER)
        assert manager(cis.AlarmManager, stubs, check_mode=True).ensure({"name": ALARM, "state": "absent", "owner_tag": OWNER})["changed"] is True

    def test_absent_keeps_a_foreign_alarm(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch, alarm())
        alarm_tags(cloudwatch, {"team": "other"})
        result = manager(cis.AlarmManager, stubs).ensure({"name": ALARM, "state": "absent", "owner_tag": OWNER})
        assert result["changed"] is False and result["kept_because"]
