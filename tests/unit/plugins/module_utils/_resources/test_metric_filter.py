# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MetricFilterManager and its PutMetricFilter arguments, against stubbed AWS answers.

A Stubber fails on any call not queued, so a test that queues only reads proves
that nothing was written (converged runs and check mode).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.metric_filter_pattern import CIS_ROOT_USAGE_PATTERN
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.metric_filter import CIS_NAMESPACE
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.metric_filter import MetricFilterManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.metric_filter import metric_filter_spec

from aws_stubs import client_error, manager  # pylint: disable=import-error

ACCOUNT = "123456789012"
REGION = "us-east-1"
OWNER = {"rootwatch:created-by": "root_login_alerts"}
GROUP = "rootwatch/cloudtrail"
FILTER = "rootwatch-cis-root-usage"
# Security Hub's remediation prints the CIS pattern without spaces around the operators.
SECURITY_HUB_PATTERN = '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}'


FILTER_PARAMS = {"name": FILTER, "log_group_name": GROUP, "state": "present", "owner_tag": OWNER}


def metric_filter(namespace=CIS_NAMESPACE, pattern=CIS_ROOT_USAGE_PATTERN):
    return {"filterName": FILTER, "logGroupName": GROUP, "filterPattern": pattern, "creationTime": 1,
            "metricTransformations": [{"metricName": "RootAccountUsage", "metricNamespace": namespace, "metricValue": "1"}]}


def describe_filters(stubber, *items):
    stubber.add_response("describe_metric_filters", {"metricFilters": list(items)},
                         {"logGroupName": GROUP, "filterNamePrefix": FILTER})


class TestMetricFilterManager:
    def test_metric_filter_spec(self):
        assert metric_filter_spec(FILTER, GROUP) == {
            "logGroupName": GROUP, "filterName": FILTER, "filterPattern": CIS_ROOT_USAGE_PATTERN,
            "metricTransformations": [{"metricName": "RootAccountUsage", "metricNamespace": "rootwatch.aws/CIS", "metricValue": "1"}]}

    def test_create(self, stubs):
        logs = stubs.stub("logs")
        describe_filters(logs)
        logs.add_response("put_metric_filter", {}, metric_filter_spec(FILTER, GROUP))
        result = manager(MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS))
        assert result["changed"] is True and result["changes"] == ["create metric filter %s on log group %s" % (FILTER, GROUP)]
        assert result["metric_filter"]["metric_namespace"] == "rootwatch.aws/CIS"

    def test_converged_reads_only(self, stubs):
        describe_filters(stubs.stub("logs"), dict(metric_filter(), filterName=FILTER + "-2"), metric_filter())
        result = manager(MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS))
        assert result["changed"] is False and result["changes"] == []

    def test_update_pattern(self, stubs):
        logs = stubs.stub("logs")
        describe_filters(logs, metric_filter(pattern=SECURITY_HUB_PATTERN))
        logs.add_response("put_metric_filter", {}, metric_filter_spec(FILTER, GROUP))
        result = manager(MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS))
        assert result["changes"] == ["update metric filter %s: pattern" % FILTER]

    def test_our_filter_with_reordered_terms_is_rewritten(self, stubs):
        logs = stubs.stub("logs")
        describe_filters(logs, metric_filter(pattern=(
            '{ $.eventType != "AwsServiceEvent" && $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }')))
        logs.add_response("put_metric_filter", {}, metric_filter_spec(FILTER, GROUP))
        result = manager(MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS))
        assert result["changes"] == ["update metric filter %s: pattern" % FILTER]

    def test_pages_are_followed_to_our_filter(self, stubs):
        logs = stubs.stub("logs")
        logs.add_response("describe_metric_filters", {"metricFilters": [dict(metric_filter(), filterName=FILTER + "-old")],
                                                      "nextToken": "page-2"}, {"logGroupName": GROUP, "filterNamePrefix": FILTER})
        logs.add_response("describe_metric_filters", {"metricFilters": [metric_filter()]},
                          {"logGroupName": GROUP, "filterNamePrefix": FILTER, "nextToken": "page-2"})
        assert manager(MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS))["changed"] is False

    def test_update_metric(self, stubs):
        logs = stubs.stub("logs")
        describe_filters(logs, metric_filter())
        logs.add_response("put_metric_filter", {}, metric_filter_spec(FILTER, GROUP, "RootUse"))
        result = manager(MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS, metric_name="RootUse"))
        assert result["changes"] == ["update metric filter %s: metric" % FILTER]

    def test_check_mode_writes_nothing_even_before_the_log_group_exists(self, stubs):
        client_error(stubs.stub("logs"), "describe_metric_filters", "ResourceNotFoundException")
        result = manager(MetricFilterManager, stubs, check_mode=True).ensure(dict(FILTER_PARAMS))
        assert result["changed"] is True

    def test_foreign_filter_raises(self, stubs):
        describe_filters(stubs.stub("logs"), metric_filter(namespace="LogMetrics"))
        with pytest.raises(ForeignResourceError) as error:
            manager(MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS))
        text = str(error.value)
        assert "Either choose another name, so" in text and "LogMetrics" in text and "metric namespace" in text

    def test_our_namespace_is_required(self, stubs):
        with pytest.raises(ValueError):
            manager(MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS, metric_namespace="LogMetrics"))

    def test_absent_deletes_ours(self, stubs):
        logs = stubs.stub("logs")
        describe_filters(logs, metric_filter())
        logs.add_response("delete_metric_filter", {}, {"logGroupName": GROUP, "filterName": FILTER})
        result = manager(MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS, state="absent"))
        assert result["changes"] == ["delete metric filter %s on log group %s" % (FILTER, GROUP)]

    def test_absent_check_mode_writes_nothing(self, stubs):
        describe_filters(stubs.stub("logs"), metric_filter())
        assert manager(MetricFilterManager, stubs, check_mode=True).ensure(dict(FILTER_PARAMS, state="absent"))["changed"] is True

    def test_absent_keeps_a_foreign_filter(self, stubs):
        describe_filters(stubs.stub("logs"), metric_filter(namespace="LogMetrics"))
        result = manager(MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS, state="absent"))
        assert result["changed"] is False and "LogMetrics" in result["kept_because"]

    def test_absent_when_the_log_group_is_gone(self, stubs):
        client_error(stubs.stub("logs"), "describe_metric_filters", "ResourceNotFoundException")
        assert manager(MetricFilterManager, stubs).ensure(dict(FILTER_PARAMS, state="absent"))["changed"] is False
