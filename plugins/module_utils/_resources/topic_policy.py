# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SNS topic policies managed statement by statement (by Sid), never clobbered.

Pure functions (the default policy AWS gives a new topic, the least-privilege
EventBridge publish statement, the plan of a policy change) and
:class:`TopicPolicyManager`, the small class at the AWS edge.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import ACCOUNT_ID_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import arn_account
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import parse_json_text
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import as_manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import merge_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import policies_differ
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import remove_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import statements_equal
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import statements_of
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import WriteConflictError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.sns_common import read_topic_attributes
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.sns_common import validate_topic_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_match

DEFAULT_EVENTBRIDGE_SID = "AllowEventBridgePublish"
DEFAULT_STATEMENT_SID = "__default_statement_ID"
EVENTS_SERVICE_PRINCIPAL = "events.amazonaws.com"
RULE_ARN_RE = re.compile(r"^arn:aws[a-z\-]*:events:[a-z0-9\-]+:\d{12}:rule/[.\-_A-Za-z0-9/]+$")
# The actions of the statement AWS puts in every new topic's policy.
DEFAULT_POLICY_ACTIONS = [
    "SNS:GetTopicAttributes",
    "SNS:SetTopicAttributes",
    "SNS:AddPermission",
    "SNS:RemovePermission",
    "SNS:DeleteTopic",
    "SNS:Subscribe",
    "SNS:ListSubscriptionsByTopic",
    "SNS:Publish",
]


def default_topic_policy(topic_arn):
    """The policy AWS gives a topic it creates (used to predict in check mode)."""
    return {
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [
            {
                "Sid": DEFAULT_STATEMENT_SID,
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": list(DEFAULT_POLICY_ACTIONS),
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": arn_account(topic_arn)}},
            }
        ],
    }


def eventbridge_publish_statement(topic_arn, rule_arn, source_account=None, sid=DEFAULT_EVENTBRIDGE_SID):
    """The least-privilege statement letting EventBridge publish to this topic.

    ``events.amazonaws.com`` may call ``sns:Publish`` on ``topic_arn`` only, and
    only on behalf of ``rule_arn`` (a rule ARN or a list of them, matched with
    ``aws:SourceArn``); with ``source_account`` also ``aws:SourceAccount``.
    Raise ValueError on a malformed argument.
    """
    validate_topic_arn(topic_arn)
    rules = rule_arn if isinstance(rule_arn, list) else [rule_arn]
    if not rules:
        raise ValidationError("eventbridge_publish.rule_arn must name at least one EventBridge rule ARN")
    for rule in rules:
        if not isinstance(rule, str) or not RULE_ARN_RE.match(rule):
            raise ValidationError(
                "eventbridge_publish.rule_arn must be an EventBridge rule ARN like "
                "arn:aws:events:us-east-1:123456789012:rule/my-rule, got %r" % (rule,)
            )
    if source_account is not None:
        validate_match(source_account, ACCOUNT_ID_RE, "eventbridge_publish.source_account", "a 12-digit account ID")
    if not sid or not isinstance(sid, str):
        raise ValidationError("eventbridge_publish.sid must be a non-empty string")
    condition = {"ArnEquals": {"aws:SourceArn": rules[0] if len(rules) == 1 else list(rules)}}
    if source_account:
        condition["StringEquals"] = {"aws:SourceAccount": source_account}
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": EVENTS_SERVICE_PRINCIPAL},
        "Action": "sns:Publish",
        "Resource": topic_arn,
        "Condition": condition,
    }


def parse_policy(text, topic_arn):
    """The topic's Policy attribute as a dict (None when there is none)."""
    return parse_json_text(text, "the policy of topic %s" % topic_arn) if text else None


def plan_policy(current, statements, state="present", purge=False, sids=None, fallback=None):
    """What the policy should become, and why.

    ``present``: add or replace ``statements`` by Sid (with ``purge`` also drop
    every other statement). ``absent``: remove the statements whose Sid is in
    ``sids`` (default: the Sids of ``statements``). Other owners' statements stay.
    When nothing would be left, ``fallback`` (a whole document, e.g. the default
    topic policy) is used instead, since AWS refuses an empty policy.

    Returns a dict: changed, before, after, added, replaced, removed (Sid
    lists) and fallback (True when ``fallback`` replaced an empty result).
    """
    before_by_sid = {s.get("Sid"): s for s in statements_of(current)}
    if state == "present":
        wanted = [s["Sid"] for s in statements]
        after = merge_statements(current, statements, purge=purge)
        added = [sid for sid in wanted if sid not in before_by_sid]
        replaced = [s["Sid"] for s in statements if s["Sid"] in before_by_sid and not statements_equal(before_by_sid[s["Sid"]], s)]
        removed = [s.get("Sid") or "" for s in statements_of(current) if s.get("Sid") not in wanted] if purge else []
    else:
        drop = list(sids) if sids is not None else [s["Sid"] for s in statements]
        after = remove_statements(current, drop)
        added, replaced = [], []
        removed = [sid for sid in drop if sid in before_by_sid]
    used_fallback = not statements_of(after) and fallback is not None
    if used_fallback:
        after = copy.deepcopy(fallback)
    changed = bool(added or replaced or removed) and policies_differ(current, after)
    if not changed:
        after = copy.deepcopy(current)
        added, replaced, removed, used_fallback = [], [], [], False
    return {
        "changed": changed,
        "before": current,
        "after": after,
        "added": added,
        "replaced": replaced,
        "removed": removed,
        "fallback": used_fallback,
    }


class TopicPolicyManager(ResourceManager):
    """Read -> compare -> (write unless check mode) -> report, for one topic's policy.

    Built like every manager (see ``managers``). ``ensure(params, known)`` takes
    ``topic_arn``, ``statements``, ``state`` and ``purge`` and, in
    ``known["attributes"]``, the topic's attributes when the caller has read them.
    """

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(TopicPolicyManager, self).__init__(clients, region, check_mode, warn, account_id)
        self.client = clients("sns", region)

    def read(self, topic_arn):
        """The topic's attributes (one GetTopicAttributes call), or None if it does not exist."""
        return read_topic_attributes(self.client, topic_arn)

    def ensure(self, params, known=None):
        known = known or {}
        result = self.apply(
            params["topic_arn"],
            params["statements"],
            state=params.get("state", "present"),
            purge=params.get("purge", False),
            attributes=known.get("attributes"),
        )
        changes = [
            "%s topic policy statement %s" % (verb, sid)
            for verb, key in (("add", "statements_added"), ("replace", "statements_replaced"), ("remove", "statements_removed"))
            for sid in result[key]
        ]
        return as_manager_result(result, changes)

    def apply(self, topic_arn, statements, state="present", purge=False, attributes=None):
        """Make ``statements`` present (or absent) in the policy of ``topic_arn``.

        ``attributes``: the topic's attributes when the caller has already read
        them (saves the read). Returns a dict: changed, topic_arn, topic_exists,
        policy (the document after), statements_added, statements_replaced,
        statements_removed, facts (the policy as read), diff ({before, after}).
        """
        if attributes is None:
            attributes = self.read(topic_arn)
        exists = attributes is not None
        if exists:
            current = parse_policy(attributes.get("Policy"), topic_arn)
        elif state == "absent":
            current = None
        elif self.check_mode:
            # The topic may come from an earlier task of this same check-mode run.
            self.warn(
                "SNS topic %s does not exist; in check mode its policy is predicted from the default "
                "policy AWS gives a new topic" % topic_arn
            )
            current = default_topic_policy(topic_arn)
        else:
            raise ValidationError("SNS topic %s does not exist; create it (rootwatch.aws.sns_topic) before managing its policy" % topic_arn)
        facts = {"topic_arn": topic_arn, "exists": exists, "policy": current if exists else None}

        plan = plan_policy(current, statements, state=state, purge=purge, fallback=default_topic_policy(topic_arn))
        if plan["changed"] and exists and not self.check_mode:
            plan = self._write(topic_arn, statements, state, purge, plan)
        if plan["fallback"]:
            self.warn(
                "Removing these statements would leave the policy of SNS topic %s empty, which AWS refuses; "
                "the default topic policy was put in its place" % topic_arn
            )
        return {
            "changed": plan["changed"],
            "topic_arn": topic_arn,
            "topic_exists": exists,
            "policy": plan["after"] or {},
            "statements_added": plan["added"],
            "statements_replaced": plan["replaced"],
            "statements_removed": plan["removed"],
            "facts": facts,
            "diff": {"before": plan["before"] or {}, "after": plan["after"] or {}},
        }

    def _write(self, topic_arn, statements, state, purge, plan):
        """Write the plan, re-made on a read taken just before the write; then read it back.

        Others may write the policy while a run works: a statement they add between
        our first read and our write would be lost if we wrote the old read back.
        The result is read back to show that our statements took and theirs stayed.
        """
        fresh = self.read(topic_arn)
        if fresh is not None:
            replanned = plan_policy(
                parse_policy(fresh.get("Policy"), topic_arn), statements, state=state, purge=purge,
                fallback=default_topic_policy(topic_arn),
            )
            plan = dict(replanned, before=plan["before"])
            if not replanned["changed"]:
                return plan
        aws_call(
            "set the policy of SNS topic %s" % topic_arn,
            self.client.set_topic_attributes,
            TopicArn=topic_arn,
            AttributeName="Policy",
            AttributeValue=json.dumps(plan["after"], sort_keys=True),
        )
        written = self.read(topic_arn)
        if written is not None and policies_differ(parse_policy(written.get("Policy"), topic_arn), plan["after"]):
            raise WriteConflictError(
                "The policy of SNS topic %s changed while this run wrote it (another writer at the same time); "
                "a re-run merges both" % topic_arn
            )
        return plan
