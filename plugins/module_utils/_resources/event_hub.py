# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hub mode: member accounts forward root events to a custom event bus in a hub account.

One security ("hub") account holds the SNS topic and a custom event bus in
us-east-1. Every member account has a rule whose target is that bus, sent with
an IAM role in the member that EventBridge assumes and that may only call
``events:PutEvents`` on the bus. Every target gets a dead-letter SQS queue and a
retry policy. The pieces, with the AWS documentation they follow:

- The bus policy. "To enable multiple AWS accounts to put events to your event
  bus, run PutPermission once for each of these accounts. Or, if all the accounts
  are members of the same AWS organization, you can run PutPermission once
  specifying Principal as "*" and specifying the AWS organization ID in
  Condition" and "The permission policy on the event bus cannot exceed 10 KB in
  size." (EventBridge API reference, PutPermission:
  https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutPermission.html).
  The examples of "Permissions for event buses in Amazon EventBridge"
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html)
  use ``"Principal": {"AWS": "arn:aws:iam::111112222333:root"}`` for an account
  and ``"Principal": "*"`` with ``StringEquals aws:PrincipalOrgID`` for an
  organization, and condition on ``events:source`` ("Send events to a custom bus
  in a different account",
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-example-policy-cross-account-custom-bus-source.html).
  Ours admits the forwarding role only (``aws:PrincipalArn``) and AWS events only
  (``events:source`` ``aws.*``): see :func:`bus_policy_statements`.
- The forwarding role. "If the sender account inherits permissions to send
  events from an AWS Organizations, the sender account also must have an IAM role
  with policies that enable it to send events to the receiver account"
  ("Sending and receiving events between AWS accounts",
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html),
  and "We recommend always using IAM roles when the target of a rule is an event
  bus" (eb-event-bus-perms). ``docs/member-role.yml`` creates it, never this
  collection (``iam_roles``). Its trust is scoped with ``aws:SourceAccount``, as
  "Cross-service confused deputy prevention in Amazon EventBridge" recommends
  ("Use aws:SourceAccount if you want to allow any resource in that account to be
  associated with the cross-service use"; "For EventBridge event bus rule
  targets, the value of aws:SourceArn must be the rule ARN":
  https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html).
- The dead-letter queue ("Using dead-letter queues to process undelivered
  events", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html):
  "Only standard queues are supported"; "The Amazon SQS queue you use must be in
  the same Region in which you create the rule"; "If you specify a DLQ using the
  API [...] you must manually create a resource-based policy that grants the
  required permissions", whose example lets ``events.amazonaws.com`` call
  ``sqs:SendMessage`` with ``ArnEquals aws:SourceArn`` the rule ARN.

:func:`forwarding_link` judges, from what someone else read, whether a member
rule reaches the hub bus. The managers build the bus (hub) and a dead-letter
queue (either side); the forwarding role is read and judged by ``iam_roles``.

Ownership. Buses and queues carry the owner tag; a same-named resource
without it is someone else's (:class:`ForeignResourceError`). Policy statements
are ours by Sid: the bus statements are ``<sid_prefix>OrgPutEvents`` and
``<sid_prefix>MemberPutEvents``, the queue statement
``RootwatchEventBridgeDeadLetter``; every other statement is kept as it is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.rootwatch.aws.plugins.module_utils._resources import targets as eventbridge_targets
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import iam_role as iam_roles
from ansible_collections.rootwatch.aws.plugins.module_utils._policy import evaluation as policy_evaluation
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.messages import SIGN_IN_SOURCE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import ACCOUNT_ID_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import build_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.cis_metric_filter import _kept
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.cis_metric_filter import _tag_plan
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.cis_metric_filter import _update_line
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.cis_metric_filter import _validate
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.cis_metric_filter import _validate_state
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import make_diff
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import parse_json_text
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import foreign_resource_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import DEFAULT_VERSION
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import merge_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import policies_differ
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import remove_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import statements_equal
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import statements_of
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import RULE_ARN_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import WriteConflictError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError

EVENTS_SERVICE_PRINCIPAL = iam_roles.EVENTS_SERVICE
HUB_REGION = "us-east-1"
DEFAULT_SID_PREFIX = "Rootwatch"
DEFAULT_DLQ_SID = "RootwatchEventBridgeDeadLetter"
DEFAULT_TARGET_ID = "rootwatch-hub-bus"
# SQS: "MessageRetentionPeriod - The length of time, in seconds, for which Amazon SQS retains a
# message. Valid values: An integer representing seconds, from 60 (1 minute) to 1,209,600 (14
# days)." The longest, so an operator has two weeks to notice and replay a lost alert.
DEFAULT_RETENTION_SECONDS = 1209600
# How EventBridge retries delivering events (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html):
# "By default, EventBridge retries sending the event for 24 hours and up to 185 times with an
# exponential back off and jitter". RetryPolicy allows 0-185 attempts and 60-86400 seconds
# (API reference, RetryPolicy). The maximum of both: a root sign-in alert that arrives hours late
# still matters, and what is never delivered lands in the dead-letter queue. Errors that retrying
# cannot fix (missing permissions, a missing target) skip the retries and go straight to the DLQ
# ("Using dead-letter queues"). These are also the values AWS reports for a target given none, so
# eventbridge_targets compares them as equal to an unset retry policy.
DEFAULT_RETRY_POLICY = {"maximum_retry_attempts": 185, "maximum_event_age_in_seconds": 86400}

# PutPermission: "The permission policy on the event bus cannot exceed 10 KB in size."
BUS_POLICY_LIMIT = 10240

ROLE_VARIABLES = {
    "bus": "root_login_alerts_hub_bus_name",
    "queue": "root_login_alerts_dead_letter_queue_name",
}

# Organizations: "o-" followed by from 10 to 32 lowercase letters or digits (Organization.Id).
ORGANIZATION_ID_RE = re.compile(r"^o-[a-z0-9]{10,32}$")
BUS_ARN_RE = re.compile(r"^arn:(aws[a-z\-]*):events:([a-z0-9\-]+):(\d{12}):event-bus/([.\-_A-Za-z0-9]{1,256})$")
# A custom bus: the name may not contain '/' (partner buses do) and is not "default".
CUSTOM_BUS_NAME_RE = re.compile(r"^[.\-_A-Za-z0-9]{1,256}$")
# PutPermission StatementId: ^[a-zA-Z0-9-_]{1,64}$; IAM-style Sids allow letters and digits only.
SID_PREFIX_RE = re.compile(r"^[A-Za-z0-9]{1,40}$")
SID_RE = re.compile(r"^[A-Za-z0-9]{1,64}$")
# Standard queues: "up to 80 characters [...] alphanumeric characters, hyphens (-), and underscores (_)".
QUEUE_NAME_RE = re.compile(r"^[A-Za-z0-9_\-]{1,80}$")
QUEUE_ARN_RE = re.compile(r"^arn:aws[a-z\-]*:sqs:([a-z0-9\-]+):(\d{12}):([A-Za-z0-9_\-]{1,80})$")
# The three counts of GetQueueAttributes, read in the same request: available, in flight ("messages that are
# in flight", received but not yet deleted) and delayed (SQS API reference, GetQueueAttributes). An event
# someone received but did not delete is still lost for the alert, so all three count.
QUEUE_MESSAGE_COUNTS = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed")
QUEUE_ATTRIBUTES = ["QueueArn", "Policy"] + list(QUEUE_MESSAGE_COUNTS) + ["SqsManagedSseEnabled", "KmsMasterKeyId", "MessageRetentionPeriod"]
MISSING_QUEUE_CODES = ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue")
ENABLED_RULE_STATES = ("ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")


# -- validation ------------------------------------------------------------------------
def parse_bus_arn(bus_arn):
    """``arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME`` -> (partition, region, account, name)."""
    match = BUS_ARN_RE.match(bus_arn or "") if isinstance(bus_arn, str) else None
    if not match:
        raise ValidationError("bus ARN must look like arn:aws:events:us-east-1:123456789012:event-bus/NAME, got %r" % (bus_arn,))
    return match.groups()


def validate_account_id(account_id, what="account ID"):
    if not isinstance(account_id, str) or not ACCOUNT_ID_RE.match(account_id):
        raise ValidationError("%s must be a 12-digit AWS account ID (a string), got %r" % (what, account_id))
    return account_id


def validate_organization_id(organization_id):
    if not isinstance(organization_id, str) or not ORGANIZATION_ID_RE.match(organization_id):
        raise ValidationError("organization_id must be 'o-' and 10-32 lowercase letters or digits, got %r" % (organization_id,))
    return organization_id


def _validate_rule_arns(rule_arns, what):
    rules = [rule_arns] if isinstance(rule_arns, str) else list(rule_arns or [])
    if not rules:
        raise ValidationError("%s must name at least one EventBridge rule ARN" % what)
    for rule in rules:
        if not isinstance(rule, str) or not RULE_ARN_RE.match(rule):
            raise ValidationError("%s: %r is not an EventBridge rule ARN like arn:aws:events:us-east-1:123456789012:rule/NAME" % (what, rule))
    return rules


def _one_or_list(values):
    return values[0] if len(values) == 1 else list(values)


def root_principal(partition, account_id):
    return "arn:%s:iam::%s:root" % (partition, account_id)


# -- pure policies ---------------------------------------------------------------------
def bus_sids(sid_prefix=DEFAULT_SID_PREFIX):
    """The Sids of the bus statements this collection writes: (organization, member accounts)."""
    if not isinstance(sid_prefix, str) or not SID_PREFIX_RE.match(sid_prefix):
        raise ValidationError("sid_prefix must be 1-40 letters or digits, got %r" % (sid_prefix,))
    return sid_prefix + "OrgPutEvents", sid_prefix + "MemberPutEvents"


def forwarding_principal_arn(partition, account_id, role_name):
    """``aws:PrincipalArn`` of the forwarding role's sessions: "For IAM roles, the request context returns the
    ARN of the role, not the ARN of the user that assumed the role" (IAM user guide, global condition keys).
    ``account_id`` may be ``*`` (any account of the organization); the template's role has path ``/``."""
    return "arn:%s:iam::%s:role/%s" % (partition, account_id, role_name)


def bus_policy_statements(bus_arn, organization_id=None, member_accounts=(), sid_prefix=DEFAULT_SID_PREFIX,
                          forwarding_role_name=None):
    """The hub bus statements letting the members' forwarding path call ``events:PutEvents`` on ``bus_arn``.

    Only the forwarding role ``forwarding_role_name`` (required) may put events, and only
    events of AWS services. With ``organization_id``: ``Principal "*"`` with
    ``StringEquals aws:PrincipalOrgID`` (AWS's organization example in "Permissions for
    event buses in Amazon EventBridge") and ``ArnLike aws:PrincipalArn``
    ``arn:PARTITION:iam::*:role/NAME``. With ``member_accounts``: one statement whose
    principal lists every member's ``arn:PARTITION:iam::ACCOUNT:root`` (AWS's account
    example), sorted, without duplicates and without the bus's own account (its
    principals need no bus policy), and ``aws:PrincipalArn`` each member's role. Both
    have ``ForAllValues:StringLike events:source aws.*``: ``events:source`` is a
    condition key of ``events:PutEvents`` of type ArrayOfString (Service Authorization
    Reference, Amazon EventBridge), so it takes a set operator, as in AWS's example
    "Send events to a custom bus in a different account" (``ForAllValues:StringEquals
    events:source``). A custom event cannot have an ``aws.`` source, so what passes is
    an AWS event that the role forwarded; a principal that took a member's root
    credentials still cannot put a forged alert here.

    One statement for the listed accounts rather than one each: the bus policy
    "cannot exceed 10 KB in size" (PutPermission); an account costs about 100 bytes in
    the lists, a statement of its own about 400, so prefer the organization.
    ValueError, naming the problem, on a malformed ID or role name, when neither
    ``organization_id`` nor another account is given, or when the statements alone
    pass 10 KB.
    """
    partition, unused_region, owner, unused_name = parse_bus_arn(bus_arn)
    org_sid, member_sid = bus_sids(sid_prefix)
    if not isinstance(forwarding_role_name, str) or not iam_roles.ROLE_NAME_RE.match(forwarding_role_name):
        raise ValidationError("forwarding_role_name must be an IAM role name (1-64 letters, digits or +=,.@_-), got %r"
                         % (forwarding_role_name,))
    if isinstance(member_accounts, str) or not isinstance(member_accounts, (list, tuple, set, frozenset)):
        raise ValidationError("member_accounts must be a list of 12-digit account IDs, got %r" % (member_accounts,))
    aws_sources = {"ForAllValues:StringLike": {"events:source": "aws.*"}}
    statements = []
    if organization_id is not None:
        condition = {"StringEquals": {"aws:PrincipalOrgID": validate_organization_id(organization_id)},
                     "ArnLike": {"aws:PrincipalArn": forwarding_principal_arn(partition, "*", forwarding_role_name)}}
        condition.update(aws_sources)
        statements.append({
            "Sid": org_sid,
            "Effect": "Allow",
            "Principal": "*",
            "Action": "events:PutEvents",
            "Resource": bus_arn,
            "Condition": condition,
        })
    accounts = sorted(set(validate_account_id(a, "member_accounts entry") for a in member_accounts) - set([owner]))
    if accounts:
        condition = {"ArnLike": {"aws:PrincipalArn": _one_or_list(
            [forwarding_principal_arn(partition, a, forwarding_role_name) for a in accounts])}}
        condition.update(aws_sources)
        statements.append({
            "Sid": member_sid,
            "Effect": "Allow",
            "Principal": {"AWS": [root_principal(partition, a) for a in accounts]},
            "Action": "events:PutEvents",
            "Resource": bus_arn,
            "Condition": condition,
        })
    if not statements:
        raise ValidationError("the hub bus policy needs organization_id or member_accounts (other than the hub %s itself)" % owner)
    size = len(json.dumps({"Version": DEFAULT_VERSION, "Statement": statements}, separators=(",", ":")))
    if size > BUS_POLICY_LIMIT:
        raise ValidationError("the hub bus policy for %d member accounts would be %d bytes; an event bus policy \"cannot exceed "
                         "10 KB in size\" (PutPermission): admit the organization (organization_id) instead of listing "
                         "member_accounts" % (len(accounts), size))
    return statements


def dead_letter_queue_policy(queue_arn, rule_arns, sid=DEFAULT_DLQ_SID):
    """The queue policy letting EventBridge put undelivered events of ``rule_arns`` in the queue.

    AWS's "Target dead-letter queue permissions example": ``events.amazonaws.com``,
    ``sqs:SendMessage`` on the queue, ``ArnEquals aws:SourceArn`` the rule(s). Every
    rule must be in the queue's Region ("The Amazon SQS queue you use must be in the
    same Region in which you create the rule").
    """
    match = QUEUE_ARN_RE.match(queue_arn or "") if isinstance(queue_arn, str) else None
    if not match:
        raise ValidationError("queue_arn must be an SQS queue ARN like arn:aws:sqs:us-east-1:123456789012:NAME, got %r" % (queue_arn,))
    if not isinstance(sid, str) or not SID_RE.match(sid):
        raise ValidationError("sid must be 1-64 letters or digits, got %r" % (sid,))
    rules = _validate_rule_arns(rule_arns, "rule_arns")
    for rule in rules:
        if rule.split(":")[3] != match.group(1):
            raise ValidationError("rule %s is not in %s, the Region of dead-letter queue %s; EventBridge needs the queue in "
                             "the rule's Region" % (rule, match.group(1), queue_arn))
    return {"Version": DEFAULT_VERSION, "Statement": [{
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": EVENTS_SERVICE_PRINCIPAL},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": _one_or_list(rules)}},
    }]}


def forwarding_target(hub_bus_arn, role_arn, dead_letter_arn, target_id=DEFAULT_TARGET_ID, retry_policy=None):
    """The member rule's target, in eventbridge_rule's module-option form (``targets`` entry)."""
    parse_bus_arn(hub_bus_arn)
    target = {
        "id": target_id,
        "arn": hub_bus_arn,
        "role_arn": role_arn,
        "dead_letter_arn": dead_letter_arn,
        "retry_policy": dict(retry_policy or DEFAULT_RETRY_POLICY),
    }
    eventbridge_targets.validate_targets([target], "forwarding target")
    return target


def plan_statements(current, statements, managed_sids):
    """Put ``statements`` (by Sid) into ``current``; drop the ``managed_sids`` not among them; keep all else.

    Returns a dict: changed, before, after (None when no statement is left),
    added, replaced, removed (Sid lists).
    """
    wanted = [s["Sid"] for s in statements]
    before_by_sid = dict((s.get("Sid"), s) for s in statements_of(current))
    stale = [sid for sid in managed_sids if sid not in wanted]
    after = remove_statements(merge_statements(current, statements), stale)
    added = [sid for sid in wanted if sid not in before_by_sid]
    replaced = [s["Sid"] for s in statements if s["Sid"] in before_by_sid and not statements_equal(before_by_sid[s["Sid"]], s)]
    removed = [sid for sid in stale if sid in before_by_sid]
    after = after if statements_of(after) else None
    changed = bool(added or replaced or removed) and policies_differ(current, after)
    if not changed:
        after, added, replaced, removed = copy.deepcopy(current), [], [], []
    return {"changed": changed, "before": current, "after": after, "added": added, "replaced": replaced, "removed": removed}


def _statement_changes(plan, what):
    return ["%s %s statement %s" % (verb, what, sid)
            for verb, key in (("add", "added"), ("replace", "replaced"), ("remove", "removed")) for sid in plan[key]]


def _parse_policy(text, what):
    if not text:
        return None
    document = parse_json_text(text, what)
    return document if statements_of(document) else None


# -- the judge ---------------------------------------------------------------------------
def forwarding_link(member_rule, hub_bus_policy, member_account, hub_bus_arn, organization_id=None, event_source=SIGN_IN_SOURCE,
                    organization_read=True):
    """Does this member rule deliver to the hub bus? -> (True, False or None, reason).

    ``member_rule``: what was read in the member account:

    - ``rule``: the rule (DescribeRule or ListRules item: Name, Arn, State), None when absent;
    - ``targets``: its ListTargetsByRule targets;
    - ``roles``: {role ARN: ``iam_roles.role_reference`` (trust, boundary and, for our role, its
      inline policy), None when the role does not exist, ``{"error"}`` when its read failed};
      a target role missing from it was not read;
    - ``error``: text, when a read failed.

    ``hub_bus_policy``: the hub bus policy (dict or JSON text; None: no policy), or
    ``{"error": text}`` when it could not be read. ``organization_id``: the member's own
    organization (DescribeOrganization in the member), None when it is in none;
    ``organization_read`` False when that read was not made or failed: ``aws:PrincipalOrgID``
    is then unknown, and a bus statement conditioned on it is undecided (None).

    The link holds when the rule is enabled and one target is ``hub_bus_arn`` that EventBridge
    can put the event with:

    - with a RoleArn: that role may be used for it (:func:`_judge_role`: its trust lets
      events.amazonaws.com assume it for this rule, its inline policy allows events:PutEvents
      on the bus and denies it nowhere), and the bus policy admits the role's sessions;
    - without one: the bus policy admits the member account directly. "If you're setting an
      event bus in another account as the target and that account granted permission to your
      account through an organization instead of directly by the account ID, you must specify a
      RoleArn" (EventBridge API reference, PutTargets, Target ``RoleArn``; PutPermission says the
      same), so an organization statement does not count for it.

    The bus policy is evaluated by ``policy_evaluation.evaluate`` for the request EventBridge
    makes (:func:`_judge_bus_policy`), with the keys this audit knows: ``aws:PrincipalArn``
    (the role), ``aws:PrincipalAccount`` and ``aws:SourceAccount`` (the member), ``aws:SourceArn``
    (the rule), ``events:source`` (``event_source``: ``aws.signin`` for a console sign-in) and
    ``aws:PrincipalOrgID`` (the member's organization, when read). A condition on another key is
    undecided. None means unknown: a needed read failed, or a statement could not be decided.
    """
    member_rule = member_rule or {}
    partition, unused_region, hub_account, bus = parse_bus_arn(hub_bus_arn)
    validate_account_id(member_account, "member_account")
    if organization_id is not None:
        validate_organization_id(organization_id)
    if member_rule.get("error"):
        return None, "the forwarding rule of account %s could not be read: %s" % (member_account, member_rule["error"])
    rule = member_rule.get("rule")
    if not rule:
        return False, "account %s has no rule forwarding to hub bus %s" % (member_account, hub_bus_arn)
    name = rule.get("Name") or rule.get("Arn") or "?"
    if rule.get("State") not in ENABLED_RULE_STATES:
        return False, "rule %s of account %s is %s" % (name, member_account, rule.get("State") or "in no known state")
    targets = [t for t in member_rule.get("targets") or [] if t.get("Arn") == hub_bus_arn]
    if not targets:
        return False, "rule %s of account %s has no target %s" % (name, member_account, hub_bus_arn)
    organization = (organization_id, organization_read)
    unknown, failed = [], []
    for target in targets:
        if not target.get("RoleArn"):
            ok, reason = _judge_bus_policy(hub_bus_policy, member_account, hub_bus_arn, rule, None, organization, event_source)
            how = "without a role"
        else:
            ok, reason = _judge_role(member_rule.get("roles") or {}, target, rule, member_account)
            if ok is True:
                ok, reason = _judge_bus_policy(hub_bus_policy, member_account, hub_bus_arn, rule, target["RoleArn"], organization,
                                               event_source)
            how = "with role %s" % target["RoleArn"]
        if ok is True:
            return True, "rule %s of account %s -> hub bus %s (account %s) %s; %s" % (name, member_account, bus, hub_account, how, reason)
        (unknown if ok is None else failed).append("target %s: %s" % (target.get("Id"), reason))
    if unknown:
        return None, "; ".join(unknown)
    return False, "; ".join(failed)


def _judge_role(roles, target, rule, member_account):
    """Whether EventBridge may use the target's role for this rule: by what the role may do (``iam_roles``).

    Its trust must let events.amazonaws.com assume it with ``aws:SourceAccount`` the member and
    ``aws:SourceArn`` the rule, and its inline policy (the template's, ``rootwatch-forward-to-hub-bus``)
    must allow ``events:PutEvents`` on the target bus, with no explicit Deny of it in that policy. Attached
    managed policies and the permissions boundary's document are not read (one more request each): a role
    with a ``PermissionsBoundary`` in GetRole's answer is unknown, never usable. A role whose inline policy
    was not read (one the role variables do not name) is unknown too. Not iam:SimulatePrincipalPolicy: it
    would be one more request per member on every run (over the per-account budget) and needs
    iam:SimulatePrincipalPolicy on the role, which the least-privilege automation policy does not grant.
    """
    role_arn = target["RoleArn"]
    if role_arn not in roles:
        return None, "role %s was not read" % role_arn
    role = roles[role_arn]
    if role and role_arn.split(":")[4] != member_account:
        return False, "its role %s is not in account %s; EventBridge uses a role of the rule's account" % (role_arn, member_account)
    needs = iam_roles.forwarding_needs(member_account, role_arn, [rule.get("Arn") or ""], [target["Arn"]])
    ok, reasons = iam_roles.judge_role(dict(role, Arn=role_arn) if role and not role.get("error") else role, EVENTS_SERVICE_PRINCIPAL, needs)
    if ok:
        return True, "role %s may forward: %s" % (role_arn, "; ".join(reasons))
    return ok, "its role %s %s" % (role_arn, "; ".join(reasons))


BUS_REQUEST_KEYS = ("aws:PrincipalArn", "aws:PrincipalAccount", "aws:SourceAccount", "aws:SourceArn", "events:source")


def _judge_bus_policy(policy, member_account, bus_arn, rule, role_arn, organization, event_source):
    """Does the bus policy admit PutEvents of ``event_source`` events from this member rule?

    With ``role_arn`` the principal is the role (a policy naming it, or its account, or ``*``); its
    sessions' ``aws:PrincipalArn`` is the role's ARN. A policy of an older version (``Principal "*"``
    with ``aws:PrincipalOrgID`` only, or the listed accounts' roots) still admits it. Without a role
    the principal is the member account itself, whose ``aws:PrincipalArn`` AWS does not document (judged
    absent and as the account root; undecided unless both agree), and only a direct admission counts (``aws:PrincipalOrgID`` taken
    as absent: an organization grant needs a RoleArn, PutTargets). ``organization``: (the member's
    organization ID or None, whether it was read).
    """
    if isinstance(policy, dict) and set(policy) == set(["error"]):
        return None, "the policy of hub bus %s could not be read: %s" % (bus_arn, policy["error"])
    organization_id, organization_read = organization
    context = {"aws:PrincipalAccount": member_account, "aws:SourceAccount": member_account, "events:source": [event_source]}
    known = list(BUS_REQUEST_KEYS)
    if rule.get("Arn"):
        context["aws:SourceArn"] = rule["Arn"]
    if role_arn:
        principal, who = role_arn, "role %s" % role_arn
        context["aws:PrincipalArn"] = role_arn
        if organization_read:
            known.append("aws:PrincipalOrgID")
            if organization_id:
                context["aws:PrincipalOrgID"] = organization_id
    else:
        principal, who = root_principal(parse_bus_arn(bus_arn)[0], member_account), "account %s (a target without RoleArn)" % member_account
        known.append("aws:PrincipalOrgID")
    result = policy_evaluation.evaluate(policy, {"AWS": principal}, "events:PutEvents", bus_arn, context, known)
    if not role_arn:
        # No role session exists, so aws:PrincipalArn is no role's; AWS does not document whether it is absent or the
        # account's root: judged both ways, and undecided unless they agree.
        rooted = policy_evaluation.evaluate(policy, {"AWS": principal}, "events:PutEvents", bus_arn,
                                            dict(context, **{"aws:PrincipalArn": principal}), known)
        if rooted["outcome"] is not result["outcome"]:
            result = dict(result, outcome=None, unevaluated=result["unevaluated"] + [
                "The decision depends on aws:PrincipalArn, which AWS does not document for a target without RoleArn."])
    if result["outcome"] is True:
        return True, "the bus policy admits %s events from %s (statement %s)" % (event_source, who, ", ".join(result["statements"]))
    if result["outcome"] is None:
        return None, "the hub bus policy could not be decided for %s events from %s: %s %s" % (
            event_source, who, result["reason"], " ".join(result["unevaluated"]))
    reason = "the hub bus policy does not admit %s events from %s of account %s: %s" % (event_source, who, member_account, result["reason"])
    if not role_arn:
        reason += (" A target without RoleArn counts only when the bus admits the account directly: one admitted through "
                   "an organization needs a RoleArn (EventBridge API reference, PutTargets, RoleArn)")
    return False, reason


# -- event bus (hub) -------------------------------------------------------------------
class EventBusManager(ResourceManager):
    """The hub's custom event bus and our statements in its policy.

    ``ensure(params, known)`` params: ``name``, ``state`` (present/absent),
    ``organization_id``, ``member_accounts``, ``forwarding_role_name`` (the only
    role the policy admits; required when present), ``sid_prefix`` (default
    ``Rootwatch``; see :func:`bus_policy_statements`), ``tags``, ``purge_tags``
    (default True), ``owner_tag``, ``own_rules`` (names of our rules on this bus,
    which a run removes before the bus: check mode counts them as gone). ``known``
    may hold ``bus`` (DescribeEventBus, None when absent), ``tags`` and ``rules``
    (names of the rules on the bus). Extra keys: ``bus`` (view), ``bus_arn``,
    ``policy`` (the policy after) and, when kept, ``kept_because``.

    The policy is written whole with PutPermission ``Policy`` (which replaces the
    bus policy), merged by Sid with a read taken just before the write, and read
    back; a statement of ours that is no longer wanted goes with RemovePermission
    ``StatementId``. On ``absent`` the bus is deleted only when it is ours and no
    rule of others is on it (ListRules); otherwise only our statements go.
    """

    kind = "event bus"

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(EventBusManager, self).__init__(clients, region, check_mode, warn, account_id)
        self.events = clients("events", region)

    # -- reads
    def describe(self, name):
        try:
            return self.events.describe_event_bus(Name=name, aws_retry=True)
        except is_boto3_error_code("ResourceNotFoundException"):
            return None

    def list_tags(self, arn):
        return boto3_tag_list_to_ansible_dict(self.events.list_tags_for_resource(ResourceARN=arn, aws_retry=True).get("Tags", []))

    def list_rules(self, name):
        names, kwargs = [], {"EventBusName": name}
        while True:
            page = self.events.list_rules(aws_retry=True, **kwargs)
            names.extend(r["Name"] for r in page.get("Rules", []))
            if not page.get("NextToken"):
                return names
            kwargs["NextToken"] = page["NextToken"]

    def policy_of(self, bus, name):
        return _parse_policy((bus or {}).get("Policy"), "the policy of event bus %s" % name)

    @staticmethod
    def view(name, arn, policy, tags):
        view = {"name": name, "arn": arn, "policy": policy}
        if tags is not None:
            view["tags"] = tags
        return view

    # -- ensure
    def ensure(self, params, known=None):
        state = _validate_state(params)
        name = params.get("name")
        if not isinstance(name, str) or not CUSTOM_BUS_NAME_RE.match(name) or name == "default":
            raise ValidationError("name must be a custom event bus name (1-256 letters, digits, '.', '-' or '_', not 'default'), got %r" % (name,))
        prefix = params.get("sid_prefix") or DEFAULT_SID_PREFIX
        sids = bus_sids(prefix)
        known = known or {}
        owner_tag = params.get("owner_tag")
        current = known["bus"] if "bus" in known else self.describe(name)
        need_tags = current is not None and (params.get("tags") is not None or owner_tag)
        tags = (known["tags"] if "tags" in known else self.list_tags(current["Arn"])) if need_tags else None
        policy = self.policy_of(current, name)
        facts = {"bus": current, "tags": tags, "policy": policy}
        if state == "absent":
            return self._absent(name, current, policy, tags, params, sids, known, facts)
        if current is not None and not is_owned(tags, owner_tag):
            raise ForeignResourceError(foreign_resource_message("EventBridge event bus", name, self.region, owner_tag, ROLE_VARIABLES["bus"]))
        if self.region != HUB_REGION:
            self.warn("Event bus %s is in %s; root console sign-ins reach EventBridge in %s only" % (name, self.region, HUB_REGION))
        to_set, to_unset, final_tags = _tag_plan(tags, params.get("tags"), params.get("purge_tags", True))
        # The ARN AWS gives the bus (predicted for a new one), so the statements are valid before any write.
        arn = current["Arn"] if current else build_arn("events", self.region, self.account_id, "event-bus/%s" % name)
        statements = bus_policy_statements(arn, params.get("organization_id"), params.get("member_accounts") or [], prefix,
                                           forwarding_role_name=params.get("forwarding_role_name"))
        if current is None:
            return self._create(name, arn, statements, final_tags or {}, facts)
        plan = plan_statements(policy, statements, sids)
        what = (["policy"] if plan["changed"] else []) + (["tags"] if to_set or to_unset else [])
        if what and not self.check_mode:
            if to_unset:
                self.events.untag_resource(ResourceARN=arn, TagKeys=to_unset, aws_retry=True)
            if to_set:
                self.events.tag_resource(ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(to_set), aws_retry=True)
            if plan["changed"]:
                plan = self._write_policy(name, statements, sids, plan)
                if not plan["changed"]:  # another writer made the same change first
                    what.remove("policy")
        before = self.view(name, arn, policy, tags)
        after = self.view(name, arn, plan["after"], final_tags)
        changes = ([_update_line(self.kind, name, what)] if what else []) + _statement_changes(plan, "bus policy")
        return manager_result(bool(what), make_diff(before, after), changes, facts, bus=after, bus_arn=arn, policy=plan["after"])

    def _create(self, name, arn, statements, tags, facts):
        document = {"Version": DEFAULT_VERSION, "Statement": statements}
        if not self.check_mode:
            kwargs = {"Name": name}
            if tags:
                kwargs["Tags"] = ansible_dict_to_boto3_tag_list(tags)
            created = self.events.create_event_bus(aws_retry=True, **kwargs)["EventBusArn"]
            if created != arn:  # not expected; the statements name the bus by its real ARN
                arn = created
                for statement in statements:
                    statement["Resource"] = arn
            self.events.put_permission(EventBusName=name, Policy=json.dumps(document, sort_keys=True), aws_retry=True)
        after = self.view(name, arn, document, tags)
        changes = ["create %s %s" % (self.kind, name)] + ["add bus policy statement %s" % s["Sid"] for s in statements]
        return manager_result(True, make_diff(None, after), changes, facts, bus=after, bus_arn=arn, policy=document)

    def _write_policy(self, name, statements, sids, plan):
        """Re-plan on a read taken just before the write, write, then read back (as sns_policy does)."""
        fresh = self.describe(name)
        if fresh is None:
            raise WriteConflictError("Event bus %s disappeared while this run updated its policy" % name)
        replanned = plan_statements(self.policy_of(fresh, name), statements, sids)
        replanned["before"] = plan["before"]
        if not replanned["changed"]:
            return replanned
        for sid in replanned["removed"]:
            self.events.remove_permission(EventBusName=name, StatementId=sid, aws_retry=True)
        if replanned["added"] or replanned["replaced"]:
            self.events.put_permission(EventBusName=name, Policy=json.dumps(replanned["after"], sort_keys=True), aws_retry=True)
        written = self.describe(name)
        if written is None or policies_differ(self.policy_of(written, name), replanned["after"]):
            raise WriteConflictError("The policy of event bus %s changed while this run wrote it (another writer at the same time); "
                                "a re-run merges both" % name)
        return replanned

    def _absent(self, name, current, policy, tags, params, sids, known, facts):
        if current is None:
            return manager_result(False, make_diff(None, None), [], facts, bus={}, bus_arn=None, policy=None)
        arn = current["Arn"]
        before = self.view(name, arn, policy, tags)
        owner_tag = params.get("owner_tag")
        if owner_tag and not is_owned(tags, owner_tag):
            why = _kept("Event bus", name, owner_tag, self.warn)
            return manager_result(False, make_diff(before, before), [], facts, bus=before, bus_arn=arn, policy=policy, kept_because=why)
        rules = known["rules"] if "rules" in known else self.list_rules(name)
        facts["rules"] = list(rules)
        own = set(params.get("own_rules") or []) if self.check_mode else set()
        blocking = sorted(r for r in rules if r not in own)
        if not blocking:
            if not self.check_mode:
                self.events.delete_event_bus(Name=name, aws_retry=True)
            return manager_result(True, make_diff(before, None), ["delete %s %s" % (self.kind, name)], facts,
                                  bus={}, bus_arn=None, policy=None)
        why = "rules remain on it (%s)" % ", ".join(blocking)
        self.warn("Event bus %s is kept: %s; only the rootwatch.aws statements of its policy are removed" % (name, why))
        plan = plan_statements(policy, [], sids)
        if plan["changed"] and not self.check_mode:
            plan = self._write_policy(name, [], sids, plan)
        after = self.view(name, arn, plan["after"], tags)
        return manager_result(plan["changed"], make_diff(before, after), _statement_changes(plan, "bus policy"), facts,
                              bus=after, bus_arn=arn, policy=plan["after"], kept_because=why)


# -- dead-letter queue (either side) ---------------------------------------------------
class DeadLetterQueueManager(ResourceManager):
    """A standard SQS queue, encrypted, that receives the events EventBridge could not deliver.

    ``ensure(params, known)`` params: ``name``, ``state``, ``rule_arns`` (the
    rules whose targets use this queue; required when present), ``sid`` (default
    ``RootwatchEventBridgeDeadLetter``), ``kms_master_key_id`` (None: SQS-managed
    encryption, ``SqsManagedSseEnabled``, which needs no key policy; a customer
    managed key must let events.amazonaws.com use it), ``message_retention_period``
    (default 14 days), ``tags``, ``purge_tags``, ``owner_tag``. ``known`` may hold
    ``queue_url`` (None when absent), ``attributes`` (GetQueueAttributes) and
    ``tags``. Facts include ``messages`` (every event it holds) and each of
    :data:`QUEUE_MESSAGE_COUNTS` (ints, None when the queue does not exist), so an
    audit can report a queue that holds undelivered events, even ones received but
    not deleted. Extra keys: ``queue`` (view), ``queue_arn``, ``queue_url``.
    """

    kind = "dead-letter queue"

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(DeadLetterQueueManager, self).__init__(clients, region, check_mode, warn, account_id)
        self.sqs = clients("sqs", region)

    # -- reads
    def get_url(self, name):
        try:
            return self.sqs.get_queue_url(QueueName=name, aws_retry=True)["QueueUrl"]
        except is_boto3_error_code(MISSING_QUEUE_CODES):
            return None

    def get_attributes(self, url):
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(QUEUE_ATTRIBUTES), aws_retry=True).get("Attributes", {})

    def list_tags(self, url):
        return dict(self.sqs.list_queue_tags(QueueUrl=url, aws_retry=True).get("Tags") or {})

    @staticmethod
    def message_counts(attributes):
        """{count name: int or None} of :data:`QUEUE_MESSAGE_COUNTS`, from GetQueueAttributes' strings."""
        found = attributes or {}
        return dict((key, int(found[key]) if found.get(key) not in (None, "") else None) for key in QUEUE_MESSAGE_COUNTS)

    @classmethod
    def messages(cls, attributes):
        """Every event the queue holds (available, in flight and delayed); None when it does not exist."""
        counts = [value for value in cls.message_counts(attributes).values() if value is not None]
        return sum(counts) if attributes is not None and counts else None

    @staticmethod
    def view(name, arn, attributes, tags):
        attributes = attributes or {}
        view = {
            "name": name,
            "arn": arn,
            "sqs_managed_sse_enabled": attributes.get("SqsManagedSseEnabled") == "true",
            "kms_master_key_id": attributes.get("KmsMasterKeyId") or None,
            "message_retention_period": int(attributes["MessageRetentionPeriod"]) if attributes.get("MessageRetentionPeriod") else None,
            "policy": _parse_policy(attributes.get("Policy"), "the policy of queue %s" % name),
        }
        if tags is not None:
            view["tags"] = tags
        return view

    # -- plan
    @staticmethod
    def desired_attributes(params, current):
        """The non-policy attributes to set (SQS's string form): encryption and retention; all of them for a new queue."""
        key = params.get("kms_master_key_id")
        retention = params.get("message_retention_period")
        if retention is None:
            retention = DEFAULT_RETENTION_SECONDS
        if not isinstance(retention, int) or isinstance(retention, bool) or not 60 <= retention <= 1209600:
            raise ValidationError("message_retention_period must be 60-1209600 seconds, got %r" % (retention,))
        if current is None:
            wanted = {"MessageRetentionPeriod": str(retention)}
            wanted.update({"KmsMasterKeyId": key} if key else {"SqsManagedSseEnabled": "true"})
            return wanted
        wanted = {}
        if current.get("MessageRetentionPeriod") != str(retention):
            wanted["MessageRetentionPeriod"] = str(retention)
        if key:
            if current.get("KmsMasterKeyId") != key:
                wanted["KmsMasterKeyId"] = key
            if current.get("SqsManagedSseEnabled") == "true":
                wanted["SqsManagedSseEnabled"] = "false"
        else:
            if current.get("SqsManagedSseEnabled") != "true":
                wanted["SqsManagedSseEnabled"] = "true"
            if current.get("KmsMasterKeyId"):
                wanted["KmsMasterKeyId"] = ""
        return wanted

    def ensure(self, params, known=None):
        state = _validate_state(params)
        name = _validate(params.get("name"), QUEUE_NAME_RE, "name", "a standard queue name (1-80 letters, digits, '-' or '_')")
        sid = params.get("sid") or DEFAULT_DLQ_SID
        known = known or {}
        owner_tag = params.get("owner_tag")
        url = known["queue_url"] if "queue_url" in known else self.get_url(name)
        attributes = (known["attributes"] if "attributes" in known else self.get_attributes(url)) if url else None
        need_tags = url is not None and (params.get("tags") is not None or owner_tag)
        tags = (known["tags"] if "tags" in known else self.list_tags(url)) if need_tags else None
        count = self.messages(attributes)
        facts = dict(self.message_counts(attributes), queue_url=url, attributes=attributes, tags=tags, messages=count)
        if count:
            self.warn("Dead-letter queue %s holds %d event(s) that EventBridge could not deliver" % (name, count))
        if state == "absent":
            return self._absent(name, url, attributes, tags, owner_tag, count, facts)
        if url is not None and not is_owned(tags, owner_tag):
            raise ForeignResourceError(foreign_resource_message("SQS queue", name, self.region, owner_tag, ROLE_VARIABLES["queue"]))
        to_set, to_unset, final_tags = _tag_plan(tags, params.get("tags"), params.get("purge_tags", True))
        arn = (attributes or {}).get("QueueArn") or build_arn("sqs", self.region, self.account_id, name)
        statements = statements_of(dead_letter_queue_policy(arn, params.get("rule_arns"), sid))
        settings = self.desired_attributes(params, attributes)
        if url is None:
            return self._create(name, arn, settings, statements, final_tags or {}, facts)
        current_policy = _parse_policy(attributes.get("Policy"), "the policy of queue %s" % name)
        plan = plan_statements(current_policy, statements, [sid])
        what = []
        if "SqsManagedSseEnabled" in settings or "KmsMasterKeyId" in settings:
            what.append("encryption")
        if "MessageRetentionPeriod" in settings:
            what.append("retention")
        if plan["changed"]:
            what.append("policy")
        if to_set or to_unset:
            what.append("tags")
        if what and not self.check_mode:
            if settings or plan["changed"]:
                plan = self._write_attributes(url, name, settings, statements, sid, plan)
                if "policy" in what and not plan["changed"]:  # another writer made the same change first
                    what.remove("policy")
            if to_unset:
                self.sqs.untag_queue(QueueUrl=url, TagKeys=to_unset, aws_retry=True)
            if to_set:
                self.sqs.tag_queue(QueueUrl=url, Tags=to_set, aws_retry=True)
        after_attributes = dict(attributes, **settings)
        after_attributes["Policy"] = json.dumps(plan["after"]) if plan["after"] else ""
        before = self.view(name, arn, attributes, tags)
        after = self.view(name, arn, after_attributes, final_tags)
        changes = ([_update_line(self.kind, name, what)] if what else []) + _statement_changes(plan, "queue policy")
        return manager_result(bool(what), make_diff(before, after), changes, facts, queue=after, queue_arn=arn, queue_url=url)

    def _create(self, name, arn, settings, statements, tags, facts):
        document = {"Version": DEFAULT_VERSION, "Statement": statements}
        attributes = dict(settings, Policy=json.dumps(document, sort_keys=True))
        url = "https://sqs.%s.amazonaws.com/%s/%s" % (self.region, arn.split(":")[4], name)
        if not self.check_mode:
            kwargs = {"QueueName": name, "Attributes": attributes}
            if tags:
                kwargs["tags"] = tags
            url = self.sqs.create_queue(aws_retry=True, **kwargs)["QueueUrl"]
        after = self.view(name, arn, attributes, tags)
        return manager_result(True, make_diff(None, after), ["create %s %s" % (self.kind, name)], facts,
                              queue=after, queue_arn=arn, queue_url=url)

    def _write_attributes(self, url, name, settings, statements, sid, plan):
        """One SetQueueAttributes; the policy re-merged on a read taken just before it, then read back."""
        attributes = dict(settings)
        if plan["changed"]:
            fresh = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"], aws_retry=True).get("Attributes", {})
            replanned = plan_statements(_parse_policy(fresh.get("Policy"), "the policy of queue %s" % name), statements, [sid])
            replanned["before"] = plan["before"]
            plan = replanned
            if plan["changed"]:
                attributes["Policy"] = json.dumps(plan["after"], sort_keys=True) if plan["after"] else ""
        if not attributes:
            return plan
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes, aws_retry=True)
        if "Policy" in attributes:
            written = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"], aws_retry=True).get("Attributes", {})
            if policies_differ(_parse_policy(written.get("Policy"), "the policy of queue %s" % name), plan["after"]):
                raise WriteConflictError("The policy of queue %s changed while this run wrote it (another writer at the same time); "
                                    "a re-run merges both" % name)
        return plan

    def _absent(self, name, url, attributes, tags, owner_tag, count, facts):
        if url is None:
            return manager_result(False, make_diff(None, None), [], facts, queue={}, queue_arn=None, queue_url=None)
        arn = (attributes or {}).get("QueueArn")
        before = self.view(name, arn, attributes, tags)
        if owner_tag and not is_owned(tags, owner_tag):
            why = _kept("Queue", name, owner_tag, self.warn)
            return manager_result(False, make_diff(before, before), [], facts, queue=before, queue_arn=arn, queue_url=url,
                                  kept_because=why)
        if count:
            self.warn("Deleting dead-letter queue %s discards the %d undelivered event(s) it holds" % (name, count))
        if not self.check_mode:
            self.sqs.delete_queue(QueueUrl=url, aws_retry=True)
        return manager_result(True, make_diff(before, None), ["delete %s %s" % (self.kind, name)], facts,
                              queue={}, queue_arn=None, queue_url=None)
