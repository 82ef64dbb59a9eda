# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each enabled profile judged per Region, on facts written out as AWS answers them (issue 21 item 6)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import profiles as pv

ACCOUNT = "111111111111"
TOPIC = "arn:aws:sns:us-east-1:111111111111:root-login-alerts"
BUS = "arn:aws:events:us-east-1:111111111111:event-bus/default"
ROLE = "arn:aws:iam::111111111111:role/root-login-alerts-forwarding"
QUEUE_EU = "arn:aws:sqs:eu-west-1:111111111111:root-login-alerts-dlq"
HOME_RULE = "arn:aws:events:us-east-1:111111111111:rule/root-login-alerts-api-activity"
EU_RULE = "arn:aws:events:eu-west-1:111111111111:rule/root-login-alerts-api-activity"
MULTI_REGION_TRAIL = "arn:aws:cloudtrail:us-east-1:111111111111:trail/root-login-alerts"
SINGLE_REGION_TRAIL = "arn:aws:cloudtrail:us-east-1:111111111111:trail/audit-us-east-1"
# The CIS root-usage filter in EventBridge form, written out (not taken from alert_profiles).
API_PATTERN = {
    "source": [{"prefix": "aws."}],
    "detail-type": ["AWS API Call via CloudTrail"],
    "detail": {"userIdentity": {"type": ["Root"], "invokedBy": [{"exists": False}]}, "eventType": [{"anything-but": "AwsServiceEvent"}]},
}
# A topic policy that lets EventBridge publish for the us-east-1 profile rule, written out.
TOPIC_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "RootwatchAllowEventBridgePublish",
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": TOPIC,
        "Condition": {"ArnEquals": {"aws:SourceArn": [HOME_RULE]}, "StringEquals": {"aws:SourceAccount": ACCOUNT}},
    }],
}
ALL_EVENTS = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"


def trail(arn, home, multi_region):
    return {"trail": {"Name": arn.rsplit("/", 1)[-1], "TrailARN": arn, "HomeRegion": home, "IsMultiRegionTrail": multi_region,
                      "IncludeGlobalServiceEvents": True, "IsOrganizationTrail": False},
            "status": {"IsLogging": True},
            "selectors": {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]},
            "error": None}


def rule(arn, state=ALL_EVENTS, pattern=None):
    return {"Name": "root-login-alerts-api-activity", "Arn": arn, "State": state, "EventBusName": "default",
            "EventPattern": json.dumps(pattern or API_PATTERN)}


def good_facts():
    """api_activity in us-east-1 and eu-west-1, a logging multi-Region trail, our topic with a confirmed recipient."""
    return {
        "account_id": ACCOUNT,
        "partition": "aws",
        "profiles": ["console_sign_in", "api_activity"],
        "regions": ["us-east-1", "eu-west-1"],
        "rules": {"api_activity": {
            "us-east-1": {"rule": rule(HOME_RULE), "targets": [{"Id": "rootwatch-root-login-alerts", "Arn": TOPIC}]},
            "eu-west-1": {"rule": rule(EU_RULE), "targets": [{"Id": "rootwatch-hub", "Arn": BUS, "RoleArn": ROLE,
                                                              "DeadLetterConfig": {"Arn": QUEUE_EU}}]},
        }},
        "trails": {"us-east-1": {"error": None, "trails": [trail(MULTI_REGION_TRAIL, "us-east-1", True)]}},
        "topics": {TOPIC: {"attributes": {"Policy": json.dumps(TOPIC_POLICY)}, "error": None,
                           "subscriptions": [{"SubscriptionArn": TOPIC + ":0f1e", "Protocol": "email", "Endpoint": "sec@example.com"}],
                           "subscriptions_error": None}},
        "keys": {},
        "topic_arn": TOPIC,
        "bus_arn": BUS,
        "role": {"arn": ROLE, "usable": True, "problems": []},
    }


def api(facts):
    return pv.evaluate(facts)["api_activity"]


def test_every_region_of_a_complete_profile_is_compliant_and_console_sign_in_is_left_to_the_main_verdict():
    verdicts = pv.evaluate(good_facts())
    assert list(verdicts) == ["api_activity"]
    assert verdicts["api_activity"] == {"status": "compliant", "problems": [],
                                        "regions": {"us-east-1": {"status": "compliant", "problems": []},
                                                    "eu-west-1": {"status": "compliant", "problems": []}}}


def test_a_region_no_trail_covers_receives_nothing():
    # Row 5: the only trail is single-Region in us-east-1, so nothing is recorded in eu-west-1.
    facts = good_facts()
    facts["trails"]["us-east-1"]["trails"] = [trail(SINGLE_REGION_TRAIL, "us-east-1", False)]
    found = api(facts)
    assert found["status"] == "needs_action"
    assert found["regions"]["us-east-1"]["status"] == "compliant"
    assert found["regions"]["eu-west-1"]["status"] == "needs_action"
    assert found["regions"]["eu-west-1"]["problems"][0].startswith("eu-west-1 receives nothing: no logging CloudTrail trail covers it")
    assert "single-Region trail in us-east-1" in found["regions"]["eu-west-1"]["problems"][0]


def test_a_trail_homed_in_the_region_and_read_there_covers_it():
    facts = good_facts()
    facts["trails"]["us-east-1"]["trails"] = [trail(SINGLE_REGION_TRAIL, "us-east-1", False)]
    facts["trails"]["eu-west-1"] = {"error": None, "trails": [trail("arn:aws:cloudtrail:eu-west-1:111111111111:trail/eu", "eu-west-1", False)]}
    assert api(facts)["status"] == "compliant"


def test_a_trail_that_stopped_logging_does_not_cover():
    facts = good_facts()
    facts["trails"]["us-east-1"]["trails"][0]["status"] = {"IsLogging": False}
    found = api(facts)
    assert found["regions"]["us-east-1"]["status"] == "needs_action" and found["regions"]["eu-west-1"]["status"] == "needs_action"
    assert "logging is turned off" in found["regions"]["eu-west-1"]["problems"][0]


def test_an_api_activity_rule_that_is_merely_enabled_drops_every_read_only_root_call():
    # Row 6: EventBridge delivers read-only management events only to ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS rules.
    facts = good_facts()
    facts["rules"]["api_activity"]["eu-west-1"]["rule"]["State"] = "ENABLED"
    found = api(facts)
    assert found["regions"]["us-east-1"]["status"] == "compliant"
    assert found["regions"]["eu-west-1"] == {"status": "needs_action", "problems": [
        "rule root-login-alerts-api-activity is ENABLED, not ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS: "
        "it drops every read-only root call"]}


def test_credential_changes_needs_only_enabled():
    facts = good_facts()
    facts["profiles"] = ["credential_changes"]
    pattern = {"source": ["aws.iam", "aws.signin"], "detail-type": ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"],
               "detail": {"userIdentity": {"type": ["Root"]}, "eventType": [{"anything-but": "AwsServiceEvent"}],
                          "$or": [{"eventSource": ["iam.amazonaws.com"],
                                   "eventName": ["CreateAccessKey", "CreateVirtualMFADevice", "EnableMFADevice", "DeactivateMFADevice",
                                                 "DeleteVirtualMFADevice", "ResyncMFADevice", "CreateLoginProfile",
                                                 "UpdateLoginProfile", "DeleteLoginProfile"]},
                                  {"eventSource": ["signin.amazonaws.com"],
                                   "eventName": ["PasswordRecoveryRequested", "PasswordRecoveryCompleted", "PasswordUpdated"]}]}}
    arn = "arn:aws:events:us-east-1:111111111111:rule/root-login-alerts-credential-changes"
    facts["rules"] = {"credential_changes": {"us-east-1": {"rule": dict(rule(arn, state="ENABLED", pattern=pattern)),
                                                           "targets": [{"Id": "rootwatch-root-login-alerts", "Arn": TOPIC}]}}}
    facts["topics"][TOPIC]["attributes"]["Policy"] = json.dumps(TOPIC_POLICY).replace(HOME_RULE, arn)
    found = pv.evaluate(facts)["credential_changes"]
    assert found["status"] == "compliant" and list(found["regions"]) == ["us-east-1"], found


def test_a_disabled_or_missing_rule_is_named():
    facts = good_facts()
    facts["rules"]["api_activity"]["us-east-1"]["rule"]["State"] = "DISABLED"
    del facts["rules"]["api_activity"]["eu-west-1"]
    found = api(facts)
    assert found["regions"]["us-east-1"]["problems"] == ["rule root-login-alerts-api-activity is DISABLED"]
    assert found["regions"]["eu-west-1"]["problems"] == ["the rule of profile api_activity in eu-west-1 could not be read: not read"]
    assert found["regions"]["eu-west-1"]["status"] == "unknown"
    facts["rules"]["api_activity"]["eu-west-1"] = {"rule": None, "targets": []}
    assert api(facts)["regions"]["eu-west-1"] == {"status": "needs_action", "problems": ["profile api_activity has no rule in eu-west-1"]}


def test_a_pattern_that_misses_the_profiles_events_is_not_counted():
    facts = good_facts()
    narrowed = copy.deepcopy(API_PATTERN)
    narrowed["detail"]["userIdentity"]["type"] = ["IAMUser"]
    facts["rules"]["api_activity"]["us-east-1"]["rule"]["EventPattern"] = json.dumps(narrowed)
    found = api(facts)
    assert found["regions"]["us-east-1"]["status"] == "needs_action"
    # eu-west-1 forwards to the us-east-1 rule, which drops the event: nothing arrives from there either.
    assert found["regions"]["eu-west-1"]["status"] == "needs_action"
    assert found["regions"]["eu-west-1"]["problems"][0].startswith("in us-east-1: ")


def test_the_topic_policy_must_allow_the_profile_rule():
    facts = good_facts()
    facts["topics"][TOPIC]["attributes"]["Policy"] = json.dumps(TOPIC_POLICY).replace(HOME_RULE, HOME_RULE.replace("api-activity", "other"))
    found = api(facts)
    assert found["regions"]["us-east-1"]["status"] == "needs_action"
    assert "does not let events.amazonaws.com publish for rule %s" % HOME_RULE in found["regions"]["us-east-1"]["problems"][0]


def test_no_confirmed_recipient_breaks_every_region():
    facts = good_facts()
    facts["topics"][TOPIC]["subscriptions"] = [{"SubscriptionArn": "PendingConfirmation", "Protocol": "email", "Endpoint": "sec@example.com"}]
    found = api(facts)
    assert found["regions"]["us-east-1"]["status"] == "needs_action" and found["regions"]["eu-west-1"]["status"] == "needs_action"


def test_a_regional_rule_must_forward_to_the_own_bus_with_a_usable_role():
    facts = good_facts()
    facts["rules"]["api_activity"]["eu-west-1"]["targets"] = [{"Id": "rootwatch-hub", "Arn": BUS}]
    assert api(facts)["regions"]["eu-west-1"]["problems"] == [
        "rule root-login-alerts-api-activity forwards to %s without the forwarding role %s" % (BUS, ROLE)]
    facts = good_facts()
    facts["role"] = {"arn": ROLE, "usable": False, "problems": ["IAM role root-login-alerts-forwarding does not exist"]}
    found = api(facts)["regions"]["eu-west-1"]
    assert found["status"] == "needs_action" and "does not exist" in found["problems"][0]
    facts["role"] = {"arn": ROLE, "usable": None, "problems": ["it has a permissions boundary"]}
    assert api(facts)["regions"]["eu-west-1"]["status"] == "unknown"


def test_unreadable_trails_make_the_region_unknown():
    facts = good_facts()
    facts["trails"]["us-east-1"] = {"error": "cloudtrail:DescribeTrails: AccessDeniedException", "trails": []}
    found = api(facts)
    assert found["status"] == "unknown" and found["regions"]["eu-west-1"]["status"] == "unknown"


def test_rule_facts_turns_what_an_apply_wrote_into_the_apis_shape():
    view = {"arn": EU_RULE, "name": "root-login-alerts-api-activity", "event_bus_name": "default", "state": ALL_EVENTS,
            "description": "", "event_pattern": API_PATTERN,
            "targets": [{"id": "rootwatch-hub", "arn": BUS, "role_arn": ROLE, "dead_letter_arn": QUEUE_EU}]}
    found = pv.rule_facts(view)
    assert found["rule"]["State"] == ALL_EVENTS and json.loads(found["rule"]["EventPattern"]) == API_PATTERN
    assert found["targets"] == [{"Id": "rootwatch-hub", "Arn": BUS, "RoleArn": ROLE, "DeadLetterConfig": {"Arn": QUEUE_EU}}]
    assert pv.rule_facts(None) == {"rule": None, "targets": []}
