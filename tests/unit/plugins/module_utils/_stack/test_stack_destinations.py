# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack with chat channels and webhooks: validation, what it builds, stale targets, the role gate.

AWS services come from the emulator; the chat service, which moto does not model, from botocore Stubber
answers shaped like its API reference (DescribeSlackChannelConfigurations, ListMicrosoftTeamsChannelConfigurations,
CreateSlackChannelConfiguration, DeleteSlackChannelConfiguration; ``State`` and ``Tags`` in the list answers).
The Stubber fails on any call not queued, so these tests also prove which chat calls each flow makes.
Emulator quirk: moto creates no subscription for the chat service (the service itself subscribes its endpoint to
the topics a configuration lists on AWS), so the chat path stays incomplete here and says why.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from aws_stubs import Stubs  # pylint: disable=import-error
from emulator import Emulator  # pylint: disable=import-error

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import chat_message
from ansible_collections.rootwatch.aws.plugins.module_utils._stack import notices
from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import retry_decorator
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import validate_settings
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.stack import RootLoginAlertsStack
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import UnsafeChangeError

ACCOUNT = "111111111111"
CHAT_REGION = "us-east-2"
CHAT_TOPIC = "arn:aws:sns:us-east-1:111111111111:root-login-alerts-chat"
CHAT_ROLE = "arn:aws:iam::111111111111:role/root-login-alerts-chat"
CONFIG_NAME = "root-login-alerts-slack-T0123ABCD-C0123ABCD"
CONFIG_ARN = "arn:aws:chatbot::111111111111:chat-configuration/slack-channel/" + CONFIG_NAME
SLACK = {"type": "slack", "workspace_id": "T0123ABCD", "channel_id": "C0123ABCD"}
OUR_TAGS = [{"TagKey": "rootwatch:created-by", "TagValue": "root_login_alerts"}]
CHAT_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "chatbot.amazonaws.com"},
                                                      "Action": "sts:AssumeRole"}]}
SETTINGS = {"state": "present", "emails": ["security@example.com"], "region": "us-east-1", "account_id": ACCOUNT,
            "topic_name": "root-login-alerts", "rule_name": "root-login-alerts", "trail": "none", "verify": False,
            "profiles": ["console_sign_in"], "tags": {}}


def slack_configuration(tags=None, state="ENABLED"):
    """One Slack channel configuration as DescribeSlackChannelConfigurations returns it."""
    return {"SlackTeamName": "example", "SlackTeamId": "T0123ABCD", "SlackChannelId": "C0123ABCD", "SlackChannelName": "security",
            "ChatConfigurationArn": CONFIG_ARN, "IamRoleArn": CHAT_ROLE, "SnsTopicArns": [CHAT_TOPIC], "ConfigurationName": CONFIG_NAME,
            "LoggingLevel": "NONE", "GuardrailPolicyArns": ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"],
            "Tags": OUR_TAGS if tags is None else tags, "State": state}


class Clients:
    """The emulator for AWS services in ACCOUNT, Stubber clients for the chat service."""

    def __init__(self, aws):
        self.aws, self.stubs, self.cache = aws, Stubs(), {}

    def __call__(self, service, region=None, attempts=None):  # pylint: disable=unused-argument
        if service == "chatbot":
            return self.stubs.factory(service, region)
        key = (service, region or "us-east-1")
        if key not in self.cache:
            self.cache[key] = RetryingBotoClientWrapper(self.aws.client(service, ACCOUNT, key[1]), retry_decorator())
        return self.cache[key]

    def chat(self):
        return self.stubs.stub("chatbot", CHAT_REGION)


def lists(chat, slack=()):
    chat.add_response("describe_slack_channel_configurations", {"SlackChannelConfigurations": list(slack)}, {})
    chat.add_response("list_microsoft_teams_channel_configurations", {"TeamChannelConfigurations": []}, {})


@pytest.fixture(scope="module")
def aws():
    with Emulator() as server:
        yield server


@pytest.fixture
def clean(aws):
    aws.reset()
    return aws


def run(clients, settings, check_mode=False):
    return RootLoginAlertsStack(clients, "us-east-1", check_mode=check_mode, warn=lambda message: None,
                                account_id=ACCOUNT).ensure(settings)


def with_chat_role(aws):
    aws.client("iam", ACCOUNT).create_role(RoleName="root-login-alerts-chat", AssumeRolePolicyDocument=json.dumps(CHAT_TRUST))


# -- validation ---------------------------------------------------------------------------
INVALID = [
    ("a channel without its workspace", {"chat_channels": [{"type": "slack", "channel_id": "C0123ABCD"}]},
     "root_login_alerts_chat_channels[0].workspace_id is required (a string)"),
    ("a webhook with a short routing key", {"webhooks": [{"name": "pd", "url": "https://events.pagerduty.com/v2/enqueue",
                                                          "format": "pagerduty_v2", "routing_key": "short"}]},
     "root_login_alerts_webhooks[0].routing_key must be the 32-character PagerDuty integration key"),
    ("the chat topic is the email topic", {"chat_channels": [SLACK], "chat_topic_name": "root-login-alerts"},
     "root_login_alerts_chat_topic_name must differ from root_login_alerts_topic_name"),
    ("a bad role name", {"webhook_role_name": "no spaces please"}, "root_login_alerts_webhook_role_name must be an IAM role name (1-64 letters"),
    ("an empty fingerprint key", {"webhook_fingerprint_key": ""}, "root_login_alerts_webhook_fingerprint_key must be a non-empty string"),
    ("six targets of ours on a rule", {"chat_channels": [SLACK], "webhooks": [
        {"name": "h%d" % i, "url": "https://example.com/%d" % i, "format": "raw", "auth": {"type": "api_key", "value": "v"}} for i in range(5)]},
     "root_login_alerts_webhooks lists 5 webhooks: with the email topic and the chat topic every alert rule would have 7 targets"),
]


@pytest.mark.parametrize("label,change,message", INVALID, ids=[v[0] for v in INVALID])
def test_bad_destinations_are_refused_naming_the_variable(label, change, message):
    with pytest.raises(ValueError) as caught:
        validate_settings(dict(SETTINGS, **change), prefix="root_login_alerts_")
    assert str(caught.value).startswith(message), str(caught.value)


def test_sub_options_ansible_left_none_are_as_if_not_given():
    settings = validate_settings(dict(SETTINGS, webhooks=[{
        "name": "pd", "url": "https://events.pagerduty.com/v2/enqueue", "format": "pagerduty_v2", "routing_key": "A" * 32,
        "rate_limit_per_second": None, "auth": None}]))
    assert settings["webhooks"][0]["auth"]["header"] == "X-Rootwatch-Source"  # the placeholder auth of formats that need none


# -- flows ----------------------------------------------------------------------------------
def test_nothing_is_read_for_destinations_without_chat_or_webhooks(clean):
    clients = Clients(clean)
    run(clients, SETTINGS)
    clean.clear_recording()
    result = run(clients, SETTINGS, check_mode=True)
    assert result["changed"] is False and "chat" not in result and "webhooks" not in result
    assert [r.action for r in clean.requests() if r.action in ("GetRole", "DescribeConnection", "DescribeApiDestination")] == []
    clients.stubs.assert_done()  # not one chat call


def test_chat_apply_builds_the_topic_the_targets_and_the_channel_then_converges(clean):
    with_chat_role(clean)
    clients = Clients(clean)
    settings = dict(SETTINGS, chat_channels=[SLACK])
    chat = clients.chat()
    lists(chat)
    chat.add_response("create_slack_channel_configuration", {"ChannelConfiguration": slack_configuration()}, {
        "ConfigurationName": CONFIG_NAME, "SlackTeamId": "T0123ABCD", "SlackChannelId": "C0123ABCD", "IamRoleArn": CHAT_ROLE,
        "SnsTopicArns": [CHAT_TOPIC], "GuardrailPolicyArns": ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"], "LoggingLevel": "NONE",
        "Tags": OUR_TAGS})
    lists(chat, [slack_configuration()])  # the verdict after the apply
    result = run(clients, settings)
    clients.stubs.assert_done()
    assert "create topic root-login-alerts-chat" in result["changes"]
    assert "create Slack channel configuration %s" % CONFIG_NAME in result["changes"]
    assert result["chat"]["topic_arn"] == CHAT_TOPIC and result["chat"]["role"]["usable"] is True
    events = clean.client("events", ACCOUNT)
    targets = dict((t["Id"], t) for t in events.list_targets_by_rule(Rule="root-login-alerts")["Targets"])
    chat_target = targets["rootwatch-root-login-alerts-chat"]
    assert chat_target["Arn"] == CHAT_TOPIC
    assert chat_target["InputTransformer"]["InputTemplate"] == chat_message.input_transformer("console_sign_in")["input_template"]
    assert chat_target["DeadLetterConfig"] == targets["rootwatch-root-login-alerts"]["DeadLetterConfig"]
    assert chat_target["RetryPolicy"] == {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}
    policy = json.loads(clean.client("sns", ACCOUNT).get_topic_attributes(TopicArn=CHAT_TOPIC)["Attributes"]["Policy"])
    ours = [s for s in policy["Statement"] if s.get("Sid") == "RootwatchAllowEventBridgePublish"][0]
    rule = "arn:aws:events:us-east-1:111111111111:rule/root-login-alerts"
    assert ours["Condition"]["ArnEquals"]["aws:SourceArn"] in (rule, [rule])
    # The emulator has no chat-service subscription (see the module docstring): the path says so.
    chat_path = [p for p in result["compliance"]["paths"] if p["target_id"] == "rootwatch-root-login-alerts-chat"][0]
    links = dict((entry["link"], entry) for entry in chat_path["links"])
    assert chat_path["ours"] is True and links["recipients"]["reason"] == "topic root-login-alerts-chat has no confirmed subscription"
    assert links["topic_policy"]["ok"] is True  # (trail none: the event-source link is broken in this account anyway)

    # Converged: the two chat lists, the chat topic's reads and GetRole; no write anywhere.
    lists(chat, [slack_configuration()])
    clean.clear_recording()
    again = run(clients, settings, check_mode=True)
    clients.stubs.assert_done()
    assert again["changed"] is False, again["changes"]
    assert clean.write_requests() == []
    reads = sorted(r.action for r in clean.requests() if r.action in ("GetRole", "GetTopicAttributes"))
    assert reads == ["GetRole", "GetTopicAttributes", "GetTopicAttributes"]


def test_chat_no_longer_configured_loses_its_target_channel_and_topic(clean):
    with_chat_role(clean)
    clients = Clients(clean)
    chat = clients.chat()
    lists(chat)
    chat.add_response("create_slack_channel_configuration", {"ChannelConfiguration": slack_configuration()})
    lists(chat, [slack_configuration()])
    run(clients, dict(SETTINGS, chat_channels=[SLACK]))
    # Without chat channels: our stale target goes, then our configuration (found by prefix and tag), then the topic.
    lists(chat, [slack_configuration()])
    chat.add_response("delete_slack_channel_configuration", {}, {"ChatConfigurationArn": CONFIG_ARN})
    result = run(clients, SETTINGS)
    clients.stubs.assert_done()
    assert "delete Slack channel configuration %s" % CONFIG_NAME in result["changes"]
    assert "delete topic root-login-alerts-chat" in result["changes"]
    ids = [t["Id"] for t in clean.client("events", ACCOUNT).list_targets_by_rule(Rule="root-login-alerts")["Targets"]]
    assert ids == ["rootwatch-root-login-alerts"]
    assert CHAT_TOPIC not in [t["TopicArn"] for t in clean.client("sns", ACCOUNT).list_topics()["Topics"]]


def test_a_missing_chat_role_stops_the_apply_before_its_first_write(clean):
    clients = Clients(clean)
    lists(clients.chat())
    clean.clear_recording()
    with pytest.raises(UnsafeChangeError) as caught:
        run(clients, dict(SETTINGS, chat_channels=[SLACK]))
    assert str(caught.value) == (
        "Account 111111111111: nothing was changed, because IAM role root-login-alerts-chat (root_login_alerts_chat_role_name, the role "
        "the chat service assumes for the channel configurations) does not exist: create it with docs/member-role.yml (parameter "
        "CreateChatRole)")
    assert clean.write_requests() == []
    clients.stubs.assert_done()


def test_an_audit_names_the_missing_chat_role_and_needs_action(clean):
    clients = Clients(clean)
    lists(clients.chat())
    result = run(clients, dict(SETTINGS, chat_channels=[SLACK]), check_mode=True)
    assert result["compliance"]["status"] == "needs_action"
    assert [p for p in result["compliance"]["problems"] if "IAM role root-login-alerts-chat" in p and "CreateChatRole" in p]
    assert "create Slack channel configuration %s" % CONFIG_NAME in result["changes"]
    assert clean.write_requests() == []


def test_a_configuration_of_our_name_without_our_tag_stops_before_any_write(clean):
    with_chat_role(clean)
    clients = Clients(clean)
    lists(clients.chat(), [slack_configuration(tags=[])])
    clean.clear_recording()
    with pytest.raises(ForeignResourceError) as caught:
        run(clients, dict(SETTINGS, chat_channels=[SLACK]))
    assert "Chat channel configuration %s" % CONFIG_NAME in str(caught.value)
    assert clean.write_requests() == []
    clients.stubs.assert_done()


def test_a_routing_key_read_back_from_aws_is_redacted_in_results():
    template = '{"routing_key": "Rk7Qz2Xw9Lm4Np6Vb1Cd3Ef5Gh8Jt0Sy", "event_action": "trigger", "dedup_key": <id>}'
    found = notices.redact_routing_keys({"rule": {"targets": [{"input_transformer": {"input_template": template}}]}})
    assert found["rule"]["targets"][0]["input_transformer"]["input_template"] == (
        '{"routing_key": "(secret, not shown)", "event_action": "trigger", "dedup_key": <id>}')
