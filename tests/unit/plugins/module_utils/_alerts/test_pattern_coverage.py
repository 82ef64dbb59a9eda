# -*- coding: utf-8 -*-
"""pattern_coverage.judge: literal patterns against each profile's event set.

Every pattern here is written out by hand, never produced by the writer functions
under test. The "good" sign-in pattern is the text the emulator stores for our
rule (``describe_rule`` returns the stored text as written).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as alert_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path as dp
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import is_candidate
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.pattern_coverage import judge
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import PatternError

ACCOUNT = "111111111111"
REGION = "us-east-1"
OURS_STORED = '{"detail":{"userIdentity":{"type":["Root"]}},"detail-type":["AWS Console Sign In via CloudTrail"],"source":["aws.signin"]}'
SIGN_IN = {"source": ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"]}


def with_detail(detail, **top):
    pattern = dict(SIGN_IN, detail=dict({"userIdentity": {"type": ["Root"]}}, **detail))
    pattern.update(top)
    return pattern


SIGN_IN_TABLE = [
    ("ours, as stored", OURS_STORED, True, []),
    ("account and region pinned", with_detail({}, account=[ACCOUNT], region=[REGION]), True, []),
    ("no detail object at all", dict(SIGN_IN), True, []),
    ("identity type listed with others", {"source": ["aws.signin"], "detail": {"userIdentity": {"type": ["IAMUser", "Root"]}}}, True, []),
    ("eventName and eventType pinned", with_detail({"eventName": ["ConsoleLogin"], "eventType": ["AwsConsoleSignIn"]}), True, []),
    ("exists on an always-present field", with_detail({"sourceIPAddress": [{"exists": True}]}), True, []),
    ("empty prefix on userAgent", with_detail({"userAgent": [{"prefix": ""}]}), True, []),
    ("wildcard star on awsRegion", with_detail({"awsRegion": [{"wildcard": "*"}]}), True, []),
    ("equals-ignore-case on a fixed field", with_detail({"eventSource": [{"equals-ignore-case": "SIGNIN.amazonaws.com"}]}), True, []),
    ("anything-but another identity type", {"source": ["aws.signin"], "detail": {"userIdentity": {"type": [{"anything-but": "IAMUser"}]}}}, True, []),
    ("both results listed", with_detail({"responseElements": {"ConsoleLogin": ["Failure", "Success"]}}), True, []),
    ("$or split by Success and Failure", dict(SIGN_IN, **{"$or": [
        {"detail": {"responseElements": {"ConsoleLogin": ["Success"]}}},
        {"detail": {"responseElements": {"ConsoleLogin": ["Failure"]}}}]}), True, []),
    ("anything-but on sourceIPAddress", with_detail({"sourceIPAddress": [{"anything-but": "198.51.100.99"}]}), False,
     ["skips sign-ins whose sourceIPAddress is 198.51.100.99"]),
    ("anything-but a list of addresses", with_detail({"sourceIPAddress": [{"anything-but": ["198.51.100.1", "198.51.100.2"]}]}), False,
     ["skips sign-ins whose sourceIPAddress is one of 198.51.100.1, 198.51.100.2"]),
    ("prefix on userAgent", with_detail({"userAgent": [{"prefix": "Mozilla/"}]}), False,
     ['skips sign-ins whose userAgent does not begin with "Mozilla/"']),
    ("anything-but prefix on userAgent", with_detail({"userAgent": [{"anything-but": {"prefix": "aws-cli"}}]}), False,
     ['skips sign-ins whose userAgent begins with "aws-cli"']),
    ("suffix on userAgent", with_detail({"userAgent": [{"suffix": "Firefox/140.0"}]}), False,
     ['skips sign-ins whose userAgent does not end with "Firefox/140.0"']),
    ("exact addresses", with_detail({"sourceIPAddress": ["203.0.113.7", "203.0.113.8"]}), False,
     ["skips sign-ins whose sourceIPAddress is none of 203.0.113.7, 203.0.113.8"]),
    ("only Success", with_detail({"responseElements": {"ConsoleLogin": ["Success"]}}), False, ["skips failed sign-ins"]),
    ("MFAUsed Yes only", with_detail({"additionalEventData": {"MFAUsed": ["Yes"]}}), False, ["skips sign-ins without MFA"]),
    ("Success with MFA only", with_detail({"responseElements": {"ConsoleLogin": ["Success"]}, "additionalEventData": {"MFAUsed": ["Yes"]}}),
     False, ["skips failed sign-ins", "skips sign-ins without MFA"]),
    ("exists false on errorMessage", with_detail({"errorMessage": [{"exists": False}]}), False, ["skips failed sign-ins"]),
    ("exists true on errorMessage", with_detail({"errorMessage": [{"exists": True}]}), False, ["skips successful sign-ins"]),
    ("cidr on sourceIPAddress", with_detail({"sourceIPAddress": [{"cidr": "10.0.0.0/8"}]}), False,
     ["skips sign-ins whose sourceIPAddress is not an address in 10.0.0.0/8"]),
    ("wildcard on awsRegion", with_detail({"awsRegion": [{"wildcard": "us-*"}]}), False,
     ['skips sign-ins whose awsRegion does not match "us-*"']),
    ("$or on different free fields", dict(SIGN_IN, **{"$or": [
        {"detail": {"sourceIPAddress": [{"prefix": "10."}]}}, {"detail": {"userAgent": [{"prefix": "Mozilla/"}]}}]}), False,
     ['skips sign-ins that every $or alternative skips (skips sign-ins whose sourceIPAddress does not begin with "10."; '
      'skips sign-ins whose userAgent does not begin with "Mozilla/")']),
    ("a field a sign-in need not have", with_detail({"userIdentity": {"type": ["Root"], "sessionContext": {"attributes": {"mfaAuthenticated": ["true"]}}}}),
     False, ["skips sign-ins whose userIdentity.sessionContext.attributes.mfaAuthenticated is not true (a field a root sign-in need not have)"]),
    ("wrong source", {"source": ["aws.iam"], "detail-type": ["AWS Console Sign In via CloudTrail"]}, False,
     ["matches no root sign-in: source must be aws.signin"]),
    ("another account", with_detail({}, account=["222222222222"]), False, ["matches no root sign-in: account must be 111111111111"]),
    ("numeric on a free field", with_detail({"userAgent": [{"numeric": [">", 0]}]}), False,
     ["matches no root sign-in: userAgent is text in every root sign-in, which its conditions never match"]),
    ("exists false on a present field", with_detail({"sourceIPAddress": [{"exists": False}]}), False,
     ["matches no root sign-in: sourceIPAddress is present in every root sign-in"]),
    ("nested object on a field that is text", with_detail({"eventName": {"name": ["ConsoleLogin"]}}), False,
     ["matches no root sign-in: eventName is not an object in a root sign-in"]),
    ("nested detail object missing from sign-ins", with_detail({"serviceEventDetails": {"keyId": [{"exists": True}]}}), False,
     ["skips sign-ins whose serviceEventDetails.keyId is missing (a field a root sign-in need not have)"]),
    ("a value list on an object", with_detail({"responseElements": ["Success"]}), False,
     ["matches no root sign-in: responseElements is an object, which a list of values never matches"]),
    ("$or on one free field", dict(SIGN_IN, **{"$or": [
        {"detail": {"sourceIPAddress": [{"prefix": "10."}]}}, {"detail": {"sourceIPAddress": [{"anything-but": {"prefix": "10."}}]}}]}),
     None, ["$or alternatives jointly constrain sourceIPAddress: whether together they admit every value cannot be decided here"]),
    ("anything-but next to another value", with_detail({"sourceIPAddress": [{"anything-but": "198.51.100.99"}, "198.51.100.99"]}), None,
     ["cannot decide whether the conditions on sourceIPAddress together admit every value"]),
]


@pytest.mark.parametrize("label, pattern, covers, gaps", SIGN_IN_TABLE, ids=[row[0] for row in SIGN_IN_TABLE])
def test_sign_in_patterns_by_meaning(label, pattern, covers, gaps):
    result = judge(pattern, alert_profiles.event_set("console_sign_in", ACCOUNT, REGION))
    assert result == {"covers": covers, "gaps": gaps}, label


def test_each_profile_pattern_covers_its_own_set_in_any_region():
    # Written out by hand, not read from alert_profiles.
    literal = {
        "api_activity": {"source": [{"prefix": "aws."}], "detail-type": ["AWS API Call via CloudTrail"],
                         "detail": {"userIdentity": {"type": ["Root"], "invokedBy": [{"exists": False}]},
                                    "eventType": [{"anything-but": "AwsServiceEvent"}]}},
        "assume_root": {"detail-type": ["AWS API Call via CloudTrail"], "source": ["aws.sts"],
                        "detail": {"eventSource": ["sts.amazonaws.com"], "eventName": ["AssumeRoot"]}},
    }
    for name, pattern in literal.items():
        assert judge(pattern, alert_profiles.event_set(name, ACCOUNT, "eu-west-1")) == {"covers": True, "gaps": []}, name


API_TABLE = [
    ("source pinned to one service", {"source": ["aws.s3"], "detail-type": ["AWS API Call via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}},
     False, ["skips root API calls whose source is not aws.s3"]),
    ("write calls only", {"source": [{"prefix": "aws."}], "detail-type": ["AWS API Call via CloudTrail"],
                          "detail": {"userIdentity": {"type": ["Root"]}, "readOnly": [False]}},
     False, ["skips read-only root API calls"]),
    ("anything-but a custom source", {"source": [{"anything-but": {"prefix": "com."}}], "detail-type": ["AWS API Call via CloudTrail"],
                                      "detail": {"userIdentity": {"type": ["Root"]}}}, True, []),
    ("wildcard source", {"source": [{"wildcard": "aws.*"}], "detail-type": ["AWS API Call via CloudTrail"],
                         "detail": {"userIdentity": {"type": ["Root"]}}}, True, []),
    ("the sign-in pattern", {"source": ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"]}, False,
     ["matches no root API call: detail-type must be AWS API Call via CloudTrail"]),
]


@pytest.mark.parametrize("label, pattern, covers, gaps", API_TABLE, ids=[row[0] for row in API_TABLE])
def test_api_activity_patterns_by_meaning(label, pattern, covers, gaps):
    result = judge(pattern, alert_profiles.event_set("api_activity", ACCOUNT, "eu-west-1"))
    assert result == {"covers": covers, "gaps": gaps}, label


def test_credential_changes_names_the_kind_and_the_events_it_skips():
    events = alert_profiles.event_set("credential_changes", ACCOUNT, REGION)
    iam_only = {"source": ["aws.iam"], "detail-type": ["AWS API Call via CloudTrail"],
                "detail": {"userIdentity": {"type": ["Root"]}, "eventSource": ["iam.amazonaws.com"],
                           "eventName": ["CreateAccessKey", "CreateVirtualMFADevice", "EnableMFADevice", "DeactivateMFADevice",
                                         "DeleteVirtualMFADevice", "ResyncMFADevice", "CreateLoginProfile", "UpdateLoginProfile"]}}
    assert judge(iam_only, events) == {"covers": False, "gaps": [
        "skips DeleteLoginProfile calls",
        "skips AWS Sign-In password events (signin.amazonaws.com) (source must be aws.signin; "
        "detail-type must be AWS Console Sign In via CloudTrail; eventSource must be signin.amazonaws.com)"]}


def test_an_invalid_pattern_is_refused_with_its_path():
    with pytest.raises(PatternError, match="detail.userIdentity.type"):
        judge('{"detail": {"userIdentity": {"type": "Root"}}}', alert_profiles.event_set("console_sign_in", ACCOUNT, REGION))


# -- wired into delivery_path -------------------------------------------------------------------------
def rule(pattern):
    return {"Name": "alerts", "EventPattern": pattern if isinstance(pattern, str) else json.dumps(pattern)}


def test_rule_matches_names_the_gap_of_a_narrowed_rule_and_keeps_it_a_candidate():
    narrowed = rule(with_detail({"sourceIPAddress": [{"anything-but": "198.51.100.99"}]}))
    assert dp.rule_matches(narrowed, ACCOUNT, REGION) == (
        False, "the pattern of rule alerts does not match every root sign-in: skips sign-ins whose sourceIPAddress is 198.51.100.99")
    assert is_candidate(narrowed, ACCOUNT, REGION) is True


def test_rule_matches_covered_and_undecided():
    ok, why = dp.rule_matches(rule(OURS_STORED), ACCOUNT, REGION)
    assert ok is True and why.startswith("matches every root console sign-in")
    ok, why = dp.rule_matches(rule(dict(SIGN_IN, **{"$or": [
        {"detail": {"userAgent": [{"prefix": "a"}]}}, {"detail": {"userAgent": [{"anything-but": {"prefix": "a"}}]}}]})), ACCOUNT, REGION)
    assert ok is None and "$or alternatives jointly constrain userAgent" in why


def test_rule_matches_judges_another_profile_by_its_own_set():
    only_s3 = rule({"source": ["aws.s3"], "detail-type": ["AWS API Call via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}})
    assert dp.rule_matches(only_s3, ACCOUNT, "eu-west-1", profile="api_activity") == (
        False, "the pattern of rule alerts does not match every root API call: skips root API calls whose source is not aws.s3")


def test_a_narrowed_rule_makes_the_path_partial_with_the_gap_in_problems():
    narrowed = dict(rule(with_detail({"sourceIPAddress": [{"anything-but": "198.51.100.99"}]})), State="ENABLED")
    assert dp.rule_link(narrowed, ACCOUNT, REGION) == {
        "link": "rule", "ok": False,
        "reason": "the pattern of rule alerts does not match every root sign-in: skips sign-ins whose sourceIPAddress is 198.51.100.99"}
