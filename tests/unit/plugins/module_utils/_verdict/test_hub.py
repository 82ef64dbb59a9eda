# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hub mode: the settings, a member's verdict judged with the hub's summary link by link, and the forwarding link."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path as dp
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bus import DEFAULT_TARGET_ID
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import hub as hub_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.hub import forwarding_link
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.messages import ROOT_SIGN_IN_PATTERN
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import default_topic_policy
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import eventbridge_publish_statement

HUB = "999999999999"
MEMBER = "111111111111"
ORG = "o-a1b2c3d4e5"
SETTINGS = {"hub_account_id": HUB, "member_accounts": [MEMBER]}
BUS_ARN = "arn:aws:events:us-east-1:999999999999:event-bus/root-login-alerts-hub"
TOPIC = "arn:aws:sns:us-east-1:999999999999:root-login-alerts"
HUB_RULE_ARN = "arn:aws:events:us-east-1:999999999999:rule/root-login-alerts-hub/root-login-alerts"
MEMBER_RULE_ARN = "arn:aws:events:us-east-1:111111111111:rule/root-login-alerts"
ROLE_ARN = "arn:aws:iam::111111111111:role/root-login-alerts-forwarding"
TRAIL = {
    "trail": {"Name": "audit", "TrailARN": "arn:aws:cloudtrail:us-east-1:111111111111:trail/audit", "HomeRegion": "us-east-1",
              "IsMultiRegionTrail": True, "IncludeGlobalServiceEvents": True, "IsOrganizationTrail": False},
    "status": {"IsLogging": True},
    "selectors": {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]},
    "error": None,
}
# The member's forwarding role as docs/member-role.yml makes it (ResourcePrefix root-login-alerts, HubAccountId HUB),
# written out as GetRole and GetRolePolicy answer for it (iam_roles.role_reference).
GOOD_ROLE = {
    "Arn": ROLE_ARN,
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "111111111111"},
                      "ArnLike": {"aws:SourceArn": "arn:aws:events:*:111111111111:rule/root-login-alerts*"}}}]},
    "PermissionsBoundary": None,
    "PolicyName": "rootwatch-forward-to-hub-bus",
    "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "events:PutEvents",
        "Resource": ["arn:aws:events:us-east-1:111111111111:event-bus/default",
                     "arn:aws:events:us-east-1:999999999999:event-bus/root-login-alerts-hub"]}]},
}


# The hub bus policy statements, written out: the members' forwarding role only, AWS events only.
MEMBER_BUS_STATEMENT = {
    "Sid": "RootwatchMemberPutEvents", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111111111111:root"]},
    "Action": "events:PutEvents", "Resource": BUS_ARN,
    "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/root-login-alerts-forwarding"},
                  "ForAllValues:StringLike": {"events:source": "aws.*"}}}
ORG_BUS_STATEMENT = {
    "Sid": "RootwatchOrgPutEvents", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": BUS_ARN,
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
                  "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/root-login-alerts-forwarding"},
                  "ForAllValues:StringLike": {"events:source": "aws.*"}}}
# AWS's recipe, as "Creating Amazon EventBridge rules that react to events" builds it: no source in the pattern.
RECIPE_PATTERN = {"detail-type": ["AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}


def member_facts():
    return {
        "account_id": MEMBER, "region": "us-east-1", "partition": "aws", "ours": {},
        "trails": {"error": None, "trails": [copy.deepcopy(TRAIL)]},
        "rules": {"error": None, "rules": [{
            "Name": "root-login-alerts", "Arn": MEMBER_RULE_ARN, "State": "ENABLED", "EventBusName": "default",
            "EventPattern": json.dumps(ROOT_SIGN_IN_PATTERN), "targets_error": None,
            "targets": [{"Id": DEFAULT_TARGET_ID, "Arn": BUS_ARN, "RoleArn": ROLE_ARN}],
        }]},
        "topics": {}, "keys": {},
    }


def member(facts=None, roles=None, queue_messages=0, role_checks=(), organization=None):
    facts = facts or member_facts()
    if roles is None:
        roles = {ROLE_ARN: copy.deepcopy(GOOD_ROLE)}
    queue = {"name": "q", "arn": "arn:aws:sqs:us-east-1:111111111111:q", "exists": True, "messages": queue_messages}
    ours = {"rule_arns": [MEMBER_RULE_ARN], "target_id": DEFAULT_TARGET_ID}
    return hub_mode.member_summary(facts, roles, SETTINGS, dp.evaluate(facts), queue, ours, role_checks, organization)


def hub_facts(subscription_arn=TOPIC + ":abc"):
    return {
        "account_id": HUB, "region": "us-east-1", "partition": "aws", "bus": "root-login-alerts-hub",
        "ours": {"rule_arn": HUB_RULE_ARN, "topic_arn": TOPIC, "target_id": "rootwatch-root-login-alerts"},
        "rules": {"error": None, "rules": [{
            "Name": "root-login-alerts", "Arn": HUB_RULE_ARN, "State": "ENABLED", "EventBusName": "root-login-alerts-hub",
            "EventPattern": json.dumps(ROOT_SIGN_IN_PATTERN), "targets_error": None,
            "targets": [{"Id": "rootwatch-root-login-alerts", "Arn": TOPIC}],
        }]},
        "topics": {TOPIC: {
            "attributes": {"Policy": json.dumps(dict(default_topic_policy(TOPIC), Statement=default_topic_policy(TOPIC)["Statement"] + [
                eventbridge_publish_statement(TOPIC, HUB_RULE_ARN, HUB, sid="Events")]))},
            "error": None, "subscriptions_error": None,
            "subscriptions": [{"SubscriptionArn": subscription_arn, "Protocol": "email", "Endpoint": "sec@example.com"}],
        }},
        "keys": {},
    }


def hub(policy=None, facts=None, messages=0, exists=True, settings=None):
    settings = SETTINGS if settings is None else settings
    if policy is None:
        policy = {"Version": "2012-10-17", "Statement": [MEMBER_BUS_STATEMENT]}
    bus = {"Arn": BUS_ARN, "Policy": json.dumps(policy)} if exists else None
    queue = {"name": "q", "arn": "arn:aws:sqs:us-east-1:999999999999:q", "exists": True, "messages": messages}
    facts = facts or hub_facts()
    return hub_mode.hub_summary({"bus": bus, "error": None}, dp.evaluate(facts), settings, queue, bus_rules=facts["rules"])


def links(verdict):
    assert len(verdict["paths"]) == 1, verdict["paths"]
    return [(entry["link"], entry["ok"]) for entry in verdict["paths"][0]["links"]]


def test_a_member_that_forwards_to_a_working_hub_is_compliant_link_by_link():
    verdict = hub_mode.member_verdict(member(), hub())
    assert verdict["status"] == dp.COMPLIANT, verdict
    assert links(verdict) == [("event_source", True), ("rule", True), ("forwarding", True), ("rule", True), ("target", True),
                              ("topic_policy", True), ("encryption", True), ("recipients", True)]
    path = verdict["paths"][0]
    assert path["ours"] and path["topic"] == TOPIC and path["recipients"] == ["sec@example.com"] and path["via_hub"] == BUS_ARN


def test_without_the_hub_a_member_is_unknown_never_compliant():
    verdict = hub_mode.member_verdict(member(), None)
    assert verdict["status"] == dp.UNKNOWN
    assert "hub account was not read" in verdict["unknown"][0]


def test_a_bus_policy_that_does_not_admit_the_member_breaks_forwarding():
    other = {"Version": "2012-10-17", "Statement": [dict(MEMBER_BUS_STATEMENT, Principal={"AWS": ["arn:aws:iam::222222222222:root"]},
                                                         Condition=dict(MEMBER_BUS_STATEMENT["Condition"], ArnLike={
                                                             "aws:PrincipalArn": "arn:aws:iam::222222222222:role/root-login-alerts-forwarding"}))]}
    verdict = hub_mode.member_verdict(member(), hub(policy=other))
    assert verdict["status"] == dp.NEEDS_ACTION
    assert ("forwarding", False) in links(verdict)
    assert "does not admit aws.signin events from role %s of account %s" % (ROLE_ARN, MEMBER) in verdict["problems"][0]


def test_an_organization_statement_admits_the_member_by_its_own_organization():
    """Issue 21 table row 8: the bus admits aws:PrincipalOrgID o-a1b2c3d4e5; the member's own organization, as
    DescribeOrganization answers in the member, decides, not the organization the hub was configured with."""
    org_hub = hub(policy={"Version": "2012-10-17", "Statement": [ORG_BUS_STATEMENT]}, settings=dict(SETTINGS, organization_id=ORG))
    inside = hub_mode.member_verdict(member(organization={"id": ORG, "error": None}), org_hub)
    assert inside["status"] == dp.COMPLIANT, inside
    outside = hub_mode.member_verdict(member(organization={"id": "o-zzzzzzzzzz", "error": None}), org_hub)
    assert outside["status"] == dp.NEEDS_ACTION and ("forwarding", False) in links(outside)
    assert "does not admit aws.signin events from role %s of account %s" % (ROLE_ARN, MEMBER) in outside["problems"][0]
    alone = hub_mode.member_verdict(member(organization={"id": None, "error": None}), org_hub)  # AWSOrganizationsNotInUse
    assert alone["status"] == dp.NEEDS_ACTION
    denied = hub_mode.member_verdict(member(organization={"id": None, "error": "organizations:DescribeOrganization: AccessDenied"}), org_hub)
    assert denied["status"] == dp.UNKNOWN and ("forwarding", None) in links(denied)
    assert "aws:PrincipalOrgID" in denied["unknown"][0] and "AccessDenied" in denied["unknown"][0], denied["unknown"]
    unread = hub_mode.member_verdict(member(), org_hub)
    assert unread["status"] == dp.UNKNOWN and "was not read" in unread["unknown"][0]
    # An unread organization matters only to an organization-scoped statement.
    assert hub_mode.member_verdict(member(), hub())["status"] == dp.COMPLIANT


def test_a_hub_rule_narrowed_to_the_hub_account_matches_no_member_event():
    """Issue 21 table row 10: forwarded events keep the member's account, so "account": [hub] matches none of them."""
    narrowed = dict(ROOT_SIGN_IN_PATTERN, account=[HUB])
    facts = hub_facts()
    facts["rules"]["rules"][0]["EventPattern"] = json.dumps(narrowed)
    summary = hub(facts=facts)
    assert summary["verdict"]["status"] == dp.COMPLIANT  # the hub's own samples carry its account
    verdict = hub_mode.member_verdict(member(), summary)
    assert verdict["status"] == dp.NEEDS_ACTION and ("rule", False) in links(verdict)[3:], links(verdict)
    assert "for the events of account %s" % MEMBER in verdict["problems"][0], verdict["problems"]
    # Narrowed to the members instead, it still matches them.
    facts["rules"]["rules"][0]["EventPattern"] = json.dumps(dict(ROOT_SIGN_IN_PATTERN, account=[MEMBER]))
    assert hub_mode.member_verdict(member(), hub(facts=facts))["status"] == dp.COMPLIANT


def test_a_role_less_forwarding_target_counts_when_the_bus_admits_the_account_directly():
    facts = member_facts()
    facts["rules"]["rules"][0]["targets"] = [{"Id": "direct", "Arn": BUS_ARN}]
    direct = {"Sid": "MemberAccount", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
              "Action": "events:PutEvents", "Resource": BUS_ARN}
    verdict = hub_mode.member_verdict(member(facts, roles={}), hub(policy={"Version": "2012-10-17", "Statement": [direct]}))
    assert verdict["status"] == dp.COMPLIANT, verdict
    # Our bus policy admits the forwarding role only: a target without it is not admitted.
    assert hub_mode.member_verdict(member(facts, roles={}), hub())["status"] == dp.NEEDS_ACTION


def test_a_missing_role_a_missing_bus_and_an_unread_bus_policy():
    assert hub_mode.member_verdict(member(roles={ROLE_ARN: None}), hub())["status"] == dp.NEEDS_ACTION
    gone = hub_mode.member_verdict(member(), hub(exists=False))
    assert gone["status"] == dp.NEEDS_ACTION and "does not exist" in " ".join(gone["problems"])
    unread = hub_mode.member_verdict(member(), dict(hub(), bus_policy={"error": "events:DescribeEventBus: AccessDenied"}))
    assert unread["status"] == dp.UNKNOWN and "AccessDenied" in unread["unknown"][0]


def test_a_member_without_a_forwarding_rule_needs_action():
    facts = member_facts()
    facts["rules"]["rules"] = []
    verdict = hub_mode.member_verdict(member(facts), hub())
    assert verdict["status"] == dp.NEEDS_ACTION and verdict["paths"] == []
    assert "forwards root console sign-ins to hub bus %s" % BUS_ARN in verdict["problems"][0]


def test_a_disabled_member_rule_and_a_hub_with_only_pending_recipients():
    facts = member_facts()
    facts["rules"]["rules"][0]["State"] = "DISABLED"
    assert ("rule", False) in links(hub_mode.member_verdict(member(facts), hub()))
    pending = hub_mode.member_verdict(member(), hub(facts=hub_facts("PendingConfirmation")))
    assert pending["status"] == dp.NEEDS_ACTION and ("recipients", False) in links(pending)


def test_an_unreadable_member_trail_makes_it_unknown():
    facts = member_facts()
    facts["trails"] = {"error": "cloudtrail:DescribeTrails: ThrottlingException", "trails": []}
    verdict = hub_mode.member_verdict(member(facts), hub())
    assert verdict["status"] == dp.UNKNOWN and ("event_source", None) in links(verdict)


def test_a_dead_letter_queue_with_messages_needs_action_on_either_side():
    held = hub_mode.member_verdict(member(queue_messages=3), hub())
    assert held["status"] == dp.NEEDS_ACTION and "holds 3 event(s)" in held["problems"][0]
    own = dp.evaluate(dict(member_facts(), rules={"error": None, "rules": []}))
    own["status"] = dp.COMPLIANT
    row = hub_mode.hub_row_verdict(own, hub(messages=2))
    assert row["status"] == dp.NEEDS_ACTION and "holds 2 event(s)" in row["problems"][-1]


def test_the_hub_row_reports_a_bus_without_a_working_path():
    own = {"status": dp.COMPLIANT, "paths": [], "problems": [], "unknown": [], "event_source": {}}
    empty = dict(hub_facts(), rules={"error": None, "rules": []})
    row = hub_mode.hub_row_verdict(own, hub(facts=empty))
    assert row["status"] == dp.NEEDS_ACTION and "no enabled rule on event bus root-login-alerts-hub" in row["problems"][0]


def test_bus_paths_have_no_event_source_link():
    path = dp.evaluate(hub_facts())["paths"][0]
    assert path["complete"] and [entry["link"] for entry in path["links"]][0] == "rule"


@pytest.mark.parametrize("settings, words", [
    ({"hub_account_id": "12345"}, "hub_account_id must be a 12-digit"),
    ({"hub_account_id": HUB}, "set x_organization_id"),
    ({"hub_account_id": HUB, "member_accounts": [HUB]}, "set x_organization_id"),
    ({"hub_account_id": HUB, "organization_id": "o-BAD"}, "x_organization_id: organization_id must be"),
    ({"hub_account_id": HUB, "member_accounts": [111111111111]}, "x_member_accounts: 111111111111 is not"),
    ({"hub_account_id": HUB, "member_accounts": "111111111111"}, "x_member_accounts must be a list"),
    ({"hub_account_id": HUB, "organization_id": ORG, "hub_bus_name": "default"}, "x_hub_bus_name must be"),
    ({"hub_account_id": HUB, "organization_id": ORG, "dead_letter_queue_name": "a.b"}, "x_dead_letter_queue_name must be 1-80"),
    ({"hub_account_id": HUB, "organization_id": ORG, "region": "eu-west-1"}, "x_region must be us-east-1 in hub mode"),
    ({"organization_id": ORG}, "x_organization_id is set but x_hub_account_id is not"),
    ({"retire_account_topic": True}, "x_retire_account_topic is set but x_hub_account_id is not"),
    ({"hub_account_id": HUB, "organization_id": ORG, "forwarding_role_name": "a/b"}, "x_forwarding_role_name must be"),
    ({"hub_account_id": HUB, "member_accounts": ["%012d" % (400000000000 + n) for n in range(120)]},
     "x_member_accounts: the hub bus policy for 120 member accounts would be"),
])
def test_hub_settings_are_refused_with_the_variable_named(settings, words):
    with pytest.raises(ValueError) as caught:
        hub_mode.validate_hub_settings(settings, lambda option: "x_" + option)
    assert words in str(caught.value)


def test_hub_settings_accepted_and_roles():
    assert hub_mode.validate_hub_settings({}, str) is None
    assert hub_mode.validate_hub_settings(dict(SETTINGS, region="us-east-1"), str) == HUB
    assert hub_mode.role_of(SETTINGS, HUB) == hub_mode.HUB and hub_mode.role_of(SETTINGS, MEMBER) == hub_mode.MEMBER
    assert hub_mode.hub_bus_arn(SETTINGS) == BUS_ARN
    assert hub_mode.forwarding_role_arn(SETTINGS, MEMBER) == ROLE_ARN


def test_a_role_trusting_only_rules_of_others_breaks_forwarding():
    other = copy.deepcopy(GOOD_ROLE)
    other["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"] = "arn:aws:events:*:111111111111:rule/someone-else*"
    verdict = hub_mode.member_verdict(member(roles={ROLE_ARN: other}), hub())
    assert verdict["status"] == dp.NEEDS_ACTION and ("forwarding", False) in links(verdict)


def test_a_role_with_an_inline_deny_of_put_events_breaks_forwarding():
    """Issue 21: "the member's forwarding role has an inline Deny on events:PutEvents" -> AWS fails every delivery."""
    denied = copy.deepcopy(GOOD_ROLE)
    denied["PolicyDocument"]["Statement"].append({"Sid": "Freeze", "Effect": "Deny", "Action": "events:PutEvents", "Resource": "*"})
    verdict = hub_mode.member_verdict(member(roles={ROLE_ARN: denied}), hub())
    assert verdict["status"] == dp.NEEDS_ACTION and ("forwarding", False) in links(verdict)
    assert "explicitly denied by statement(s) 'Freeze'" in verdict["problems"][0], verdict["problems"]


def test_a_role_with_a_permissions_boundary_is_unknown_never_compliant():
    bounded = dict(GOOD_ROLE, PermissionsBoundary="arn:aws:iam::111111111111:policy/boundary")
    verdict = hub_mode.member_verdict(member(roles={ROLE_ARN: bounded}), hub())
    assert verdict["status"] == dp.UNKNOWN and ("forwarding", None) in links(verdict)
    assert "arn:aws:iam::111111111111:policy/boundary" in verdict["unknown"][0]


def test_a_role_check_that_failed_makes_the_member_need_action_with_its_line():
    """What the member's run found about its role (iam_roles.RoleVerifier): e.g. the trust misses a regional rule, which
    the sign-in path through the hub does not show."""
    check = {"name": "root-login-alerts-forwarding", "usable": False, "problems": ["IAM role root-login-alerts-forwarding "
             "(root_login_alerts_forwarding_role_name): its trust does not let events.amazonaws.com assume it for rule x"]}
    verdict = hub_mode.member_verdict(member(role_checks=[check]), hub())
    assert verdict["status"] == dp.NEEDS_ACTION and check["problems"][0] in verdict["problems"]
    assert hub_mode.member_verdict(member(role_checks=[dict(check, usable=True, problems=[])]), hub())["status"] == dp.COMPLIANT


def test_the_own_default_bus_is_where_other_regions_forward():
    assert hub_mode.own_default_bus_arn(MEMBER) == "arn:aws:events:us-east-1:111111111111:event-bus/default"


def test_our_patterns_leave_no_note():
    verdict = hub_mode.member_verdict(member(), hub())
    assert verdict["status"] == dp.COMPLIANT and verdict["notes"] == [] and verdict["paths"][0]["notes"] == []


def test_a_member_rule_without_source_still_forwards_with_a_note():
    facts = member_facts()
    facts["rules"]["rules"][0]["EventPattern"] = json.dumps(RECIPE_PATTERN)
    verdict = hub_mode.member_verdict(member(facts), hub())
    assert verdict["status"] == dp.COMPLIANT and verdict["problems"] == []
    assert verdict["notes"] == ["rule root-login-alerts -> %s: a custom event could trigger it (no source in its pattern)" % BUS_ARN]


def test_a_hub_bus_rule_without_source_is_noted_on_the_member_and_the_hub_row():
    facts = hub_facts()
    facts["rules"]["rules"][0]["EventPattern"] = json.dumps(RECIPE_PATTERN)
    summary = hub(facts=facts)
    verdict = hub_mode.member_verdict(member(), summary)
    assert verdict["status"] == dp.COMPLIANT
    assert verdict["notes"] == ["rule root-login-alerts -> %s: hub %s rule root-login-alerts: a custom event could trigger it "
                                "(no source in its pattern)" % (BUS_ARN, HUB)]
    own = {"status": dp.COMPLIANT, "paths": [], "problems": [], "unknown": [], "event_source": {}, "notes": []}
    row = hub_mode.hub_row_verdict(own, summary)
    assert row["status"] == dp.COMPLIANT
    assert row["notes"] == ["hub bus %s: rule root-login-alerts -> %s: a custom event could trigger it (no source in its pattern)"
                            % (BUS_ARN, TOPIC)]


# == the forwarding link (forwarding_link): does a member rule reach the hub bus? ==========================
LINK_HUB = "111111111111"
LINK_MEMBER = "222222222222"
OTHER = "333333333333"
LINK_ORG = "o-abcdef1234"
LINK_BUS_ARN = "arn:aws:events:us-east-1:111111111111:event-bus/rootwatch-hub"
RULE_ARN = "arn:aws:events:us-east-1:222222222222:rule/rootwatch-forward-to-hub"
ROLE = "rootwatch-forward-to-hub"
LINK_ROLE_ARN = "arn:aws:iam::222222222222:role/rootwatch-forward-to-hub"
QUEUE_ARN = "arn:aws:sqs:us-east-1:222222222222:rootwatch-forward-dlq"


# The bus statements this version writes, written out: only the forwarding role (aws:PrincipalArn), only events of
# AWS services (events:source aws.*, a condition key of events:PutEvents of type ArrayOfString in the Service
# Authorization Reference, so with a set operator, as in AWS's example "Send events to a custom bus in a different account").
MEMBER_STATEMENT = {
    "Sid": "RootwatchMemberPutEvents", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::222222222222:root"]},
    "Action": "events:PutEvents", "Resource": LINK_BUS_ARN,
    "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::222222222222:role/rootwatch-forward-to-hub"},
                  "ForAllValues:StringLike": {"events:source": "aws.*"}}}
ORG_STATEMENT = {
    "Sid": "RootwatchOrgPutEvents", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": LINK_BUS_ARN,
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"},
                  "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/rootwatch-forward-to-hub"},
                  "ForAllValues:StringLike": {"events:source": "aws.*"}}}
# What an earlier version wrote: any principal of the organization, or of the listed accounts.
OLD_MEMBER_STATEMENT = {"Sid": "RootwatchMemberPutEvents", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::222222222222:root"]},
                        "Action": "events:PutEvents", "Resource": LINK_BUS_ARN}
OLD_ORG_STATEMENT = {"Sid": "RootwatchOrgPutEvents", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents",
                     "Resource": LINK_BUS_ARN, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}}


def link_document(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def other_bus_statement(sid="SomeoneElse"):
    return {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER}, "Action": "events:PutEvents",
            "Resource": LINK_BUS_ARN}


# The forwarding role as docs/member-role.yml makes it (roles_spec: ResourcePrefix "rootwatch", HubAccountId LINK_HUB),
# written out, as GetRole and GetRolePolicy answer for it (iam_roles.role_reference).
GOOD_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:SourceAccount": "222222222222"},
                  "ArnLike": {"aws:SourceArn": "arn:aws:events:*:222222222222:rule/rootwatch*"}}}]}
GOOD_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "events:PutEvents",
    "Resource": ["arn:aws:events:us-east-1:222222222222:event-bus/default",
                 "arn:aws:events:us-east-1:111111111111:event-bus/rootwatch-hub"]}]}


def good_role(**changes):
    reference = {"Arn": LINK_ROLE_ARN, "AssumeRolePolicyDocument": GOOD_TRUST, "PermissionsBoundary": None,
                 "PolicyName": "rootwatch-forward-to-hub-bus", "PolicyDocument": GOOD_POLICY}
    reference.update(changes)
    return reference


def linked(**changes):
    member_rule = {
        "rule": {"Name": ROLE, "Arn": RULE_ARN, "State": "ENABLED"},
        "targets": [{"Id": "rootwatch-hub-bus", "Arn": LINK_BUS_ARN, "RoleArn": LINK_ROLE_ARN, "DeadLetterConfig": {"Arn": QUEUE_ARN}}],
        "roles": {LINK_ROLE_ARN: good_role()},
    }
    member_rule.update(changes)
    return member_rule


ACCOUNTS_POLICY = link_document(MEMBER_STATEMENT)
ORG_POLICY = link_document(ORG_STATEMENT)


class TestForwardingLink:
    def test_complete(self):
        ok, reason = forwarding_link(linked(), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is True and "RootwatchMemberPutEvents" in reason and LINK_ROLE_ARN in reason and "aws.signin events" in reason

    @pytest.mark.parametrize("policy, organization", [(link_document(OLD_MEMBER_STATEMENT), None), (link_document(OLD_ORG_STATEMENT), LINK_ORG)],
                             ids=["listed accounts", "organization"])
    def test_an_older_versions_policy_still_delivers(self, policy, organization):
        """It admits the member's role too (and more): the path holds until the next apply rewrites it."""
        assert forwarding_link(linked(), policy, LINK_MEMBER, LINK_BUS_ARN, organization)[0] is True

    @pytest.mark.parametrize("policy, organization", [(ACCOUNTS_POLICY, None), (ORG_POLICY, LINK_ORG)], ids=["listed accounts", "organization"])
    def test_only_aws_sources_pass_the_new_policy(self, policy, organization):
        """A rule of the member that forwards a custom event, with the same role: events:source is not aws.*."""
        ok, reason = forwarding_link(linked(), policy, LINK_MEMBER, LINK_BUS_ARN, organization, event_source="com.example.forged-root-alert")
        assert ok is False and "does not admit com.example.forged-root-alert events" in reason, reason
        old = link_document(OLD_MEMBER_STATEMENT if organization is None else OLD_ORG_STATEMENT)
        assert forwarding_link(linked(), old, LINK_MEMBER, LINK_BUS_ARN, organization, event_source="com.example.forged-root-alert")[0] is True

    @pytest.mark.parametrize("policy, organization", [(ACCOUNTS_POLICY, None), (ORG_POLICY, LINK_ORG)], ids=["listed accounts", "organization"])
    def test_another_role_of_the_member_is_not_admitted(self, policy, organization):
        other = "arn:aws:iam::222222222222:role/their-own-forwarder"
        targets = [{"Id": "t", "Arn": LINK_BUS_ARN, "RoleArn": other}]
        ok, reason = forwarding_link(linked(targets=targets, roles={other: good_role(Arn=other)}), policy, LINK_MEMBER, LINK_BUS_ARN, organization)
        assert ok is False and "from role %s" % other in reason, reason

    def test_a_policy_naming_the_role_itself_admits_it(self):
        """Someone else's bus policy may name the role ARN (not its account): that admits its sessions."""
        named = {"Sid": "Theirs", "Effect": "Allow", "Principal": {"AWS": LINK_ROLE_ARN}, "Action": "events:PutEvents", "Resource": LINK_BUS_ARN}
        ok, reason = forwarding_link(linked(), link_document(named), LINK_MEMBER, LINK_BUS_ARN)
        assert ok is True and "Theirs" in reason

    def test_a_source_condition_of_someone_else_that_leaves_out_aws_signin(self):
        theirs = dict(MEMBER_STATEMENT, Sid="Theirs", Condition={"ForAllValues:StringEquals": {"events:source": "com.example.app"}})
        ok, reason = forwarding_link(linked(), link_document(theirs), LINK_MEMBER, LINK_BUS_ARN)
        assert ok is False and "implicit deny" in reason

    def test_policy_as_text_and_org(self):
        assert forwarding_link(linked(), json.dumps(ORG_POLICY), LINK_MEMBER, LINK_BUS_ARN, LINK_ORG)[0] is True

    def test_org_policy_without_knowing_the_org_does_not_admit(self):
        ok, reason = forwarding_link(linked(), ORG_POLICY, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is False and "does not admit aws.signin events from role %s of account %s" % (LINK_ROLE_ARN, LINK_MEMBER) in reason

    def test_another_org(self):
        assert forwarding_link(linked(), ORG_POLICY, LINK_MEMBER, LINK_BUS_ARN, "o-zzzzzzzzzz")[0] is False

    def test_account_not_in_policy(self):
        ok, reason = forwarding_link(linked(), link_document(other_bus_statement()), LINK_MEMBER, LINK_BUS_ARN)
        assert ok is False and "implicit deny" in reason

    def test_no_policy(self):
        assert forwarding_link(linked(), None, LINK_MEMBER, LINK_BUS_ARN)[0] is False

    def test_explicit_deny(self):
        deny = {"Sid": "NoMember", "Effect": "Deny", "Principal": "*", "Action": "events:*", "Resource": LINK_BUS_ARN,
                "Condition": {"StringEquals": {"aws:PrincipalAccount": LINK_MEMBER}}}
        ok, reason = forwarding_link(linked(), link_document(MEMBER_STATEMENT, deny), LINK_MEMBER, LINK_BUS_ARN)
        assert ok is False and "NoMember" in reason

    def test_unevaluable_condition_is_unknown(self):
        odd = dict(MEMBER_STATEMENT, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
        assert forwarding_link(linked(), link_document(odd), LINK_MEMBER, LINK_BUS_ARN)[0] is None

    def test_a_member_outside_the_admitted_organization_is_not_admitted(self):
        """Issue 21 table row 8: the bus admits aws:PrincipalOrgID o-abcdef1234; the member's own organization (read
        in the member) is another one, or none: its PutEvents is denied."""
        ok, reason = forwarding_link(linked(), ORG_POLICY, LINK_MEMBER, LINK_BUS_ARN, "o-zzzzzzzzzz", organization_read=True)
        assert ok is False and "RootwatchOrgPutEvents" not in reason and "implicit deny" in reason, reason
        assert forwarding_link(linked(), ORG_POLICY, LINK_MEMBER, LINK_BUS_ARN, None, organization_read=True)[0] is False

    def test_an_unread_organization_leaves_an_organization_statement_undecided(self):
        ok, reason = forwarding_link(linked(), ORG_POLICY, LINK_MEMBER, LINK_BUS_ARN, None, organization_read=False)
        assert ok is None and "aws:PrincipalOrgID" in reason, reason
        # ... but not a policy that admits the member directly.
        assert forwarding_link(linked(), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN, None, organization_read=False)[0] is True

    def test_a_condition_on_a_key_eventbridge_does_not_tell_is_undecided(self):
        tagged = dict(MEMBER_STATEMENT, Condition={"StringEquals": {"aws:PrincipalTag/team": "security"}})
        ok, reason = forwarding_link(linked(), link_document(tagged), LINK_MEMBER, LINK_BUS_ARN)
        assert ok is None and "aws:PrincipalTag/team" in reason, reason

    def test_the_request_carries_the_member_rule_as_source_arn(self):
        scoped = dict(MEMBER_STATEMENT, Condition={"ArnEquals": {"aws:SourceArn": RULE_ARN}, "StringEquals": {"aws:SourceAccount": LINK_MEMBER}})
        assert forwarding_link(linked(), link_document(scoped), LINK_MEMBER, LINK_BUS_ARN)[0] is True
        other_rule = dict(scoped, Condition={"ArnEquals": {"aws:SourceArn": RULE_ARN + "-other"}})
        assert forwarding_link(linked(), link_document(other_rule), LINK_MEMBER, LINK_BUS_ARN)[0] is False

    def test_a_role_less_target_counts_when_the_bus_admits_the_account_directly(self):
        """PutTargets: a RoleArn is needed only when the receiver admits the sender through an organization. AWS's
        account example ("Permissions for event buses"), written out: the member's root, no condition."""
        direct = {"Sid": "AllowAccountToPutEvents", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                  "Action": "events:PutEvents", "Resource": LINK_BUS_ARN}
        role_less = linked(targets=[{"Id": "direct", "Arn": LINK_BUS_ARN}], roles={})
        ok, reason = forwarding_link(role_less, link_document(direct), LINK_MEMBER, LINK_BUS_ARN)
        assert ok is True and "without a role" in reason and "AllowAccountToPutEvents" in reason, reason

    def test_a_role_less_target_is_not_admitted_through_the_organization(self):
        organization_wide = {"Sid": "AllowOrganization", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents",
                             "Resource": LINK_BUS_ARN, "Condition": {"StringEquals": {"aws:PrincipalOrgID": LINK_ORG}}}
        role_less = linked(targets=[{"Id": "direct", "Arn": LINK_BUS_ARN}], roles={})
        ok, reason = forwarding_link(role_less, link_document(organization_wide), LINK_MEMBER, LINK_BUS_ARN, LINK_ORG)
        assert ok is False and "PutTargets, RoleArn" in reason, reason

    def test_a_role_less_target_under_a_principal_arn_condition_that_could_go_either_way_is_undecided(self):
        negated = {"Sid": "AnyoneButMallory", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                   "Action": "events:PutEvents", "Resource": LINK_BUS_ARN,
                   "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::222222222222:root"}}}
        role_less = linked(targets=[{"Id": "direct", "Arn": LINK_BUS_ARN}], roles={})
        ok, reason = forwarding_link(role_less, link_document(negated), LINK_MEMBER, LINK_BUS_ARN)
        assert ok is None and "aws:PrincipalArn" in reason, reason

    def test_unread_policy_is_unknown(self):
        ok, reason = forwarding_link(linked(), {"error": "AccessDenied"}, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is None and "AccessDenied" in reason

    def test_unread_rule_is_unknown(self):
        assert forwarding_link({"error": "Throttled"}, ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)[0] is None

    @pytest.mark.parametrize("changes, words", [
        ({"rule": None}, "has no rule"),
        ({"rule": {"Name": "r", "Arn": RULE_ARN, "State": "DISABLED"}}, "DISABLED"),
        ({"targets": [{"Id": "t", "Arn": "arn:aws:events:us-east-1:111111111111:event-bus/other", "RoleArn": LINK_ROLE_ARN}]}, "no target"),
        # Without a role, our policy's aws:PrincipalArn (the forwarding role) admits nothing, whether the key is absent or the root.
        ({"targets": [{"Id": "t", "Arn": LINK_BUS_ARN}]}, "without RoleArn"),
        ({"roles": {LINK_ROLE_ARN: None}}, "does not exist"),
    ])
    def test_broken_links(self, changes, words):
        ok, reason = forwarding_link(linked(**changes), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is False and words in reason

    def test_role_not_read_is_unknown(self):
        assert forwarding_link(linked(roles={}), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)[0] is None

    def test_a_role_whose_permissions_were_not_read_is_unknown(self):
        """Another's role on a target to the hub bus is read with GetRole only: what it may do is not known."""
        reference = {"Arn": LINK_ROLE_ARN, "AssumeRolePolicyDocument": GOOD_TRUST, "PermissionsBoundary": None}
        ok, reason = forwarding_link(linked(roles={LINK_ROLE_ARN: reference}), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is None and "permissions were not read" in reason, reason

    def test_a_role_whose_trust_was_not_read_is_unknown(self):
        ok, reason = forwarding_link(linked(roles={LINK_ROLE_ARN: good_role(AssumeRolePolicyDocument=None)}), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is None and "trust policy was not read" in reason

    def test_role_unreadable_is_unknown(self):
        ok, reason = forwarding_link(linked(roles={LINK_ROLE_ARN: {"error": "iam:GetRole x: AccessDenied"}}), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is None and "AccessDenied" in reason

    def test_role_trusting_another_service(self):
        trust = link_document({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
        ok, reason = forwarding_link(linked(roles={LINK_ROLE_ARN: good_role(AssumeRolePolicyDocument=trust)}), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is False and "trust does not let events.amazonaws.com assume it" in reason

    def test_role_trust_scoped_to_another_rule(self):
        trust = copy.deepcopy(GOOD_TRUST)
        trust["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"] = "arn:aws:events:us-east-1:222222222222:rule/other"
        ok, reason = forwarding_link(linked(roles={LINK_ROLE_ARN: good_role(AssumeRolePolicyDocument=trust)}), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is False and RULE_ARN in reason

    def test_an_inline_deny_of_put_events_breaks_the_link(self):
        """Issue 21: the member's forwarding role has an inline Deny on events:PutEvents -> every delivery fails."""
        policy = link_document(GOOD_POLICY["Statement"][0], {"Sid": "NoForwarding", "Effect": "Deny", "Action": "events:PutEvents", "Resource": "*"})
        ok, reason = forwarding_link(linked(roles={LINK_ROLE_ARN: good_role(PolicyDocument=policy)}), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is False and "explicitly denied" in reason and "NoForwarding" in reason, reason

    def test_a_deny_that_cannot_be_evaluated_is_unknown_not_broken(self):
        deny = {"Sid": "MaybeNot", "Effect": "Deny", "Action": "events:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
        ok, reason = forwarding_link(linked(roles={LINK_ROLE_ARN: good_role(PolicyDocument=link_document(GOOD_POLICY["Statement"][0], deny))}),
                                     ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is None and "MaybeNot" in reason

    def test_a_policy_for_another_bus_does_not_forward(self):
        policy = link_document({"Effect": "Allow", "Action": "events:PutEvents", "Resource": "arn:aws:events:us-east-1:111111111111:event-bus/old"})
        ok, reason = forwarding_link(linked(roles={LINK_ROLE_ARN: good_role(PolicyDocument=policy)}), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is False and "does not allow events:PutEvents on %s" % LINK_BUS_ARN in reason

    def test_a_role_without_the_inline_policy_does_not_forward(self):
        ok, reason = forwarding_link(linked(roles={LINK_ROLE_ARN: good_role(PolicyDocument=None)}), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is False and "no inline policy rootwatch-forward-to-hub-bus" in reason

    def test_a_permissions_boundary_makes_the_link_unknown_never_compliant(self):
        boundary = "arn:aws:iam::222222222222:policy/team-boundary"
        ok, reason = forwarding_link(linked(roles={LINK_ROLE_ARN: good_role(PermissionsBoundary=boundary)}), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is None and boundary in reason

    def test_a_role_of_another_account(self):
        other = "arn:aws:iam::333333333333:role/x"
        targets = [{"Id": "t", "Arn": LINK_BUS_ARN, "RoleArn": other}]
        ok, reason = forwarding_link(linked(targets=targets, roles={other: good_role(Arn=other)}), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)
        assert ok is False and "not in account 222222222222" in reason

    def test_one_good_target_is_enough(self):
        targets = [{"Id": "old", "Arn": LINK_BUS_ARN}] + linked()["targets"]
        assert forwarding_link(linked(targets=targets), ACCOUNTS_POLICY, LINK_MEMBER, LINK_BUS_ARN)[0] is True
