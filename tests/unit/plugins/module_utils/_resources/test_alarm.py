# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AlarmManager and its PutMetricAlarm arguments, against stubbed AWS answers.

A Stubber fails on any call not queued, so a test that queues only reads proves
that nothing was written (converged runs and check mode).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.alarm import DEFAULT_ALARM_DESCRIPTION
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.alarm import AlarmManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.alarm import alarm_spec
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.metric_filter import CIS_NAMESPACE

from aws_stubs import manager  # pylint: disable=import-error

ACCOUNT = "123456789012"
REGION = "us-east-1"
OWNER = {"rootwatch:created-by": "root_login_alerts"}
TOPIC = "arn:aws:sns:us-east-1:123456789012:root-login-alerts"
ALARM = "rootwatch-cis-root-usage"
ALARM_ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:rootwatch-cis-root-usage"


ALARM_PARAMS = {"name": ALARM, "state": "present", "metric_name": "RootAccountUsage", "namespace": CIS_NAMESPACE,
                "topic_arn": TOPIC, "tags": dict(OWNER), "owner_tag": OWNER}


def alarm(**changes):
    item = dict(alarm_spec("RootAccountUsage", CIS_NAMESPACE, TOPIC), AlarmName=ALARM, AlarmArn=ALARM_ARN,
                ActionsEnabled=True, Dimensions=[], OKActions=[], InsufficientDataActions=[],
                AlarmDescription=DEFAULT_ALARM_DESCRIPTION, StateValue="OK")
    item.update(changes)
    return item


def describe_alarm(stubber, *alarms):
    stubber.add_response("describe_alarms", {"MetricAlarms": list(alarms)}, {"AlarmNames": [ALARM], "AlarmTypes": ["MetricAlarm"]})


def alarm_tags(stubber, tags):
    stubber.add_response("list_tags_for_resource", {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}, {"ResourceARN": ALARM_ARN})


def put_alarm_params(**extra):
    params = dict(alarm_spec("RootAccountUsage", CIS_NAMESPACE, TOPIC), AlarmName=ALARM, ActionsEnabled=True,
                  Dimensions=[], AlarmDescription=DEFAULT_ALARM_DESCRIPTION)
    params.update(extra)
    return params


class TestAlarmManager:
    def test_alarm_spec(self):
        assert alarm_spec("RootAccountUsage", "rootwatch.aws/CIS", TOPIC) == {
            "MetricName": "RootAccountUsage", "Namespace": "rootwatch.aws/CIS", "Statistic": "Sum", "Period": 300,
            "EvaluationPeriods": 1, "Threshold": 1.0, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching", "AlarmActions": [TOPIC]}

    def test_create_with_tags(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch)
        cloudwatch.add_response("put_metric_alarm", {}, put_alarm_params(
            Tags=[{"Key": "rootwatch:created-by", "Value": "root_login_alerts"}]))
        result = manager(AlarmManager, stubs).ensure(dict(ALARM_PARAMS))
        assert result["changed"] is True and result["changes"] == ["create alarm %s" % ALARM]
        assert result["alarm_arn"] == ALARM_ARN

    def test_converged_reads_only(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch, alarm())
        alarm_tags(cloudwatch, OWNER)
        result = manager(AlarmManager, stubs).ensure(dict(ALARM_PARAMS))
        assert result["changed"] is False and result["changes"] == []

    def test_update_actions_keeps_the_other_actions(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        other = "arn:aws:sns:us-east-1:123456789012:ops"
        describe_alarm(cloudwatch, alarm(AlarmActions=[other], OKActions=[other], Threshold=5.0))
        alarm_tags(cloudwatch, OWNER)
        cloudwatch.add_response("put_metric_alarm", {}, put_alarm_params(OKActions=[other]))
        result = manager(AlarmManager, stubs).ensure(dict(ALARM_PARAMS))
        assert result["changes"] == ["update alarm %s: threshold, actions" % ALARM]
        assert result["diff"]["before"]["AlarmActions"] == [other] and result["diff"]["after"]["AlarmActions"] == [TOPIC]

    def test_tags_only_use_tag_resource(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch, alarm())
        alarm_tags(cloudwatch, dict(OWNER, old="1"))
        cloudwatch.add_response("untag_resource", {}, {"ResourceARN": ALARM_ARN, "TagKeys": ["old"]})
        result = manager(AlarmManager, stubs).ensure(dict(ALARM_PARAMS))
        assert result["changes"] == ["update alarm %s: tags" % ALARM]

    def test_check_mode_writes_nothing_and_predicts_the_arn(self, stubs):
        describe_alarm(stubs.stub("cloudwatch"))
        result = manager(AlarmManager, stubs, check_mode=True).ensure(dict(ALARM_PARAMS))
        assert result["changed"] is True and result["alarm_arn"] == ALARM_ARN

    def test_check_mode_update_writes_nothing(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch, alarm(TreatMissingData="breaching"))
        alarm_tags(cloudwatch, OWNER)
        result = manager(AlarmManager, stubs, check_mode=True).ensure(dict(ALARM_PARAMS))
        assert result["changes"] == ["update alarm %s: missing data" % ALARM]

    def test_foreign_alarm_raises(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch, alarm())
        alarm_tags(cloudwatch, {})
        with pytest.raises(ForeignResourceError) as error:
            manager(AlarmManager, stubs).ensure(dict(ALARM_PARAMS))
        assert "Either choose another name, so rootwatch.aws builds its own" in str(error.value)

    def test_topic_must_be_an_sns_topic(self, stubs):
        describe_alarm(stubs.stub("cloudwatch"))
        with pytest.raises(ValueError):
            manager(AlarmManager, stubs).ensure(dict(ALARM_PARAMS, topic_arn="alerts"))

    def test_absent_deletes_ours(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch, alarm())
        alarm_tags(cloudwatch, OWNER)
        cloudwatch.add_response("delete_alarms", {}, {"AlarmNames": [ALARM]})
        result = manager(AlarmManager, stubs).ensure({"name": ALARM, "state": "absent", "owner_tag": OWNER})
        assert result["changes"] == ["delete alarm %s" % ALARM]

    def test_absent_check_mode_writes_nothing(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch, alarm())
        alarm_tags(cloudwatch, OWNER)
        assert manager(AlarmManager, stubs, check_mode=True).ensure({"name": ALARM, "state": "absent", "owner_tag": OWNER})["changed"] is True

    def test_absent_keeps_a_foreign_alarm(self, stubs):
        cloudwatch = stubs.stub("cloudwatch")
        describe_alarm(cloudwatch, alarm())
        alarm_tags(cloudwatch, {"team": "other"})
        result = manager(AlarmManager, stubs).ensure({"name": ALARM, "state": "absent", "owner_tag": OWNER})
        assert result["changed"] is False and result["kept_because"]
