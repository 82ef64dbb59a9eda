# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hub's event bus: the statements of its policy, the member rule's target, and EventBusManager against stubbed
AWS answers.

A Stubber fails on any call not queued, so a test that queues only reads proves
that nothing was written (converged runs and check mode).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import DEFAULT_RETRY_POLICY
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import WriteConflictError
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import targets as eventbridge_targets
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bus import EventBusManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bus import bus_policy_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bus import forwarding_target

from aws_stubs import client_error  # pylint: disable=import-error

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


def manager(cls, stubs, check_mode=False, account=HUB):
    return cls(stubs.factory, REGION, check_mode=check_mode, warn=stubs.warn, account_id=account)


def document(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def other_statement(sid="SomeoneElse"):
    return {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER}, "Action": "events:PutEvents",
            "Resource": BUS_ARN}


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


def statements(*args, **kwargs):
    return bus_policy_statements(*args, forwarding_role_name=kwargs.pop("role", ROLE), **kwargs)


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


class TestTargetAndRetry:
    def test_retry_policy_is_the_documented_maximum(self):
        assert DEFAULT_RETRY_POLICY == {"maximum_retry_attempts": 185, "maximum_event_age_in_seconds": 86400}

    def test_forwarding_target(self):
        target = forwarding_target(BUS_ARN, ROLE_ARN, QUEUE_ARN)
        assert eventbridge_targets.to_api(target) == {
            "Id": "rootwatch-hub-bus", "Arn": BUS_ARN, "RoleArn": ROLE_ARN, "DeadLetterConfig": {"Arn": QUEUE_ARN},
            "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}}
        # The same as a target AWS reports with no retry policy of its own: no spurious diff.
        assert eventbridge_targets.targets_equal(eventbridge_targets.to_api(target),
                                                 dict(eventbridge_targets.to_api(target), RetryPolicy=eventbridge_targets.DEFAULT_API_RETRY_POLICY))

    def test_forwarding_target_validates(self):
        with pytest.raises(ValueError, match="dead_letter_arn"):
            forwarding_target(BUS_ARN, ROLE_ARN, "arn:aws:sns:us-east-1:222222222222:t")


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
        result = manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS))
        assert result["changed"] is True and result["bus_arn"] == BUS_ARN
        assert result["changes"] == ["create event bus %s" % BUS, "add bus policy statement RootwatchMemberPutEvents"]
        assert result["policy"] == MEMBER_DOC and result["diff"]["before"] == {}

    def test_check_mode_create_writes_nothing(self, stubs):
        client_error(stubs.stub("events"), "describe_event_bus", "ResourceNotFoundException", 404)
        result = manager(EventBusManager, stubs, check_mode=True).ensure(dict(BUS_PARAMS))
        assert result["changed"] is True and result["bus_arn"] == BUS_ARN and result["policy"] == MEMBER_DOC

    def test_converged_reads_only(self, stubs):
        events = stubs.stub("events")
        stored = document(dict(MEMBER_DOC["Statement"][0], Principal={"AWS": "arn:aws:iam::222222222222:root"}), other_statement())
        bus(events, stored)
        bus_tags(events, OWNER)
        result = manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS))
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
        result = manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS))
        assert result["changes"] == ["update event bus %s: policy" % BUS, "replace bus policy statement RootwatchMemberPutEvents"]
        assert result["policy"] == wanted

    def test_without_the_forwarding_role_name_nothing_is_written(self, stubs):
        events = stubs.stub("events")
        bus(events, document(OLD_MEMBER_STATEMENT))
        bus_tags(events, OWNER)
        with pytest.raises(ValueError, match="forwarding_role_name"):
            manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS, forwarding_role_name=None))

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
        result = manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS, member_accounts=[MEMBER, OTHER]))
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
        result = manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS, member_accounts=[], organization_id=ORG))
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
            manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS, organization_id=ORG))

    def test_tags_update(self, stubs):
        events = stubs.stub("events")
        bus(events, MEMBER_DOC)
        bus_tags(events, dict(OWNER, team="old"))
        events.add_response("untag_resource", {}, {"ResourceARN": BUS_ARN, "TagKeys": ["team"]})
        result = manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS))
        assert result["changes"] == ["update event bus %s: tags" % BUS]

    def test_check_mode_update_reads_only(self, stubs):
        events = stubs.stub("events")
        bus(events, MEMBER_DOC)
        bus_tags(events, OWNER)
        result = manager(EventBusManager, stubs, check_mode=True).ensure(dict(BUS_PARAMS, organization_id=ORG))
        assert result["changed"] is True and result["changes"][1] == "add bus policy statement RootwatchOrgPutEvents"

    def test_foreign_bus_raises_before_any_write(self, stubs):
        events = stubs.stub("events")
        bus(events, document(other_statement()))
        bus_tags(events, {"team": "security"})
        with pytest.raises(ForeignResourceError, match="Either choose another name, so rootwatch.aws builds its own"):
            manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS))

    @pytest.mark.parametrize("name", ["default", "a/b", "", None])
    def test_bad_name(self, stubs, name):
        with pytest.raises(ValueError, match="custom event bus"):
            manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS, name=name))

    def test_absent_deletes_our_bus_without_rules(self, stubs):
        events = stubs.stub("events")
        bus(events, MEMBER_DOC)
        bus_tags(events, OWNER)
        events.add_response("list_rules", {"Rules": []}, {"EventBusName": BUS})
        events.add_response("delete_event_bus", {}, {"Name": BUS})
        result = manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS, state="absent"))
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
        result = manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS, state="absent", own_rules=["our-rule"]))
        assert result["changed"] is True and result["changes"] == ["remove bus policy statement RootwatchMemberPutEvents"]
        assert result["kept_because"] == "rules remain on it (our-rule, their-rule)" and stubs.warnings

    def test_absent_in_check_mode_counts_our_rules_as_gone(self, stubs):
        events = stubs.stub("events")
        bus(events, MEMBER_DOC)
        bus_tags(events, OWNER)
        events.add_response("list_rules", {"Rules": [{"Name": "our-rule"}]}, {"EventBusName": BUS})
        result = manager(EventBusManager, stubs, check_mode=True).ensure(dict(BUS_PARAMS, state="absent", own_rules=["our-rule"]))
        assert result["changes"] == ["delete event bus %s" % BUS]

    def test_absent_leaves_a_foreign_bus_alone(self, stubs):
        events = stubs.stub("events")
        bus(events, MEMBER_DOC)
        bus_tags(events, {})
        result = manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS, state="absent"))
        assert result["changed"] is False and "not created by rootwatch.aws" in result["kept_because"]

    def test_absent_when_missing(self, stubs):
        client_error(stubs.stub("events"), "describe_event_bus", "ResourceNotFoundException", 404)
        assert manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS, state="absent"))["changed"] is False

    def test_known_reads_are_not_repeated(self, stubs):
        stubs.stub("events")
        known = {"bus": {"Name": BUS, "Arn": BUS_ARN, "Policy": json.dumps(MEMBER_DOC)}, "tags": dict(OWNER)}
        assert manager(EventBusManager, stubs).ensure(dict(BUS_PARAMS), known)["changed"] is False
