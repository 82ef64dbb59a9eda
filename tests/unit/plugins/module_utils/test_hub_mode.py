# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hub mode: the settings, and a member's verdict judged with the hub's summary, link by link."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils import delivery_path as dp
from ansible_collections.rootwatch.aws.plugins.module_utils import event_hub
from ansible_collections.rootwatch.aws.plugins.module_utils import hub_mode
from ansible_collections.rootwatch.aws.plugins.module_utils.alert_message import ROOT_SIGN_IN_PATTERN
from ansible_collections.rootwatch.aws.plugins.module_utils.sns_policy import default_topic_policy
from ansible_collections.rootwatch.aws.plugins.module_utils.sns_policy import eventbridge_publish_statement

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


def member_facts():
    return {
        "account_id": MEMBER, "region": "us-east-1", "partition": "aws", "ours": {},
        "trails": {"error": None, "trails": [copy.deepcopy(TRAIL)]},
        "rules": {"error": None, "rules": [{
            "Name": "root-login-alerts", "Arn": MEMBER_RULE_ARN, "State": "ENABLED", "EventBusName": "default",
            "EventPattern": json.dumps(ROOT_SIGN_IN_PATTERN), "targets_error": None,
            "targets": [{"Id": event_hub.DEFAULT_TARGET_ID, "Arn": BUS_ARN, "RoleArn": ROLE_ARN}],
        }]},
        "topics": {}, "keys": {},
    }


def member(facts=None, roles=None, queue_messages=0):
    facts = facts or member_facts()
    if roles is None:
        roles = {ROLE_ARN: {"Arn": ROLE_ARN, "AssumeRolePolicyDocument": event_hub.forwarding_role_trust_policy(MEMBER, [MEMBER_RULE_ARN])}}
    queue = {"name": "q", "arn": "arn:aws:sqs:us-east-1:111111111111:q", "exists": True, "messages": queue_messages}
    ours = {"rule_arns": [MEMBER_RULE_ARN], "target_id": event_hub.DEFAULT_TARGET_ID}
    return hub_mode.member_summary(facts, roles, SETTINGS, dp.evaluate(facts), queue, ours)


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


def hub(policy=None, facts=None, messages=0, exists=True):
    if policy is None:
        policy = {"Version": "2012-10-17", "Statement": event_hub.bus_policy_statements(BUS_ARN, member_accounts=[MEMBER])}
    bus = {"Arn": BUS_ARN, "Policy": json.dumps(policy)} if exists else None
    queue = {"name": "q", "arn": "arn:aws:sqs:us-east-1:999999999999:q", "exists": True, "messages": messages}
    return hub_mode.hub_summary({"bus": bus, "error": None}, dp.evaluate(facts or hub_facts()), SETTINGS, queue)


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
    other = {"Version": "2012-10-17", "Statement": event_hub.bus_policy_statements(BUS_ARN, member_accounts=["222222222222"])}
    verdict = hub_mode.member_verdict(member(), hub(policy=other))
    assert verdict["status"] == dp.NEEDS_ACTION
    assert ("forwarding", False) in links(verdict)
    assert "does not admit account %s" % MEMBER in verdict["problems"][0]


def test_an_organization_statement_admits_only_with_the_organization_id():
    settings = dict(SETTINGS, organization_id=ORG)
    policy = {"Version": "2012-10-17", "Statement": event_hub.bus_policy_statements(BUS_ARN, organization_id=ORG)}
    summary = hub_mode.hub_summary({"bus": {"Arn": BUS_ARN, "Policy": json.dumps(policy)}, "error": None},
                                   dp.evaluate(hub_facts()), settings, {"messages": 0})
    assert hub_mode.member_verdict(member(), summary)["status"] == dp.COMPLIANT
    assert hub_mode.member_verdict(member(), dict(summary, organization_id=None))["status"] == dp.NEEDS_ACTION


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


def test_a_role_trusting_our_rules_of_every_region_by_pattern_forwards():
    pattern = hub_mode.forwarding_rule_pattern({"rule_name": "root-login-alerts"}, MEMBER)
    assert pattern == "arn:aws:events:*:111111111111:rule/root-login-alerts*"
    roles = {ROLE_ARN: {"Arn": ROLE_ARN, "AssumeRolePolicyDocument": event_hub.forwarding_role_trust_policy(MEMBER, [pattern])}}
    assert hub_mode.member_verdict(member(roles=roles), hub())["status"] == dp.COMPLIANT
    other = {ROLE_ARN: {"Arn": ROLE_ARN, "AssumeRolePolicyDocument": event_hub.forwarding_role_trust_policy(
        MEMBER, ["arn:aws:events:*:111111111111:rule/someone-else*"])}}
    verdict = hub_mode.member_verdict(member(roles=other), hub())
    assert verdict["status"] == dp.NEEDS_ACTION and ("forwarding", False) in links(verdict)


def test_the_own_default_bus_is_where_other_regions_forward():
    assert hub_mode.own_default_bus_arn(MEMBER) == "arn:aws:events:us-east-1:111111111111:event-bus/default"
