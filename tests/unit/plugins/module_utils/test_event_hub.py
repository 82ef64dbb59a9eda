# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hub mode: the pure policies and judge, and each manager against stubbed AWS answers.

A Stubber fails on any call not queued, so a test that queues only reads proves
that nothing was written (converged runs and check mode).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils import event_hub as hub
from ansible_collections.rootwatch.aws.plugins.module_utils import eventbridge_targets
from ansible_collections.rootwatch.aws.plugins.module_utils.managers import ForeignResourceError

from aws_stubs import Stubs  # pylint: disable=import-error

REGION = "us-east-1"
HUB = "111111111111"
MEMBER = "222222222222"
OTHER = "333333333333"
ORG = "o-abcdef1234"
OWNER = {"rootwatch:created-by": "root_login_alerts"}
OWNER_TAGS = [{"Key": "rootwatch:created-by", "Value": "root_login_alerts"}]
BUS = "rootwatch-hub"
BUS_ARN = "arn:aws:events:us-east-1:111111111111:event-bus/rootwatch-hub"
RULE_ARN = "arn:aws:events:us-east-1:222222222222:rule/rootwatch-forward-to-hub"
ROLE = "rootwatch-forward-to-hub"
ROLE_ARN = "arn:aws:iam::222222222222:role/rootwatch-forward-to-hub"
QUEUE = "rootwatch-forward-dlq"
QUEUE_ARN = "arn:aws:sqs:us-east-1:222222222222:rootwatch-forward-dlq"
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/222222222222/rootwatch-forward-dlq"
NOW = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)


@pytest.fixture
def stubs():
    made = Stubs()
    yield made
    made.assert_done()


def manager(cls, stubs, check_mode=False, account=HUB):
    return cls(stubs.factory, REGION, check_mode=check_mode, warn=stubs.warn, account_id=account)


def client_error(stubber, method, code, status=400, expected=None):
    stubber.add_client_error(method, service_error_code=code, service_message=code, http_status_code=status,
                             expected_params=expected)


def document(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def other_statement(sid="SomeoneElse"):
    return {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER}, "Action": "events:PutEvents",
            "Resource": BUS_ARN}


# == pure parts ========================================================================
class TestBusPolicyStatements:
    def test_member_accounts_make_one_statement_of_root_principals(self):
        statements = hub.bus_policy_statements(BUS_ARN, member_accounts=[OTHER, MEMBER, OTHER])
        assert statements == [{
            "Sid": "RootwatchMemberPutEvents", "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]},
            "Action": "events:PutEvents", "Resource": BUS_ARN}]

    def test_organization_is_principal_star_with_org_condition(self):
        assert hub.bus_policy_statements(BUS_ARN, organization_id=ORG) == [{
            "Sid": "RootwatchOrgPutEvents", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents",
            "Resource": BUS_ARN, "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}}]

    def test_both_and_the_hub_itself_is_left_out(self):
        statements = hub.bus_policy_statements(BUS_ARN, ORG, (HUB, MEMBER), sid_prefix="Audit")
        assert [s["Sid"] for s in statements] == ["AuditOrgPutEvents", "AuditMemberPutEvents"]
        assert statements[1]["Principal"] == {"AWS": ["arn:aws:iam::222222222222:root"]}

    def test_partition_comes_from_the_bus(self):
        arn = "arn:aws-cn:events:cn-north-1:111111111111:event-bus/hub"
        assert hub.bus_policy_statements(arn, member_accounts=[MEMBER])[0]["Principal"] == {"AWS": ["arn:aws-cn:iam::222222222222:root"]}

    @pytest.mark.parametrize("organization_id", ["o-abc", "o-ABCDEFGHIJ", "abcdefghijkl", "o-" + "a" * 33, 123])
    def test_bad_organization_id(self, organization_id):
        with pytest.raises(ValueError, match="organization_id"):
            hub.bus_policy_statements(BUS_ARN, organization_id=organization_id)

    @pytest.mark.parametrize("accounts", [["12345"], ["2222222222222"], [222222222222], "222222222222", None])
    def test_bad_member_accounts(self, accounts):
        with pytest.raises(ValueError, match="member_accounts"):
            hub.bus_policy_statements(BUS_ARN, member_accounts=accounts)

    def test_nobody_to_admit(self):
        with pytest.raises(ValueError, match="organization_id or member_accounts"):
            hub.bus_policy_statements(BUS_ARN, member_accounts=[HUB])

    @pytest.mark.parametrize("arn", ["arn:aws:sns:us-east-1:111111111111:t", "rootwatch-hub", None,
                                     "arn:aws:events:us-east-1:111111111111:rule/x"])
    def test_bad_bus_arn(self, arn):
        with pytest.raises(ValueError, match="bus ARN"):
            hub.bus_policy_statements(arn, organization_id=ORG)

    def test_bad_sid_prefix(self):
        with pytest.raises(ValueError, match="sid_prefix"):
            hub.bus_policy_statements(BUS_ARN, organization_id=ORG, sid_prefix="no-dashes")


class TestRolePolicies:
    def test_trust_is_events_from_the_member_account(self):
        assert hub.forwarding_role_trust_policy(MEMBER) == document({
            "Sid": "AllowEventBridgeToAssume", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": MEMBER}}})

    def test_trust_scoped_to_rules(self):
        pattern = "arn:aws:events:*:222222222222:rule/rootwatch-*"
        condition = hub.forwarding_role_trust_policy(MEMBER, [RULE_ARN, pattern])["Statement"][0]["Condition"]
        assert condition["ArnLike"] == {"aws:SourceArn": [RULE_ARN, pattern]}
        assert hub.forwarding_role_trust_policy(MEMBER, RULE_ARN)["Statement"][0]["Condition"]["ArnLike"] == {"aws:SourceArn": RULE_ARN}

    @pytest.mark.parametrize("rule", ["arn:aws:events:us-east-1:333333333333:rule/x", "arn:aws:sns:us-east-1:222222222222:rule/x",
                                      "arn:aws:events:us-east-1:222222222222:event-bus/x", "rule/x"])
    def test_trust_refuses_rules_of_other_accounts_or_kinds(self, rule):
        with pytest.raises(ValueError, match="rule_arns"):
            hub.forwarding_role_trust_policy(MEMBER, [rule])

    def test_trust_needs_an_account(self):
        with pytest.raises(ValueError):
            hub.forwarding_role_trust_policy("22222222222")

    def test_role_policy_is_put_events_on_the_bus_only(self):
        assert hub.forwarding_role_policy(BUS_ARN) == document({
            "Sid": "PutEventsToHubBus", "Effect": "Allow", "Action": "events:PutEvents", "Resource": BUS_ARN})
        with pytest.raises(ValueError):
            hub.forwarding_role_policy("arn:aws:events:us-east-1:111111111111:event-bus/*")


class TestDeadLetterQueuePolicy:
    def test_one_rule(self):
        assert hub.dead_letter_queue_policy(QUEUE_ARN, [RULE_ARN]) == document({
            "Sid": "RootwatchEventBridgeDeadLetter", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": QUEUE_ARN, "Condition": {"ArnEquals": {"aws:SourceArn": RULE_ARN}}})

    def test_several_rules_on_a_custom_bus(self):
        rules = [RULE_ARN, "arn:aws:events:us-east-1:222222222222:rule/hub/other"]
        condition = hub.dead_letter_queue_policy(QUEUE_ARN, rules, sid="Mine")["Statement"][0]
        assert condition["Sid"] == "Mine" and condition["Condition"] == {"ArnEquals": {"aws:SourceArn": rules}}

    def test_rule_in_another_region_is_refused(self):
        with pytest.raises(ValueError, match="Region"):
            hub.dead_letter_queue_policy(QUEUE_ARN, ["arn:aws:events:eu-west-1:222222222222:rule/r"])

    @pytest.mark.parametrize("queue, rules", [("arn:aws:sqs:us-east-1:222222222222:q.fifo", [RULE_ARN]), ("q", [RULE_ARN]),
                                              (QUEUE_ARN, []), (QUEUE_ARN, ["arn:aws:events:us-east-1:222222222222:event-bus/b"])])
    def test_malformed(self, queue, rules):
        with pytest.raises(ValueError):
            hub.dead_letter_queue_policy(queue, rules)


class TestTargetAndRetry:
    def test_retry_policy_is_the_documented_maximum(self):
        assert hub.DEFAULT_RETRY_POLICY == {"maximum_retry_attempts": 185, "maximum_event_age_in_seconds": 86400}

    def test_forwarding_target(self):
        target = hub.forwarding_target(BUS_ARN, ROLE_ARN, QUEUE_ARN)
        assert eventbridge_targets.to_api(target) == {
            "Id": "rootwatch-hub-bus", "Arn": BUS_ARN, "RoleArn": ROLE_ARN, "DeadLetterConfig": {"Arn": QUEUE_ARN},
            "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}}
        # The same as a target AWS reports with no retry policy of its own: no spurious diff.
        assert eventbridge_targets.targets_equal(eventbridge_targets.to_api(target),
                                                 dict(eventbridge_targets.to_api(target), RetryPolicy=eventbridge_targets.DEFAULT_RETRY_POLICY))

    def test_forwarding_target_validates(self):
        with pytest.raises(ValueError, match="dead_letter_arn"):
            hub.forwarding_target(BUS_ARN, ROLE_ARN, "arn:aws:sns:us-east-1:222222222222:t")


class TestPlanStatements:
    def test_add_keeps_others(self):
        plan = hub.plan_statements(document(other_statement()), hub.bus_policy_statements(BUS_ARN, ORG), hub.bus_sids())
        assert plan["changed"] and plan["added"] == ["RootwatchOrgPutEvents"]
        assert [s["Sid"] for s in plan["after"]["Statement"]] == ["SomeoneElse", "RootwatchOrgPutEvents"]

    def test_stale_statement_of_ours_goes(self):
        current = document(other_statement(), hub.bus_policy_statements(BUS_ARN, member_accounts=[MEMBER])[0])
        plan = hub.plan_statements(current, hub.bus_policy_statements(BUS_ARN, ORG), hub.bus_sids())
        assert plan["removed"] == ["RootwatchMemberPutEvents"] and plan["added"] == ["RootwatchOrgPutEvents"]

    def test_same_meaning_is_no_change(self):
        stored = dict(hub.bus_policy_statements(BUS_ARN, member_accounts=[MEMBER])[0], Principal={"AWS": MEMBER},
                      Action=["events:PutEvents"])
        plan = hub.plan_statements(document(stored), hub.bus_policy_statements(BUS_ARN, member_accounts=[MEMBER]), hub.bus_sids())
        assert plan["changed"] is False and plan["after"] == document(stored)

    def test_removing_the_last_statement_leaves_no_policy(self):
        current = document(hub.bus_policy_statements(BUS_ARN, ORG)[0])
        plan = hub.plan_statements(current, [], hub.bus_sids())
        assert plan["changed"] and plan["after"] is None and plan["removed"] == ["RootwatchOrgPutEvents"]


# == the judge ==========================================================================
def linked(**changes):
    trust = json.dumps(hub.forwarding_role_trust_policy(MEMBER, [RULE_ARN]))
    member_rule = {
        "rule": {"Name": ROLE, "Arn": RULE_ARN, "State": "ENABLED"},
        "targets": [{"Id": "rootwatch-hub-bus", "Arn": BUS_ARN, "RoleArn": ROLE_ARN, "DeadLetterConfig": {"Arn": QUEUE_ARN}}],
        "roles": {ROLE_ARN: {"RoleName": ROLE, "Arn": ROLE_ARN, "AssumeRolePolicyDocument": trust}},
    }
    member_rule.update(changes)
    return member_rule


ACCOUNTS_POLICY = document(*hub.bus_policy_statements(BUS_ARN, member_accounts=[MEMBER]))
ORG_POLICY = document(*hub.bus_policy_statements(BUS_ARN, ORG))


class TestForwardingLink:
    def test_complete(self):
        ok, reason = hub.forwarding_link(linked(), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is True and "RootwatchMemberPutEvents" in reason and ROLE_ARN in reason

    def test_policy_as_text_and_org(self):
        assert hub.forwarding_link(linked(), json.dumps(ORG_POLICY), MEMBER, BUS_ARN, ORG)[0] is True

    def test_org_policy_without_knowing_the_org_does_not_admit(self):
        ok, reason = hub.forwarding_link(linked(), ORG_POLICY, MEMBER, BUS_ARN)
        assert ok is False and "does not admit" in reason

    def test_another_org(self):
        assert hub.forwarding_link(linked(), ORG_POLICY, MEMBER, BUS_ARN, "o-zzzzzzzzzz")[0] is False

    def test_account_not_in_policy(self):
        ok, reason = hub.forwarding_link(linked(), document(other_statement()), MEMBER, BUS_ARN)
        assert ok is False and "implicit deny" in reason

    def test_no_policy(self):
        assert hub.forwarding_link(linked(), None, MEMBER, BUS_ARN)[0] is False

    def test_explicit_deny(self):
        deny = {"Sid": "NoMember", "Effect": "Deny", "Principal": "*", "Action": "events:*", "Resource": BUS_ARN,
                "Condition": {"StringEquals": {"aws:PrincipalAccount": MEMBER}}}
        ok, reason = hub.forwarding_link(linked(), document(ACCOUNTS_POLICY["Statement"][0], deny), MEMBER, BUS_ARN)
        assert ok is False and "NoMember" in reason

    def test_unevaluable_condition_is_unknown(self):
        odd = dict(ACCOUNTS_POLICY["Statement"][0], Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
        assert hub.forwarding_link(linked(), document(odd), MEMBER, BUS_ARN)[0] is None

    def test_unread_policy_is_unknown(self):
        ok, reason = hub.forwarding_link(linked(), {"error": "AccessDenied"}, MEMBER, BUS_ARN)
        assert ok is None and "AccessDenied" in reason

    def test_unread_rule_is_unknown(self):
        assert hub.forwarding_link({"error": "Throttled"}, ACCOUNTS_POLICY, MEMBER, BUS_ARN)[0] is None

    @pytest.mark.parametrize("changes, words", [
        ({"rule": None}, "has no rule"),
        ({"rule": {"Name": "r", "Arn": RULE_ARN, "State": "DISABLED"}}, "DISABLED"),
        ({"targets": [{"Id": "t", "Arn": "arn:aws:events:us-east-1:111111111111:event-bus/other", "RoleArn": ROLE_ARN}]}, "no target"),
        ({"targets": [{"Id": "t", "Arn": BUS_ARN}]}, "no RoleArn"),
        ({"roles": {ROLE_ARN: None}}, "does not exist"),
    ])
    def test_broken_links(self, changes, words):
        ok, reason = hub.forwarding_link(linked(**changes), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is False and words in reason

    def test_role_not_read_is_unknown(self):
        assert hub.forwarding_link(linked(roles={}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)[0] is None

    def test_role_without_trust_read_counts_as_present(self):
        assert hub.forwarding_link(linked(roles={ROLE_ARN: {"Arn": ROLE_ARN}}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)[0] is True

    def test_role_trusting_another_service(self):
        trust = document({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
        ok, reason = hub.forwarding_link(linked(roles={ROLE_ARN: {"AssumeRolePolicyDocument": trust}}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is False and "trust" in reason

    def test_role_trust_scoped_to_another_rule(self):
        trust = hub.forwarding_role_trust_policy(MEMBER, ["arn:aws:events:us-east-1:222222222222:rule/other"])
        assert hub.forwarding_link(linked(roles={ROLE_ARN: {"AssumeRolePolicyDocument": trust}}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)[0] is False

    def test_one_good_target_is_enough(self):
        targets = [{"Id": "old", "Arn": BUS_ARN}] + linked()["targets"]
        assert hub.forwarding_link(linked(targets=targets), ACCOUNTS_POLICY, MEMBER, BUS_ARN)[0] is True


# == event bus ===========================================================================
BUS_PARAMS = {"name": BUS, "state": "present", "member_accounts": [MEMBER], "tags": dict(OWNER), "owner_tag": OWNER}
MEMBER_DOC = document(*hub.bus_policy_statements(BUS_ARN, member_accounts=[MEMBER]))


def bus(stubber, policy=None):
    response = {"Name": BUS, "Arn": BUS_ARN}
    if policy is not None:
        response["Policy"] = json.dumps(policy)
    stubber.add_response("describe_event_bus", response, {"Name": BUS})


def bus_tags(stubber, tags):
    stubber.add_response("list_tags_for_resource", {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}, {"ResourceARN": BUS_ARN})


def put_policy(stubber, policy):
    stubber.add_response("put_permission", {}, {"EventBusName": BUS, "Policy": json.dumps(policy, sort_keys=True)})


class TestEventBusManager:
    def test_create(self, stubs):
        events = stubs.stub("events")
        client_error(events, "describe_event_bus", "ResourceNotFoundException", 404, {"Name": BUS})
        events.add_response("create_event_bus", {"EventBusArn": BUS_ARN}, {"Name": BUS, "Tags": OWNER_TAGS})
        put_policy(events, MEMBER_DOC)
        result = manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS))
        assert result["changed"] is True and result["bus_arn"] == BUS_ARN
        assert result["changes"] == ["create event bus %s" % BUS, "add bus policy statement RootwatchMemberPutEvents"]
        assert result["policy"] == MEMBER_DOC and result["diff"]["before"] == {}

    def test_check_mode_create_writes_nothing(self, stubs):
        client_error(stubs.stub("events"), "describe_event_bus", "ResourceNotFoundException", 404)
        result = manager(hub.EventBusManager, stubs, check_mode=True).ensure(dict(BUS_PARAMS))
        assert result["changed"] is True and result["bus_arn"] == BUS_ARN and result["policy"] == MEMBER_DOC

    def test_converged_reads_only(self, stubs):
        events = stubs.stub("events")
        stored = document(dict(MEMBER_DOC["Statement"][0], Principal={"AWS": "arn:aws:iam::222222222222:root"}), other_statement())
        bus(events, stored)
        bus_tags(events, OWNER)
        result = manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS))
        assert result["changed"] is False and result["changes"] == [] and result["facts"]["policy"] == stored

    def test_update_rereads_writes_and_reads_back(self, stubs):
        events = stubs.stub("events")
        bus(events, MEMBER_DOC)
        bus_tags(events, OWNER)
        # Another writer added a statement since the first read: it is kept.
        bus(events, document(MEMBER_DOC["Statement"][0], other_statement()))
        wanted = document(other_statement(), *hub.bus_policy_statements(BUS_ARN, member_accounts=[MEMBER, OTHER]))
        put_policy(events, wanted)
        bus(events, wanted)
        result = manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS, member_accounts=[MEMBER, OTHER]))
        assert result["changes"] == ["update event bus %s: policy" % BUS, "replace bus policy statement RootwatchMemberPutEvents"]
        assert result["policy"] == wanted

    def test_switch_to_organization_removes_our_stale_statement(self, stubs):
        events = stubs.stub("events")
        bus(events, document(other_statement(), MEMBER_DOC["Statement"][0]))
        bus_tags(events, OWNER)
        bus(events, document(other_statement(), MEMBER_DOC["Statement"][0]))
        events.add_response("remove_permission", {}, {"EventBusName": BUS, "StatementId": "RootwatchMemberPutEvents"})
        wanted = document(other_statement(), *hub.bus_policy_statements(BUS_ARN, ORG))
        put_policy(events, wanted)
        bus(events, wanted)
        result = manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS, member_accounts=[], organization_id=ORG))
        assert result["changes"][1:] == ["add bus policy statement RootwatchOrgPutEvents", "remove bus policy statement RootwatchMemberPutEvents"]

    def test_policy_changed_during_write_raises(self, stubs):
        events = stubs.stub("events")
        bus(events, MEMBER_DOC)
        bus_tags(events, OWNER)
        bus(events, MEMBER_DOC)
        wanted = document(*hub.bus_policy_statements(BUS_ARN, ORG, [MEMBER]))
        put_policy(events, wanted)
        bus(events, document(other_statement()))
        with pytest.raises(hub.EventHubError, match="changed while"):
            manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS, organization_id=ORG))

    def test_tags_update(self, stubs):
        events = stubs.stub("events")
        bus(events, MEMBER_DOC)
        bus_tags(events, dict(OWNER, team="old"))
        events.add_response("untag_resource", {}, {"ResourceARN": BUS_ARN, "TagKeys": ["team"]})
        result = manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS))
        assert result["changes"] == ["update event bus %s: tags" % BUS]

    def test_check_mode_update_reads_only(self, stubs):
        events = stubs.stub("events")
        bus(events, MEMBER_DOC)
        bus_tags(events, OWNER)
        result = manager(hub.EventBusManager, stubs, check_mode=True).ensure(dict(BUS_PARAMS, organization_id=ORG))
        assert result["changed"] is True and result["changes"][1] == "add bus policy statement RootwatchOrgPutEvents"

    def test_foreign_bus_raises_before_any_write(self, stubs):
        events = stubs.stub("events")
        bus(events, document(other_statement()))
        bus_tags(events, {"team": "security"})
        with pytest.raises(ForeignResourceError, match="root_login_alerts_hub_bus_name"):
            manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS))

    @pytest.mark.parametrize("name", ["default", "a/b", "", None])
    def test_bad_name(self, stubs, name):
        with pytest.raises(ValueError, match="custom event bus"):
            manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS, name=name))

    def test_absent_deletes_our_bus_without_rules(self, stubs):
        events = stubs.stub("events")
        bus(events, MEMBER_DOC)
        bus_tags(events, OWNER)
        events.add_response("list_rules", {"Rules": []}, {"EventBusName": BUS})
        events.add_response("delete_event_bus", {}, {"Name": BUS})
        result = manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS, state="absent"))
        assert result["changed"] is True and result["changes"] == ["delete event bus %s" % BUS] and result["bus"] == {}

    def test_absent_keeps_a_bus_with_rules_of_others_and_removes_our_statements(self, stubs):
        events = stubs.stub("events")
        bus(events, document(other_statement(), MEMBER_DOC["Statement"][0]))
        bus_tags(events, OWNER)
        events.add_response("list_rules", {"Rules": [{"Name": "their-rule", "Arn": "arn:aws:events:us-east-1:111111111111:rule/x/y"}],
                                           "NextToken": "t"}, {"EventBusName": BUS})
        events.add_response("list_rules", {"Rules": [{"Name": "our-rule"}]}, {"EventBusName": BUS, "NextToken": "t"})
        bus(events, document(other_statement(), MEMBER_DOC["Statement"][0]))
        events.add_response("remove_permission", {}, {"EventBusName": BUS, "StatementId": "RootwatchMemberPutEvents"})
        bus(events, document(other_statement()))
        result = manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS, state="absent", own_rules=["our-rule"]))
        assert result["changed"] is True and result["changes"] == ["remove bus policy statement RootwatchMemberPutEvents"]
        assert result["kept_because"] == "rules remain on it (our-rule, their-rule)" and stubs.warnings

    def test_absent_in_check_mode_counts_our_rules_as_gone(self, stubs):
        events = stubs.stub("events")
        bus(events, MEMBER_DOC)
        bus_tags(events, OWNER)
        events.add_response("list_rules", {"Rules": [{"Name": "our-rule"}]}, {"EventBusName": BUS})
        result = manager(hub.EventBusManager, stubs, check_mode=True).ensure(dict(BUS_PARAMS, state="absent", own_rules=["our-rule"]))
        assert result["changes"] == ["delete event bus %s" % BUS]

    def test_absent_leaves_a_foreign_bus_alone(self, stubs):
        events = stubs.stub("events")
        bus(events, MEMBER_DOC)
        bus_tags(events, {})
        result = manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS, state="absent"))
        assert result["changed"] is False and "not created by rootwatch.aws" in result["kept_because"]

    def test_absent_when_missing(self, stubs):
        client_error(stubs.stub("events"), "describe_event_bus", "ResourceNotFoundException", 404)
        assert manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS, state="absent"))["changed"] is False

    def test_known_reads_are_not_repeated(self, stubs):
        stubs.stub("events")
        known = {"bus": {"Name": BUS, "Arn": BUS_ARN, "Policy": json.dumps(MEMBER_DOC)}, "tags": dict(OWNER)}
        assert manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS), known)["changed"] is False


# == forwarding role =====================================================================
ROLE_PARAMS = {"name": ROLE, "state": "present", "hub_bus_arn": BUS_ARN, "tags": dict(OWNER), "owner_tag": OWNER}
TRUST = hub.forwarding_role_trust_policy(MEMBER)
POLICY = hub.forwarding_role_policy(BUS_ARN)


def role(trust=None):
    return {"Path": "/", "RoleName": ROLE, "RoleId": "AROAEXAMPLEID1234567", "Arn": ROLE_ARN, "CreateDate": NOW,
            "AssumeRolePolicyDocument": json.dumps(trust or TRUST), "Description": hub.DEFAULT_FORWARDING_ROLE_DESCRIPTION}


def get_role(stubber, trust=None):
    stubber.add_response("get_role", {"Role": role(trust)}, {"RoleName": ROLE})


def role_tags(stubber, tags):
    stubber.add_response("list_role_tags", {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()], "IsTruncated": False},
                         {"RoleName": ROLE})


def role_policy(stubber, policy):
    stubber.add_response("get_role_policy", {"RoleName": ROLE, "PolicyName": hub.DEFAULT_FORWARDING_POLICY_NAME,
                                             "PolicyDocument": json.dumps(policy)},
                         {"RoleName": ROLE, "PolicyName": hub.DEFAULT_FORWARDING_POLICY_NAME})


def put_role_policy(stubber, policy):
    stubber.add_response("put_role_policy", {}, {"RoleName": ROLE, "PolicyName": hub.DEFAULT_FORWARDING_POLICY_NAME,
                                                 "PolicyDocument": json.dumps(policy)})


class TestForwardingRoleManager:
    def test_create(self, stubs):
        iam = stubs.stub("iam")
        client_error(iam, "get_role", "NoSuchEntity", 404, {"RoleName": ROLE})
        iam.add_response("create_role", {"Role": role()}, {
            "RoleName": ROLE, "Path": "/", "AssumeRolePolicyDocument": json.dumps(TRUST),
            "Description": hub.DEFAULT_FORWARDING_ROLE_DESCRIPTION, "Tags": OWNER_TAGS})
        put_role_policy(iam, POLICY)
        result = manager(hub.ForwardingRoleManager, stubs, account=MEMBER).ensure(dict(ROLE_PARAMS))
        assert result["changed"] is True and result["changes"] == ["create role %s" % ROLE] and result["role_arn"] == ROLE_ARN

    def test_converged_reads_only(self, stubs):
        iam = stubs.stub("iam")
        get_role(iam)
        role_tags(iam, OWNER)
        role_policy(iam, POLICY)
        result = manager(hub.ForwardingRoleManager, stubs, account=MEMBER).ensure(dict(ROLE_PARAMS))
        assert result["changed"] is False and result["changes"] == []

    def test_new_hub_bus_updates_the_policy(self, stubs):
        iam = stubs.stub("iam")
        get_role(iam)
        role_tags(iam, OWNER)
        role_policy(iam, hub.forwarding_role_policy("arn:aws:events:us-east-1:111111111111:event-bus/old"))
        put_role_policy(iam, POLICY)
        result = manager(hub.ForwardingRoleManager, stubs, account=MEMBER).ensure(dict(ROLE_PARAMS))
        assert result["changes"] == ["update role %s: policy %s" % (ROLE, hub.DEFAULT_FORWARDING_POLICY_NAME)]

    def test_rule_scoping_updates_the_trust(self, stubs):
        iam = stubs.stub("iam")
        get_role(iam)
        role_tags(iam, OWNER)
        role_policy(iam, POLICY)
        scoped = hub.forwarding_role_trust_policy(MEMBER, [RULE_ARN])
        iam.add_response("update_assume_role_policy", {}, {"RoleName": ROLE, "PolicyDocument": json.dumps(scoped)})
        result = manager(hub.ForwardingRoleManager, stubs, account=MEMBER).ensure(dict(ROLE_PARAMS, rule_arns=[RULE_ARN]))
        assert result["changes"] == ["update role %s: trust policy" % ROLE]

    def test_check_mode_writes_nothing(self, stubs):
        client_error(stubs.stub("iam"), "get_role", "NoSuchEntity", 404)
        result = manager(hub.ForwardingRoleManager, stubs, check_mode=True, account=MEMBER).ensure(dict(ROLE_PARAMS))
        assert result["changed"] is True and result["role_arn"] == ROLE_ARN
        assert result["role"]["policy"] == POLICY and result["role"]["assume_role_policy"] == TRUST

    def test_foreign_role_raises_with_our_variable(self, stubs):
        iam = stubs.stub("iam")
        get_role(iam)
        role_tags(iam, {})
        with pytest.raises(ForeignResourceError, match="root_login_alerts_forwarding_role_name"):
            manager(hub.ForwardingRoleManager, stubs, account=MEMBER).ensure(dict(ROLE_PARAMS))

    def test_bad_bus_arn(self, stubs):
        with pytest.raises(ValueError, match="bus ARN"):
            manager(hub.ForwardingRoleManager, stubs, account=MEMBER).ensure(dict(ROLE_PARAMS, hub_bus_arn="hub"))

    def test_absent_deletes_our_role(self, stubs):
        iam = stubs.stub("iam")
        get_role(iam)
        role_tags(iam, OWNER)
        iam.add_response("list_role_policies", {"PolicyNames": [hub.DEFAULT_FORWARDING_POLICY_NAME], "IsTruncated": False}, {"RoleName": ROLE})
        iam.add_response("list_attached_role_policies", {"AttachedPolicies": [], "IsTruncated": False}, {"RoleName": ROLE})
        role_policy(iam, POLICY)
        iam.add_response("delete_role_policy", {}, {"RoleName": ROLE, "PolicyName": hub.DEFAULT_FORWARDING_POLICY_NAME})
        iam.add_response("delete_role", {}, {"RoleName": ROLE})
        result = manager(hub.ForwardingRoleManager, stubs, account=MEMBER).ensure(dict(ROLE_PARAMS, state="absent"))
        assert result["changed"] is True
        assert result["changes"] == ["delete policy %s of role %s" % (hub.DEFAULT_FORWARDING_POLICY_NAME, ROLE), "delete role %s" % ROLE]

    def test_absent_leaves_a_foreign_role(self, stubs):
        iam = stubs.stub("iam")
        get_role(iam)
        role_tags(iam, {})
        result = manager(hub.ForwardingRoleManager, stubs, account=MEMBER).ensure(dict(ROLE_PARAMS, state="absent"))
        assert result["changed"] is False and result["kept_because"]


# == dead-letter queue ===================================================================
DLQ_PARAMS = {"name": QUEUE, "state": "present", "rule_arns": [RULE_ARN], "tags": dict(OWNER), "owner_tag": OWNER}
DLQ_DOC = hub.dead_letter_queue_policy(QUEUE_ARN, [RULE_ARN])


def attributes(policy=None, messages="0", **extra):
    found = {"QueueArn": QUEUE_ARN, "ApproximateNumberOfMessages": messages, "SqsManagedSseEnabled": "true",
             "MessageRetentionPeriod": "1209600"}
    if policy is not None:
        found["Policy"] = json.dumps(policy)
    found.update(extra)
    return found


def queue(stubber, found):
    stubber.add_response("get_queue_url", {"QueueUrl": QUEUE_URL}, {"QueueName": QUEUE})
    stubber.add_response("get_queue_attributes", {"Attributes": found}, {"QueueUrl": QUEUE_URL, "AttributeNames": hub.QUEUE_ATTRIBUTES})


def queue_tags(stubber, tags):
    stubber.add_response("list_queue_tags", {"Tags": dict(tags)}, {"QueueUrl": QUEUE_URL})


def queue_policy(stubber, policy):
    found = {"Policy": json.dumps(policy)} if policy else {}
    stubber.add_response("get_queue_attributes", {"Attributes": found}, {"QueueUrl": QUEUE_URL, "AttributeNames": ["Policy"]})


def other_queue_statement():
    return {"Sid": "Consumer", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER}, "Action": "sqs:ReceiveMessage",
            "Resource": QUEUE_ARN}


class TestDeadLetterQueueManager:
    def test_create(self, stubs):
        sqs = stubs.stub("sqs")
        client_error(sqs, "get_queue_url", "AWS.SimpleQueueService.NonExistentQueue", 400, {"QueueName": QUEUE})
        sqs.add_response("create_queue", {"QueueUrl": QUEUE_URL}, {"QueueName": QUEUE, "tags": dict(OWNER), "Attributes": {
            "MessageRetentionPeriod": "1209600", "SqsManagedSseEnabled": "true", "Policy": json.dumps(DLQ_DOC, sort_keys=True)}})
        result = manager(hub.DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS))
        assert result["changed"] is True and result["changes"] == ["create dead-letter queue %s" % QUEUE]
        assert result["queue_arn"] == QUEUE_ARN and result["queue_url"] == QUEUE_URL
        assert result["queue"]["sqs_managed_sse_enabled"] is True and result["queue"]["policy"] == DLQ_DOC

    def test_create_with_a_customer_managed_key(self, stubs):
        sqs = stubs.stub("sqs")
        client_error(sqs, "get_queue_url", "QueueDoesNotExist", 400)
        sqs.add_response("create_queue", {"QueueUrl": QUEUE_URL}, {"QueueName": QUEUE, "tags": dict(OWNER), "Attributes": {
            "MessageRetentionPeriod": "86400", "KmsMasterKeyId": "alias/dlq", "Policy": json.dumps(DLQ_DOC, sort_keys=True)}})
        params = dict(DLQ_PARAMS, kms_master_key_id="alias/dlq", message_retention_period=86400)
        assert manager(hub.DeadLetterQueueManager, stubs, account=MEMBER).ensure(params)["queue"]["kms_master_key_id"] == "alias/dlq"

    def test_check_mode_create_predicts_and_writes_nothing(self, stubs):
        client_error(stubs.stub("sqs"), "get_queue_url", "QueueDoesNotExist", 400)
        result = manager(hub.DeadLetterQueueManager, stubs, check_mode=True, account=MEMBER).ensure(dict(DLQ_PARAMS))
        assert result["changed"] is True and result["queue_arn"] == QUEUE_ARN and result["queue_url"] == QUEUE_URL
        assert result["facts"]["ApproximateNumberOfMessages"] is None

    def test_converged_reads_only(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(document(other_queue_statement(), DLQ_DOC["Statement"][0])))
        queue_tags(sqs, OWNER)
        result = manager(hub.DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS))
        assert result["changed"] is False and result["changes"] == []
        assert result["facts"]["ApproximateNumberOfMessages"] == 0 and stubs.warnings == []

    def test_messages_are_reported(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(DLQ_DOC, messages="3"))
        queue_tags(sqs, OWNER)
        result = manager(hub.DeadLetterQueueManager, stubs, check_mode=True, account=MEMBER).ensure(dict(DLQ_PARAMS))
        assert result["facts"]["ApproximateNumberOfMessages"] == 3 and "holds 3 event(s)" in stubs.warnings[0]

    def test_update_policy_and_retention_in_one_write(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(DLQ_DOC))
        queue_tags(sqs, OWNER)
        rules = [RULE_ARN, "arn:aws:events:us-east-1:222222222222:rule/second"]
        wanted = document(other_queue_statement(), hub.dead_letter_queue_policy(QUEUE_ARN, rules)["Statement"][0])
        queue_policy(sqs, document(DLQ_DOC["Statement"][0], other_queue_statement()))
        sqs.add_response("set_queue_attributes", {}, {"QueueUrl": QUEUE_URL, "Attributes": {
            "MessageRetentionPeriod": "345600", "Policy": json.dumps(wanted, sort_keys=True)}})
        queue_policy(sqs, wanted)
        result = manager(hub.DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS, rule_arns=rules, message_retention_period=345600))
        assert result["changes"] == ["update dead-letter queue %s: retention, policy" % QUEUE,
                                     "replace queue policy statement RootwatchEventBridgeDeadLetter"]
        assert result["queue"]["policy"] == wanted and result["queue"]["message_retention_period"] == 345600

    def test_move_to_sqs_managed_encryption(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(DLQ_DOC, SqsManagedSseEnabled="false", KmsMasterKeyId="alias/old"))
        queue_tags(sqs, OWNER)
        sqs.add_response("set_queue_attributes", {}, {"QueueUrl": QUEUE_URL, "Attributes": {"SqsManagedSseEnabled": "true", "KmsMasterKeyId": ""}})
        result = manager(hub.DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS))
        assert result["changes"] == ["update dead-letter queue %s: encryption" % QUEUE]

    def test_tags_update(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(DLQ_DOC))
        queue_tags(sqs, OWNER)
        sqs.add_response("tag_queue", {}, {"QueueUrl": QUEUE_URL, "Tags": {"team": "sec"}})
        result = manager(hub.DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS, tags=dict(OWNER, team="sec")))
        assert result["changes"] == ["update dead-letter queue %s: tags" % QUEUE]

    def test_policy_changed_during_write_raises(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(None))
        queue_tags(sqs, OWNER)
        queue_policy(sqs, None)
        sqs.add_response("set_queue_attributes", {}, {"QueueUrl": QUEUE_URL, "Attributes": {"Policy": json.dumps(DLQ_DOC, sort_keys=True)}})
        queue_policy(sqs, document(other_queue_statement()))
        with pytest.raises(hub.EventHubError, match="changed while"):
            manager(hub.DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS))

    def test_check_mode_update_reads_only(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(None, MessageRetentionPeriod="60"))
        queue_tags(sqs, OWNER)
        result = manager(hub.DeadLetterQueueManager, stubs, check_mode=True, account=MEMBER).ensure(dict(DLQ_PARAMS))
        assert result["changed"] is True and result["changes"][0] == "update dead-letter queue %s: retention, policy" % QUEUE

    def test_foreign_queue_raises(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(None))
        queue_tags(sqs, {"team": "x"})
        with pytest.raises(ForeignResourceError, match="root_login_alerts_dead_letter_queue_name"):
            manager(hub.DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS))

    @pytest.mark.parametrize("changes", [{"name": "q.fifo"}, {"rule_arns": []}, {"message_retention_period": 30},
                                         {"message_retention_period": True}, {"state": "gone"}])
    def test_invalid_params(self, stubs, changes):
        sqs = stubs.stub("sqs")
        if "rule_arns" in changes or "message_retention_period" in changes:
            client_error(sqs, "get_queue_url", "QueueDoesNotExist", 400)
        with pytest.raises(ValueError):
            manager(hub.DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS, **changes))

    def test_absent_deletes_our_queue_and_warns_about_its_messages(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(DLQ_DOC, messages="2"))
        queue_tags(sqs, OWNER)
        sqs.add_response("delete_queue", {}, {"QueueUrl": QUEUE_URL})
        result = manager(hub.DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS, state="absent"))
        assert result["changes"] == ["delete dead-letter queue %s" % QUEUE] and "discards the 2" in stubs.warnings[-1]

    def test_absent_check_mode_writes_nothing(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(DLQ_DOC))
        queue_tags(sqs, OWNER)
        assert manager(hub.DeadLetterQueueManager, stubs, check_mode=True, account=MEMBER).ensure(dict(DLQ_PARAMS, state="absent"))["changed"]

    def test_absent_leaves_a_foreign_queue(self, stubs):
        sqs = stubs.stub("sqs")
        queue(sqs, attributes(DLQ_DOC))
        queue_tags(sqs, {})
        result = manager(hub.DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS, state="absent"))
        assert result["changed"] is False and result["kept_because"]

    def test_absent_when_missing(self, stubs):
        client_error(stubs.stub("sqs"), "get_queue_url", "QueueDoesNotExist", 400)
        assert manager(hub.DeadLetterQueueManager, stubs, account=MEMBER).ensure(dict(DLQ_PARAMS, state="absent"))["changed"] is False

    def test_known_reads_are_not_repeated(self, stubs):
        stubs.stub("sqs")
        known = {"queue_url": QUEUE_URL, "attributes": attributes(DLQ_DOC), "tags": dict(OWNER)}
        result = manager(hub.DeadLetterQueueManager, stubs, account=MEMBER).ensure(copy.deepcopy(DLQ_PARAMS), known)
        assert result["changed"] is False
