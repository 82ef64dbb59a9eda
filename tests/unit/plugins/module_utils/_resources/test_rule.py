# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EventBridgeRuleManager against stubbed EventBridge answers (botocore Stubber).

The answers are shaped like the EventBridge API reference (DescribeRule, ListTargetsByRule,
ListTagsForResource, PutRule, PutTargets, RemoveTargets, DeleteRule); the Stubber checks each
request's parameters and fails on any call not queued, which also proves what is not called.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import WriteConflictError
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import EventBridgeRuleManager


ACCOUNT = "123456789012"
NAME = "root-login-alerts"
RULE_ARN = "arn:aws:events:us-east-1:123456789012:rule/root-login-alerts"
TOPIC = "arn:aws:sns:us-east-1:123456789012:root-login-alerts"
OTHER_QUEUE = "arn:aws:sqs:us-east-1:123456789012:other-team"
TARGET_ID = "rootwatch-root-login-alerts"
OWNER_TAG = {"rootwatch:created-by": "root_login_alerts"}
PATTERN = {
    "source": ["aws.signin"],
    "detail-type": ["AWS Console Sign In via CloudTrail"],
    "detail": {"userIdentity": {"type": ["Root"]}},
}
# What PutRule is sent: the pattern with sorted keys, no spaces.
PATTERN_TEXT = ('{"detail":{"userIdentity":{"type":["Root"]}},"detail-type":["AWS Console Sign In via CloudTrail"],'
                '"source":["aws.signin"]}')
# The same pattern as AWS may hand it back: another key order, spaces.
STORED_PATTERN_TEXT = ('{"source": ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"], '
                       '"detail": {"userIdentity": {"type": ["Root"]}}}')
DESCRIPTION = "Root console sign-ins to SNS"


def params(**changes):
    """The module's options as AnsibleModule gives them (defaults filled in), plus the stack's owner_tag."""
    given = {
        "name": NAME, "event_bus_name": "default", "description": DESCRIPTION, "state": "present",
        "event_pattern": PATTERN, "tags": {"team": "security"}, "purge_tags": False,
        "targets": [{"id": TARGET_ID, "arn": TOPIC}], "purge_targets": False, "owner_tag": OWNER_TAG,
    }
    given.update(changes)
    return given


def manager(stubs, check_mode=False):
    return EventBridgeRuleManager(stubs.factory, "us-east-1", check_mode=check_mode, warn=stubs.warn, account_id=ACCOUNT)


# -- answers, as the API reference shapes them ----------------------------------------------------
def describe_rule(stubber, pattern_text=STORED_PATTERN_TEXT, state="ENABLED", bus="default", name=NAME):
    stubber.add_response("describe_rule", {
        "Name": name, "Arn": RULE_ARN, "EventPattern": pattern_text, "State": state, "Description": DESCRIPTION,
        "EventBusName": bus, "CreatedBy": ACCOUNT,
    }, {"Name": name, "EventBusName": bus})


def no_rule(stubber, bus="default"):
    stubber.add_client_error("describe_rule", service_error_code="ResourceNotFoundException",
                             service_message="Rule %s does not exist on EventBus %s." % (NAME, bus), http_status_code=400,
                             expected_params={"Name": NAME, "EventBusName": bus})


def list_targets(stubber, *targets, **page):
    expected = {"Rule": NAME, "EventBusName": "default"}
    if page.get("token"):
        expected["NextToken"] = page["token"]
    response = {"Targets": [{"Id": target_id, "Arn": arn} for target_id, arn in targets]} if targets else {}  # Targets: 1-100 entries
    if page.get("next_token"):
        response["NextToken"] = page["next_token"]
    stubber.add_response("list_targets_by_rule", response, expected)


def list_tags(stubber, tags):
    stubber.add_response("list_tags_for_resource", {"Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]},
                         {"ResourceARN": RULE_ARN})


def put_rule(stubber, state="ENABLED", tags=None):
    expected = {"Name": NAME, "EventBusName": "default", "EventPattern": PATTERN_TEXT, "State": state, "Description": DESCRIPTION}
    if tags:
        expected["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    stubber.add_response("put_rule", {"RuleArn": RULE_ARN}, expected)


def put_targets(stubber, targets, failed=()):
    stubber.add_response("put_targets", {"FailedEntryCount": len(failed), "FailedEntries": list(failed)},
                         {"Rule": NAME, "EventBusName": "default", "Targets": targets})


def remove_targets(stubber, ids, failed=()):
    stubber.add_response("remove_targets", {"FailedEntryCount": len(failed), "FailedEntries": list(failed)},
                         {"Rule": NAME, "EventBusName": "default", "Ids": ids})


OURS = (TARGET_ID, TOPIC)
THEIRS = ("other-team-queue", OTHER_QUEUE)
OWNED_TAGS = {"rootwatch:created-by": "root_login_alerts", "team": "security"}


# -- present -------------------------------------------------------------------------------------
def test_create_puts_the_tagged_rule_then_its_target(stubs):
    events = stubs.stub("events")
    no_rule(events)
    put_rule(events, tags={"team": "security"})
    put_targets(events, [{"Id": TARGET_ID, "Arn": TOPIC}])
    result = manager(stubs).ensure(params())
    assert result["changed"] is True and result["changes"] == ["create rule %s" % NAME]
    assert result["rule"]["arn"] == RULE_ARN and result["rule"]["state"] == "ENABLED"
    assert result["rule"]["event_pattern"] == PATTERN
    assert result["rule"]["targets"] == [{"id": TARGET_ID, "arn": TOPIC}]
    assert result["diff"]["before"] == {} and result["diff"]["after"]["name"] == NAME
    assert result["facts"] == {"rule": None, "targets": []}


def test_converged_rule_reads_three_times_and_writes_nothing(stubs):
    events = stubs.stub("events")
    describe_rule(events)
    list_targets(events, OURS)
    list_tags(events, OWNED_TAGS)
    result = manager(stubs).ensure(params())
    assert result["changed"] is False and result["changes"] == []
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["rule"]["tags"] == OWNED_TAGS


def test_what_the_caller_read_is_not_read_again(stubs):
    stubs.stub("events")  # nothing queued: any call fails
    known = {
        "rule": {"Name": NAME, "Arn": RULE_ARN, "EventPattern": STORED_PATTERN_TEXT, "State": "ENABLED",
                 "Description": DESCRIPTION, "EventBusName": "default"},
        "targets": [{"Id": TARGET_ID, "Arn": TOPIC}],
        "tags": OWNED_TAGS,
    }
    result = manager(stubs).ensure(params(), known=known)
    assert result["changed"] is False and result["changes"] == []


def test_changed_pattern_puts_the_rule_and_leaves_the_target(stubs):
    events = stubs.stub("events")
    describe_rule(events, pattern_text='{"source": ["aws.signin"]}')
    list_targets(events, OURS)
    list_tags(events, OWNED_TAGS)
    put_rule(events)  # no Tags: PutRule tags only a rule it creates
    result = manager(stubs).ensure(params())
    assert result["changed"] is True and result["changes"] == ["update rule %s: event_pattern" % NAME]
    assert result["diff"]["before"]["event_pattern"] == {"source": ["aws.signin"]}
    assert result["diff"]["after"]["event_pattern"] == PATTERN


def test_changed_state_puts_the_rule_disabled(stubs):
    events = stubs.stub("events")
    describe_rule(events)
    list_targets(events, OURS)
    list_tags(events, OWNED_TAGS)
    put_rule(events, state="DISABLED")
    result = manager(stubs).ensure(params(state="disabled"))
    assert result["changes"] == ["update rule %s: state" % NAME]
    assert result["rule"]["state"] == "DISABLED"


def test_a_changed_target_is_put_alone_and_others_targets_stay(stubs):
    events = stubs.stub("events")
    describe_rule(events)
    list_targets(events, (TARGET_ID, "arn:aws:sns:us-east-1:123456789012:old"), THEIRS)
    list_tags(events, OWNED_TAGS)
    put_targets(events, [{"Id": TARGET_ID, "Arn": TOPIC}])
    result = manager(stubs).ensure(params())
    assert result["changes"] == ["update rule %s: targets" % NAME]
    assert [t["id"] for t in result["rule"]["targets"]] == ["other-team-queue", TARGET_ID]


def test_all_pages_of_targets_are_read(stubs):
    events = stubs.stub("events")
    describe_rule(events)
    list_targets(events, THEIRS, next_token="page-2")
    list_targets(events, OURS, token="page-2")
    list_tags(events, OWNED_TAGS)
    result = manager(stubs).ensure(params())
    assert result["changed"] is False
    assert sorted(t["Id"] for t in result["facts"]["targets"]) == ["other-team-queue", TARGET_ID]


def test_a_rule_we_did_not_create_is_left_before_any_write(stubs):
    events = stubs.stub("events")
    describe_rule(events, pattern_text='{"source": ["aws.signin"]}')
    list_targets(events, THEIRS)
    list_tags(events, {"team": "other"})
    with pytest.raises(ForeignResourceError) as raised:
        manager(stubs).ensure(params())
    message = str(raised.value)
    assert "EventBridge rule %s in us-east-1 exists but was not created by rootwatch.aws" % NAME in message
    assert "Either choose another name, so" in message and "rootwatch:created-by=root_login_alerts" in message


def test_check_mode_predicts_the_new_rule_and_writes_nothing(stubs):
    no_rule(stubs.stub("events"))
    result = manager(stubs, check_mode=True).ensure(params())
    assert result["changed"] is True and result["changes"] == ["create rule %s" % NAME]
    assert result["rule"]["arn"] == RULE_ARN  # predicted from the account and Region


def test_check_mode_on_a_changed_rule_writes_nothing(stubs):
    events = stubs.stub("events")
    describe_rule(events, state="DISABLED")
    list_targets(events)
    list_tags(events, OWNED_TAGS)
    result = manager(stubs, check_mode=True).ensure(params())
    assert result["changed"] is True and result["changes"] == ["update rule %s: state, targets" % NAME]


def test_a_rule_on_another_bus_is_named_with_its_bus(stubs):
    hub_rule = "arn:aws:events:us-east-1:123456789012:rule/root-login-alerts-hub/root-login-alerts"
    no_rule(stubs.stub("events"), bus="root-login-alerts-hub")
    result = manager(stubs, check_mode=True).ensure(params(event_bus_name="root-login-alerts-hub"))
    assert result["changes"] == ["create rule %s on bus root-login-alerts-hub" % NAME]
    assert result["rule"]["arn"] == hub_rule


def test_failed_target_entries_raise_a_write_conflict(stubs):
    events = stubs.stub("events")
    no_rule(events)
    put_rule(events, tags={"team": "security"})
    put_targets(events, [{"Id": TARGET_ID, "Arn": TOPIC}], failed=[{
        "TargetId": TARGET_ID, "ErrorCode": "ConcurrentModificationException", "ErrorMessage": "Another update is in progress"}])
    with pytest.raises(WriteConflictError) as raised:
        manager(stubs).ensure(params())
    assert str(raised.value) == ("put_targets failed for rule %s on bus default: %s: ConcurrentModificationException "
                                 "Another update is in progress" % (NAME, TARGET_ID))


# -- absent --------------------------------------------------------------------------------------
def test_absent_removes_the_targets_then_deletes_our_rule(stubs):
    events = stubs.stub("events")
    describe_rule(events)
    list_targets(events, OURS)
    list_tags(events, OWNED_TAGS)
    remove_targets(events, [TARGET_ID])
    events.add_response("delete_rule", {}, {"Name": NAME, "EventBusName": "default"})
    result = manager(stubs).ensure(params(state="absent"))
    assert result["changed"] is True and result["changes"] == ["delete rule %s" % NAME]
    assert result["diff"]["after"] == {}


def test_absent_on_a_rule_we_did_not_create_removes_our_target_only(stubs):
    events = stubs.stub("events")
    describe_rule(events)
    list_targets(events, OURS, THEIRS)
    list_tags(events, {})
    remove_targets(events, [TARGET_ID])
    result = manager(stubs).ensure(params(state="absent"))
    assert result["changes"] == ["remove our target from rule %s (the rule is kept: rule %s was not created by rootwatch.aws "
                                 "(no rootwatch:created-by tag))" % (NAME, NAME)]
    assert result["kept_targets"] == ["other-team-queue"]
    assert stubs.warnings == ["Rule %s is kept: was not created by rootwatch.aws (no rootwatch:created-by tag)" % NAME]


def test_absent_without_the_rule_does_nothing(stubs):
    no_rule(stubs.stub("events"))
    result = manager(stubs).ensure(params(state="absent"))
    assert result["changed"] is False and result["changes"] == []


def test_failed_removal_raises_a_write_conflict(stubs):
    events = stubs.stub("events")
    describe_rule(events)
    list_targets(events, OURS)
    list_tags(events, OWNED_TAGS)
    remove_targets(events, [TARGET_ID], failed=[{"TargetId": TARGET_ID, "ErrorCode": "InternalException", "ErrorMessage": "try again"}])
    with pytest.raises(WriteConflictError, match="remove_targets failed for rule %s on bus default" % NAME):
        manager(stubs).ensure(params(state="absent"))
