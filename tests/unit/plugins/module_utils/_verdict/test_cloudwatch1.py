# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CloudWatch.1 verdict, from facts written out here (the ``delivery_reader`` shape)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.metric_filter_pattern import CIS_ROOT_USAGE_PATTERN
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.cloudwatch1 import cloudwatch1_verdict

ACCOUNT = "123456789012"
REGION = "us-east-1"
GROUP = "rootwatch/cloudtrail"
GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:rootwatch/cloudtrail:*"
TOPIC = "arn:aws:sns:us-east-1:123456789012:root-login-alerts"
TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/root-login-alerts"
# Security Hub's remediation prints the CIS pattern without spaces around the operators.
SECURITY_HUB_PATTERN = '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}'
NOW = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)


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
        verdict = cloudwatch1_verdict(passing_facts())
        assert verdict["passes"] is True and verdict["status"] == "passed"
        assert "org-trail" in verdict["reasons"][0] and "CIS-1.7-RootAccountUsage" in verdict["reasons"][0]

    def test_nothing_read(self):
        assert cloudwatch1_verdict({})["passes"] is None
        assert cloudwatch1_verdict(None)["status"] == "unknown"

    def test_trails_read_failed(self):
        facts = passing_facts()
        facts["trails"] = {"error": "AccessDenied", "trails": []}
        verdict = cloudwatch1_verdict(facts)
        assert verdict["passes"] is None and "AccessDenied" in verdict["reasons"][0]

    def test_no_trail(self):
        facts = passing_facts()
        facts["trails"]["trails"] = []
        assert cloudwatch1_verdict(facts) == {"passes": False, "status": "failed", "reasons": ["no CloudTrail trail is configured"]}

    def _broken(self, change):
        facts = passing_facts()
        change(facts)
        return cloudwatch1_verdict(facts)

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
            facts["metric_filters"][GROUP]["filters"][0]["filterPattern"] = CIS_ROOT_USAGE_PATTERN
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
