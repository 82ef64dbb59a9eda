# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The metric filter counting root usage in the trail's log group (the CIS CloudWatch.1 option).

Ownership. Metric filters cannot carry tags, and a filter name that only we use
proves nothing (anyone may pick it). The record of ownership of a metric filter
is its metric namespace: every filter rootwatch.aws writes publishes into a
namespace under ``rootwatch.aws/`` (by default ``rootwatch.aws/CIS``), which the
CIS and Security Hub remediation never use (they suggest ``LogMetrics``). A
filter with our name that publishes elsewhere is someone else's and is left
alone. Like a tag, the namespace is a claim anyone allowed to write the resource
could also make; it is the one field of a filter that can carry that claim, and
the alarm this collection builds (``alarm``) watches exactly that namespace.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.metric_filter_pattern import CIS_ROOT_USAGE_PATTERN
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import make_diff
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import aws_pages
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import first_named
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import foreign_resource_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import kept_because
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import update_line
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_match
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_state
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.log_group import LOG_GROUP_NAME_RE

OWNER_NAMESPACE_PREFIX = "rootwatch.aws/"
CIS_NAMESPACE = OWNER_NAMESPACE_PREFIX + "CIS"
DEFAULT_METRIC_NAME = "RootAccountUsage"
FILTER_NAME_RE = re.compile(r"^[^:*]{1,512}$")


def metric_filter_spec(filter_name, log_group_name, metric_name=DEFAULT_METRIC_NAME, metric_namespace=CIS_NAMESPACE,
                       pattern=CIS_ROOT_USAGE_PATTERN):
    """PutMetricFilter arguments: the CIS pattern, counting 1 per matching event."""
    return {
        "logGroupName": log_group_name,
        "filterName": filter_name,
        "filterPattern": pattern,
        "metricTransformations": [{"metricName": metric_name, "metricNamespace": metric_namespace, "metricValue": "1"}],
    }


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
        pages = aws_pages("describe the metric filters of log group %s" % log_group_name, self.logs.describe_metric_filters,
                          "nextToken", not_found=("ResourceNotFoundException",), logGroupName=log_group_name, filterNamePrefix=name)
        return first_named(pages, "metricFilters", "filterName", name)

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
        state = validate_state(params)
        name = validate_match(params.get("name"), FILTER_NAME_RE, "name", "1-512 characters without ':' or '*'")
        group = validate_match(params.get("log_group_name"), LOG_GROUP_NAME_RE, "log_group_name", "a log group name")
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
                why = kept_because("Metric filter", name, owner_tag, self.warn, self._proof(current))
                return manager_result(False, make_diff(before, before), [], facts, metric_filter=before, kept_because=why)
            if not self.check_mode:
                aws_call("delete metric filter %s of log group %s" % (name, group), self.logs.delete_metric_filter,
                         logGroupName=group, filterName=name)
            return manager_result(True, make_diff(before, None), ["delete %s %s on log group %s" % (self.kind, name, group)],
                                  facts, metric_filter={})
        if not owned:
            proof = {"metricNamespace": CIS_NAMESPACE}
            raise ForeignResourceError(foreign_resource_message(
                "CloudWatch Logs metric filter", "%s (log group %s)" % (name, group), self.region, proof,
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
            aws_call("put metric filter %s on log group %s" % (name, group), self.logs.put_metric_filter, **spec)
        if current is None:
            changes = ["create %s %s on log group %s" % (self.kind, name, group)]
        else:
            changes = [update_line(self.kind, name, what)] if what else []
        after = self.view(desired)
        return manager_result(changed, make_diff(self.view(current), after), changes, facts, metric_filter=after)

    @staticmethod
    def _namespaces(item):
        return ", ".join(sorted(set(t.get("metricNamespace") or "?" for t in item.get("metricTransformations") or []))) or "no metric"

    def _proof(self, item):
        return "its metric namespace %s is not under %s; metric filters cannot carry tags" % (self._namespaces(item), OWNER_NAMESPACE_PREFIX)
