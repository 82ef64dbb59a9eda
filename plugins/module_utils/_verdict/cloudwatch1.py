# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Would Security Hub pass CloudWatch.1 (a metric filter and an alarm on root usage)? Pure, from what was read.

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

:func:`cloudwatch1_verdict` judges those links from facts ``delivery_reader`` read
(``read_cis``). The pieces this collection builds are managed by ``log_group``,
``metric_filter`` and ``alarm``; the IAM role CloudTrail assumes to write to the
group comes from ``docs/member-role.yml`` (``EnableCisMetricFilter``) and is only
read and judged (``iam_role``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.metric_filter_pattern import CIS_ROOT_USAGE_PATTERN
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.metric_filter_pattern import pattern_match
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.metric_filter_pattern import pattern_reordered
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import arn_account
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import is_sns_topic_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import log_group_name_from_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import response_management_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_coverage import trail_home_region


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
