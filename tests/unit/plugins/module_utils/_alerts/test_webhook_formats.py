# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Webhook payloads (golden files, each receiver's documented required fields, hostile values), the variable's
checks, and the secret fingerprint."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import hashlib
import hmac
import json
import os

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import messages as alert_message
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as alert_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import samples as alert_samples
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import webhook_formats as wf

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
ROUTING_KEY = "R0123456789abcdefABCDEF012345678"
SECRET = "s3cr3t-Value-0123456789"
SLACK_URL = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue"
OPSGENIE_URL = "https://api.opsgenie.com/v2/alerts"

# Each receiver's required fields, written out from its documentation (not from the code under test).
# PagerDuty "Send an Alert Event": routing_key, event_action, payload.summary (<= 1024), payload.source,
# payload.severity (critical|error|warning|info); dedup_key <= 255.
PAGERDUTY_REQUIRED = ["routing_key", "event_action", "payload.summary", "payload.source", "payload.severity"]
PAGERDUTY_SEVERITIES = ["critical", "error", "warning", "info"]
# Opsgenie Create Alert: message mandatory (130); alias 512; description 15000; priority P1-P5.
OPSGENIE_REQUIRED = ["message"]
OPSGENIE_PRIORITIES = ["P1", "P2", "P3", "P4", "P5"]
# Slack incoming webhook: text.
SLACK_REQUIRED = ["text"]
# The EventBridge event envelope (raw: the event as delivered).
RAW_REQUIRED = ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]


def _get(payload, dotted):
    value = payload
    for part in dotted.split("."):
        assert isinstance(value, dict) and part in value, "missing %s" % dotted
        value = value[part]
    return value


def check_pagerduty(payload, event):
    for field in PAGERDUTY_REQUIRED:
        value = _get(payload, field)
        assert isinstance(value, str) and value.strip(), field
    assert len(payload["routing_key"]) == 32
    assert payload["event_action"] == "trigger"
    assert len(payload["payload"]["summary"]) <= 1024
    assert payload["payload"]["severity"] in PAGERDUTY_SEVERITIES
    assert payload["dedup_key"] == event["id"] and len(payload["dedup_key"]) <= 255


def check_opsgenie(payload, event):
    for field in OPSGENIE_REQUIRED:
        assert isinstance(payload.get(field), str) and payload[field].strip(), field
    assert len(payload["message"]) <= 130
    assert payload["alias"] == event["id"] and len(payload["alias"]) <= 512
    assert len(payload["description"]) <= 15000
    assert payload["priority"] in OPSGENIE_PRIORITIES


def check_slack(payload, event):
    for field in SLACK_REQUIRED:
        assert isinstance(payload.get(field), str) and payload[field].strip(), field
    assert event["account"] in payload["text"]


def check_raw(payload, event):
    for field in RAW_REQUIRED:
        assert field in payload, field
    assert payload == event


CHECKS = {"pagerduty_v2": check_pagerduty, "opsgenie": check_opsgenie, "slack_webhook": check_slack, "raw": check_raw}


def _key(fmt):
    return ROUTING_KEY if fmt == "pagerduty_v2" else None


@pytest.mark.parametrize("fmt", wf.FORMATS)
@pytest.mark.parametrize("profile", alert_profiles.PROFILE_NAMES)
def test_golden_payload_of_each_sample_event_meets_the_receivers_required_fields(fmt, profile):
    with open(os.path.join(GOLDEN, "webhook_%s_%s.json" % (fmt, profile))) as handle:
        golden = json.load(handle)
    samples = alert_samples.sample_events(profile)
    payloads = dict((name, wf.render_payload(fmt, profile, event, _key(fmt)))
                    for name, (event, should_match) in samples.items() if should_match)
    assert payloads == golden
    assert payloads, "the profile has events it must match"
    for name, payload in payloads.items():
        CHECKS[fmt](payload, samples[name][0])


@pytest.mark.parametrize("fmt", ["pagerduty_v2", "opsgenie", "slack_webhook"])
@pytest.mark.parametrize("profile", alert_profiles.PROFILE_NAMES)
def test_no_sender_written_field_is_inside_a_json_string(fmt, profile):
    transformer = wf.input_transformer(fmt, profile, _key(fmt))
    assert alert_message.quoted_sender_fields(transformer["input_template"], transformer["input_paths_map"]) == []
    # Every path the template uses is mapped, and nothing else.
    used = set(wf.PLACEHOLDER_RE.findall(transformer["input_template"]))
    assert used == set(transformer["input_paths_map"])
    assert len(transformer["input_template"]) <= 8192  # InputTransformer.InputTemplate limit


@pytest.mark.parametrize("fmt", ["pagerduty_v2", "opsgenie"])
def test_the_dedup_key_is_the_envelope_event_id(fmt):
    transformer = wf.input_transformer(fmt, "console_sign_in", _key(fmt))
    assert transformer["input_paths_map"]["id"] == "$.id"


@pytest.mark.parametrize("fmt", ["pagerduty_v2", "opsgenie", "slack_webhook"])
def test_hostile_values_stay_values(fmt):
    event = copy.deepcopy(alert_samples.sample_events("console_sign_in")["root_sign_in"][0])
    hostile = 'x", "event_action": "resolve", "priority": "P5", "text": "all clear'
    event["detail"]["userAgent"] = hostile
    event["detail"]["sourceIPAddress"] = "<script>\\\"}"
    payload = wf.render_payload(fmt, "console_sign_in", event, _key(fmt))
    CHECKS[fmt](payload, event)
    if fmt == "pagerduty_v2":
        assert payload["event_action"] == "trigger"
        assert payload["payload"]["custom_details"]["user_agent"] == hostile
    elif fmt == "opsgenie":
        assert payload["priority"] == "P1" and payload["details"]["user_agent"] == hostile
    else:
        assert hostile not in payload["text"] and "all clear" not in payload["text"]


def test_a_missing_detail_field_still_renders_valid_json():
    event = copy.deepcopy(alert_samples.sample_events("console_sign_in")["root_sign_in"][0])
    del event["detail"]["userAgent"]
    payload = wf.render_payload("pagerduty_v2", "console_sign_in", event, ROUTING_KEY)
    assert payload["payload"]["custom_details"]["user_agent"] == ""
    check_pagerduty(payload, event)


def test_raw_has_no_transformer_and_pagerduty_needs_its_key():
    assert wf.input_transformer("raw", "api_activity") is None
    with pytest.raises(ValueError, match="routing key"):
        wf.input_transformer("pagerduty_v2", "console_sign_in")


# -- the variable ----------------------------------------------------------------------
def _hook(**extra):
    hook = {"name": "oncall", "url": OPSGENIE_URL, "format": "opsgenie",
            "auth": {"type": "api_key", "value": "GenieKey " + SECRET}}
    hook.update(extra)
    return hook


def test_valid_webhooks_get_their_defaults():
    result = wf.validate_webhooks([
        _hook(),
        {"name": "pd", "url": PAGERDUTY_URL, "format": "pagerduty_v2", "routing_key": ROUTING_KEY},
        {"name": "slack", "url": SLACK_URL, "format": "slack_webhook"},
        {"name": "raw", "url": "https://example.com/hook", "format": "raw",
         "auth": {"type": "oauth", "client_id": "id", "client_secret": SECRET,
                  "authorization_endpoint": "https://example.com/token", "body_parameters": {"grant_type": "client_credentials"}}},
        {"name": "basic", "url": "https://example.com/b", "format": "raw", "auth": {"type": "basic", "username": "u", "password": SECRET},
         "rate_limit_per_second": 5},
    ], prefix="root-login-alerts")
    assert result[0]["auth"] == {"type": "api_key", "header": "Authorization", "value": "GenieKey " + SECRET}
    assert result[1]["auth"] == {"type": "api_key", "header": "X-Rootwatch-Source", "value": "rootwatch.aws"}
    assert result[2]["auth"]["type"] == "api_key"
    assert result[3]["auth"]["http_method"] == "POST" and result[3]["auth"]["header_parameters"] == {}
    assert result[4]["rate_limit_per_second"] == 5 and result[0]["rate_limit_per_second"] is None
    assert wf.validate_webhooks(None) == []


@pytest.mark.parametrize("webhook, where", [
    (_hook(name="bad name"), r"webhooks\[0\]\.name"),
    (_hook(name="x" * 50), r"webhooks\[0\]\.name .*longer than EventBridge's 64"),
    (_hook(url="http://api.opsgenie.com/v2/alerts"), r"webhooks\[0\]\.url must be an https URL"),
    (_hook(url="https://user:pw@api.opsgenie.com/v2/alerts"), r"webhooks\[0\]\.url .*no user name"),
    (_hook(url="https://api.opsgenie.com/v2/alerts with space"), r"webhooks\[0\]\.url .*percent-encode"),
    (_hook(format="teams"), r"webhooks\[0\]\.format must be one of pagerduty_v2, opsgenie"),
    (_hook(auth=None), r"webhooks\[0\]\.auth is required for format opsgenie"),
    (_hook(auth={"type": "token"}), r"webhooks\[0\]\.auth\.type must be one of api_key, basic, oauth"),
    (_hook(auth={"type": "api_key"}), r"webhooks\[0\]\.auth\.value must be"),
    (_hook(auth={"type": "basic", "username": "u", "value": "v"}), r"webhooks\[0\]\.auth has keys .*value"),
    (_hook(auth={"type": "oauth", "client_id": "i", "client_secret": "s", "authorization_endpoint": "http://x"}),
     r"webhooks\[0\]\.auth\.authorization_endpoint must be an https URL"),
    (_hook(routing_key=ROUTING_KEY), r"webhooks\[0\]\.routing_key is only for format pagerduty_v2"),
    (_hook(format="pagerduty_v2"), r"webhooks\[0\]\.routing_key must be the 32-character"),
    (_hook(format="pagerduty_v2", routing_key="short"), r"webhooks\[0\]\.routing_key must be the 32-character"),
    (_hook(rate_limit_per_second=0), r"webhooks\[0\]\.rate_limit_per_second"),
    (_hook(channel="x"), r"webhooks\[0\] has unknown keys channel"),
])
def test_bad_input_names_the_key(webhook, where):
    with pytest.raises(ValueError, match=where):
        wf.validate_webhooks([webhook], prefix="root-login-alerts")


def test_duplicate_names_and_wrong_types():
    with pytest.raises(ValueError, match=r"webhooks\[1\]\.name 'oncall' is also the name of .*\[0\]"):
        wf.validate_webhooks([_hook(), _hook()])
    with pytest.raises(ValueError, match="webhooks must be a list"):
        wf.validate_webhooks({"name": "x"})
    with pytest.raises(ValueError, match=r"webhooks\[0\] must be a mapping"):
        wf.validate_webhooks(["oncall"])


@pytest.mark.parametrize("auth", [
    {"type": "api_key", "value": SECRET + "\n"},
    {"type": "basic", "username": "u", "password": SECRET + ":x"},
])
def test_a_bad_secret_is_not_repeated_in_the_error(auth):
    with pytest.raises(ValueError) as raised:
        wf.validate_webhooks([_hook(auth=auth)])
    assert SECRET not in str(raised.value)


def test_a_bad_url_is_not_repeated_in_the_error():
    with pytest.raises(ValueError) as raised:
        wf.validate_webhooks([_hook(format="slack_webhook", auth=None, url=SLACK_URL + " x")])
    assert "XXXXXXXX" not in str(raised.value)


# -- secrets --------------------------------------------------------------------------
def test_secret_values_lists_every_secret_but_the_placeholder():
    hooks = wf.validate_webhooks([
        _hook(),
        {"name": "pd", "url": PAGERDUTY_URL, "format": "pagerduty_v2", "routing_key": ROUTING_KEY},
    ])
    assert wf.secret_values(hooks[0]) == ["GenieKey " + SECRET, OPSGENIE_URL]
    assert wf.secret_values(hooks[1]) == [ROUTING_KEY, PAGERDUTY_URL]


def test_fingerprint_is_hmac_sha256_keyed_by_the_connection_and_the_users_key():
    auth = {"type": "api_key", "header": "Authorization", "value": SECRET}
    # Written out independently: key = the version line, account, Region, name, user key; message = the secrets.
    key = b"rootwatch.aws/webhook-secret/v1\n111111111111\nus-east-1\nroot-login-alerts-oncall\n"
    message = ('{"secrets":["%s"],"type":"api_key"}' % SECRET).encode("utf-8")
    expected = hmac.new(key, message, hashlib.sha256).hexdigest()
    assert wf.secret_fingerprint(auth, "111111111111", "us-east-1", "root-login-alerts-oncall") == expected
    others = [
        wf.secret_fingerprint(dict(auth, value=SECRET + "2"), "111111111111", "us-east-1", "root-login-alerts-oncall"),
        wf.secret_fingerprint(auth, "222222222222", "us-east-1", "root-login-alerts-oncall"),
        wf.secret_fingerprint(auth, "111111111111", "eu-west-1", "root-login-alerts-oncall"),
        wf.secret_fingerprint(auth, "111111111111", "us-east-1", "root-login-alerts-other"),
        wf.secret_fingerprint(auth, "111111111111", "us-east-1", "root-login-alerts-oncall", fingerprint_key="k"),
    ]
    assert expected not in others and len(set(others)) == len(others)
    assert SECRET not in expected
    assert wf.fingerprints_equal(expected, expected) and not wf.fingerprints_equal(expected, None)


def test_endpoint_display_hides_the_path():
    assert wf.endpoint_display(SLACK_URL) == "https://hooks.slack.com/..."
    assert wf.endpoint_display(None) == ""


def test_the_webhooks_option_masks_every_secret_and_nothing_else():
    """Written out as the stack's option was before it was built from the keys: a secret that loses no_log, or a
    name that gains it (Ansible would then mask every alert that mentions it), fails here."""
    assert wf.webhooks_argument_spec() == dict(type="list", elements="dict", default=[], options=dict(
        name=dict(type="str"),
        url=dict(type="str", no_log=True),
        format=dict(type="str"),
        routing_key=dict(type="str", no_log=True),
        rate_limit_per_second=dict(type="int"),
        auth=dict(type="dict", options=dict(
            type=dict(type="str"),
            header=dict(type="str"),
            value=dict(type="str", no_log=True),
            username=dict(type="str"),
            password=dict(type="str", no_log=True),
            client_id=dict(type="str"),
            client_secret=dict(type="str", no_log=True),
            authorization_endpoint=dict(type="str"),
            http_method=dict(type="str"),
            body_parameters=dict(type="dict"),
            header_parameters=dict(type="dict"),
            query_string_parameters=dict(type="dict"),
        )),
    ))
