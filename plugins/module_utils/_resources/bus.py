# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hub mode's event bus: the hub's custom bus, the statements of its policy, and the member rule's target.

One security ("hub") account holds the SNS topic and a custom event bus in
us-east-1; every member account has a rule whose target is that bus, sent with
an IAM role of the member (``iam_role``) that may only call ``events:PutEvents``
on it (:func:`forwarding_target`). ``_verdict/hub`` judges whether a member's
rule reaches the bus.

The bus policy. "To enable multiple AWS accounts to put events to your event
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

Ownership. The bus carries the owner tag; a same-named bus without it is
someone else's (:class:`ForeignResourceError`). Policy statements are ours by
Sid, ``<sid_prefix>OrgPutEvents`` and ``<sid_prefix>MemberPutEvents``; every
other statement is kept as it is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import build_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import root_principal
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import DEFAULT_RETRY_POLICY
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import GLOBAL_REGION
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import POLICY_VERSION
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import WriteConflictError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import make_diff
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import aws_pages
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import foreign_resource_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import kept_because
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import tag_plan
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import update_line
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import with_tags
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_account_id
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_organization_id
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_role_name
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_state
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import one_or_list
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import parse_policy
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import plan_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import policies_differ
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import statement_changes
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import validate_sid
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import targets as eventbridge_targets

DEFAULT_SID_PREFIX = "Rootwatch"
DEFAULT_TARGET_ID = "rootwatch-hub-bus"

# PutPermission: "The permission policy on the event bus cannot exceed 10 KB in size."
BUS_POLICY_LIMIT = 10240
BUS_ARN_RE = re.compile(r"^arn:(aws[a-z\-]*):events:([a-z0-9\-]+):(\d{12}):event-bus/([.\-_A-Za-z0-9]{1,256})$")
# A custom bus: the name may not contain '/' (partner buses do) and is not "default".
CUSTOM_BUS_NAME_RE = re.compile(r"^[.\-_A-Za-z0-9]{1,256}$")
# PutPermission StatementId: ^[a-zA-Z0-9-_]{1,64}$; a prefix of 40 leaves room for the longest suffix.
SID_PREFIX_MAX = 40


def parse_bus_arn(bus_arn):
    """``arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME`` -> (partition, region, account, name)."""
    match = BUS_ARN_RE.match(bus_arn or "") if isinstance(bus_arn, str) else None
    if not match:
        raise ValidationError("bus ARN must look like arn:aws:events:us-east-1:123456789012:event-bus/NAME, got %r" % (bus_arn,))
    return match.groups()


def bus_sids(sid_prefix=DEFAULT_SID_PREFIX):
    """The Sids of the bus statements this collection writes: (organization, member accounts)."""
    validate_sid(sid_prefix, "sid_prefix", SID_PREFIX_MAX)
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
    validate_role_name(forwarding_role_name, "forwarding_role_name")
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
        condition = {"ArnLike": {"aws:PrincipalArn": one_or_list(
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
    size = len(json.dumps({"Version": POLICY_VERSION, "Statement": statements}, separators=(",", ":")))
    if size > BUS_POLICY_LIMIT:
        raise ValidationError("the hub bus policy for %d member accounts would be %d bytes; an event bus policy \"cannot exceed "
                              "10 KB in size\" (PutPermission): admit the organization (organization_id) instead of listing "
                              "member_accounts" % (len(accounts), size))
    return statements


def forwarding_target(hub_bus_arn, role_arn, dead_letter_arn, target_id=DEFAULT_TARGET_ID, retry_policy=None):
    """The member rule's target, in eventbridge_rule's module-option form (``targets`` entry).

    Retries: EventBridge "retries sending the event for 24 hours and up to 185 times with an exponential back
    off and jitter" by default (user guide, "Event retry policy"), the most RetryPolicy allows: a root sign-in
    alert that arrives hours late still matters, and what is never delivered lands in the dead-letter queue.
    """
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
        return aws_call("describe event bus %s" % name, self.events.describe_event_bus, not_found=("ResourceNotFoundException",),
                        Name=name)

    def list_tags(self, arn):
        listed = aws_call("list the tags of event bus %s" % arn, self.events.list_tags_for_resource, ResourceARN=arn)
        return boto3_tag_list_to_ansible_dict(listed.get("Tags", []))

    def list_rules(self, name):
        pages = aws_pages("list the rules of event bus %s" % name, self.events.list_rules, EventBusName=name)
        return [rule["Name"] for page in pages for rule in page.get("Rules", [])]

    def policy_of(self, bus, name):
        return parse_policy((bus or {}).get("Policy"), "the policy of event bus %s" % name)

    @staticmethod
    def view(name, arn, policy, tags):
        return with_tags({"name": name, "arn": arn, "policy": policy}, tags)

    # -- ensure
    def ensure(self, params, known=None):
        state = validate_state(params)
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
            raise ForeignResourceError(foreign_resource_message("EventBridge event bus", name, self.region, owner_tag))
        if self.region != GLOBAL_REGION:
            self.warn("Event bus %s is in %s; root console sign-ins reach EventBridge in %s only" % (name, self.region, GLOBAL_REGION))
        to_set, to_unset, final_tags = tag_plan(tags, params.get("tags"), params.get("purge_tags", True))
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
                aws_call("untag event bus %s" % name, self.events.untag_resource, ResourceARN=arn, TagKeys=to_unset)
            if to_set:
                aws_call("tag event bus %s" % name, self.events.tag_resource, ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(to_set))
            if plan["changed"]:
                plan = self._write_policy(name, statements, sids, plan)
                if not plan["changed"]:  # another writer made the same change first
                    what.remove("policy")
        before = self.view(name, arn, policy, tags)
        after = self.view(name, arn, plan["after"], final_tags)
        changes = ([update_line(self.kind, name, what)] if what else []) + statement_changes(plan, "bus policy")
        return manager_result(bool(what), make_diff(before, after), changes, facts, bus=after, bus_arn=arn, policy=plan["after"])

    def _create(self, name, arn, statements, tags, facts):
        document = {"Version": POLICY_VERSION, "Statement": statements}
        if not self.check_mode:
            kwargs = {"Name": name}
            if tags:
                kwargs["Tags"] = ansible_dict_to_boto3_tag_list(tags)
            created = aws_call("create event bus %s" % name, self.events.create_event_bus, **kwargs)["EventBusArn"]
            if created != arn:  # not expected; the statements name the bus by its real ARN
                arn = created
                for statement in statements:
                    statement["Resource"] = arn
            self._put_policy(name, document)
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
            aws_call("remove statement %s from the policy of event bus %s" % (sid, name), self.events.remove_permission,
                     EventBusName=name, StatementId=sid)
        if replanned["added"] or replanned["replaced"]:
            self._put_policy(name, replanned["after"])
        written = self.describe(name)
        if written is None or policies_differ(self.policy_of(written, name), replanned["after"]):
            raise WriteConflictError("The policy of event bus %s changed while this run wrote it (another writer at the same time); "
                                     "a re-run merges both" % name)
        return replanned

    def _put_policy(self, name, document):
        """PutPermission ``Policy``: the whole bus policy at once."""
        aws_call("put the policy of event bus %s" % name, self.events.put_permission, EventBusName=name,
                 Policy=json.dumps(document, sort_keys=True))

    def _absent(self, name, current, policy, tags, params, sids, known, facts):
        if current is None:
            return manager_result(False, make_diff(None, None), [], facts, bus={}, bus_arn=None, policy=None)
        arn = current["Arn"]
        before = self.view(name, arn, policy, tags)
        owner_tag = params.get("owner_tag")
        if owner_tag and not is_owned(tags, owner_tag):
            why = kept_because("Event bus", name, owner_tag, self.warn)
            return manager_result(False, make_diff(before, before), [], facts, bus=before, bus_arn=arn, policy=policy, kept_because=why)
        rules = known["rules"] if "rules" in known else self.list_rules(name)
        facts["rules"] = list(rules)
        own = set(params.get("own_rules") or []) if self.check_mode else set()
        blocking = sorted(r for r in rules if r not in own)
        if not blocking:
            if not self.check_mode:
                aws_call("delete event bus %s" % name, self.events.delete_event_bus, Name=name)
            return manager_result(True, make_diff(before, None), ["delete %s %s" % (self.kind, name)], facts,
                                  bus={}, bus_arn=None, policy=None)
        why = "rules remain on it (%s)" % ", ".join(blocking)
        self.warn("Event bus %s is kept: %s; only the rootwatch.aws statements of its policy are removed" % (name, why))
        plan = plan_statements(policy, [], sids)
        if plan["changed"] and not self.check_mode:
            plan = self._write_policy(name, [], sids, plan)
        after = self.view(name, arn, plan["after"], tags)
        return manager_result(plan["changed"], make_diff(before, after), statement_changes(plan, "bus policy"), facts,
                              bus=after, bus_arn=arn, policy=plan["after"], kept_because=why)
