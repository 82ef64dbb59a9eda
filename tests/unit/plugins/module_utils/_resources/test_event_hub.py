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

from ansible_collections.rootwatch.aws.plugins.module_utils._resources import event_hub as hub
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import targets as eventbridge_targets
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import WriteConflictError

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
# The bus statements this version writes, written out: only the forwarding role (aws:PrincipalArn), only events of
# AWS services (events:source aws.*, a condition key of events:PutEvents of type ArrayOfString in the Service
# Authorization Reference, so with a set operator, as in AWS's example "Send events to a custom bus in a different account").
MEMBER_STATEMENT = {
    "Sid": "RootwatchMemberPutEvents", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::222222222222:root"]},
    "Action": "events:PutEvents", "Resource": BUS_ARN,
    "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::222222222222:role/rootwatch-forward-to-hub"},
                  "ForAllValues:StringLike": {"events:source": "aws.*"}}}
ORG_STATEMENT = {
    "Sid": "RootwatchOrgPutEvents", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": BUS_ARN,
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"},
                  "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/rootwatch-forward-to-hub"},
                  "ForAllValues:StringLike": {"events:source": "aws.*"}}}
# What an earlier version wrote: any principal of the organization, or of the listed accounts.
OLD_MEMBER_STATEMENT = {"Sid": "RootwatchMemberPutEvents", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::222222222222:root"]},
                        "Action": "events:PutEvents", "Resource": BUS_ARN}
OLD_ORG_STATEMENT = {"Sid": "RootwatchOrgPutEvents", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents",
                     "Resource": BUS_ARN, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}}


def statements(*args, **kwargs):
    return hub.bus_policy_statements(*args, forwarding_role_name=kwargs.pop("role", ROLE), **kwargs)


class TestBusPolicyStatements:
    def test_member_accounts_make_one_statement_for_their_forwarding_roles(self):
        assert statements(BUS_ARN, member_accounts=[MEMBER]) == [MEMBER_STATEMENT]
        assert statements(BUS_ARN, member_accounts=[OTHER, MEMBER, OTHER]) == [{
            "Sid": "RootwatchMemberPutEvents", "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]},
            "Action": "events:PutEvents", "Resource": BUS_ARN,
            "Condition": {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::222222222222:role/rootwatch-forward-to-hub",
                                                           "arn:aws:iam::333333333333:role/rootwatch-forward-to-hub"]},
                          "ForAllValues:StringLike": {"events:source": "aws.*"}}}]

    def test_organization_is_principal_star_with_org_role_and_source_conditions(self):
        assert statements(BUS_ARN, organization_id=ORG) == [ORG_STATEMENT]

    def test_both_and_the_hub_itself_is_left_out(self):
        both = statements(BUS_ARN, ORG, (HUB, MEMBER), sid_prefix="Audit")
        assert [s["Sid"] for s in both] == ["AuditOrgPutEvents", "AuditMemberPutEvents"]
        assert both[1]["Principal"] == {"AWS": ["arn:aws:iam::222222222222:root"]}

    def test_partition_comes_from_the_bus(self):
        arn = "arn:aws-cn:events:cn-north-1:111111111111:event-bus/hub"
        member, = statements(arn, member_accounts=[MEMBER])
        assert member["Principal"] == {"AWS": ["arn:aws-cn:iam::222222222222:root"]}
        assert member["Condition"]["ArnLike"] == {"aws:PrincipalArn": "arn:aws-cn:iam::222222222222:role/rootwatch-forward-to-hub"}
        assert statements(arn, organization_id=ORG)[0]["Condition"]["ArnLike"] == {
            "aws:PrincipalArn": "arn:aws-cn:iam::*:role/rootwatch-forward-to-hub"}

    @pytest.mark.parametrize("role", [None, "", "a/b", "x" * 65, 7])
    def test_the_forwarding_role_name_is_required(self, role):
        with pytest.raises(ValueError, match="forwarding_role_name must be an IAM role name"):
            statements(BUS_ARN, organization_id=ORG, role=role)

    def test_a_policy_over_10_kb_is_refused_and_points_to_the_organization(self):
        accounts = ["%012d" % (400000000000 + n) for n in range(120)]
        with pytest.raises(ValueError, match=r"120 member accounts would be \d+ bytes.*cannot exceed 10 KB.*organization_id"):
            statements(BUS_ARN, member_accounts=accounts)
        assert len(statements(BUS_ARN, member_accounts=accounts[:60])[0]["Principal"]["AWS"]) == 60

    @pytest.mark.parametrize("organization_id", ["o-abc", "o-ABCDEFGHIJ", "abcdefghijkl", "o-" + "a" * 33, 123])
    def test_bad_organization_id(self, organization_id):
        with pytest.raises(ValueError, match="organization_id"):
            statements(BUS_ARN, organization_id=organization_id)

    @pytest.mark.parametrize("accounts", [["12345"], ["2222222222222"], [222222222222], "222222222222", None])
    def test_bad_member_accounts(self, accounts):
        with pytest.raises(ValueError, match="member_accounts"):
            statements(BUS_ARN, member_accounts=accounts)

    def test_nobody_to_admit(self):
        with pytest.raises(ValueError, match="organization_id or member_accounts"):
            statements(BUS_ARN, member_accounts=[HUB])

    @pytest.mark.parametrize("arn", ["arn:aws:sns:us-east-1:111111111111:t", "rootwatch-hub", None,
                                     "arn:aws:events:us-east-1:111111111111:rule/x"])
    def test_bad_bus_arn(self, arn):
        with pytest.raises(ValueError, match="bus ARN"):
            statements(arn, organization_id=ORG)

    def test_bad_sid_prefix(self):
        with pytest.raises(ValueError, match="sid_prefix"):
            statements(BUS_ARN, organization_id=ORG, sid_prefix="no-dashes")


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
        plan = hub.plan_statements(document(other_statement()), [ORG_STATEMENT], hub.bus_sids())
        assert plan["changed"] and plan["added"] == ["RootwatchOrgPutEvents"]
        assert [s["Sid"] for s in plan["after"]["Statement"]] == ["SomeoneElse", "RootwatchOrgPutEvents"]

    def test_stale_statement_of_ours_goes(self):
        current = document(other_statement(), MEMBER_STATEMENT)
        plan = hub.plan_statements(current, [ORG_STATEMENT], hub.bus_sids())
        assert plan["removed"] == ["RootwatchMemberPutEvents"] and plan["added"] == ["RootwatchOrgPutEvents"]

    def test_an_older_versions_statements_are_rewritten_by_sid(self):
        plan = hub.plan_statements(document(other_statement(), OLD_ORG_STATEMENT, OLD_MEMBER_STATEMENT),
                                   [ORG_STATEMENT, MEMBER_STATEMENT], hub.bus_sids())
        assert plan["changed"] and plan["replaced"] == ["RootwatchOrgPutEvents", "RootwatchMemberPutEvents"]
        assert plan["after"] == document(other_statement(), ORG_STATEMENT, MEMBER_STATEMENT)

    def test_same_meaning_is_no_change(self):
        stored = dict(MEMBER_STATEMENT, Principal={"AWS": MEMBER}, Action=["events:PutEvents"])
        plan = hub.plan_statements(document(stored), [MEMBER_STATEMENT], hub.bus_sids())
        assert plan["changed"] is False and plan["after"] == document(stored)

    def test_removing_the_last_statement_leaves_no_policy(self):
        plan = hub.plan_statements(document(ORG_STATEMENT), [], hub.bus_sids())
        assert plan["changed"] and plan["after"] is None and plan["removed"] == ["RootwatchOrgPutEvents"]


# == the judge ==========================================================================
# The forwarding role as docs/member-role.yml makes it (roles_spec: ResourcePrefix "rootwatch", HubAccountId HUB),
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
    reference = {"Arn": ROLE_ARN, "AssumeRolePolicyDocument": GOOD_TRUST, "PermissionsBoundary": None,
                 "PolicyName": "rootwatch-forward-to-hub-bus", "PolicyDocument": GOOD_POLICY}
    reference.update(changes)
    return reference


def linked(**changes):
    member_rule = {
        "rule": {"Name": ROLE, "Arn": RULE_ARN, "State": "ENABLED"},
        "targets": [{"Id": "rootwatch-hub-bus", "Arn": BUS_ARN, "RoleArn": ROLE_ARN, "DeadLetterConfig": {"Arn": QUEUE_ARN}}],
        "roles": {ROLE_ARN: good_role()},
    }
    member_rule.update(changes)
    return member_rule


ACCOUNTS_POLICY = document(MEMBER_STATEMENT)
ORG_POLICY = document(ORG_STATEMENT)


class TestForwardingLink:
    def test_complete(self):
        ok, reason = hub.forwarding_link(linked(), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is True and "RootwatchMemberPutEvents" in reason and ROLE_ARN in reason and "aws.signin events" in reason

    @pytest.mark.parametrize("policy, organization", [(document(OLD_MEMBER_STATEMENT), None), (document(OLD_ORG_STATEMENT), ORG)],
                             ids=["listed accounts", "organization"])
    def test_an_older_versions_policy_still_delivers(self, policy, organization):
        """It admits the member's role too (and more): the path holds until the next apply rewrites it."""
        assert hub.forwarding_link(linked(), policy, MEMBER, BUS_ARN, organization)[0] is True

    @pytest.mark.parametrize("policy, organization", [(ACCOUNTS_POLICY, None), (ORG_POLICY, ORG)], ids=["listed accounts", "organization"])
    def test_only_aws_sources_pass_the_new_policy(self, policy, organization):
        """A rule of the member that forwards a custom event, with the same role: events:source is not aws.*."""
        ok, reason = hub.forwarding_link(linked(), policy, MEMBER, BUS_ARN, organization, event_source="com.example.forged-root-alert")
        assert ok is False and "does not admit com.example.forged-root-alert events" in reason, reason
        old = document(OLD_MEMBER_STATEMENT if organization is None else OLD_ORG_STATEMENT)
        assert hub.forwarding_link(linked(), old, MEMBER, BUS_ARN, organization, event_source="com.example.forged-root-alert")[0] is True

    @pytest.mark.parametrize("policy, organization", [(ACCOUNTS_POLICY, None), (ORG_POLICY, ORG)], ids=["listed accounts", "organization"])
    def test_another_role_of_the_member_is_not_admitted(self, policy, organization):
        other = "arn:aws:iam::222222222222:role/their-own-forwarder"
        targets = [{"Id": "t", "Arn": BUS_ARN, "RoleArn": other}]
        ok, reason = hub.forwarding_link(linked(targets=targets, roles={other: good_role(Arn=other)}), policy, MEMBER, BUS_ARN, organization)
        assert ok is False and "from role %s" % other in reason, reason

    def test_a_policy_naming_the_role_itself_admits_it(self):
        """Someone else's bus policy may name the role ARN (not its account): that admits its sessions."""
        named = {"Sid": "Theirs", "Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": "events:PutEvents", "Resource": BUS_ARN}
        ok, reason = hub.forwarding_link(linked(), document(named), MEMBER, BUS_ARN)
        assert ok is True and "Theirs" in reason

    def test_a_source_condition_of_someone_else_that_leaves_out_aws_signin(self):
        theirs = dict(MEMBER_STATEMENT, Sid="Theirs", Condition={"ForAllValues:StringEquals": {"events:source": "com.example.app"}})
        ok, reason = hub.forwarding_link(linked(), document(theirs), MEMBER, BUS_ARN)
        assert ok is False and "implicit deny" in reason

    def test_policy_as_text_and_org(self):
        assert hub.forwarding_link(linked(), json.dumps(ORG_POLICY), MEMBER, BUS_ARN, ORG)[0] is True

    def test_org_policy_without_knowing_the_org_does_not_admit(self):
        ok, reason = hub.forwarding_link(linked(), ORG_POLICY, MEMBER, BUS_ARN)
        assert ok is False and "does not admit aws.signin events from role %s of account %s" % (ROLE_ARN, MEMBER) in reason

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
        ok, reason = hub.forwarding_link(linked(), document(MEMBER_STATEMENT, deny), MEMBER, BUS_ARN)
        assert ok is False and "NoMember" in reason

    def test_unevaluable_condition_is_unknown(self):
        odd = dict(MEMBER_STATEMENT, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
        assert hub.forwarding_link(linked(), document(odd), MEMBER, BUS_ARN)[0] is None

    def test_a_member_outside_the_admitted_organization_is_not_admitted(self):
        """Issue 21 table row 8: the bus admits aws:PrincipalOrgID o-abcdef1234; the member's own organization (read
        in the member) is another one, or none: its PutEvents is denied."""
        ok, reason = hub.forwarding_link(linked(), ORG_POLICY, MEMBER, BUS_ARN, "o-zzzzzzzzzz", organization_read=True)
        assert ok is False and "RootwatchOrgPutEvents" not in reason and "implicit deny" in reason, reason
        assert hub.forwarding_link(linked(), ORG_POLICY, MEMBER, BUS_ARN, None, organization_read=True)[0] is False

    def test_an_unread_organization_leaves_an_organization_statement_undecided(self):
        ok, reason = hub.forwarding_link(linked(), ORG_POLICY, MEMBER, BUS_ARN, None, organization_read=False)
        assert ok is None and "aws:PrincipalOrgID" in reason, reason
        # ... but not a policy that admits the member directly.
        assert hub.forwarding_link(linked(), ACCOUNTS_POLICY, MEMBER, BUS_ARN, None, organization_read=False)[0] is True

    def test_a_condition_on_a_key_eventbridge_does_not_tell_is_undecided(self):
        tagged = dict(MEMBER_STATEMENT, Condition={"StringEquals": {"aws:PrincipalTag/team": "security"}})
        ok, reason = hub.forwarding_link(linked(), document(tagged), MEMBER, BUS_ARN)
        assert ok is None and "aws:PrincipalTag/team" in reason, reason

    def test_the_request_carries_the_member_rule_as_source_arn(self):
        scoped = dict(MEMBER_STATEMENT, Condition={"ArnEquals": {"aws:SourceArn": RULE_ARN}, "StringEquals": {"aws:SourceAccount": MEMBER}})
        assert hub.forwarding_link(linked(), document(scoped), MEMBER, BUS_ARN)[0] is True
        other_rule = dict(scoped, Condition={"ArnEquals": {"aws:SourceArn": RULE_ARN + "-other"}})
        assert hub.forwarding_link(linked(), document(other_rule), MEMBER, BUS_ARN)[0] is False

    def test_a_role_less_target_counts_when_the_bus_admits_the_account_directly(self):
        """PutTargets: a RoleArn is needed only when the receiver admits the sender through an organization. AWS's
        account example ("Permissions for event buses"), written out: the member's root, no condition."""
        direct = {"Sid": "AllowAccountToPutEvents", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                  "Action": "events:PutEvents", "Resource": BUS_ARN}
        role_less = linked(targets=[{"Id": "direct", "Arn": BUS_ARN}], roles={})
        ok, reason = hub.forwarding_link(role_less, document(direct), MEMBER, BUS_ARN)
        assert ok is True and "without a role" in reason and "AllowAccountToPutEvents" in reason, reason

    def test_a_role_less_target_is_not_admitted_through_the_organization(self):
        organization_wide = {"Sid": "AllowOrganization", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents",
                             "Resource": BUS_ARN, "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}}
        role_less = linked(targets=[{"Id": "direct", "Arn": BUS_ARN}], roles={})
        ok, reason = hub.forwarding_link(role_less, document(organization_wide), MEMBER, BUS_ARN, ORG)
        assert ok is False and "PutTargets, RoleArn" in reason, reason

    def test_a_role_less_target_under_a_principal_arn_condition_that_could_go_either_way_is_undecided(self):
        negated = {"Sid": "AnyoneButMallory", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                   "Action": "events:PutEvents", "Resource": BUS_ARN,
                   "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::222222222222:root"}}}
        role_less = linked(targets=[{"Id": "direct", "Arn": BUS_ARN}], roles={})
        ok, reason = hub.forwarding_link(role_less, document(negated), MEMBER, BUS_ARN)
        assert ok is None and "aws:PrincipalArn" in reason, reason

    def test_unread_policy_is_unknown(self):
        ok, reason = hub.forwarding_link(linked(), {"error": "AccessDenied"}, MEMBER, BUS_ARN)
        assert ok is None and "AccessDenied" in reason

    def test_unread_rule_is_unknown(self):
        assert hub.forwarding_link({"error": "Throttled"}, ACCOUNTS_POLICY, MEMBER, BUS_ARN)[0] is None

    @pytest.mark.parametrize("changes, words", [
        ({"rule": None}, "has no rule"),
        ({"rule": {"Name": "r", "Arn": RULE_ARN, "State": "DISABLED"}}, "DISABLED"),
        ({"targets": [{"Id": "t", "Arn": "arn:aws:events:us-east-1:111111111111:event-bus/other", "RoleArn": ROLE_ARN}]}, "no target"),
        # Without a role, our policy's aws:PrincipalArn (the forwarding role) admits nothing, whether the key is absent or the root.
        ({"targets": [{"Id": "t", "Arn": BUS_ARN}]}, "without RoleArn"),
        ({"roles": {ROLE_ARN: None}}, "does not exist"),
    ])
    def test_broken_links(self, changes, words):
        ok, reason = hub.forwarding_link(linked(**changes), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is False and words in reason

    def test_role_not_read_is_unknown(self):
        assert hub.forwarding_link(linked(roles={}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)[0] is None

    def test_a_role_whose_permissions_were_not_read_is_unknown(self):
        """Another's role on a target to the hub bus is read with GetRole only: what it may do is not known."""
        reference = {"Arn": ROLE_ARN, "AssumeRolePolicyDocument": GOOD_TRUST, "PermissionsBoundary": None}
        ok, reason = hub.forwarding_link(linked(roles={ROLE_ARN: reference}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is None and "permissions were not read" in reason, reason

    def test_a_role_whose_trust_was_not_read_is_unknown(self):
        ok, reason = hub.forwarding_link(linked(roles={ROLE_ARN: good_role(AssumeRolePolicyDocument=None)}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is None and "trust policy was not read" in reason

    def test_role_unreadable_is_unknown(self):
        ok, reason = hub.forwarding_link(linked(roles={ROLE_ARN: {"error": "iam:GetRole x: AccessDenied"}}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is None and "AccessDenied" in reason

    def test_role_trusting_another_service(self):
        trust = document({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
        ok, reason = hub.forwarding_link(linked(roles={ROLE_ARN: good_role(AssumeRolePolicyDocument=trust)}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is False and "trust does not let events.amazonaws.com assume it" in reason

    def test_role_trust_scoped_to_another_rule(self):
        trust = copy.deepcopy(GOOD_TRUST)
        trust["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"] = "arn:aws:events:us-east-1:222222222222:rule/other"
        ok, reason = hub.forwarding_link(linked(roles={ROLE_ARN: good_role(AssumeRolePolicyDocument=trust)}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is False and RULE_ARN in reason

    def test_an_inline_deny_of_put_events_breaks_the_link(self):
        """Issue 21: the member's forwarding role has an inline Deny on events:PutEvents -> every delivery fails."""
        policy = document(GOOD_POLICY["Statement"][0], {"Sid": "NoForwarding", "Effect": "Deny", "Action": "events:PutEvents", "Resource": "*"})
        ok, reason = hub.forwarding_link(linked(roles={ROLE_ARN: good_role(PolicyDocument=policy)}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is False and "explicitly denied" in reason and "NoForwarding" in reason, reason

    def test_a_deny_that_cannot_be_evaluated_is_unknown_not_broken(self):
        deny = {"Sid": "MaybeNot", "Effect": "Deny", "Action": "events:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
        ok, reason = hub.forwarding_link(linked(roles={ROLE_ARN: good_role(PolicyDocument=document(GOOD_POLICY["Statement"][0], deny))}),
                                         ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is None and "MaybeNot" in reason

    def test_a_policy_for_another_bus_does_not_forward(self):
        policy = document({"Effect": "Allow", "Action": "events:PutEvents", "Resource": "arn:aws:events:us-east-1:111111111111:event-bus/old"})
        ok, reason = hub.forwarding_link(linked(roles={ROLE_ARN: good_role(PolicyDocument=policy)}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is False and "does not allow events:PutEvents on %s" % BUS_ARN in reason

    def test_a_role_without_the_inline_policy_does_not_forward(self):
        ok, reason = hub.forwarding_link(linked(roles={ROLE_ARN: good_role(PolicyDocument=None)}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is False and "no inline policy rootwatch-forward-to-hub-bus" in reason

    def test_a_permissions_boundary_makes_the_link_unknown_never_compliant(self):
        boundary = "arn:aws:iam::222222222222:policy/team-boundary"
        ok, reason = hub.forwarding_link(linked(roles={ROLE_ARN: good_role(PermissionsBoundary=boundary)}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is None and boundary in reason

    def test_a_role_of_another_account(self):
        other = "arn:aws:iam::333333333333:role/x"
        targets = [{"Id": "t", "Arn": BUS_ARN, "RoleArn": other}]
        ok, reason = hub.forwarding_link(linked(targets=targets, roles={other: good_role(Arn=other)}), ACCOUNTS_POLICY, MEMBER, BUS_ARN)
        assert ok is False and "not in account 222222222222" in reason

    def test_one_good_target_is_enough(self):
        targets = [{"Id": "old", "Arn": BUS_ARN}] + linked()["targets"]
        assert hub.forwarding_link(linked(targets=targets), ACCOUNTS_POLICY, MEMBER, BUS_ARN)[0] is True


# == event bus ===========================================================================
BUS_PARAMS = {"name": BUS, "state": "present", "member_accounts": [MEMBER], "forwarding_role_name": ROLE, "tags": dict(OWNER),
              "owner_tag": OWNER}
MEMBER_DOC = document(MEMBER_STATEMENT)


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

    def test_an_older_versions_statement_is_rewritten_and_others_kept(self, stubs):
        events = stubs.stub("events")
        stored = document(OLD_MEMBER_STATEMENT, other_statement())
        bus(events, stored)
        bus_tags(events, OWNER)
        bus(events, stored)
        wanted = document(other_statement(), MEMBER_STATEMENT)  # ours after the others', as merge_statements puts them
        put_policy(events, wanted)
        bus(events, wanted)
        result = manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS))
        assert result["changes"] == ["update event bus %s: policy" % BUS, "replace bus policy statement RootwatchMemberPutEvents"]
        assert result["policy"] == wanted

    def test_without_the_forwarding_role_name_nothing_is_written(self, stubs):
        events = stubs.stub("events")
        bus(events, document(OLD_MEMBER_STATEMENT))
        bus_tags(events, OWNER)
        with pytest.raises(ValueError, match="forwarding_role_name"):
            manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS, forwarding_role_name=None))

    def test_update_rereads_writes_and_reads_back(self, stubs):
        events = stubs.stub("events")
        bus(events, MEMBER_DOC)
        bus_tags(events, OWNER)
        # Another writer added a statement since the first read: it is kept.
        bus(events, document(MEMBER_DOC["Statement"][0], other_statement()))
        wanted = document(other_statement(), dict(MEMBER_STATEMENT, Principal={"AWS": [
            "arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]}, Condition=dict(MEMBER_STATEMENT["Condition"], ArnLike={
                "aws:PrincipalArn": ["arn:aws:iam::222222222222:role/rootwatch-forward-to-hub",
                                     "arn:aws:iam::333333333333:role/rootwatch-forward-to-hub"]})))
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
        wanted = document(other_statement(), ORG_STATEMENT)
        put_policy(events, wanted)
        bus(events, wanted)
        result = manager(hub.EventBusManager, stubs).ensure(dict(BUS_PARAMS, member_accounts=[], organization_id=ORG))
        assert result["changes"][1:] == ["add bus policy statement RootwatchOrgPutEvents", "remove bus policy statement RootwatchMemberPutEvents"]

    def test_policy_changed_during_write_raises(self, stubs):
        events = stubs.stub("events")
        bus(events, MEMBER_DOC)
        bus_tags(events, OWNER)
        bus(events, MEMBER_DOC)
        wanted = document(ORG_STATEMENT, MEMBER_STATEMENT)
        put_policy(events, wanted)
        bus(events, document(other_statement()))
        with pytest.raises(WriteConflictError, match="changed while"):
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
        with pytest.raises(WriteConflictError, match="changed while"):
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
