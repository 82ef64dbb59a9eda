# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CloudWatch alarm on the CIS metric filter's metric, notifying the SNS topic (the CIS CloudWatch.1 option).

Ownership: the alarm carries the owner tag; a same-named alarm without it is someone else's and is left alone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import alarm_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import is_sns_topic_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import make_diff
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import foreign_resource_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import kept_because
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import tag_plan
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import update_line
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import with_tags
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_state
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.metric_filter import CIS_NAMESPACE
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.metric_filter import DEFAULT_METRIC_NAME

DEFAULT_ALARM_DESCRIPTION = "CIS CloudWatch.1: usage of the root user (rootwatch.aws)"


def alarm_spec(metric_name, namespace, topic_arn):
    """PutMetricAlarm arguments (without AlarmName): ALARM at one matching event in 5 minutes."""
    return {
        "MetricName": metric_name,
        "Namespace": namespace,
        "Statistic": "Sum",
        "Period": 300,
        "EvaluationPeriods": 1,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmActions": [topic_arn],
    }


ALARM_COMPARED = ("MetricName", "Namespace", "Statistic", "Period", "EvaluationPeriods", "Threshold",
                  "ComparisonOperator", "TreatMissingData", "AlarmActions", "AlarmDescription", "ActionsEnabled",
                  "Dimensions")
ALARM_WORDS = {"AlarmActions": "actions", "AlarmDescription": "description", "ActionsEnabled": "actions enabled",
               "MetricName": "metric", "Namespace": "metric", "Dimensions": "metric", "Statistic": "statistic",
               "Period": "period", "EvaluationPeriods": "evaluation periods", "Threshold": "threshold",
               "ComparisonOperator": "comparison", "TreatMissingData": "missing data"}
# Kept as they are when the alarm is rewritten (PutMetricAlarm replaces the whole alarm).
ALARM_KEPT = ("OKActions", "InsufficientDataActions")


class AlarmManager(ResourceManager):
    """The CloudWatch alarm on the filter's metric, notifying the SNS topic.

    ``ensure(params, known)`` params: ``name``, ``state``, ``metric_name``,
    ``namespace`` (the filter's metric), ``topic_arn``, ``description``, ``tags``,
    ``purge_tags``, ``owner_tag``. The rest is :func:`alarm_spec`, with actions
    enabled and no dimensions. ``known`` may hold ``alarm`` (DescribeAlarms'
    MetricAlarm, None when absent) and ``tags``. Extra keys: ``alarm`` (view) and
    ``alarm_arn``.
    """

    kind = "alarm"

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(AlarmManager, self).__init__(clients, region, check_mode, warn, account_id)
        self.cloudwatch = clients("cloudwatch", region)

    def describe(self, name):
        alarms = aws_call("describe alarm %s" % name, self.cloudwatch.describe_alarms, AlarmNames=[name],
                          AlarmTypes=["MetricAlarm"]).get("MetricAlarms", [])
        return next((a for a in alarms if a.get("AlarmName") == name), None)

    def list_tags(self, arn):
        listed = aws_call("list the tags of alarm %s" % arn, self.cloudwatch.list_tags_for_resource, ResourceARN=arn)
        return boto3_tag_list_to_ansible_dict(listed.get("Tags", []))

    @staticmethod
    def desired(params):
        topic = params.get("topic_arn")
        if not is_sns_topic_arn(topic):
            raise ValidationError("topic_arn must be an SNS topic ARN, got %r" % topic)
        spec = alarm_spec(params.get("metric_name") or DEFAULT_METRIC_NAME, params.get("namespace") or CIS_NAMESPACE, topic)
        spec.update(ActionsEnabled=True, Dimensions=[], AlarmDescription=params.get("description") or DEFAULT_ALARM_DESCRIPTION)
        return spec

    @staticmethod
    def _comparable(alarm, key):
        value = (alarm or {}).get(key)
        if key in ("AlarmActions", "Dimensions"):
            return sorted(value or [], key=lambda v: json.dumps(v, sort_keys=True))
        if key == "Threshold" and value is not None:
            return float(value)
        if key == "AlarmDescription":
            return value or ""
        return value

    @staticmethod
    def view(name, arn, alarm, tags):
        if alarm is None:
            return None
        view = {"name": name, "arn": arn}
        for key in ALARM_COMPARED:
            view[key] = copy.deepcopy(alarm.get(key))
        return with_tags(view, tags)

    def ensure(self, params, known=None):
        state = validate_state(params)
        name = params.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 255:
            raise ValidationError("name must be 1-255 characters, got %r" % name)
        known = known or {}
        owner_tag = params.get("owner_tag")
        current = known["alarm"] if "alarm" in known else self.describe(name)
        arn = current.get("AlarmArn") if current else alarm_arn(self.region, self.account_id, name)
        need_tags = current is not None and (params.get("tags") is not None or owner_tag)
        tags = (known["tags"] if "tags" in known else self.list_tags(arn)) if need_tags else None
        facts = {"alarm": current, "tags": tags}
        if state == "absent":
            return self._absent(name, arn, current, tags, owner_tag, facts)
        if current is not None and not is_owned(tags, owner_tag):
            raise ForeignResourceError(foreign_resource_message(
                "CloudWatch alarm", name, self.region, owner_tag))
        desired = self.desired(params)
        to_set, to_unset, final_tags = tag_plan(tags, params.get("tags"), params.get("purge_tags", True))
        what = []
        if current is not None:
            for key in ALARM_COMPARED:
                word = ALARM_WORDS[key]
                if self._comparable(current, key) != self._comparable(desired, key) and word not in what:
                    what.append(word)
            if to_set or to_unset:
                what.append("tags")
        rewrite = current is None or any(w != "tags" for w in what)
        if (current is None or what) and not self.check_mode:
            if rewrite:
                put = dict(desired, AlarmName=name)
                for key in ALARM_KEPT:
                    if current and current.get(key):
                        put[key] = current[key]
                if current is None and final_tags:
                    # PutMetricAlarm applies Tags on creation only; later changes go through TagResource.
                    put["Tags"] = ansible_dict_to_boto3_tag_list(final_tags)
                aws_call("put alarm %s" % name, self.cloudwatch.put_metric_alarm, **put)
            if current is not None and to_unset:
                aws_call("untag alarm %s" % name, self.cloudwatch.untag_resource, ResourceARN=arn, TagKeys=to_unset)
            if current is not None and to_set:
                aws_call("tag alarm %s" % name, self.cloudwatch.tag_resource, ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(to_set))
        after = self.view(name, arn, desired, final_tags if current is not None else (final_tags or {}))
        if current is None:
            changes = ["create %s %s" % (self.kind, name)]
        else:
            changes = [update_line(self.kind, name, what)] if what else []
        return manager_result(current is None or bool(what), make_diff(self.view(name, arn, current, tags), after),
                              changes, facts, alarm=after, alarm_arn=arn)

    def _absent(self, name, arn, current, tags, owner_tag, facts):
        if current is None:
            return manager_result(False, make_diff(None, None), [], facts, alarm={}, alarm_arn=None)
        before = self.view(name, arn, current, tags)
        if owner_tag and not is_owned(tags, owner_tag):
            why = kept_because("Alarm", name, owner_tag, self.warn)
            return manager_result(False, make_diff(before, before), [], facts, alarm=before, alarm_arn=arn, kept_because=why)
        if not self.check_mode:
            aws_call("delete alarm %s" % name, self.cloudwatch.delete_alarms, AlarmNames=[name])
        return manager_result(True, make_diff(before, None), ["delete %s %s" % (self.kind, name)], facts, alarm={}, alarm_arn=None)
