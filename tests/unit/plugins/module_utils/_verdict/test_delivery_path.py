# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The delivery-path verdict, link by link, on facts shaped like AWS's answers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

import pytest

from ansible_collections.rootwatch.aws.plugins.plugin_utils import report as compliance
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path as dp
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import is_candidate
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.messages import ROOT_SIGN_IN_PATTERN as OUR_PATTERN

ACCOUNT = "111111111111"
REGION = "us-east-1"
TOPIC = "arn:aws:sns:us-east-1:111111111111:alerts"
RULE_ARN = "arn:aws:events:us-east-1:111111111111:rule/alerts"
OTHER_RULE_ARN = "arn:aws:events:us-east-1:111111111111:rule/something-else"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/" + KEY_ID
TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:111111111111:trail/audit"
# The good fixtures are written out as AWS documents them, not built by the code under test.
# A root console sign-in as EventBridge receives it from AWS sign-in (source aws.signin).
ROOT_SIGN_IN_PATTERN = {
    "source": ["aws.signin"],
    "detail-type": ["AWS Console Sign In via CloudTrail"],
    "detail": {"userIdentity": {"type": ["Root"]}},
}
IAM_USER_PATTERN = {"detail-type": ["AWS API Call via CloudTrail"], "detail": {"userIdentity": {"type": ["IAMUser"]}}}
EVENTS_KEY_STATEMENT = {
    "Sid": "AllowEventBridge",
    "Effect": "Allow",
    "Principal": {"Service": "events.amazonaws.com"},
    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
    "Resource": "*",
}
ROOT_KEY_STATEMENT = {
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def default_topic_policy():
    """The policy SNS gives a new topic (SNS developer guide, "Example cases for Amazon SNS access control")."""
    return {
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
                       "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
            "Resource": TOPIC,
            "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}},
        }],
    }


def events_statement(rule_arn=RULE_ARN, source_account=ACCOUNT, sid="Events"):
    """EventBridge may publish for one rule of one account (EventBridge user guide, "Amazon SNS permissions")."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": TOPIC,
        "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}, "StringEquals": {"aws:SourceAccount": source_account}},
    }


def topic_policy(*extra):
    policy = default_topic_policy()
    policy["Statement"].extend(extra)
    return json.dumps(policy)


def good_facts():
    """One complete path: a logging multi-Region trail, our rule, our topic, a confirmed recipient."""
    return {
        "account_id": ACCOUNT,
        "region": REGION,
        "partition": "aws",
        "ours": {"rule_arn": RULE_ARN, "topic_arn": TOPIC, "target_id": "ours"},
        "trails": {"error": None, "trails": [{
            "trail": {"Name": "audit", "TrailARN": TRAIL_ARN, "HomeRegion": REGION, "IsMultiRegionTrail": True,
                      "IncludeGlobalServiceEvents": True, "IsOrganizationTrail": False},
            "status": {"IsLogging": True},
            "selectors": {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]},
            "error": None,
        }]},
        "rules": {"error": None, "rules": [{
            "Name": "alerts", "Arn": RULE_ARN, "State": "ENABLED", "EventBusName": "default",
            "EventPattern": json.dumps(ROOT_SIGN_IN_PATTERN),
            "targets": [{"Id": "ours", "Arn": TOPIC}], "targets_error": None,
        }]},
        "topics": {TOPIC: {
            "attributes": {"Policy": topic_policy(events_statement())},
            "error": None,
            "subscriptions": [{"SubscriptionArn": TOPIC + ":abc", "Protocol": "email", "Endpoint": "sec@example.com"}],
            "subscriptions_error": None,
        }},
        "keys": {},
    }


def verdict(facts):
    return dp.evaluate(facts)


def only_path(result):
    assert len(result["paths"]) == 1, result["paths"]
    return result["paths"][0]


def link_of(result, name):
    return dict((entry["link"], entry) for entry in only_path(result)["links"])[name]


def with_key(facts, metadata=None, policy=None, error=None, key=KEY_ID):
    facts["topics"][TOPIC]["attributes"]["KmsMasterKeyId"] = key
    base = {"KeyId": KEY_ID, "Arn": KEY_ARN, "KeyManager": "CUSTOMER", "KeyState": "Enabled", "Enabled": True}
    facts["keys"][key] = {
        "metadata": None if metadata is False else dict(base, **(metadata or {})),
        "policy": json.dumps({"Version": "2012-10-17", "Statement": policy if policy is not None else [ROOT_KEY_STATEMENT, EVENTS_KEY_STATEMENT]}),
        "error": error,
    }
    return facts


# -- the complete path ------------------------------------------------------------------
def test_complete_path_is_compliant_and_names_everything():
    result = verdict(good_facts())
    assert result["status"] == dp.COMPLIANT and result["problems"] == [] and result["unknown"] == []
    path = only_path(result)
    assert path["complete"] is True and path["ours"] is True
    assert (path["rule"], path["topic"], path["recipients"]) == ("alerts", TOPIC, ["sec@example.com"])
    assert [entry["link"] for entry in path["links"]] == list(dp.LINKS)
    assert all(entry["ok"] is True and entry["reason"] for entry in path["links"])


def test_a_path_someone_else_built_counts_and_is_marked_not_ours():
    facts = good_facts()
    facts["ours"] = {"rule_arn": "arn:aws:events:us-east-1:111111111111:rule/root-login-alerts",
                     "topic_arn": "arn:aws:sns:us-east-1:111111111111:root-login-alerts", "target_id": "rootwatch-root-login-alerts"}
    result = verdict(facts)
    assert result["status"] == dp.COMPLIANT
    assert only_path(result)["ours"] is False
    assert dp.working_paths(result, ours=False) == result["paths"] and dp.working_paths(result, ours=True) == []


# -- event source ------------------------------------------------------------------------
# AWS's recipe ("Creating Amazon EventBridge rules that react to events"), written out: no source in the pattern.
RECIPE_PATTERN = {"detail-type": ["AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}
NOTE = "rule alerts -> %s: a custom event could trigger it (no source in its pattern)" % TOPIC


def test_our_pattern_pins_the_source_and_leaves_no_note():
    assert OUR_PATTERN == ROOT_SIGN_IN_PATTERN  # the rule the role writes is the one these fixtures judge
    result = verdict(good_facts())
    assert result["notes"] == [] and only_path(result)["notes"] == []


def test_a_recipe_path_without_source_counts_and_gets_one_note():
    facts = good_facts()
    facts["rules"]["rules"][0]["EventPattern"] = json.dumps(RECIPE_PATTERN)
    result = verdict(facts)
    assert result["status"] == dp.COMPLIANT and result["problems"] == [] and result["unknown"] == []
    assert only_path(result)["complete"] is True
    assert result["notes"] == [NOTE]


def test_a_source_list_that_admits_a_custom_source_is_noted_too():
    facts = good_facts()
    facts["rules"]["rules"][0]["EventPattern"] = json.dumps(dict(RECIPE_PATTERN, source=["aws.signin", {"prefix": "com."}]))
    assert verdict(facts)["notes"] == ["rule alerts -> %s: a custom event could trigger it (its pattern admits a source that "
                                       "does not begin with aws.)" % TOPIC]


def test_a_broken_path_without_source_gets_its_problem_not_a_note():
    facts = good_facts()
    facts["rules"]["rules"][0]["EventPattern"] = json.dumps(RECIPE_PATTERN)
    facts["topics"][TOPIC]["subscriptions"] = []
    result = verdict(facts)
    assert result["status"] == dp.NEEDS_ACTION and result["notes"] == []
    assert only_path(result)["notes"] == ["a custom event could trigger it (no source in its pattern)"]


def test_no_trail_at_all():
    facts = good_facts()
    facts["trails"]["trails"] = []
    result = verdict(facts)
    assert result["status"] == dp.NEEDS_ACTION
    assert link_of(result, "event_source")["ok"] is False
    assert "there is no trail" in result["problems"][0]


def test_stopped_trail_is_named_with_its_reason():
    facts = good_facts()
    facts["trails"]["trails"][0]["status"] = {"IsLogging": False}
    result = verdict(facts)
    assert result["status"] == dp.NEEDS_ACTION
    assert "trail audit" in result["problems"][0] and "logging is turned off" in result["problems"][0]


def test_trail_without_global_service_events_does_not_deliver_sign_ins():
    facts = good_facts()
    facts["trails"]["trails"][0]["trail"]["IncludeGlobalServiceEvents"] = False
    assert "global service events" in link_of(verdict(facts), "event_source")["reason"]


def test_trail_logging_only_read_events_does_not_deliver_sign_ins():
    facts = good_facts()
    facts["trails"]["trails"][0]["selectors"] = {"EventSelectors": [{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}]}
    assert verdict(facts)["status"] == dp.NEEDS_ACTION


def test_write_only_trail_and_an_organization_trail_deliver():
    facts = good_facts()
    facts["trails"]["trails"][0]["selectors"] = {"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]}
    assert verdict(facts)["status"] == dp.COMPLIANT
    org = good_facts()
    org["trails"]["trails"][0]["trail"].update(IsOrganizationTrail=True, TrailARN="arn:aws:cloudtrail:us-east-1:999999999999:trail/org")
    assert verdict(org)["status"] == dp.COMPLIANT


def test_single_region_trail_elsewhere_does_not_deliver():
    facts = good_facts()
    facts["trails"]["trails"][0]["trail"].update(IsMultiRegionTrail=False, HomeRegion="eu-west-1",
                                                 TrailARN="arn:aws:cloudtrail:eu-west-1:111111111111:trail/audit")
    assert verdict(facts)["status"] == dp.NEEDS_ACTION


@pytest.mark.parametrize("where", ["listing", "status"])
def test_unreadable_trails_make_the_account_unknown(where):
    facts = good_facts()
    if where == "listing":
        facts["trails"] = {"error": "cloudtrail:DescribeTrails: AccessDeniedException", "trails": []}
    else:
        facts["trails"]["trails"][0].update(status=None, error="cloudtrail:get_trail_status: ThrottlingException")
    result = verdict(facts)
    assert result["status"] == dp.UNKNOWN
    assert link_of(result, "event_source")["ok"] is None
    assert result["unknown"] and ("AccessDenied" in result["unknown"][0] or "Throttling" in result["unknown"][0])


def test_one_covering_trail_among_others_is_enough():
    facts = good_facts()
    stopped = copy.deepcopy(facts["trails"]["trails"][0])
    stopped["trail"].update(Name="old", TrailARN=TRAIL_ARN.replace("audit", "old"))
    stopped["status"] = {"IsLogging": False}
    facts["trails"]["trails"].insert(0, stopped)
    assert verdict(facts)["status"] == dp.COMPLIANT


# -- rule --------------------------------------------------------------------------------
def test_disabled_rule():
    facts = good_facts()
    facts["rules"]["rules"][0]["State"] = "DISABLED"
    result = verdict(facts)
    assert result["status"] == dp.NEEDS_ACTION and "rule alerts is DISABLED" in result["problems"][0]


def test_rule_enabled_with_all_management_events_counts():
    facts = good_facts()
    facts["rules"]["rules"][0]["State"] = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    assert verdict(facts)["status"] == dp.COMPLIANT


def test_rule_that_misses_failed_sign_ins_is_broken():
    facts = good_facts()
    pattern = dict(ROOT_SIGN_IN_PATTERN, detail={"userIdentity": {"type": ["Root"]}, "responseElements": {"ConsoleLogin": ["Success"]}})
    facts["rules"]["rules"][0]["EventPattern"] = json.dumps(pattern)
    result = verdict(facts)
    assert result["status"] == dp.NEEDS_ACTION and "does not match a failed root sign in" in result["problems"][0]


def test_our_rule_matching_only_iam_users_is_broken_not_compliant():
    facts = good_facts()
    facts["rules"]["rules"][0]["EventPattern"] = json.dumps(IAM_USER_PATTERN)
    result = verdict(facts)
    assert result["status"] == dp.NEEDS_ACTION
    assert "does not match a root sign in or a failed root sign in" in result["problems"][0]


def test_no_rule_at_all():
    facts = good_facts()
    facts["rules"]["rules"] = []
    result = verdict(facts)
    assert result["status"] == dp.NEEDS_ACTION
    assert result["problems"] == ["no enabled rule on the default event bus in us-east-1 matches a root console sign-in"]


def test_rules_that_cannot_be_listed_make_the_account_unknown():
    facts = good_facts()
    facts["rules"] = {"error": "events:ListRules: AccessDeniedException", "rules": []}
    result = verdict(facts)
    assert result["status"] == dp.UNKNOWN and "could not be listed" in result["unknown"][0]


def test_candidates_are_ours_and_rules_matching_a_root_sign_in():
    root = {"Arn": OTHER_RULE_ARN, "EventPattern": json.dumps(ROOT_SIGN_IN_PATTERN)}
    iam = {"Arn": OTHER_RULE_ARN, "EventPattern": json.dumps(IAM_USER_PATTERN)}
    schedule = {"Arn": OTHER_RULE_ARN, "ScheduleExpression": "rate(1 hour)"}
    assert is_candidate(root, ACCOUNT, REGION) is True
    assert is_candidate(iam, ACCOUNT, REGION) is False
    assert is_candidate(schedule, ACCOUNT, REGION) is False
    assert is_candidate(dict(iam, Arn=RULE_ARN), ACCOUNT, REGION, our_rule_arn=RULE_ARN) is True


# -- target ------------------------------------------------------------------------------
def test_rule_without_targets():
    facts = good_facts()
    facts["rules"]["rules"][0]["targets"] = []
    assert "rule alerts has no target" in verdict(facts)["problems"][0]


def test_target_that_is_not_an_sns_topic():
    facts = good_facts()
    facts["rules"]["rules"][0]["targets"] = [{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:111111111111:queue"}]
    assert "is not an SNS topic" in verdict(facts)["problems"][0]


def test_topic_in_another_account_or_region():
    for arn in ("arn:aws:sns:us-east-1:222222222222:alerts", "arn:aws:sns:eu-west-1:111111111111:alerts"):
        facts = good_facts()
        facts["rules"]["rules"][0]["targets"] = [{"Id": "x", "Arn": arn}]
        assert "is not in this account's us-east-1" in verdict(facts)["problems"][0]


def test_target_topic_that_does_not_exist():
    facts = good_facts()
    facts["topics"][TOPIC] = {"attributes": None, "error": None, "subscriptions": None, "subscriptions_error": None}
    assert "does not exist" in verdict(facts)["problems"][0]


@pytest.mark.parametrize("what", ["targets", "topic"])
def test_unreadable_target_or_topic_makes_the_account_unknown(what):
    facts = good_facts()
    if what == "targets":
        facts["rules"]["rules"][0].update(targets=None, targets_error="events:ListTargetsByRule alerts: ThrottlingException")
    else:
        facts["topics"][TOPIC].update(attributes=None, error="sns:GetTopicAttributes: AuthorizationError")
    assert verdict(facts)["status"] == dp.UNKNOWN


# -- topic policy ------------------------------------------------------------------------
def test_default_topic_policy_does_not_let_eventbridge_publish():
    facts = good_facts()
    facts["topics"][TOPIC]["attributes"]["Policy"] = topic_policy()
    result = verdict(facts)
    assert result["status"] == dp.NEEDS_ACTION
    assert link_of(result, "topic_policy")["ok"] is False and "does not let events.amazonaws.com publish" in result["problems"][0]


def test_deny_for_eventbridge_beats_the_allow():
    facts = good_facts()
    deny = {"Sid": "NoEvents", "Effect": "Deny", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": TOPIC}
    facts["topics"][TOPIC]["attributes"]["Policy"] = topic_policy(events_statement(), deny)
    result = verdict(facts)
    assert result["status"] == dp.NEEDS_ACTION and "NoEvents" in result["problems"][0]


def test_statement_for_another_rule_does_not_count():
    facts = good_facts()
    facts["topics"][TOPIC]["attributes"]["Policy"] = topic_policy(events_statement(rule_arn=OTHER_RULE_ARN, sid="Other"))
    assert link_of(verdict(facts), "topic_policy")["ok"] is False


def test_statement_for_another_account_does_not_count():
    facts = good_facts()
    facts["topics"][TOPIC]["attributes"]["Policy"] = topic_policy(events_statement(source_account="222222222222", sid="Other"))
    assert link_of(verdict(facts), "topic_policy")["ok"] is False


def test_aws_recipe_statement_without_conditions_counts():
    facts = good_facts()
    recipe = {"Sid": "TopicPolicy", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
              "Action": "sns:Publish", "Resource": "*"}
    facts["topics"][TOPIC]["attributes"]["Policy"] = topic_policy(recipe)
    assert verdict(facts)["status"] == dp.COMPLIANT


# -- encryption --------------------------------------------------------------------------
def test_topic_on_the_aws_managed_key_says_eventbridge_cannot_publish():
    facts = good_facts()
    facts["topics"][TOPIC]["attributes"]["KmsMasterKeyId"] = "alias/aws/sns"
    result = verdict(facts)
    assert result["status"] == dp.NEEDS_ACTION
    assert "topic alerts is encrypted with alias/aws/sns; EventBridge cannot publish to it" in result["problems"][0]


def test_customer_key_with_the_eventbridge_grant_is_compliant():
    result = verdict(with_key(good_facts()))
    assert result["status"] == dp.COMPLIANT and link_of(result, "encryption")["ok"] is True


def test_customer_key_without_the_eventbridge_grant():
    result = verdict(with_key(good_facts(), policy=[ROOT_KEY_STATEMENT]))
    assert result["status"] == dp.NEEDS_ACTION and "does not let events.amazonaws.com use kms:Decrypt" in result["problems"][0]


def test_key_policy_granting_decrypt_only():
    only_decrypt = dict(EVENTS_KEY_STATEMENT, Action="kms:Decrypt")
    assert "kms:GenerateDataKey" in verdict(with_key(good_facts(), policy=[only_decrypt]))["problems"][0]


def test_key_grant_conditioned_on_source_arn_is_not_proven():
    """Issue 21 table row 4: whether aws:SourceAccount / aws:SourceArn reach KMS on the EventBridge-to-SNS path is not
    documented, so a grant under them is neither proven nor broken: unknown, naming the condition."""
    conditioned = {"Sid": "AllowEventBridgeForOurRule", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                   "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
                   "Condition": {"StringEquals": {"aws:SourceAccount": "111111111111"}, "ArnEquals": {"aws:SourceArn": RULE_ARN}}}
    result = verdict(with_key(good_facts(), policy=[ROOT_KEY_STATEMENT, conditioned]))
    assert result["status"] == dp.UNKNOWN and link_of(result, "encryption")["ok"] is None, result
    assert "aws:SourceArn" in result["unknown"][0] and "aws:SourceAccount" in result["unknown"][0], result["unknown"]


def test_key_grant_conditioned_on_the_encryption_context_sns_sends():
    """SNS encrypts with the encryption context aws:sns:topicArn = the topic ARN (SNS developer guide, "Key management")."""
    scoped = dict(EVENTS_KEY_STATEMENT, Condition={"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": TOPIC}})
    assert verdict(with_key(good_facts(), policy=[ROOT_KEY_STATEMENT, scoped]))["status"] == dp.COMPLIANT
    other = dict(EVENTS_KEY_STATEMENT, Condition={"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": TOPIC + "-other"}})
    result = verdict(with_key(good_facts(), policy=[ROOT_KEY_STATEMENT, other]))
    assert result["status"] == dp.NEEDS_ACTION and link_of(result, "encryption")["ok"] is False
    # A Deny that might apply leaves the link undecided, one that applies breaks it.
    maybe = {"Sid": "OnlyThroughSns", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
             "Condition": {"StringNotEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}}}
    assert verdict(with_key(good_facts(), policy=[ROOT_KEY_STATEMENT, EVENTS_KEY_STATEMENT, maybe]))["status"] == dp.UNKNOWN
    deny = dict(maybe, Condition={"StringNotEquals": {"kms:EncryptionContext:aws:sns:topicArn": TOPIC + "-other"}})
    assert verdict(with_key(good_facts(), policy=[ROOT_KEY_STATEMENT, EVENTS_KEY_STATEMENT, deny]))["status"] == dp.NEEDS_ACTION


@pytest.mark.parametrize("state", ["Disabled", "PendingDeletion"])
def test_disabled_or_deleted_key(state):
    result = verdict(with_key(good_facts(), metadata={"KeyState": state, "Enabled": False}))
    assert result["status"] == dp.NEEDS_ACTION and state in result["problems"][0]


def test_aws_managed_key_named_by_id():
    result = verdict(with_key(good_facts(), metadata={"KeyManager": "AWS"}))
    assert "AWS-managed key" in result["problems"][0]


def test_missing_key():
    assert "does not exist" in verdict(with_key(good_facts(), metadata=False))["problems"][0]


def test_unreadable_key_makes_the_account_unknown():
    facts = with_key(good_facts(), error="kms:GetKeyPolicy: AccessDeniedException")
    result = verdict(facts)
    assert result["status"] == dp.UNKNOWN and link_of(result, "encryption")["ok"] is None


# -- recipients --------------------------------------------------------------------------
def test_only_pending_recipients():
    facts = good_facts()
    facts["topics"][TOPIC]["subscriptions"] = [{"SubscriptionArn": "PendingConfirmation", "Protocol": "email", "Endpoint": "new@example.com"}]
    result = verdict(facts)
    assert result["status"] == dp.NEEDS_ACTION
    assert "has no confirmed subscription (pending: new@example.com)" in result["problems"][0]
    assert only_path(result)["pending"] == ["new@example.com"]


def test_deleted_subscriptions_are_not_recipients():
    facts = good_facts()
    facts["topics"][TOPIC]["subscriptions"] = [{"SubscriptionArn": "Deleted", "Protocol": "email", "Endpoint": "gone@example.com"}]
    assert verdict(facts)["status"] == dp.NEEDS_ACTION


def test_unlistable_subscriptions_make_the_account_unknown():
    facts = good_facts()
    facts["topics"][TOPIC].update(subscriptions=None, subscriptions_error="sns:ListSubscriptionsByTopic: Throttling")
    assert verdict(facts)["status"] == dp.UNKNOWN


# -- several paths -------------------------------------------------------------------------
def second_rule(facts, **changes):
    rule = copy.deepcopy(facts["rules"]["rules"][0])
    rule.update(Name="other", Arn=OTHER_RULE_ARN, **changes)
    facts["rules"]["rules"].append(rule)
    return facts


def test_one_complete_path_is_enough():
    facts = second_rule(good_facts(), State="DISABLED")
    result = verdict(facts)
    assert result["status"] == dp.COMPLIANT and [p["complete"] for p in result["paths"]] == [True, False]


def test_each_broken_path_names_its_first_broken_link():
    facts = second_rule(good_facts(), State="DISABLED")
    facts["topics"][TOPIC]["subscriptions"] = []
    result = verdict(facts)
    assert result["status"] == dp.NEEDS_ACTION and len(result["problems"]) == 2
    assert result["problems"][0].startswith("rule alerts -> %s: topic alerts has no confirmed subscription" % TOPIC)
    assert result["problems"][1].startswith("rule other -> %s: rule other is DISABLED" % TOPIC)


def test_a_path_that_might_work_but_could_not_be_read_is_unknown_not_needs_action():
    facts = second_rule(good_facts(), targets=None, targets_error="events:ListTargetsByRule other: ThrottlingException")
    facts["rules"]["rules"][0]["State"] = "DISABLED"
    assert verdict(facts)["status"] == dp.UNKNOWN


def test_a_broken_path_with_an_unread_link_is_still_broken():
    facts = good_facts()
    facts["rules"]["rules"][0]["State"] = "DISABLED"
    facts["trails"] = {"error": "cloudtrail:DescribeTrails: ThrottlingException", "trails": []}
    result = verdict(facts)
    assert result["status"] == dp.NEEDS_ACTION and "DISABLED" in result["problems"][0]


def test_sign_in_region_by_partition():
    assert dp.sign_in_region("aws") == "us-east-1"
    assert dp.sign_in_region("aws-us-gov") is None and dp.sign_in_region("aws-cn") is None


def test_the_report_adds_the_note_and_keeps_the_account_compliant():
    facts = good_facts()
    facts["rules"]["rules"][0]["EventPattern"] = json.dumps(RECIPE_PATTERN)
    entry = compliance.account_entry(ACCOUNT, {"root_login_alerts_result": {"account_id": ACCOUNT, "compliance": verdict(facts),
                                                                            "changes": []}})
    assert entry["status"] == dp.COMPLIANT and entry["problems"] == [] and entry["notes"] == [NOTE]
    report = compliance.build_report([entry], False, "2026-11-24T06:35:38Z")
    rows = [line for line in report["markdown"].splitlines() if line.startswith("| %s |" % ACCOUNT)]
    assert len(rows) == 1 and "| compliant |" in rows[0] and "note: " + NOTE in rows[0], rows
    assert report["document"]["counts"]["compliant"] == 1
