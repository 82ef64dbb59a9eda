# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Statement-by-Sid policy management: validation, merge, removal, semantic comparison, the plan of a write."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import merge_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import one_or_list
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import parse_policy
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import plan_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import policies_differ
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import remove_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import statement_changes
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import statements_equal
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import statements_of
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import validate_sids
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import validate_statements

TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"
RULE = "arn:aws:events:us-east-1:123456789012:rule/alerts"


def publish(sid="Ours", **changes):
    statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": TOPIC,
        "Condition": {"ArnEquals": {"aws:SourceArn": RULE}},
    }
    statement.update(changes)
    return statement


DEFAULT = {
    "Sid": "__default_statement_ID",
    "Effect": "Allow",
    "Principal": {"AWS": "*"},
    "Action": ["SNS:Publish", "SNS:Subscribe"],
    "Resource": TOPIC,
    "Condition": {"StringEquals": {"AWS:SourceOwner": "123456789012"}},
}
CONSOLE = publish("AWSEvents_console-rule_Id1234")
FOREIGN = {"Sid": "OtherTeam", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
           "Action": "sns:Subscribe", "Resource": TOPIC}
CURRENT = {"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [DEFAULT, CONSOLE, FOREIGN]}


# -- validation ------------------------------------------------------------
@pytest.mark.parametrize(
    "statements, message",
    [
        ("not a list", "must be a list"),
        (["text"], "statements[0] must be an object"),
        ([publish(Sid=None)], "statements[0] has no Sid"),
        ([publish(Sid="")], "has no Sid"),
        ([publish(Sid=7)], "has no Sid"),
        ([publish("A"), publish("A")], "statements[1] (Sid A): duplicate Sid 'A'"),
        ([publish(Effect="allow")], "Effect must be 'Allow' or 'Deny', got 'allow'"),
        ([publish(Effect=None)], "Effect must be"),
        ([publish(Action=[])], "Action (or NotAction) is required"),
        ([{k: v for k, v in publish().items() if k != "Action"}], "Action (or NotAction) is required"),
        ([{k: v for k, v in publish().items() if k != "Principal"}], "Principal (or NotPrincipal) is required"),
        ([{k: v for k, v in publish().items() if k != "Resource"}], "Resource (or NotResource) is required"),
        ([publish(Condition="aws:SourceArn")], "Condition must be an object"),
        ([publish(Condition={"ArnEquals": RULE})], "Condition must be an object"),
        ([publish(Condition=[])], "Condition must be an object"),
    ],
)
def test_validate_statements_errors(statements, message):
    with pytest.raises(ValueError) as exc:
        validate_statements(statements)
    assert message in str(exc.value)


@pytest.mark.parametrize(
    "statements",
    [
        [],
        [publish()],
        [publish("A"), publish("B", Effect="Deny")],
        [publish(Action=None, NotAction="sns:Subscribe")],
        [publish(Principal=None, NotPrincipal={"AWS": "*"})],
        [publish(Resource=None, NotResource=TOPIC)],
        [publish(Condition=None)],
    ],
)
def test_validate_statements_accepts(statements):
    assert validate_statements(statements) is statements


def test_validate_statements_names_the_parameter():
    with pytest.raises(ValueError, match=r"^policy\[0\]"):
        validate_statements([{}], param="policy")


@pytest.mark.parametrize(
    "statements, sids, message",
    [
        ([{"Sid": "A"}, {"Sid": "B"}], ["A", "B"], None),
        ([], [], None),
        ([{"Sid": "A"}, {"Sid": "A"}], None, "duplicate Sid 'A'"),
        ([{"Effect": "Allow"}], None, "has no Sid"),
        (["A"], None, "must be an object"),
        ("A", None, "must be a list"),
    ],
)
def test_validate_sids(statements, sids, message):
    if message:
        with pytest.raises(ValueError, match=message):
            validate_sids(statements)
    else:
        assert validate_sids(statements) == sids


# -- merge / remove --------------------------------------------------------
@pytest.mark.parametrize(
    "policy, statements, purge, keep, expected_sids",
    [
        (CURRENT, [publish()], False, (), ["__default_statement_ID", CONSOLE["Sid"], "OtherTeam", "Ours"]),
        (CURRENT, [publish("OtherTeam")], False, (), ["__default_statement_ID", CONSOLE["Sid"], "OtherTeam"]),
        (CURRENT, [publish()], True, (), ["Ours"]),
        (CURRENT, [publish()], True, ("__default_statement_ID",), ["__default_statement_ID", "Ours"]),
        (None, [publish()], False, (), ["Ours"]),
        ({}, [publish()], False, (), ["Ours"]),
        ({"Statement": DEFAULT}, [publish()], False, (), ["__default_statement_ID", "Ours"]),
        (CURRENT, [], False, (), ["__default_statement_ID", CONSOLE["Sid"], "OtherTeam"]),
    ],
)
def test_merge_statements(policy, statements, purge, keep, expected_sids):
    original = copy.deepcopy(policy)
    merged = merge_statements(policy, statements, purge=purge, keep_sids=keep)
    assert [s.get("Sid") for s in merged["Statement"]] == expected_sids
    assert policy == original  # not modified


def test_merge_replaces_by_sid_and_keeps_document_keys():
    merged = merge_statements(CURRENT, [publish("OtherTeam", Effect="Deny")])
    assert merged["Version"] == "2008-10-17"
    assert merged["Id"] == "__default_policy_ID"
    assert merged["Statement"][-1]["Effect"] == "Deny"


def test_merge_fills_default_version():
    assert merge_statements(None, [publish()])["Version"] == "2012-10-17"


@pytest.mark.parametrize(
    "sids, expected",
    [
        (["OtherTeam"], ["__default_statement_ID", CONSOLE["Sid"]]),
        (["Missing"], ["__default_statement_ID", CONSOLE["Sid"], "OtherTeam"]),
        ([], ["__default_statement_ID", CONSOLE["Sid"], "OtherTeam"]),
        (["__default_statement_ID", CONSOLE["Sid"], "OtherTeam"], []),
    ],
)
def test_remove_statements(sids, expected):
    assert [s["Sid"] for s in remove_statements(CURRENT, sids)["Statement"]] == expected
    assert len(CURRENT["Statement"]) == 3


def test_statements_of():
    assert statements_of(None) == []
    assert statements_of({"Statement": DEFAULT}) == [DEFAULT]
    copied = statements_of(CURRENT)
    copied[0]["Sid"] = "changed"
    assert CURRENT["Statement"][0]["Sid"] == "__default_statement_ID"


# -- semantic comparison -----------------------------------------------------
@pytest.mark.parametrize(
    "left, right, equal",
    [
        (publish(), publish(), True),
        (publish(), publish(Action=["sns:Publish"]), True),  # string vs one-element list
        (publish(Action=["sns:Publish", "sns:Subscribe"]), publish(Action=["sns:Subscribe", "sns:Publish"]), True),
        (publish(Principal={"AWS": "123456789012"}), publish(Principal={"AWS": "arn:aws:iam::123456789012:root"}), True),
        (publish(Principal={"AWS": ["111111111111", "222222222222"]}),
         publish(Principal={"AWS": ["arn:aws:iam::222222222222:root", "111111111111"]}), True),
        (publish(Principal="*"), publish(Principal={"AWS": "*"}), True),
        (publish(Condition={"Bool": {"aws:SecureTransport": False}}),
         publish(Condition={"Bool": {"aws:SecureTransport": "false"}}), True),
        (publish(Resource=[TOPIC]), publish(), True),
        (publish(), publish(Effect="Deny"), False),
        (publish(), publish(Action="sns:Subscribe"), False),
        (publish(), publish(Condition={"ArnEquals": {"aws:SourceArn": RULE + "-other"}}), False),
        (publish(), publish(Condition=None), False),
        (publish(Principal={"AWS": "123456789012"}), publish(Principal={"AWS": "210987654321"}), False),
    ],
)
def test_statements_equal(left, right, equal):
    first = {k: v for k, v in left.items() if v is not None}
    second = {k: v for k, v in right.items() if v is not None}
    assert statements_equal(first, second) is equal
    assert statements_equal(second, first) is equal  # symmetric


@pytest.mark.parametrize(
    "current, desired, differ",
    [
        (None, None, False),
        ({}, None, False),
        (None, {"Statement": [publish()]}, True),
        ({"Statement": [publish()]}, None, True),
        (CURRENT, dict(CURRENT, Statement=list(reversed(CURRENT["Statement"]))), False),  # statement order
        ({"Statement": [publish()]}, {"Version": "2008-10-17", "Statement": [publish()]}, False),  # Version filled
        ({"Version": "2012-10-17", "Statement": [publish()]}, {"Version": "2008-10-17", "Statement": [publish()]}, True),
        (CURRENT, merge_statements(CURRENT, [dict(FOREIGN, Action=["sns:Subscribe"], Principal={"AWS": "210987654321"})]), False),
        (CURRENT, merge_statements(CURRENT, [publish()]), True),
        (CURRENT, remove_statements(CURRENT, ["OtherTeam"]), True),
        (CURRENT, remove_statements(CURRENT, ["Missing"]), False),
    ],
)
def test_policies_differ(current, desired, differ):
    assert policies_differ(current, desired) is differ


# -- plan_statements: a write planned by Sid (the hub bus policy's statements, written out) ---------------------
BUS_ARN = "arn:aws:events:us-east-1:111111111111:event-bus/rootwatch-hub"
BUS_SIDS = ("RootwatchOrgPutEvents", "RootwatchMemberPutEvents")
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


def bus_document(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def other_bus_statement(sid="SomeoneElse"):
    return {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::333333333333:root"}, "Action": "events:PutEvents",
            "Resource": BUS_ARN}


class TestPlanStatements:
    def test_add_keeps_others(self):
        plan = plan_statements(bus_document(other_bus_statement()), [ORG_STATEMENT], BUS_SIDS)
        assert plan["changed"] and plan["added"] == ["RootwatchOrgPutEvents"]
        assert [s["Sid"] for s in plan["after"]["Statement"]] == ["SomeoneElse", "RootwatchOrgPutEvents"]

    def test_stale_statement_of_ours_goes(self):
        current = bus_document(other_bus_statement(), MEMBER_STATEMENT)
        plan = plan_statements(current, [ORG_STATEMENT], BUS_SIDS)
        assert plan["removed"] == ["RootwatchMemberPutEvents"] and plan["added"] == ["RootwatchOrgPutEvents"]

    def test_an_older_versions_statements_are_rewritten_by_sid(self):
        plan = plan_statements(bus_document(other_bus_statement(), OLD_ORG_STATEMENT, OLD_MEMBER_STATEMENT),
                               [ORG_STATEMENT, MEMBER_STATEMENT], BUS_SIDS)
        assert plan["changed"] and plan["replaced"] == ["RootwatchOrgPutEvents", "RootwatchMemberPutEvents"]
        assert plan["after"] == bus_document(other_bus_statement(), ORG_STATEMENT, MEMBER_STATEMENT)

    def test_same_meaning_is_no_change(self):
        stored = dict(MEMBER_STATEMENT, Principal={"AWS": "222222222222"}, Action=["events:PutEvents"])
        plan = plan_statements(bus_document(stored), [MEMBER_STATEMENT], BUS_SIDS)
        assert plan["changed"] is False and plan["after"] == bus_document(stored)

    def test_removing_the_last_statement_leaves_no_policy(self):
        plan = plan_statements(bus_document(ORG_STATEMENT), [], BUS_SIDS)
        assert plan["changed"] and plan["after"] is None and plan["removed"] == ["RootwatchOrgPutEvents"]


def test_the_changes_lines_of_a_plan():
    plan = {"added": ["A"], "replaced": ["B"], "removed": ["C", "D"]}
    assert statement_changes(plan, "bus policy") == ["add bus policy statement A", "replace bus policy statement B",
                                                     "remove bus policy statement C", "remove bus policy statement D"]


def test_parse_policy_and_one_or_list():
    assert parse_policy(None, "the policy") is None and parse_policy("", "the policy") is None
    assert parse_policy('{"Version": "2012-10-17", "Statement": []}', "the policy") is None  # no statement: no policy
    assert parse_policy('{"Statement": [{"Sid": "A"}]}', "the policy") == {"Statement": [{"Sid": "A"}]}
    with pytest.raises(ValueError, match="the policy of queue q is not valid JSON"):
        parse_policy("{", "the policy of queue q")
    assert one_or_list(["a"]) == "a" and one_or_list(("a", "b")) == ["a", "b"]
