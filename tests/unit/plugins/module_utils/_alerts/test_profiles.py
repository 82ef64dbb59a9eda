"""Alert profiles: patterns (EventBridge semantics evaluated locally), messages, validation; nobody can forge an alert."""

import copy
import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import messages as alert_message
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as ap
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import samples as alert_samples
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import event_pattern as ep
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import input_template
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import targets as eventbridge_targets

ACCOUNT = "123456789012"
REGION = "eu-west-1"


def test_profile_names_are_the_public_four():
    assert set(ap.PROFILES) == set(ap.PROFILE_NAMES) == {
        "console_sign_in", "api_activity", "credential_changes", "assume_root"
    }
    for name, profile in ap.PROFILES.items():
        assert set(profile) == {"name", "rule_state", "description", "pattern", "regions", "input_paths_map", "input_template"}
        assert profile["name"] == name
        assert profile["regions"] in (ap.REGIONS_SIGN_IN, ap.REGIONS_ALL)
        assert profile["description"]
    # Read-only management events reach only rules in ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (PutRule State).
    assert dict((name, p["rule_state"]) for name, p in ap.PROFILES.items()) == {
        "console_sign_in": "ENABLED", "credential_changes": "ENABLED",
        "api_activity": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", "assume_root": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"}


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
    # A JSON object template (placeholders as values): SNS sends its text.
    kind, text = input_template.canonical_template(transformer["input_template"])
    assert kind == "json" and isinstance(json.loads(text), dict)
    used = set(input_template.PLACEHOLDER_RE.findall(transformer["input_template"]))
    assert used == set(transformer["input_paths_map"]), name
    # The account is the one EventBridge sets, never a detail field the sender chose.
    assert transformer["input_paths_map"]["account"] == "$.account"
    assert transformer["input_paths_map"]["region"] == "$.region"


@pytest.mark.parametrize("name", ap.PROFILE_NAMES)
def test_no_sender_field_is_inside_a_json_string(name):
    profile = ap.PROFILES[name]
    assert alert_message.quoted_sender_fields(profile["input_template"], profile["input_paths_map"]) == []
    # The check itself: a detail field in a string is found.
    assert alert_message.quoted_sender_fields('{"a": "agent <agent>", "b": "<account>"}',
                                              {"agent": "$.detail.userAgent", "account": "$.account"}) == ["agent"]


def rendered(name, sample):
    """The alert text profile ``name`` gives for its sample event ``sample``."""
    profile = ap.PROFILES[name]
    return alert_message.render(profile["input_template"], profile["input_paths_map"], alert_samples.sample_events(name)[sample][0])


def test_console_sign_in_is_todays_rule_and_email():
    profile = ap.PROFILES["console_sign_in"]
    assert profile["pattern"] == alert_message.ROOT_SIGN_IN_PATTERN
    assert profile["input_paths_map"] == alert_message.INPUT_PATHS
    assert profile["input_template"] == alert_message.INPUT_TEMPLATE
    assert profile["regions"] == ap.REGIONS_SIGN_IN
    assert profile["input_paths_map"]["result"] == "$.detail.responseElements.ConsoleLogin"
    event = alert_samples.sample_events("console_sign_in")["root_sign_in"][0]
    assert rendered("console_sign_in", "root_sign_in") == alert_samples.sample_email()
    assert event == alert_samples.sign_in_samples("111111111111")["root_sign_in"][0]


def test_console_sign_in_says_success_or_failure():
    assert json.loads(rendered("console_sign_in", "root_sign_in"))["result"] == "Success"
    assert json.loads(rendered("console_sign_in", "failed_root_sign_in"))["result"] == "Failure"


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
    samples = alert_samples.sample_events("assume_root")
    for sample in ("assumed_role_assume_root", "iam_user_assume_root"):
        assert ep.matches(pattern, samples[sample][0])
    message = json.loads(rendered("assume_root", "assumed_role_assume_root"))
    assert message["target_account"] == "222222222222"
    assert message["task_policy"] == "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"
    assert message["caller"] == "arn:aws:sts::111111111111:assumed-role/Admin/alice"
    assert message["alert"].startswith("Centralized root access: sts:AssumeRoot was called in AWS account 111111111111,")


def test_get_profile_is_a_copy():
    profile = ap.get_profile("console_sign_in")
    profile["pattern"]["detail-type"].append("x")
    assert alert_message.ROOT_SIGN_IN_PATTERN["detail-type"] == ["AWS Console Sign In via CloudTrail"]


# -- validate_profiles ----------------------------------------------------------------
def test_validate_profiles_accepts_known_names():
    assert ap.validate_profiles(["console_sign_in"]) == ["console_sign_in"]
    assert ap.validate_profiles(("assume_root", "api_activity")) == ["assume_root", "api_activity"]


@pytest.mark.parametrize("names,fragments", [
    (["console_sign_in", "root_api"], ["profiles[1]", "'root_api'", "console_sign_in, api_activity"]),
    ([], ["profiles", "at least one"]),
    (["api_activity", "api_activity"], ["profiles[1]", "duplicate", "'api_activity'"]),
    ("console_sign_in", ["profiles", "list"]),
    (None, ["profiles", "list"]),
    ([7], ["profiles[0]", "7", "assume_root"]),
])
def test_validate_profiles_errors(names, fragments):
    with pytest.raises(ValueError) as info:
        ap.validate_profiles(names)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_validate_profiles_names_the_given_parameter():
    with pytest.raises(ValueError, match=r"^profiles\[0\]: unknown profile 'nope'; known profiles: "):
        ap.validate_profiles(["nope"], param="profiles")


@pytest.mark.parametrize("regions, words", [
    ("us-east-1", "must be a list of region names"),
    (["us-east-1", ""], "regions[1] must be a region name"),
    (["us-east-1", "us-fake-9"], "regions[1]: 'us-fake-9' is not an AWS region where events is available"),
    (["eu-west-1", "eu-west-1"], "regions[1]: duplicate region 'eu-west-1'"),
])
def test_region_lists_are_checked_against_botocores_regions(regions, words):
    with pytest.raises(ValueError) as raised:
        ap.validate_regions(regions)
    assert words in str(raised.value)


def test_real_regions_pass():
    assert ap.validate_regions(["us-east-1", "eu-west-1", "ap-southeast-2"]) == ["us-east-1", "eu-west-1", "ap-southeast-2"]


# -- nobody can forge an alert -------------------------------------------------------------
# Every pattern written out, with its source (EventBridge events reference: aws.signin, aws.iam, aws.sts;
# "aws." and the service for any API call).
WRITTEN_OUT = {
    "console_sign_in": {
        "source": ["aws.signin"],
        "detail-type": ["AWS Console Sign In via CloudTrail"],
        "detail": {"userIdentity": {"type": ["Root"]}},
    },
    "api_activity": {
        "source": [{"prefix": "aws."}],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"userIdentity": {"type": ["Root"], "invokedBy": [{"exists": False}]},
                   "eventType": [{"anything-but": "AwsServiceEvent"}]},
    },
    "credential_changes": {
        "detail-type": ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"],
        "source": ["aws.iam", "aws.signin"],
        "detail": {
            "userIdentity": {"type": ["Root"]},
            "eventType": [{"anything-but": "AwsServiceEvent"}],
            "$or": [
                {"eventSource": ["iam.amazonaws.com"],
                 "eventName": ["CreateAccessKey", "CreateVirtualMFADevice", "EnableMFADevice", "DeactivateMFADevice",
                               "DeleteVirtualMFADevice", "ResyncMFADevice", "CreateLoginProfile", "UpdateLoginProfile",
                               "DeleteLoginProfile"]},
                {"eventSource": ["signin.amazonaws.com"],
                 "eventName": ["PasswordRecoveryRequested", "PasswordRecoveryCompleted", "PasswordUpdated"]},
            ],
        },
    },
    "assume_root": {
        "detail-type": ["AWS API Call via CloudTrail"],
        "source": ["aws.sts"],
        "detail": {"eventSource": ["sts.amazonaws.com"], "eventName": ["AssumeRoot"]},
    },
}


@pytest.mark.parametrize("name", ap.PROFILE_NAMES)
def test_every_pattern_pins_the_source_aws_uses(name):
    assert ap.PROFILES[name]["pattern"] == WRITTEN_OUT[name]


@pytest.mark.parametrize("name", ap.PROFILE_NAMES)
def test_a_forged_custom_event_matches_no_pattern_and_would_without_the_source(name):
    event, should_match = alert_samples.sample_events(name, ACCOUNT, REGION)["forged_custom_event"]
    assert should_match is False and event["source"] == alert_samples.FORGED_SOURCE
    assert event["detail-type"] in WRITTEN_OUT[name]["detail-type"]
    pattern = ap.PROFILES[name]["pattern"]
    assert ep.matches(pattern, event) is False
    # The source is what stops it: the same pattern without it matches the forgery.
    assert ep.matches(dict((k, v) for k, v in pattern.items() if k != "source"), event) is True


HOSTILE_AGENT = 'Mozilla/5.0", "alert": "All clear: a scheduled test of the security team, no action needed", "x": "\n\nAll clear.'


@pytest.mark.parametrize("name", ap.PROFILE_NAMES)
def test_a_hostile_detail_value_stays_inside_its_own_field(name):
    profile = ap.PROFILES[name]
    genuine = [event for event, should in alert_samples.sample_events(name, ACCOUNT, REGION).values() if should][0]
    event = copy.deepcopy(genuine)
    event["detail"]["userAgent"] = HOSTILE_AGENT
    event["detail"]["eventID"] = '"}, "alert": "forged'
    event["detail"]["recipientAccountId"] = "999999999999"
    event["detail"]["userIdentity"]["accountId"] = "999999999999"
    text = alert_message.render(profile["input_template"], profile["input_paths_map"], event)
    message = json.loads(text)  # still one valid JSON object
    # The template's keys, each once, in its order: nothing added, nothing overwritten.
    assert list(message) == [line.split('"')[1] for line in profile["input_template"].splitlines()[1:-1]]
    assert message["user_agent"] == HOSTILE_AGENT and message["event_id"] == '"}, "alert": "forged'
    assert message["alert"].startswith(("Root user console sign-in to AWS account %s" % ACCOUNT,
                                        "AWS account root user API call in AWS account %s" % ACCOUNT,
                                        "AWS account root user credential change in AWS account %s" % ACCOUNT,
                                        "Centralized root access: sts:AssumeRoot was called in AWS account %s" % ACCOUNT))
    assert "999999999999" not in message["alert"] and "All clear" not in message["alert"]


def test_the_render_model_shows_why_no_detail_value_goes_inside_a_string():
    """EventBridge puts a value into a JSON string as its text: a quote in it ends the string."""
    event = alert_samples.sign_in_samples(ACCOUNT)["root_sign_in"][0]
    event["detail"]["userAgent"] = 'x", "alert": "All clear'
    quoted = alert_message.render('{"alert": "sign-in to <account>", "agent": "<agent>"}', alert_message.INPUT_PATHS, event)
    assert json.loads(quoted)["alert"] == "All clear"  # the sender rewrote the alert (the last key wins)
    as_value = alert_message.render('{"alert": "sign-in to <account>", "agent": <agent>}', alert_message.INPUT_PATHS, event)
    assert json.loads(as_value) == {"alert": "sign-in to %s" % ACCOUNT, "agent": 'x", "alert": "All clear'}


def test_the_account_is_the_one_eventbridge_set():
    event = alert_samples.sign_in_samples(ACCOUNT)["root_sign_in"][0]
    event["detail"]["recipientAccountId"] = "999999999999"
    message = json.loads(alert_message.render(alert_message.INPUT_TEMPLATE, alert_message.INPUT_PATHS, event))
    assert "AWS account %s" % ACCOUNT in message["alert"] and "999999999999" not in json.dumps(message)


def test_a_missing_value_reads_empty_as_eventbridge_sends_it():
    event = alert_samples.sign_in_samples(ACCOUNT)["root_sign_in"][0]
    del event["detail"]["additionalEventData"]
    message = json.loads(alert_message.render(alert_message.INPUT_TEMPLATE, alert_message.INPUT_PATHS, event))
    assert message["mfa_used"] == "" and message["result"] == "Success"
