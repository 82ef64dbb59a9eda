# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CIS CloudWatch.1 option: a metric filter and an alarm on root usage.

Security Hub control CloudWatch.1, "A log metric filter and alarm should exist
for usage of the "root" user" (CIS AWS Foundations Benchmark v1.2.0/1.1 and
3.3, v1.4.0/1.7 and 4.3), in the Security Hub controls reference:
https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-1

- "To run this check, Security Hub uses custom logic to perform the exact audit
  steps prescribed for control 1.7 in the CIS AWS Foundations Benchmark v1.4.0.
  This control fails if the exact metric filters prescribed by CIS are not
  used. Additional fields or terms cannot be added to the metric filters."
- "The check results in FAILED findings in the following cases: No trail is
  configured. The available trails that are in the current Region and that are
  owned by current account do not meet the control requirements."
- "The check results in a control status of NO_DATA in the following cases: The
  multi-Region trail is based in a different Region. [...] The multi-Region
  trail belongs to a different account."
- "For the alarm, the current account must either own the referenced Amazon SNS
  topic, or must get access to the Amazon SNS topic by calling
  ListSubscriptionsByTopic. Otherwise Security Hub generates WARNING findings."
- Remediation: "Create at least one subscriber to the topic", "set up an active
  CloudTrail that applies to all Regions" (CloudTrail.1: "at least one
  multi-Region trail that includes read and write management events"), a
  metric filter with the pattern on the trail's log group, and an alarm on its
  metric (threshold Static, Greater/Equal 1) whose ALARM action is the topic.

The CIS audit steps behind it (CIS v1.4.0 4.3, as the Security Hub page and
CIS-derived checks quote them): a trail with IsMultiRegionTrail true,
CloudWatchLogsLogGroupArn set, IsLogging true and an event selector with
IncludeManagementEvents true and ReadWriteType All; a metric filter on that log
group with the pattern; an alarm on the filter's metric; its AlarmActions name
an SNS topic; and "at least one active subscriber to the SNS topic".

:func:`cloudwatch1_verdict` judges those links from facts someone else read;
the managers build the three pieces this collection owns: a log group, the
metric filter and the alarm. The IAM role CloudTrail assumes to write to the
group comes from ``docs/member-role.yml`` (``EnableCisMetricFilter``) and is only
read and judged (``iam_roles``). Attaching the log group and role to the trail is
the trail manager's concern.

Ownership. Log groups and alarms carry the owner tag. Metric filters
cannot carry tags, and a filter name that only we use proves nothing (anyone
may pick it). The record of ownership of a metric filter is its metric
namespace: every filter rootwatch.aws writes publishes into a namespace under
``rootwatch.aws/`` (by default ``rootwatch.aws/CIS``), which the CIS and
Security Hub remediation never use (they suggest ``LogMetrics``). A filter with
our name that publishes elsewhere is someone else's and is left alone. Like a
tag, the namespace is a claim anyone allowed to write the resource could also
make; it is the one field of a filter that can carry that claim, and the alarm
this collection builds watches exactly that namespace.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import arn_account
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import build_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import log_group_base_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.trail_coverage import trail_home_region
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import response_management_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import make_diff
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import foreign_resource_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError

# The CIS v1.2.0 3.3 / v1.4.0 4.3 pattern. Security Hub's remediation prints the same
# terms without the spaces: {$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}
CIS_ROOT_USAGE_PATTERN = '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
OWNER_NAMESPACE_PREFIX = "rootwatch.aws/"
CIS_NAMESPACE = OWNER_NAMESPACE_PREFIX + "CIS"
DEFAULT_METRIC_NAME = "RootAccountUsage"
DEFAULT_ALARM_DESCRIPTION = "CIS CloudWatch.1: usage of the root user (rootwatch.aws)"

# Role variables named in the message about a same-named resource that is not ours.
ROLE_VARIABLES = {
    "log_group": "root_login_alerts_cis_log_group_name",
    "metric_filter": "root_login_alerts_cis_metric_filter_name",
    "alarm": "root_login_alerts_cis_alarm_name",
}

# CloudWatch Logs: "Log group names can be between 1 and 512 characters long" and consist of
# a-z, A-Z, 0-9, '_', '-', '/', '.' and '#' (CloudTrail user guide, "CloudWatch log group and log
# stream naming for CloudTrail").
LOG_GROUP_NAME_RE = re.compile(r"^[\w\-/.#]{1,512}$")
FILTER_NAME_RE = re.compile(r"^[^:*]{1,512}$")
# PutRetentionPolicy's allowed values (CloudWatch Logs API reference).
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
STATES = ("present", "absent")

# -- the filter pattern ------------------------------------------------------------
_PATTERN_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|&&|\|\||!=|>=|<=|[{}()=<>]|[^\s{}()=!<>&|"]+')


def pattern_tokens(pattern):
    """The terms of a JSON filter pattern; whitespace separates terms and means nothing else."""
    text = (pattern or "").strip()
    tokens, position = [], 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        match = _PATTERN_TOKEN.match(text, position)
        if not match:  # a stray '!', '&' or '|': keep it as its own term, so it differs
            tokens.append(text[position])
            position += 1
            continue
        tokens.append(match.group(0))
        position = match.end()
    return tokens


def normalize_pattern(pattern):
    """The pattern with one space between terms: ``{$.a="x"}`` and ``{ $.a = "x" }`` read the same."""
    return " ".join(pattern_tokens(pattern))


def _and_clauses(tokens):
    """The clauses of ``{ c1 && c2 && ... }`` (no parentheses, no ``||``), else None."""
    if len(tokens) < 2 or tokens[0] != "{" or tokens[-1] != "}":
        return None
    inner = tokens[1:-1]
    if any(token in ("(", ")", "||", "{", "}") for token in inner):
        return None
    clauses, current = [], []
    for token in inner:
        if token == "&&":
            if not current:
                return None
            clauses.append(tuple(current))
            current = []
        else:
            current.append(token)
    if not current:
        return None
    clauses.append(tuple(current))
    return clauses


def pattern_match(actual, expected=CIS_ROOT_USAGE_PATTERN):
    """How ``actual`` matches ``expected``: 'exact', 'whitespace' or '' (no match).

    Only whitespace between terms may differ. Security Hub CloudWatch.1 "fails if the
    exact metric filters prescribed by CIS are not used. Additional fields or terms
    cannot be added to the metric filters" (Security Hub controls reference,
    https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-1),
    so terms in another order (:func:`pattern_reordered`), other quotes, parentheses or
    extra terms make a pattern that does not pass.
    """
    if actual is None:
        return ""
    if actual == expected:
        return "exact"
    if pattern_tokens(actual) == pattern_tokens(expected):
        return "whitespace"
    return ""


def pattern_reordered(actual, expected=CIS_ROOT_USAGE_PATTERN):
    """True when ``actual`` has the ANDed terms of ``expected`` in another order: the same meaning,
    but not the exact filter Security Hub asks for (said in the verdict, so the user knows why)."""
    if actual is None or pattern_match(actual, expected):
        return False
    left, right = _and_clauses(pattern_tokens(actual)), _and_clauses(pattern_tokens(expected))
    return left is not None and right is not None and sorted(left) == sorted(right)


def is_cis_root_usage_pattern(pattern):
    return bool(pattern_match(pattern, CIS_ROOT_USAGE_PATTERN))


# -- ARNs --------------------------------------------------------------------------
def log_group_arn(region, account_id, name):
    """The log group ARN as CloudTrail's CloudWatchLogsLogGroupArn spells it (ending ``:*``)."""
    return build_arn("logs", region, account_id, "log-group:%s:*" % name)


def log_group_name_from_arn(arn):
    """``arn:aws:logs:R:A:log-group:NAME[:*]`` -> NAME (None when not a log group ARN)."""
    if not arn or ":log-group:" not in arn:
        return None
    name = arn.split(":log-group:", 1)[1]
    return name[:-2] if name.endswith(":*") else name


def trail_arn(region, account_id, trail_name):
    return build_arn("cloudtrail", region, account_id, "trail/%s" % trail_name)


def alarm_arn(region, account_id, name):
    return build_arn("cloudwatch", region, account_id, "alarm:%s" % name)


def is_sns_topic_arn(arn):
    parts = (arn or "").split(":")
    return len(parts) == 6 and parts[0] == "arn" and parts[2] == "sns" and bool(parts[5])


# -- specs -------------------------------------------------------------------------
def metric_filter_spec(filter_name, log_group_name, metric_name=DEFAULT_METRIC_NAME, metric_namespace=CIS_NAMESPACE,
                       pattern=CIS_ROOT_USAGE_PATTERN):
    """PutMetricFilter arguments: the CIS pattern, counting 1 per matching event."""
    return {
        "logGroupName": log_group_name,
        "filterName": filter_name,
        "filterPattern": pattern,
        "metricTransformations": [{"metricName": metric_name, "metricNamespace": metric_namespace, "metricValue": "1"}],
    }


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


# -- the verdict ---------------------------------------------------------------------
def _read(section, key=None):
    """(value, error, read): one entry of the facts ({"error": ..., key: ...})."""
    if section is None:
        return None, None, False
    if section.get("error"):
        return None, section["error"], True
    return section.get(key) if key else section, None, True


def _judge_trail(entry, facts):
    """(status, reasons) for one trail: passed, failed or unknown, with the link that decides."""
    trail = entry.get("trail") or {}
    name = trail.get("Name") or trail.get("TrailARN") or "?"
    where = "trail %s" % name
    if not trail.get("IsMultiRegionTrail"):
        return "failed", ["%s is not a multi-Region trail" % where]
    group_arn = trail.get("CloudWatchLogsLogGroupArn")
    if not group_arn:
        return "failed", ["%s does not send events to CloudWatch Logs (no CloudWatchLogsLogGroupArn)" % where]
    status, selectors = entry.get("status"), entry.get("selectors")
    if status is None:
        return "unknown", ["%s: its logging status could not be read%s" % (where, _because(entry.get("error")))]
    if not status.get("IsLogging"):
        return "failed", ["%s is not logging" % where]
    delivery_error = _delivery_error(where, status)
    if delivery_error:
        return "failed", [delivery_error]
    if selectors is None:
        return "unknown", ["%s: its event selectors could not be read%s" % (where, _because(entry.get("error")))]
    mode = response_management_mode(selectors)
    if mode != "All":
        return "failed", ["%s records %s management events; CIS asks for read and write (All)" % (where, mode or "no")]
    group = log_group_name_from_arn(group_arn)
    found, error, read = _read((facts.get("log_groups") or {}).get(group), "log_group")
    if not read or error:
        return "unknown", ["log group %s of %s could not be read%s" % (group, where, _because(error))]
    if not found:
        return "failed", ["log group %s, where %s sends its events, does not exist" % (group, where)]
    filters, error, read = _read((facts.get("metric_filters") or {}).get(group), "filters")
    if not read or error:
        return "unknown", ["the metric filters of log group %s could not be read%s" % (group, _because(error))]
    matching = [item for item in filters or [] if pattern_match(item.get("filterPattern"))]
    if not matching:
        reasons = ["log group %s has no metric filter with the CIS root usage pattern %s" % (group, CIS_ROOT_USAGE_PATTERN)]
        reasons.extend("metric filter %s has the CIS terms in another order; Security Hub asks for the exact filter pattern "
                       "(only whitespace may differ)" % item.get("filterName")
                       for item in filters or [] if pattern_reordered(item.get("filterPattern")))
        return "failed", reasons
    alarms, error, read = _read(facts.get("alarms"), "alarms")
    if not read or error:
        return "unknown", ["the CloudWatch alarms could not be read%s" % _because(error)]
    unknown, failed = [], []
    for item in matching:
        for transformation in item.get("metricTransformations") or []:
            metric = (transformation.get("metricNamespace"), transformation.get("metricName"))
            outcome, reasons = _judge_metric(item, metric, alarms or [], facts)
            if outcome == "passed":
                return "passed", ["%s -> log group %s -> metric filter %s -> %s" % (where, group, item.get("filterName"), reasons[0])] + reasons[1:]
            (unknown if outcome == "unknown" else failed).extend(reasons)
    if unknown:
        return "unknown", unknown
    return "failed", failed


def _judge_metric(item, metric, alarms, facts):
    namespace, metric_name = metric
    watching = [a for a in alarms if a.get("Namespace") == namespace and a.get("MetricName") == metric_name]
    if not watching:
        return "failed", ["no alarm watches metric %s/%s of metric filter %s" % (namespace, metric_name, item.get("filterName"))]
    unknown, failed = [], []
    for alarm in watching:
        topics = [arn for arn in alarm.get("AlarmActions") or [] if is_sns_topic_arn(arn)]
        if not topics:
            failed.append("alarm %s has no SNS topic among its alarm actions" % alarm.get("AlarmName"))
            continue
        for topic in topics:
            subscriptions, error, read = _read((facts.get("subscriptions") or {}).get(topic), "subscriptions")
            if not read or error:
                # Security Hub: without ListSubscriptionsByTopic on the topic, WARNING findings.
                unknown.append("the subscriptions of SNS topic %s (alarm %s) could not be read%s"
                               % (topic, alarm.get("AlarmName"), _because(error)))
                continue
            active = [s for s in subscriptions or [] if (s.get("SubscriptionArn") or "").startswith("arn:")]
            if active:
                return "passed", ["alarm %s -> SNS topic %s with %d confirmed subscription(s)" % (alarm.get("AlarmName"), topic, len(active))]
            failed.append("SNS topic %s of alarm %s has no confirmed subscription" % (topic, alarm.get("AlarmName")))
    if unknown:
        return "unknown", unknown
    return "failed", failed


def _because(error):
    return ": %s" % error if error else ""


def _delivery_error(where, status):
    """The reason a trail's CloudWatch Logs delivery fails, from its GetTrailStatus answer, or None.

    CloudTrail user guide, Troubleshooting: when CloudTrail is not delivering logs to CloudWatch
    Logs, "the command output includes the LatestCloudWatchLogsDeliveryError field"
    (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-troubleshooting.html).
    The error carries no time of its own, so a LatestCloudWatchLogsDeliveryTime cannot show it is
    over; that time is named so the reader sees since when nothing may have arrived.
    """
    error = status.get("LatestCloudWatchLogsDeliveryError")
    if not error:
        return None
    delivered = status.get("LatestCloudWatchLogsDeliveryTime")
    if delivered is None:
        since = "it has not delivered to CloudWatch Logs yet"
    else:
        since = "its last delivery to CloudWatch Logs was at %s" % (delivered.isoformat() if hasattr(delivered, "isoformat") else delivered)
    return ("%s cannot deliver its events to CloudWatch Logs (GetTrailStatus LatestCloudWatchLogsDeliveryError: %s); %s, "
            "so no root usage reaches the metric filter" % (where, error, since))


def cloudwatch1_verdict(facts):
    """Would Security Hub pass CloudWatch.1? {"passes": True/False/None, "status", "reasons"}.

    ``facts`` (what the caller read; an ``error`` text marks a read that failed):

    - ``trails``: ``{"error", "trails": [{"trail": DescribeTrails item, "status":
      GetTrailStatus or None, "selectors": GetEventSelectors or None, "error"}]}``
      (the ``delivery_reader`` shape); a ``LatestCloudWatchLogsDeliveryError`` in the
      status fails that trail;
    - ``log_groups``: ``{name: {"error", "log_group": DescribeLogGroups item or None}}``;
    - ``metric_filters``: ``{log group name: {"error", "filters": [DescribeMetricFilters items,
      every page]}}``;
    - ``alarms``: ``{"error", "alarms": [DescribeAlarms MetricAlarms]}``;
    - ``subscriptions``: ``{topic ARN: {"error", "subscriptions": [ListSubscriptionsByTopic items]}}``;
    - optional ``account_id`` and ``region``: where Security Hub evaluates.

    ``status`` is ``passed``, ``failed``, ``unknown`` (a needed read failed or was
    not made) or ``no_data`` (the only complete chain uses a trail of another account
    or another home Region, where Security Hub reports NO_DATA). ``passes`` is None
    for the last two. ``reasons`` names the chain that passes, or each missing link.
    """
    facts = facts or {}
    trails, error, read = _read(facts.get("trails"), "trails")
    if not read or error:
        return _verdict("unknown", ["the trails could not be read%s" % _because(error)])
    if not trails:
        return _verdict("failed", ["no CloudTrail trail is configured"])
    account, region = facts.get("account_id"), facts.get("region")
    results = {"passed": [], "unknown": [], "failed": [], "no_data": []}
    for entry in sorted(trails, key=lambda e: (e.get("trail") or {}).get("TrailARN") or ""):
        trail = entry.get("trail") or {}
        status, reasons = _judge_trail(entry, facts)
        elsewhere = []
        if account and arn_account(trail.get("TrailARN")) not in (None, account):
            elsewhere.append("belongs to account %s" % arn_account(trail.get("TrailARN")))
        if region and trail_home_region(trail) not in (None, region):
            elsewhere.append("is based in %s" % trail_home_region(trail))
        if status == "passed" and elsewhere:
            results["no_data"].append(
                "trail %s %s: Security Hub reports NO_DATA here and judges it there; %s"
                % (trail.get("Name"), " and ".join(elsewhere), "; ".join(reasons)))
            continue
        results[status].extend(reasons)
    for status in ("passed", "unknown", "no_data"):
        if results[status]:
            return _verdict(status, results[status])
    return _verdict("failed", results["failed"])


def _verdict(status, reasons):
    passes = {"passed": True, "failed": False}.get(status)
    return {"passes": passes, "status": status, "reasons": list(reasons)}


# -- shared manager helpers ----------------------------------------------------------
def _validate_state(params):
    state = params.get("state", "present")
    if state not in STATES:
        raise ValidationError("state must be present or absent, got %r" % state)
    return state


def _validate(value, regex, param, what):
    if not isinstance(value, str) or not regex.match(value):
        raise ValidationError("%s must be %s, got %r" % (param, what, value))
    return value


def _tag_plan(current_tags, want_tags, purge_tags):
    """(to_set, to_unset, final) for tags given as a dict (None: tags not managed)."""
    if want_tags is None:
        return {}, [], current_tags
    want = dict((key, str(value)) for key, value in want_tags.items())
    to_set, to_unset = compare_aws_tags(current_tags or {}, want, purge_tags)
    final = dict((k, v) for k, v in (current_tags or {}).items() if k not in to_unset)
    final.update(to_set)
    return to_set, list(to_unset), final


def _update_line(kind, name, what):
    return "update %s %s: %s" % (kind, name, ", ".join(what))


def _kept(kind, name, owner_tag, warn, proof=None):
    why = "it was not created by rootwatch.aws (%s)" % (proof or "no %s tag" % ", ".join(sorted(owner_tag)))
    warn("%s %s is kept: %s" % (kind, name, why))
    return why


# -- log group -------------------------------------------------------------------------
class LogGroupManager(ResourceManager):
    """The CloudWatch Logs log group CloudTrail delivers to.

    ``ensure(params, known)`` params: ``name``, ``state`` (present/absent),
    ``retention_in_days`` (None: not managed), ``tags``, ``purge_tags`` (default
    True), ``owner_tag``. ``known`` may hold ``log_group`` (the DescribeLogGroups
    item, None when absent) and ``tags``. Extra result keys: ``log_group`` (the
    view) and ``log_group_arn`` (CloudTrail's form, ending ``:*``).
    """

    kind = "log group"

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(LogGroupManager, self).__init__(clients, region, check_mode, warn, account_id)
        self.logs = clients("logs", region)

    def describe(self, name):
        """DescribeLogGroups by prefix, pages followed until the exact name."""
        kwargs = {"logGroupNamePrefix": name}
        while True:
            page = self.logs.describe_log_groups(aws_retry=True, **kwargs)
            for group in page.get("logGroups", []):
                if group.get("logGroupName") == name:
                    return group
            if not page.get("nextToken"):
                return None
            kwargs["nextToken"] = page["nextToken"]

    def list_tags(self, group):
        arn = group.get("logGroupArn") or log_group_base_arn(group.get("arn"))
        return dict(self.logs.list_tags_for_resource(resourceArn=arn, aws_retry=True).get("tags") or {})

    def ensure(self, params, known=None):
        state = _validate_state(params)
        name = _validate(params.get("name"), LOG_GROUP_NAME_RE, "name",
                         "1-512 letters, digits, '_', '-', '/', '.' or '#'")
        retention = params.get("retention_in_days")
        if retention is not None and retention not in RETENTION_DAYS:
            raise ValidationError("retention_in_days must be one of %s, got %r" % (", ".join(str(d) for d in RETENTION_DAYS), retention))
        known = known or {}
        owner_tag = params.get("owner_tag")
        current = known["log_group"] if "log_group" in known else self.describe(name)
        need_tags = current is not None and (params.get("tags") is not None or owner_tag)
        tags = (known["tags"] if "tags" in known else self.list_tags(current)) if need_tags else None
        facts = {"log_group": current, "tags": tags}
        if state == "absent":
            return self._absent(name, current, tags, owner_tag, facts)
        if current is not None and not is_owned(tags, owner_tag):
            raise ForeignResourceError(foreign_resource_message(
                "CloudWatch Logs log group", name, self.region, owner_tag, ROLE_VARIABLES["log_group"]))
        to_set, to_unset, final_tags = _tag_plan(tags, params.get("tags"), params.get("purge_tags", True))
        if current is None:
            return self._create(name, retention, final_tags or {}, facts)
        what = []
        if retention is not None and current.get("retentionInDays") != retention:
            what.append("retention")
        if to_set or to_unset:
            what.append("tags")
        arn = current.get("logGroupArn") or log_group_base_arn(current.get("arn"))
        if what and not self.check_mode:
            if "retention" in what:
                self.logs.put_retention_policy(logGroupName=name, retentionInDays=retention, aws_retry=True)
            if to_unset:
                self.logs.untag_resource(resourceArn=arn, tagKeys=to_unset, aws_retry=True)
            if to_set:
                self.logs.tag_resource(resourceArn=arn, tags=to_set, aws_retry=True)
        before = self.view(name, arn, current.get("retentionInDays"), tags)
        after = self.view(name, arn, retention if retention is not None else current.get("retentionInDays"), final_tags)
        changes = [_update_line(self.kind, name, what)] if what else []
        return manager_result(bool(what), make_diff(before, after), changes, facts, log_group=after,
                              log_group_arn=arn + ":*")

    @staticmethod
    def view(name, arn, retention, tags):
        view = {"name": name, "arn": arn, "retention_in_days": retention}
        if tags is not None:
            view["tags"] = tags
        return view

    def _create(self, name, retention, tags, facts):
        if not self.check_mode:
            kwargs = {"logGroupName": name}
            if tags:
                kwargs["tags"] = tags
            self.logs.create_log_group(aws_retry=True, **kwargs)
            if retention is not None:
                self.logs.put_retention_policy(logGroupName=name, retentionInDays=retention, aws_retry=True)
        arn = log_group_base_arn(log_group_arn(self.region, self.account_id, name))
        after = self.view(name, arn, retention, tags)
        return manager_result(True, make_diff(None, after), ["create %s %s" % (self.kind, name)], facts,
                              log_group=after, log_group_arn=arn + ":*")

    def _absent(self, name, current, tags, owner_tag, facts):
        if current is None:
            return manager_result(False, make_diff(None, None), [], facts, log_group={}, log_group_arn=None)
        arn = current.get("logGroupArn") or log_group_base_arn(current.get("arn"))
        before = self.view(name, arn, current.get("retentionInDays"), tags)
        if owner_tag and not is_owned(tags, owner_tag):
            why = _kept("Log group", name, owner_tag, self.warn)
            return manager_result(False, make_diff(before, before), [], facts, log_group=before,
                                  log_group_arn=arn + ":*", kept_because=why)
        if not self.check_mode:
            self.logs.delete_log_group(logGroupName=name, aws_retry=True)
        return manager_result(True, make_diff(before, None), ["delete %s %s" % (self.kind, name)], facts,
                              log_group={}, log_group_arn=None)


# -- metric filter ---------------------------------------------------------------------
class MetricFilterManager(ResourceManager):
    """The metric filter counting root usage in the trail's log group.

    ``ensure(params, known)`` params: ``name``, ``log_group_name``, ``state``,
    ``pattern`` (default :data:`CIS_ROOT_USAGE_PATTERN`), ``metric_name`` (default
    ``RootAccountUsage``), ``metric_namespace`` (default ``rootwatch.aws/CIS``; must
    start with ``rootwatch.aws/``, the record of ownership, see the module
    docstring), ``owner_tag`` (when given, ownership is asked for: the filter's
    metric namespace). ``known`` may hold ``metric_filter`` (the
    DescribeMetricFilters item, None when absent). Extra key: ``metric_filter``.
    """

    kind = "metric filter"

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(MetricFilterManager, self).__init__(clients, region, check_mode, warn, account_id)
        self.logs = clients("logs", region)

    def describe(self, log_group_name, name):
        """DescribeMetricFilters by prefix, pages followed; None also when the log group is missing."""
        kwargs = {"logGroupName": log_group_name, "filterNamePrefix": name}
        while True:
            try:
                page = self.logs.describe_metric_filters(aws_retry=True, **kwargs)
            except is_boto3_error_code("ResourceNotFoundException"):
                return None
            for item in page.get("metricFilters", []):
                if item.get("filterName") == name:
                    return item
            if not page.get("nextToken"):
                return None
            kwargs["nextToken"] = page["nextToken"]

    @staticmethod
    def is_ours(item):
        """The record of ownership: every metric it publishes is in a ``rootwatch.aws/`` namespace."""
        transformations = item.get("metricTransformations") or []
        return bool(transformations) and all(
            (t.get("metricNamespace") or "").startswith(OWNER_NAMESPACE_PREFIX) for t in transformations)

    @staticmethod
    def view(item):
        if not item:
            return None
        transformation = (item.get("metricTransformations") or [{}])[0]
        return {
            "name": item.get("filterName"),
            "log_group_name": item.get("logGroupName"),
            "pattern": item.get("filterPattern"),
            "metric_name": transformation.get("metricName"),
            "metric_namespace": transformation.get("metricNamespace"),
            "metric_value": transformation.get("metricValue"),
        }

    def ensure(self, params, known=None):
        state = _validate_state(params)
        name = _validate(params.get("name"), FILTER_NAME_RE, "name", "1-512 characters without ':' or '*'")
        group = _validate(params.get("log_group_name"), LOG_GROUP_NAME_RE, "log_group_name", "a log group name")
        namespace = params.get("metric_namespace") or CIS_NAMESPACE
        if not namespace.startswith(OWNER_NAMESPACE_PREFIX) or ":" in namespace or len(namespace) > 255:
            raise ValidationError("metric_namespace must start with %s (the record that rootwatch.aws owns the filter) and "
                             "hold no ':', got %r" % (OWNER_NAMESPACE_PREFIX, namespace))
        metric_name = params.get("metric_name") or DEFAULT_METRIC_NAME
        known = known or {}
        owner_tag = params.get("owner_tag")
        current = known["metric_filter"] if "metric_filter" in known else self.describe(group, name)
        facts = {"metric_filter": current}
        owned = current is None or not owner_tag or self.is_ours(current)
        if state == "absent":
            if current is None:
                return manager_result(False, make_diff(None, None), [], facts, metric_filter={})
            before = self.view(current)
            if not owned:
                why = _kept("Metric filter", name, owner_tag, self.warn, self._proof(current))
                return manager_result(False, make_diff(before, before), [], facts, metric_filter=before, kept_because=why)
            if not self.check_mode:
                self.logs.delete_metric_filter(logGroupName=group, filterName=name, aws_retry=True)
            return manager_result(True, make_diff(before, None), ["delete %s %s on log group %s" % (self.kind, name, group)],
                                  facts, metric_filter={})
        if not owned:
            proof = {"metricNamespace": CIS_NAMESPACE}
            raise ForeignResourceError(foreign_resource_message(
                "CloudWatch Logs metric filter", "%s (log group %s)" % (name, group), self.region, proof,
                ROLE_VARIABLES["metric_filter"],
                why=" (metric filters cannot carry tags; rootwatch.aws records its ownership in the metric namespace, "
                    "and this filter publishes to %s)" % self._namespaces(current))
                + " For a metric filter, handing it over means setting its metric namespace to %s." % CIS_NAMESPACE)
        spec = metric_filter_spec(name, group, metric_name, namespace, params.get("pattern") or CIS_ROOT_USAGE_PATTERN)
        desired = dict(spec)
        what = []
        if current is not None:
            if current.get("filterPattern") != spec["filterPattern"]:
                what.append("pattern")
            have = [dict((k, t.get(k)) for k in ("metricName", "metricNamespace", "metricValue"))
                    for t in current.get("metricTransformations") or []]
            extra = [t for t in current.get("metricTransformations") or [] if t.get("defaultValue") is not None or t.get("dimensions") or t.get("unit")]
            if have != spec["metricTransformations"] or extra:
                what.append("metric")
        changed = current is None or bool(what)
        if changed and not self.check_mode:
            self.logs.put_metric_filter(aws_retry=True, **spec)
        if current is None:
            changes = ["create %s %s on log group %s" % (self.kind, name, group)]
        else:
            changes = [_update_line(self.kind, name, what)] if what else []
        after = self.view(desired)
        return manager_result(changed, make_diff(self.view(current), after), changes, facts, metric_filter=after)

    @staticmethod
    def _namespaces(item):
        return ", ".join(sorted(set(t.get("metricNamespace") or "?" for t in item.get("metricTransformations") or []))) or "no metric"

    def _proof(self, item):
        return "its metric namespace %s is not under %s; metric filters cannot carry tags" % (self._namespaces(item), OWNER_NAMESPACE_PREFIX)


# -- alarm -----------------------------------------------------------------------------
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
        alarms = self.cloudwatch.describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm"], aws_retry=True).get("MetricAlarms", [])
        return next((a for a in alarms if a.get("AlarmName") == name), None)

    def list_tags(self, arn):
        return boto3_tag_list_to_ansible_dict(self.cloudwatch.list_tags_for_resource(ResourceARN=arn, aws_retry=True).get("Tags", []))

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
        if tags is not None:
            view["tags"] = tags
        return view

    def ensure(self, params, known=None):
        state = _validate_state(params)
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
                "CloudWatch alarm", name, self.region, owner_tag, ROLE_VARIABLES["alarm"]))
        desired = self.desired(params)
        to_set, to_unset, final_tags = _tag_plan(tags, params.get("tags"), params.get("purge_tags", True))
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
                self.cloudwatch.put_metric_alarm(aws_retry=True, **put)
            if current is not None and to_unset:
                self.cloudwatch.untag_resource(ResourceARN=arn, TagKeys=to_unset, aws_retry=True)
            if current is not None and to_set:
                self.cloudwatch.tag_resource(ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(to_set), aws_retry=True)
        after = self.view(name, arn, desired, final_tags if current is not None else (final_tags or {}))
        if current is None:
            changes = ["create %s %s" % (self.kind, name)]
        else:
            changes = [_update_line(self.kind, name, what)] if what else []
        return manager_result(current is None or bool(what), make_diff(self.view(name, arn, current, tags), after),
                              changes, facts, alarm=after, alarm_arn=arn)

    def _absent(self, name, arn, current, tags, owner_tag, facts):
        if current is None:
            return manager_result(False, make_diff(None, None), [], facts, alarm={}, alarm_arn=None)
        before = self.view(name, arn, current, tags)
        if owner_tag and not is_owned(tags, owner_tag):
            why = _kept("Alarm", name, owner_tag, self.warn)
            return manager_result(False, make_diff(before, before), [], facts, alarm=before, alarm_arn=arn, kept_because=why)
        if not self.check_mode:
            self.cloudwatch.delete_alarms(AlarmNames=[name], aws_retry=True)
        return manager_result(True, make_diff(before, None), ["delete %s %s" % (self.kind, name)], facts, alarm={}, alarm_arn=None)
