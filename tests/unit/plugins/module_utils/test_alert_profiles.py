"""Alert profiles: patterns, samples (EventBridge semantics evaluated locally), messages, rule placement."""

import copy
import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils import alert_message
from ansible_collections.rootwatch.aws.plugins.module_utils import alert_profiles as ap
from ansible_collections.rootwatch.aws.plugins.module_utils import event_pattern as ep
from ansible_collections.rootwatch.aws.plugins.module_utils import eventbridge_targets

ACCOUNT = "123456789012"
REGION = "eu-west-1"

ENVELOPE_KEYS = {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
DETAIL_KEYS = {
    "eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
    "userAgent", "requestParameters", "responseElements", "eventID", "readOnly", "eventType", "managementEvent",
    "recipientAccountId", "eventCategory",
}


def _all_samples():
    cases = []
    for name in ap.PROFILE_NAMES:
        for sample, (event, should_match) in sorted(ap.sample_events(name, ACCOUNT, REGION).items()):
            cases.append(pytest.param(name, sample, event, should_match, id="%s-%s" % (name, sample)))
    return cases


SAMPLES = _all_samples()


def test_profile_names_are_the_public_four():
    assert set(ap.PROFILES) == set(ap.PROFILE_NAMES) == {
        "console_sign_in", "api_activity", "credential_changes", "assume_root"
    }
    assert ap.DEFAULT_PROFILES == ["console_sign_in"]
    for name, profile in ap.PROFILES.items():
        assert set(profile) == {"name", "description", "pattern", "regions", "input_paths_map", "input_template"}
        assert profile["name"] == name
        assert profile["regions"] in (ap.REGIONS_SIGN_IN, ap.REGIONS_ALL)
        assert profile["description"]


@pytest.mark.parametrize("name", ap.PROFILE_NAMES)
def test_every_pattern_is_valid(name):
    pattern = ap.PROFILES[name]["pattern"]
    assert ep.validate(pattern) == pattern
    # The JSON text EventBridge would store validates too.
    ep.validate(json.dumps(pattern))


@pytest.mark.parametrize("name", ap.PROFILE_NAMES)
def test_every_transformer_is_a_valid_target_input(name):
    transformer = ap.input_transformer(name)
    eventbridge_targets.validate_targets(
        [{"id": "root-alerts", "arn": "arn:aws:sns:us-east-1:%s:root-login-alerts" % ACCOUNT,
          "input_transformer": transformer}]
    )
    # A JSON string template: SNS sends its text.
    assert isinstance(json.loads(ap.PROFILES[name]["input_template"].replace("<", "").replace(">", "")), str)
    used = set(eventbridge_targets.PLACEHOLDER_RE.findall(transformer["input_template"]))
    assert used <= set(transformer["input_paths_map"]), name


def test_enough_samples_and_both_kinds_per_profile():
    assert len(SAMPLES) >= 40
    for name in ap.PROFILE_NAMES:
        kinds = [should for unused_event, should in ap.sample_events(name).values()]
        assert True in kinds and False in kinds, name


@pytest.mark.parametrize("name,sample,event,should_match", SAMPLES)
def test_pattern_matches_exactly_its_samples(name, sample, event, should_match):
    assert ep.matches(ap.PROFILES[name]["pattern"], event) is should_match


@pytest.mark.parametrize("name,sample,event,should_match", SAMPLES)
def test_samples_have_the_full_envelope(name, sample, event, should_match):
    assert ENVELOPE_KEYS <= set(event), sample
    assert DETAIL_KEYS <= set(event["detail"]), sample
    assert event["account"] == event["detail"]["recipientAccountId"]
    assert event["region"] == event["detail"]["awsRegion"]
    assert event["detail"]["eventSource"].split(".")[0] == event["source"].split(".")[1]


@pytest.mark.parametrize("name,sample,event,should_match",
                         [case for case in SAMPLES if case.values[3]])
def test_message_names_the_event_and_the_account(name, sample, event, should_match):
    profile = ap.PROFILES[name]
    text = alert_message.render(profile["input_template"], profile["input_paths_map"], event)
    assert isinstance(text, str) and "<" not in text, text
    assert event["account"] in text
    if name == "console_sign_in":
        # Today's email: names the sign-in and whether it succeeded.
        assert "console sign-in" in text
        result = (event["detail"]["responseElements"] or {}).get("ConsoleLogin")
        if result:
            assert "Result: %s." % result in text
    else:
        assert event["detail"]["eventName"] in text
        assert event["detail"]["userIdentity"]["arn"] in text
        assert event["detail"]["awsRegion"] in text
        assert event["detail"]["sourceIPAddress"] in text
        assert event["detail"]["eventTime"] in text


def test_console_sign_in_is_todays_rule_and_email():
    profile = ap.PROFILES["console_sign_in"]
    assert profile["pattern"] == alert_message.ROOT_SIGN_IN_PATTERN
    assert profile["input_paths_map"] == alert_message.INPUT_PATHS
    assert profile["input_template"] == alert_message.INPUT_TEMPLATE
    assert profile["regions"] == ap.REGIONS_SIGN_IN
    assert profile["input_paths_map"]["result"] == "$.detail.responseElements.ConsoleLogin"
    event = ap.sample_events("console_sign_in")["root_sign_in"][0]
    assert ap.render_sample("console_sign_in", "root_sign_in") == alert_message.sample_email()
    assert event == alert_message.sample_events("111111111111")["root_sign_in"][0]


def test_console_sign_in_says_success_or_failure():
    assert "Result: Success." in ap.render_sample("console_sign_in", "root_sign_in")
    assert "Result: Failure." in ap.render_sample("console_sign_in", "failed_root_sign_in")


def test_api_activity_is_the_cis_filter():
    detail = ap.PROFILES["api_activity"]["pattern"]["detail"]
    assert detail["userIdentity"]["type"] == ["Root"]
    assert detail["userIdentity"]["invokedBy"] == [{"exists": False}]
    assert detail["eventType"] == [{"anything-but": "AwsServiceEvent"}]


def test_credential_changes_names_real_events_and_not_change_password():
    pattern = ap.PROFILES["credential_changes"]["pattern"]
    iam, signin = pattern["detail"]["$or"]
    assert iam["eventSource"] == ["iam.amazonaws.com"]
    assert signin["eventSource"] == ["signin.amazonaws.com"]
    assert {"CreateAccessKey", "CreateVirtualMFADevice", "EnableMFADevice", "DeactivateMFADevice",
            "DeleteVirtualMFADevice", "ResyncMFADevice", "CreateLoginProfile", "UpdateLoginProfile",
            "DeleteLoginProfile"} == set(iam["eventName"])
    assert set(signin["eventName"]) == {"PasswordRecoveryRequested", "PasswordRecoveryCompleted", "PasswordUpdated"}
    assert "ChangePassword" not in iam["eventName"]
    assert pattern["detail"]["userIdentity"] == {"type": ["Root"]}


def test_assume_root_matches_any_caller_type():
    pattern = ap.PROFILES["assume_root"]["pattern"]
    assert "userIdentity" not in pattern["detail"]
    samples = ap.sample_events("assume_root")
    for sample in ("assumed_role_assume_root", "iam_user_assume_root"):
        assert ep.matches(pattern, samples[sample][0])
    text = ap.render_sample("assume_root", "assumed_role_assume_root")
    assert "member account 222222222222" in text
    assert "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy" in text
    assert "assumed-role/Admin/alice" in text


def test_samples_follow_account_and_region():
    for name in ap.PROFILE_NAMES:
        for sample, (event, unused_should) in ap.sample_events(name, ACCOUNT, REGION).items():
            if sample == "root_session_action" and name == "assume_root":
                assert event["account"] == "222222222222"
            else:
                assert event["account"] == ACCOUNT, (name, sample)
    credentials = ap.sample_events("credential_changes", ACCOUNT, REGION)
    assert {event["region"] for event, unused_should in credentials.values()} == {"us-east-1"}
    assert ap.sample_events("api_activity", ACCOUNT, REGION)["root_create_bucket"][0]["region"] == REGION
    assert ap.sample_events("assume_root", ACCOUNT, REGION)["assumed_role_assume_root"][0]["region"] == REGION


def test_sample_events_accepts_a_profile_dict_and_returns_fresh_copies():
    first = ap.sample_events(ap.PROFILES["api_activity"])
    first["root_create_bucket"][0]["detail"]["eventName"] = "changed"
    assert ap.sample_events("api_activity")["root_create_bucket"][0]["detail"]["eventName"] == "CreateBucket"


def test_get_profile_is_a_copy():
    profile = ap.get_profile("console_sign_in")
    profile["pattern"]["detail-type"].append("x")
    assert alert_message.ROOT_SIGN_IN_PATTERN["detail-type"] == ["AWS Console Sign In via CloudTrail"]


# -- validate_profiles ----------------------------------------------------------------
def test_validate_profiles_accepts_known_names():
    assert ap.validate_profiles(["console_sign_in"]) == ["console_sign_in"]
    assert ap.validate_profiles(("assume_root", "api_activity")) == ["assume_root", "api_activity"]


@pytest.mark.parametrize("names,fragments", [
    (["console_sign_in", "root_api"], ["root_login_alerts_profiles[1]", "'root_api'", "console_sign_in, api_activity"]),
    ([], ["root_login_alerts_profiles", "at least one"]),
    (["api_activity", "api_activity"], ["root_login_alerts_profiles[1]", "duplicate", "'api_activity'"]),
    ("console_sign_in", ["root_login_alerts_profiles", "list"]),
    (None, ["root_login_alerts_profiles", "list"]),
    ([7], ["root_login_alerts_profiles[0]", "7", "assume_root"]),
])
def test_validate_profiles_errors(names, fragments):
    with pytest.raises(ValueError) as info:
        ap.validate_profiles(names)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_validate_profiles_names_the_given_parameter():
    with pytest.raises(ValueError, match=r"^profiles\[0\]: unknown profile 'nope'; known profiles: "):
        ap.validate_profiles(["nope"], param="profiles")


def test_sample_events_unknown_profile():
    with pytest.raises(ValueError, match="unknown profile 'nope'"):
        ap.sample_events("nope")


# -- rules_for -------------------------------------------------------------------------
def test_rules_for_console_only():
    assert ap.rules_for(["console_sign_in"], None) == [("console_sign_in", "us-east-1")]
    assert ap.rules_for(["console_sign_in"], ["eu-west-1", "us-east-1"]) == [("console_sign_in", "us-east-1")]


def test_rules_for_api_activity_over_two_regions():
    assert ap.rules_for(["api_activity"], ["us-east-1", "eu-west-1"]) == [
        ("api_activity", "us-east-1"), ("api_activity", "eu-west-1"),
    ]


def test_rules_for_assume_root_and_console():
    assert ap.rules_for(["assume_root", "console_sign_in"], ["eu-central-1", "us-east-1"]) == [
        ("assume_root", "eu-central-1"), ("assume_root", "us-east-1"), ("console_sign_in", "us-east-1"),
    ]


def test_rules_for_every_profile_and_a_sign_in_region():
    assert ap.rules_for(list(ap.PROFILE_NAMES), ["eu-west-1"], sign_in_region="us-gov-west-1") == [
        ("console_sign_in", "us-gov-west-1"), ("api_activity", "eu-west-1"),
        ("credential_changes", "us-gov-west-1"), ("assume_root", "eu-west-1"),
    ]


@pytest.mark.parametrize("profiles,regions,fragment", [
    (["api_activity"], [], "at least one region"),
    (["assume_root"], None, "assume_root"),
    (["api_activity"], ["us-east-1", "us-east-1"], "duplicate region 'us-east-1'"),
    (["api_activity"], ["us-east-1", 3], "root_login_alerts_regions[1]"),
    (["api_activity"], ["  "], "non-empty string"),
    (["api_activity"], "us-east-1", "must be a list"),
    (["console_sign_in"], ["eu-west-1", "eu-west-1"], "duplicate region"),
    (["nope"], ["us-east-1"], "unknown profile 'nope'"),
    ([], ["us-east-1"], "at least one profile"),
])
def test_rules_for_errors(profiles, regions, fragment):
    with pytest.raises(ValueError) as info:
        ap.rules_for(profiles, regions)
    assert fragment in str(info.value)


def test_rules_for_does_not_change_its_inputs():
    regions = ["us-east-1", "eu-west-1"]
    profiles = ["api_activity"]
    before = copy.deepcopy((profiles, regions))
    ap.rules_for(profiles, regions)
    assert (profiles, regions) == before


@pytest.mark.parametrize("regions, words", [
    ("us-east-1", "must be a list of region names"),
    (["us-east-1", ""], "root_login_alerts_regions[1] must be a region name"),
    (["us-east-1", "us-fake-9"], "root_login_alerts_regions[1]: 'us-fake-9' is not an AWS region where events is available"),
    (["eu-west-1", "eu-west-1"], "root_login_alerts_regions[1]: duplicate region 'eu-west-1'"),
])
def test_region_lists_are_checked_against_botocores_regions(regions, words):
    with pytest.raises(ValueError) as raised:
        ap.validate_regions(regions)
    assert words in str(raised.value)


def test_real_regions_pass():
    assert ap.validate_regions(["us-east-1", "eu-west-1", "ap-southeast-2"]) == ["us-east-1", "eu-west-1", "ap-southeast-2"]
