# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads what ``delivery_path.evaluate`` judges: the AWS edge of the verdict.

Only reads. Every failed read is recorded as an error next to what it was
for, never taken as "absent": the verdict turns it into ``unknown``.

What it reads, in the sign-in Region:

- every trail (``DescribeTrails`` with shadow trails), and the status and
  event selectors of each trail that can cover the Region;
- every rule of the default event bus (``ListRules``), and the targets of
  each rule that matches a root sign-in sample (and of ours);
- each target topic of this account, and our chat topic: attributes, subscriptions, and the filter
  policy of its confirmed subscriptions (``GetSubscriptionAttributes``) until one other than the chat
  service's has none (the chat service's counts only through a channel configuration);
- each customer-managed KMS key of those topics: ``DescribeKey`` and the
  ``default`` key policy.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import event_pattern
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.metric_filter_pattern import pattern_match
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.samples import MUST_MATCH
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.samples import sign_in_samples
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import is_sns_topic_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import log_group_name_from_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import partition_for_region
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import DEFAULT_BUS
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import AwsCallError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_code
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_summary
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import PatternError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import foreign_resource_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import iam_role as iam_roles
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import list_rule_targets
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.sns_common import NOT_FOUND_CODES
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import DELETED
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import is_chat_subscription
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import PENDING
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import is_aws_managed_sns_key
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_coverage import is_foreign_organization_trail
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_coverage import REFUSED_READ_CODES
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_coverage import trail_home_region
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_coverage import trail_may_cover

KMS_NOT_FOUND_CODES = ("NotFoundException",)


def read_answer(what, method, not_found=(), **kwargs):
    """One read through ``aws_call``: (response, None); (None, None) for a ``not_found`` code; (None, "what: CODE")
    when it failed. A reader records a failed read next to what it was for and never raises."""
    try:
        return aws_call(what, method, not_found, **kwargs), None
    except AwsCallError as exc:
        return None, error_summary(what, exc)


def is_candidate(rule, account_id, region, our_rule_arn=None):
    """Rules worth walking: ours, and any whose pattern matches at least one root sign-in sample (so a narrowed
    pattern is walked and reported partial by ``delivery_path.rule_matches``, not dropped)."""
    if our_rule_arn and rule.get("Arn") == our_rule_arn:
        return True
    if not rule.get("EventPattern"):
        return False
    samples = sign_in_samples(account_id, region)
    try:
        return any(event_pattern.matches(rule["EventPattern"], samples[name][0]) for name in MUST_MATCH)
    except PatternError:
        return True  # judged (as unknown) rather than silently dropped


def receives_every_message(attributes):
    """A subscription whose filter policy is absent or empty: it passes every message, whatever the message
    (``filter_policy.judge`` says the same of it), so the subscriptions listed after it need not be read."""
    policy = attributes.get("FilterPolicy")
    if policy in (None, ""):
        return True
    try:
        return (json.loads(policy) if isinstance(policy, str) else policy) == {}
    except ValueError:
        return False


class DeliveryPathReader(ResourceManager):
    """Built like every manager (``managers``); it never writes, so check mode changes nothing."""

    def read(self, ours=None, read_trails=True, cis=False):
        """The facts of ``delivery_path.evaluate``. ``ours``: our rule ARN, topic ARN and target ID."""
        account = self.account_id
        facts = {
            "account_id": account,
            "region": self.region,
            "partition": partition_for_region(self.region),
            "ours": dict(ours or {}),
            "trails": self.read_trails() if read_trails else {"error": None, "trails": []},
            "rules": self.read_rules((ours or {}).get("rule_arn")),
            "topics": {},
            "keys": {},
        }
        topic_arns = [t.get("Arn") for r in facts["rules"]["rules"] for t in r.get("targets") or []]
        # Our topics: the email topic, and the chat topic when chat channels are configured.
        own_topics = [arn for arn in ((ours or {}).get("topic_arn"), (ours or {}).get("chat_topic_arn")) if arn]
        topic_arns.extend(own_topics)
        for arn in topic_arns:
            if arn not in facts["topics"] and self._is_local_topic(arn, account):
                facts["topics"][arn] = self.read_topic(arn)
        for arn in own_topics:
            topic = facts["topics"].get(arn)
            if topic and topic["attributes"] is not None:
                # Our names prove nothing: the tags say whether we created it (managers.is_owned).
                topic["tags"], topic["tags_error"] = self._tags("sns:ListTagsForResource %s" % arn, self.client("sns").list_tags_for_resource,
                                                                ResourceArn=arn)
        for topic in facts["topics"].values():
            key_id = (topic.get("attributes") or {}).get("KmsMasterKeyId")
            if key_id and not is_aws_managed_sns_key(key_id) and key_id not in facts["keys"]:
                facts["keys"][key_id] = self.read_key(key_id)
        if cis:
            facts["cis"] = self.read_cis(facts)
        return facts

    # -- CIS CloudWatch.1 ------------------------------------------------------------
    def read_cis(self, facts):
        """What ``cloudwatch1.cloudwatch1_verdict`` judges, from the trails already read:
        each trail's log group, its metric filters, the alarms on the CIS filters' metrics and
        the subscriptions of those alarms' topics."""
        logs, cloudwatch = self.client("logs"), self.client("cloudwatch")
        cis = {"log_groups": {}, "metric_filters": {}, "alarms": {"error": None, "alarms": []}, "subscriptions": {}}
        for entry in facts["trails"].get("trails") or []:
            group_arn = entry["trail"].get("CloudWatchLogsLogGroupArn")
            name = log_group_name_from_arn(group_arn) if group_arn else None
            if not name or name in cis["log_groups"]:
                continue
            page, error = read_answer("logs:DescribeLogGroups %s" % name, logs.describe_log_groups, logGroupNamePrefix=name)
            found = [g for g in (page or {}).get("logGroups", []) if g.get("logGroupName") == name]
            cis["log_groups"][name] = {"error": error, "log_group": found[0] if found else None}
            if not found:
                continue
            filters, error = self._every_page("logs:DescribeMetricFilters %s" % name, logs.describe_metric_filters, "metricFilters",
                                              "nextToken", logGroupName=name)
            cis["metric_filters"][name] = {"error": error, "filters": filters}
            for item in cis["metric_filters"][name]["filters"]:
                if not pattern_match(item.get("filterPattern")):
                    continue
                for metric in item.get("metricTransformations") or []:
                    page, error = read_answer("cloudwatch:DescribeAlarmsForMetric %s" % metric.get("metricName"),
                                              cloudwatch.describe_alarms_for_metric, MetricName=metric["metricName"],
                                              Namespace=metric["metricNamespace"])
                    if error:
                        cis["alarms"]["error"] = error
                    cis["alarms"]["alarms"].extend((page or {}).get("MetricAlarms", []))
        for alarm in cis["alarms"]["alarms"]:
            for topic_arn in alarm.get("AlarmActions") or []:
                if not is_sns_topic_arn(topic_arn) or topic_arn in cis["subscriptions"]:
                    continue
                known = facts["topics"].get(topic_arn)
                if known and known.get("subscriptions") is not None:
                    cis["subscriptions"][topic_arn] = {"error": None, "subscriptions": known["subscriptions"]}
                else:
                    listing, error = self._every_page("sns:ListSubscriptionsByTopic %s" % topic_arn,
                                                      self.client("sns").list_subscriptions_by_topic, "Subscriptions", "NextToken",
                                                      TopicArn=topic_arn)
                    cis["subscriptions"][topic_arn] = {"error": error, "subscriptions": listing}
        return cis

    def _every_page(self, what, method, key, token, **kwargs):
        """(every item under ``key`` of every page, None) or ([], error text): a first page alone can miss the
        filter or subscriber that decides (DescribeMetricFilters gives at most 50 a page, CloudWatch Logs API reference)."""
        items = []
        while True:
            page, error = read_answer(what, method, **kwargs)
            if error:
                return [], error
            items.extend(page.get(key, []))
            if not page.get(token):
                return items, None
            kwargs[token] = page[token]

    def _is_local_topic(self, arn, account):
        parsed = parse_aws_arn(arn) if arn and arn.startswith("arn:") else None
        return bool(parsed) and parsed.get("service") == "sns" and parsed.get("account_id") == account and parsed.get("region") == self.region

    # -- trails -------------------------------------------------------------------
    def read_trails(self):
        cloudtrail = self.client("cloudtrail")
        listed, error = read_answer("cloudtrail:DescribeTrails", cloudtrail.describe_trails, includeShadowTrails=True)
        if error:
            return {"error": error, "trails": []}
        entries = []
        for trail in listed.get("trailList", []):
            entry = {"trail": trail, "status": None, "selectors": None, "error": None}
            if trail_may_cover(trail, self.region, self.account_id)[0]:
                client = self.client("cloudtrail", trail_home_region(trail))
                arn = trail["TrailARN"]
                for key, method, kwargs in (("status", "get_trail_status", {"Name": arn}),
                                            ("selectors", "get_event_selectors", {"TrailName": arn})):
                    what = "cloudtrail:%s %s" % (method, arn)
                    try:
                        entry[key] = aws_call(what, getattr(client, method), **kwargs)
                    except AwsCallError as exc:
                        # A member account may not read the management account's organization trail;
                        # the verdict then trusts it as trail_coverage documents.
                        refused = is_foreign_organization_trail(trail, self.account_id) and error_code(exc) in REFUSED_READ_CODES
                        if not refused and not entry["error"]:
                            entry["error"] = error_summary(what, exc)
            entries.append(entry)
        return {"error": None, "trails": entries}

    # -- rules ----------------------------------------------------------------------
    def read_rules(self, our_rule_arn=None, bus=DEFAULT_BUS):
        """The rules of ``bus`` that a root sign-in could match, with their targets. A custom bus
        that does not exist has no rules (``exists`` False); the default bus always exists."""
        events = self.client("events")
        rules, token = [], None
        while True:
            kwargs = {"EventBusName": bus}
            if token:
                kwargs["NextToken"] = token
            missing = ("ResourceNotFoundException",) if bus != DEFAULT_BUS else ()
            page, error = read_answer("events:ListRules %s" % bus, events.list_rules, not_found=missing, **kwargs)
            if error:
                return {"error": error, "rules": []}
            if page is None:
                return {"error": None, "rules": [], "names": [], "exists": False}
            rules.extend(page.get("Rules", []))
            token = page.get("NextToken")
            if not token:
                break
        chosen = []
        for rule in rules:
            if not is_candidate(rule, self.account_id, self.region, our_rule_arn):
                continue
            entry = dict(rule, targets=None, targets_error=None)
            entry["targets"], entry["targets_error"] = self._targets(events, rule["Name"], bus)
            if rule.get("Arn") == our_rule_arn:
                entry["tags"], entry["tags_error"] = self._tags("events:ListTagsForResource %s" % our_rule_arn, events.list_tags_for_resource,
                                                                ResourceARN=our_rule_arn)
            chosen.append(entry)
        # Every rule's name too: a rule of ours that matches no root sign-in (another alert profile's) is found
        # here without another call.
        return {"error": None, "rules": chosen, "names": [rule.get("Name") for rule in rules], "exists": True}

    def _targets(self, events, name, bus=DEFAULT_BUS):
        try:
            return list_rule_targets(events, name, bus), None
        except AwsCallError as exc:  # list_rule_targets reads through aws_call
            return None, error_summary("events:ListTargetsByRule %s" % name, exc)

    def _tags(self, what, method, **kwargs):
        """({key: value}, None) or (None, error text)."""
        response, error = read_answer(what, method, **kwargs)
        return (boto3_tag_list_to_ansible_dict(response.get("Tags", [])) if response is not None else None), error

    # -- hub mode ---------------------------------------------------------------------
    def read_roles(self, role_arns):
        """{role ARN: ``iam_roles.role_reference`` (trust and boundary; GetRole only, so its permissions are not
        read), None when it does not exist, or {"error"}}: the execution roles of others' targets, for
        ``hub.forwarding_link``. Our own role is read by ``iam_roles.RoleVerifier``, with its inline policy."""
        verifier = iam_roles.RoleVerifier(self.clients, self.region, self.check_mode, self.warn, self.known_account_id)
        roles = {}
        for arn in role_arns:
            if arn in roles:
                continue
            found = verifier.read(arn.rsplit("/", 1)[-1])
            # Absent, or a same-named role under another path: not the target's role.
            roles[arn] = found if found is None or found.get("error") or found.get("Arn") == arn else None
        return roles

    def read_organization(self):
        """The account's organization: {"id": "o-..." or None when it is in none, "error": text when the read failed}.

        One organizations:DescribeOrganization, which any account of an organization may call; an account in no
        organization gets AWSOrganizationsNotInUseException (Organizations API reference, DescribeOrganization, Errors)."""
        response, error = read_answer("organizations:DescribeOrganization", self.client("organizations").describe_organization,
                                      not_found=("AWSOrganizationsNotInUseException",))
        return {"id": ((response or {}).get("Organization") or {}).get("Id"), "error": error}

    def read_bus(self, name):
        """The hub bus: {"bus": DescribeEventBus or None when absent, "error": text when the read failed}."""
        response, error = read_answer("events:DescribeEventBus %s" % name, self.client("events").describe_event_bus,
                                      not_found=("ResourceNotFoundException",), Name=name)
        return {"bus": response, "error": error}

    # -- topics and keys ---------------------------------------------------------------
    def read_topic(self, topic_arn):
        sns = self.client("sns")
        entry = {"attributes": None, "error": None, "subscriptions": None, "subscriptions_error": None}
        response, entry["error"] = read_answer("sns:GetTopicAttributes %s" % topic_arn, sns.get_topic_attributes,
                                               not_found=NOT_FOUND_CODES, TopicArn=topic_arn)
        if response is None:
            return entry
        entry["attributes"] = response["Attributes"]
        listing, token = [], None
        while True:
            kwargs = {"TopicArn": topic_arn}
            if token:
                kwargs["NextToken"] = token
            page, error = read_answer("sns:ListSubscriptionsByTopic %s" % topic_arn, sns.list_subscriptions_by_topic, **kwargs)
            if error:
                entry["subscriptions_error"] = error
                return entry
            listing.extend(page.get("Subscriptions", []))
            token = page.get("NextToken")
            if not token:
                entry["subscriptions"] = listing
                entry["filters"] = self._read_filters(sns, listing)
                return entry

    def _read_filters(self, sns, listing):
        """{subscription ARN: {"attributes", "error"}} of the confirmed subscriptions, in listing order, until one
        has no filter policy: it receives every message (:func:`receives_every_message`), so those after it need no request
        and a converged topic with one subscription costs one. Pending ones have no ARN to read."""
        filters = {}
        for subscription in listing:
            arn = subscription.get("SubscriptionArn")
            if arn in (PENDING, DELETED) or not arn:
                continue
            response, error = read_answer("sns:GetSubscriptionAttributes %s" % arn, sns.get_subscription_attributes,
                                          not_found=NOT_FOUND_CODES, SubscriptionArn=arn)
            attributes = response.get("Attributes") if response is not None else None
            filters[arn] = {"attributes": attributes, "error": error}
            # The chat service's subscription delivers only through a channel configuration, judged apart: read on.
            if attributes is not None and receives_every_message(attributes) and not is_chat_subscription(subscription):
                break
        return filters

    def read_key(self, key_id):
        region = key_id.split(":")[3] if key_id.startswith("arn:") else self.region
        kms = self.client("kms", region)
        entry = {"metadata": None, "policy": None, "error": None}
        described, entry["error"] = read_answer("kms:DescribeKey %s" % key_id, kms.describe_key, not_found=KMS_NOT_FOUND_CODES,
                                                KeyId=key_id)
        if described is None:
            return entry
        entry["metadata"] = described["KeyMetadata"]
        policy, entry["error"] = read_answer("kms:GetKeyPolicy %s" % key_id, kms.get_key_policy, KeyId=entry["metadata"]["KeyId"],
                                             PolicyName="default")
        if policy is not None:
            entry["policy"] = policy.get("Policy")
        return entry


def known_for_managers(facts, ours):
    """What the managers need not read again: {manager name: known} (see ``managers``)."""
    trails = facts["trails"]
    known = {"trail": {}, "topic": {}, "subscriptions": {}, "rule": {}}
    if not trails.get("error"):
        entries = trails["trails"]
        known["trail"] = {
            "trails": [e["trail"] for e in entries],
            "status": dict((e["trail"]["TrailARN"], e["status"]) for e in entries if e["status"] is not None),
            "selectors": dict((e["trail"]["TrailARN"], e["selectors"]) for e in entries if e["selectors"] is not None),
        }
    for key, arn in (("topic", ours["topic_arn"]), ("chat_topic", ours.get("chat_topic_arn"))):
        topic = facts["topics"].get(arn) if arn else None
        known.setdefault(key, {})
        if topic and not topic.get("error"):
            known[key] = {"attributes": topic["attributes"]}
            if topic.get("tags") is not None:
                known[key]["tags"] = topic["tags"]
            if key == "topic" and topic["attributes"] is not None and not topic.get("subscriptions_error"):
                known["subscriptions"] = {"subscriptions": topic["subscriptions"]}
    known["rule"] = known_rule(facts["rules"], ours["rule_arn"])
    return known


def known_rule(rules, rule_arn):
    """What the rule manager need not read again about ``rule_arn``, from ``read_rules``'s result."""
    if rules.get("error"):
        return {}
    found = [r for r in rules["rules"] if r.get("Arn") == rule_arn]
    if not found:
        return {"rule": None, "targets": []}
    if found[0].get("targets_error"):
        return {}
    rule = dict((k, v) for k, v in found[0].items() if k not in ("targets", "targets_error", "tags", "tags_error"))
    known = {"rule": rule, "targets": found[0]["targets"]}
    if found[0].get("tags") is not None:
        known["tags"] = found[0]["tags"]
    return known


def foreign_resources(facts, ours, owner_tag, region, name_hint=None):
    """Messages for our topic or rule (by name) that cannot be proven ours, checked before any write.

    A tag read that failed proves nothing either way, and is named as such. ``name_hint(option)`` says where the
    stack's option (topic_name, chat_topic_name, rule_name) is set.
    """
    messages = []
    candidates = [("SNS topic", ours["topic_arn"].rsplit(":", 1)[-1], "topic_name", facts["topics"].get(ours["topic_arn"]))]
    if ours.get("chat_topic_arn"):
        candidates.append(("SNS topic", ours["chat_topic_arn"].rsplit(":", 1)[-1], "chat_topic_name",
                           facts["topics"].get(ours["chat_topic_arn"])))
    candidates.extend(("EventBridge rule", rule["Name"], "rule_name", rule)
                      for rule in facts["rules"].get("rules") or [] if rule.get("Arn") == ours["rule_arn"])
    for kind, name, option, entry in candidates:
        if not entry or ("attributes" in entry and entry["attributes"] is None):
            continue
        if entry.get("tags_error"):
            messages.append("%s %s: nothing was changed, because whether rootwatch.aws created it cannot be told: "
                            "its tags could not be read (%s)" % (kind, name, entry["tags_error"]))
        elif not is_owned(entry.get("tags"), owner_tag):
            messages.append(foreign_resource_message(kind, name, region, owner_tag, name_hint=name_hint(option) if name_hint else None))
    return messages
