"""Sample events: every profile's, real-shaped, each matched (or not) by its profile's pattern as it says; the sample email."""

import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import event_pattern as ep
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import messages as alert_message
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as ap
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import samples as alert_samples

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
        for sample, (event, should_match) in sorted(alert_samples.sample_events(name, ACCOUNT, REGION).items()):
            cases.append(pytest.param(name, sample, event, should_match, id="%s-%s" % (name, sample)))
    return cases


SAMPLES = _all_samples()


def test_enough_samples_and_both_kinds_per_profile():
    assert len(SAMPLES) >= 40
    for name in ap.PROFILE_NAMES:
        kinds = [should for unused_event, should in alert_samples.sample_events(name).values()]
        assert True in kinds and False in kinds, name


@pytest.mark.parametrize("name,sample,event,should_match", SAMPLES)
def test_pattern_matches_exactly_its_samples(name, sample, event, should_match):
    assert ep.matches(ap.PROFILES[name]["pattern"], event) is should_match


@pytest.mark.parametrize("name,sample,event,should_match", SAMPLES)
def test_samples_have_the_full_envelope(name, sample, event, should_match):
    assert ENVELOPE_KEYS <= set(event), sample
    assert DETAIL_KEYS <= set(event["detail"]), sample
    assert event["region"] == event["detail"]["awsRegion"]
    if sample == "forged_custom_event":
        # Sent by someone, not by AWS: a source of its own, and the account it claims.
        assert not event["source"].startswith("aws.") and event["detail"]["recipientAccountId"] == "999999999999"
        return
    assert event["account"] == event["detail"]["recipientAccountId"]
    assert event["detail"]["eventSource"].split(".")[0] == event["source"].split(".")[1]


@pytest.mark.parametrize("name,sample,event,should_match",
                         [case for case in SAMPLES if case.values[3]])
def test_message_names_the_event_and_the_account(name, sample, event, should_match):
    profile = ap.PROFILES[name]
    message = json.loads(alert_message.render(profile["input_template"], profile["input_paths_map"], event))
    assert "<" not in json.dumps(message), message
    assert "AWS account %s" % event["account"] in message["alert"] and "recorded in %s" % event["region"] in message["alert"]
    assert message["event_history"] == "https://%s.console.aws.amazon.com/cloudtrailv2/home?region=%s#/events" % (
        event["region"], event["region"])
    assert message["time"] == event["detail"]["eventTime"] and message["source_ip"] == event["detail"]["sourceIPAddress"]
    assert message["event_id"] == event["detail"]["eventID"] and message["user_agent"] == event["detail"]["userAgent"]
    if name == "console_sign_in":
        assert "console sign-in" in message["alert"]
        # A sign-in event without a ConsoleLogin result (PasswordUpdated) reads "" there, as EventBridge puts it.
        assert message["result"] == (event["detail"]["responseElements"] or {}).get("ConsoleLogin", "")
    elif name == "assume_root":
        assert message["event"] == "AssumeRoot" and message["caller"] == event["detail"]["userIdentity"]["arn"]
    else:
        assert message["event"] == event["detail"]["eventName"] and message["identity"] == event["detail"]["userIdentity"]["arn"]


def test_the_sign_in_email_written_out():
    assert json.loads(alert_samples.sample_email("us-east-1", "222222222222")) == {
        "alert": "Root user console sign-in to AWS account 222222222222 (recorded in us-east-1). The other fields are copied "
                 "from the CloudTrail record.",
        "result": "Success",
        "mfa_used": "No",
        "time": "2026-11-24T06:35:38Z",
        "source_ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        "event_id": "3b7a9f1c-0000-4000-8000-000000000002",
        "event_history": "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events",
    }


def test_samples_follow_account_and_region():
    for name in ap.PROFILE_NAMES:
        for sample, (event, unused_should) in alert_samples.sample_events(name, ACCOUNT, REGION).items():
            if sample == "root_session_action" and name == "assume_root":
                assert event["account"] == "222222222222"
            else:
                assert event["account"] == ACCOUNT, (name, sample)
    credentials = alert_samples.sample_events("credential_changes", ACCOUNT, REGION)
    assert {event["region"] for event, unused_should in credentials.values()} == {"us-east-1"}
    assert alert_samples.sample_events("api_activity", ACCOUNT, REGION)["root_create_bucket"][0]["region"] == REGION
    assert alert_samples.sample_events("assume_root", ACCOUNT, REGION)["assumed_role_assume_root"][0]["region"] == REGION


def test_sample_events_accepts_a_profile_dict_and_returns_fresh_copies():
    first = alert_samples.sample_events(ap.PROFILES["api_activity"])
    first["root_create_bucket"][0]["detail"]["eventName"] = "changed"
    assert alert_samples.sample_events("api_activity")["root_create_bucket"][0]["detail"]["eventName"] == "CreateBucket"


def test_sample_events_unknown_profile():
    with pytest.raises(ValueError, match="unknown profile 'nope'"):
        alert_samples.sample_events("nope")
