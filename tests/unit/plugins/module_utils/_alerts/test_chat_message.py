# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The chat payload: golden files per profile, the custom-notification required fields, and hostile event values."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import samples as alert_samples
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import chat_message
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.messages import quoted_sender_fields
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.input_template import PLACEHOLDER_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.input_template import template_segments
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.targets import validate_targets

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
PROFILES = ["console_sign_in", "api_activity", "credential_changes", "assume_root"]

# Custom notifications page of the admin guide, "Parameter details" (written out, not read from the code):
# version "Must be 1.0" and source "Must be custom" are required; so is content.description; textType, if
# given, "Only client-markdown textType is currently supported".
# https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html
REQUIRED = [(("version",), "1.0"), (("source",), "custom"), (("content", "description"), None)]
STRING_FIELDS = [("id",), ("content", "title"), ("content", "description"), ("content", "textType"),
                 ("metadata", "summary"), ("metadata", "eventType")]
KNOWN_TOP = {"version", "source", "id", "content", "metadata"}
KNOWN_CONTENT = {"textType", "title", "description", "nextSteps", "keywords"}
KNOWN_METADATA = {"threadId", "summary", "eventType", "relatedResources", "additionalContext"}


def _get(payload, path):
    value = payload
    for key in path:
        assert isinstance(value, dict) and key in value, "missing %s" % ".".join(path)
        value = value[key]
    return value


def assert_valid_custom_notification(payload):
    for path, expected in REQUIRED:
        value = _get(payload, path)
        assert isinstance(value, str) and value, ".".join(path)
        if expected is not None:
            assert value == expected
    assert set(payload) <= KNOWN_TOP
    assert set(payload["content"]) <= KNOWN_CONTENT
    assert set(payload.get("metadata", {})) <= KNOWN_METADATA
    assert payload["content"].get("textType", "client-markdown") == "client-markdown"
    for path in STRING_FIELDS:
        try:
            value = _get(payload, path)
        except AssertionError:
            continue
        assert isinstance(value, str), ".".join(path)
    for key in ("nextSteps", "keywords"):
        assert all(isinstance(item, str) for item in payload["content"].get(key, []))
    context = payload.get("metadata", {}).get("additionalContext", {})
    assert all(isinstance(value, str) for value in context.values()), context


@pytest.mark.parametrize("name", PROFILES)
def test_golden_payload_of_each_sample_event(name):
    with open(os.path.join(GOLDEN, "chat_%s.json" % name)) as handle:
        golden = json.load(handle)
    payloads = chat_message.sample_payloads(name)
    assert payloads == golden
    matching = [sample for sample, (_event, match) in alert_samples.sample_events(name).items() if match]
    assert sorted(payloads) == sorted(matching)
    for payload in payloads.values():
        assert_valid_custom_notification(payload)


def test_the_sign_in_payload_carries_the_emails_facts():
    payload = chat_message.sample_payloads("console_sign_in")["root_sign_in"]
    assert payload["metadata"]["additionalContext"] == {
        "event_id": "3b7a9f1c-0000-4000-8000-000000000002",
        "mfa_used": "No",
        "result": "Success",
        "source_ip": "203.0.113.7",
        "time": "2026-11-24T06:35:38Z",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
    }
    assert payload["content"]["title"] == ":rotating_light: Root user console sign-in to AWS account 111111111111"
    assert payload["id"] == "3b7a9f1c-0000-4000-8000-000000000002"


def test_email_facts_are_read_from_the_email_template():
    assert chat_message.email_facts("console_sign_in") == [
        ("event_id", "eventid"), ("mfa_used", "mfa"), ("result", "result"), ("source_ip", "ip"), ("time", "time"),
        ("user_agent", "agent"),
    ]


@pytest.mark.parametrize("name", PROFILES)
def test_only_envelope_fields_are_inside_strings(name):
    transformer = chat_message.input_transformer(name)
    template, paths = transformer["input_template"], transformer["input_paths_map"]
    assert quoted_sender_fields(template, paths) == []
    in_strings = set()
    for run, in_string in template_segments(template):
        if in_string:
            in_strings.update(PLACEHOLDER_RE.findall(run))
    assert in_strings <= {"account", "region"}
    assert set(PLACEHOLDER_RE.findall(template)) == set(paths)
    # The same option form as every other target: it passes the targets validator.
    validate_targets([{"id": "chat", "arn": "arn:aws:sns:us-east-1:111111111111:root-login-alerts-chat",
                       "input_transformer": transformer}])


HOSTILE_AGENTS = [
    '", "title": "all clear", "x": "',
    "<https://evil.example/reset|Reset your root MFA here>",
    "[Reset your root MFA](https://evil.example/reset) *urgent* `code`",
    "}\n{\"version\": \"1.0\"",
]


@pytest.mark.parametrize("agent", HOSTILE_AGENTS)
@pytest.mark.parametrize("name", PROFILES)
def test_hostile_values_stay_json_values_out_of_the_rendered_text(name, agent):
    samples = alert_samples.sample_events(name)
    sample = sorted(sample for sample, (_event, match) in samples.items() if match)[0]
    event = copy.deepcopy(samples[sample][0])
    event["detail"]["userAgent"] = agent
    event["detail"]["sourceIPAddress"] = agent
    transformer = chat_message.input_transformer(name)
    benign = chat_message.render(transformer, samples[sample][0])
    hostile = chat_message.render(transformer, event)
    assert_valid_custom_notification(hostile)
    assert hostile["content"] == benign["content"]
    assert hostile["metadata"]["summary"] == benign["metadata"]["summary"]
    assert hostile["metadata"]["additionalContext"]["user_agent"] == agent
    assert hostile["metadata"]["additionalContext"]["source_ip"] == agent
    assert agent not in json.dumps(hostile["content"])


def test_a_missing_field_becomes_an_empty_string():
    # EventBridge inserts "" for a path missing from the event (alert_message, LocalStack's snapshot of AWS).
    event = copy.deepcopy(alert_samples.sample_events("console_sign_in")["root_sign_in"][0])
    del event["detail"]["userAgent"]
    payload = chat_message.render(chat_message.input_transformer("console_sign_in"), event)
    assert payload["metadata"]["additionalContext"]["user_agent"] == ""
    assert_valid_custom_notification(payload)


def test_region_and_account_come_from_the_envelope():
    payload = chat_message.sample_payloads("api_activity", account_id="222222222222", region="eu-west-1")
    sample = payload["root_create_bucket"]
    assert sample["content"]["title"].endswith("AWS account 222222222222")
    assert "https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events" in sample["content"]["description"]


def test_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="unknown profile"):
        chat_message.input_transformer("nope")
