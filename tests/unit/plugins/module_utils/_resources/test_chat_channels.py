# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ChatChannelManager against botocore Stubber answers shaped like the chat service's API reference.

moto 5 does not model the ``chatbot`` service at all, so every answer here is written out from the
API reference (DescribeSlackChannelConfigurations, ListMicrosoftTeamsChannelConfigurations, ...).
A Stubber fails on any call not queued: the queues are the request counts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import ChatChannelManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import configuration_name
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import validate_channels
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import AwsCallError

from aws_stubs import Stubs  # pylint: disable=import-error

API_REGION = "us-east-2"
ACCOUNT = "111111111111"
TOPIC = "arn:aws:sns:us-east-1:111111111111:root-login-alerts-chat"
OTHER_TOPIC = "arn:aws:sns:us-east-1:111111111111:someone-elses-topic"
ROLE = "arn:aws:iam::111111111111:role/root-login-alerts-chatbot"
GUARDRAIL = "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"
OWNER = {"managed-by": "rootwatch.aws"}
TENANT = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
TEAM = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
TEAMS_CHANNEL = "19%3Ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2"
SLACK = {"type": "slack", "workspace_id": "T0123ABCD", "channel_id": "C0123ABCD"}
TEAMS = {"type": "teams", "tenant_id": TENANT, "team_id": TEAM, "channel_id": "19:b6ef35dc342d56ba5654e6fc6d25a071@thread.tacv2"}
SLACK_NAME = "root-login-alerts-slack-T0123ABCD-C0123ABCD"
SLACK_ARN = "arn:aws:chatbot::111111111111:chat-configuration/slack-channel/" + SLACK_NAME
TAGS = ({"TagKey": "managed-by", "TagValue": "rootwatch.aws"}, {"TagKey": "team", "TagValue": "security"})


def params(**overrides):
    result = {"channels": [SLACK], "topic_arns": [TOPIC], "role_arn": ROLE, "name_prefix": "root-login-alerts",
              "tags": {"team": "security"}, "owner_tag": dict(OWNER), "state": "present"}
    result.update(overrides)
    return result


def slack_configuration(name=SLACK_NAME, arn=SLACK_ARN, topics=(TOPIC,), tags=TAGS, **extra):
    configuration = {
        "SlackTeamName": "Example", "SlackTeamId": "T0123ABCD", "SlackChannelId": "C0123ABCD",
        "SlackChannelName": "security-alerts", "ChatConfigurationArn": arn, "IamRoleArn": ROLE,
        "SnsTopicArns": list(topics), "ConfigurationName": name, "LoggingLevel": "NONE",
        "GuardrailPolicyArns": [GUARDRAIL], "State": "ENABLED",
    }
    if tags is not None:
        configuration["Tags"] = list(tags)
    configuration.update(extra)
    return configuration


def teams_configuration(name, tags=TAGS):
    # Lower-case escapes in ChannelId: the same channel as ours, spelled as the API pattern also allows.
    return {
        "ChannelId": TEAMS_CHANNEL.replace("%3A", "%3a"), "ChannelName": "Security", "TeamId": TEAM, "TeamName": "SecOps",
        "TenantId": TENANT, "ChatConfigurationArn": "arn:aws:chatbot::111111111111:chat-configuration/microsoft-teams-channel/" + name,
        "IamRoleArn": ROLE, "SnsTopicArns": [TOPIC], "ConfigurationName": name, "LoggingLevel": "NONE",
        "GuardrailPolicyArns": [GUARDRAIL], "Tags": list(tags), "State": "ENABLED",
    }


def queue_lists(stub, slack=(), teams=()):
    stub.add_response("describe_slack_channel_configurations", {"SlackChannelConfigurations": list(slack)}, {})
    stub.add_response("list_microsoft_teams_channel_configurations", {"TeamChannelConfigurations": list(teams)}, {})


@pytest.fixture
def stubs():
    return Stubs()


def manager(stubs, check_mode=False):
    return ChatChannelManager(stubs.factory, "us-east-1", check_mode=check_mode, warn=stubs.warn, account_id=ACCOUNT)


def test_create_slack_and_teams(stubs):
    stub = stubs.stub("chatbot", API_REGION)
    queue_lists(stub)
    teams_name = configuration_name("root-login-alerts", validate_channels([TEAMS])[0])
    common = {"SnsTopicArns": [TOPIC], "IamRoleArn": ROLE, "GuardrailPolicyArns": [GUARDRAIL], "LoggingLevel": "NONE"}
    stub.add_response("create_slack_channel_configuration", {"ChannelConfiguration": slack_configuration()}, dict(
        common, ConfigurationName=SLACK_NAME, SlackTeamId="T0123ABCD", SlackChannelId="C0123ABCD",
        Tags=[{"TagKey": "team", "TagValue": "security"}, {"TagKey": "managed-by", "TagValue": "rootwatch.aws"}]))
    stub.add_response("create_microsoft_teams_channel_configuration", {"ChannelConfiguration": teams_configuration(teams_name)}, dict(
        common, ConfigurationName=teams_name, TenantId=TENANT, TeamId=TEAM, ChannelId=TEAMS_CHANNEL,
        Tags=[{"TagKey": "team", "TagValue": "security"}, {"TagKey": "managed-by", "TagValue": "rootwatch.aws"}]))
    result = manager(stubs).ensure(params(channels=[SLACK, TEAMS]))
    stubs.assert_done()
    assert result["changed"] is True
    assert result["changes"] == ["create Slack channel configuration %s" % SLACK_NAME,
                                 "create Microsoft Teams channel configuration %s" % teams_name]
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"][SLACK_NAME]["topic_arns"] == [TOPIC]
    assert teams_name.startswith("root-login-alerts-teams-") and len(teams_name) == len("root-login-alerts-teams-") + 16


def test_converged_run_makes_two_reads_and_no_write(stubs):
    stub = stubs.stub("chatbot", API_REGION)
    teams_name = configuration_name("root-login-alerts", validate_channels([TEAMS])[0])
    queue_lists(stub, [slack_configuration()], [teams_configuration(teams_name)])
    result = manager(stubs).ensure(params(channels=[SLACK, TEAMS]))
    stubs.assert_done()
    assert result["changed"] is False and result["changes"] == []
    assert result["diff"]["before"] == result["diff"]["after"]


def test_topics_drift_is_updated_with_update_call(stubs):
    stub = stubs.stub("chatbot", API_REGION)
    queue_lists(stub, [slack_configuration(topics=(TOPIC, OTHER_TOPIC))])
    stub.add_response("update_slack_channel_configuration", {"ChannelConfiguration": slack_configuration()}, {
        "ChatConfigurationArn": SLACK_ARN, "SlackChannelId": "C0123ABCD", "SnsTopicArns": [TOPIC], "IamRoleArn": ROLE,
        "GuardrailPolicyArns": [GUARDRAIL], "LoggingLevel": "NONE"})
    result = manager(stubs).ensure(params())
    stubs.assert_done()
    assert result["changes"] == ["update Slack channel configuration %s: topic_arns" % SLACK_NAME]
    assert result["diff"]["before"][SLACK_NAME]["topic_arns"] == [TOPIC, OTHER_TOPIC]
    assert result["diff"]["after"][SLACK_NAME]["topic_arns"] == [TOPIC]


def test_check_mode_reads_but_never_writes(stubs):
    stub = stubs.stub("chatbot", API_REGION)
    queue_lists(stub, [slack_configuration(topics=(OTHER_TOPIC,), IamRoleArn="arn:aws:iam::111111111111:role/admin")])
    result = manager(stubs, check_mode=True).ensure(params(channels=[SLACK, TEAMS]))
    stubs.assert_done()  # no write queued: any write would fail the Stubber
    assert result["changed"] is True
    assert result["changes"][0] == "update Slack channel configuration %s: topic_arns, role_arn" % SLACK_NAME
    assert result["changes"][1].startswith("create Microsoft Teams channel configuration root-login-alerts-teams-")


def test_foreign_configuration_with_our_name_is_left_alone(stubs):
    stub = stubs.stub("chatbot", API_REGION)
    queue_lists(stub, [slack_configuration(tags=[{"TagKey": "team", "TagValue": "security"}])])
    with pytest.raises(ForeignResourceError, match="lacks the tag managed-by=rootwatch.aws"):
        manager(stubs).ensure(params(channels=[TEAMS, SLACK]))
    stubs.assert_done()  # the Teams channel was not created either: refused before any write


def test_missing_tags_in_the_list_answer_are_read_with_list_tags(stubs):
    stub = stubs.stub("chatbot", API_REGION)
    queue_lists(stub, [slack_configuration(tags=None)])
    stub.add_response("list_tags_for_resource", {"Tags": TAGS}, {"ResourceARN": SLACK_ARN})
    result = manager(stubs).ensure(params())
    stubs.assert_done()
    assert result["changed"] is False


def test_owner_tag_present_but_other_tag_missing_is_tagged(stubs):
    stub = stubs.stub("chatbot", API_REGION)
    queue_lists(stub, [slack_configuration(tags=[{"TagKey": "managed-by", "TagValue": "rootwatch.aws"}])])
    stub.add_response("tag_resource", {}, {"ResourceARN": SLACK_ARN, "Tags": [{"TagKey": "team", "TagValue": "security"}]})
    result = manager(stubs).ensure(params())
    stubs.assert_done()
    assert result["changes"] == ["tag Slack channel configuration %s: team" % SLACK_NAME]


def test_absent_deletes_only_ours(stubs):
    stub = stubs.stub("chatbot", API_REGION)
    foreign_name = "root-login-alerts-slack-T0123ABCD-C9999ZZZZ"
    foreign = slack_configuration(name=foreign_name, arn=SLACK_ARN.replace(SLACK_NAME, foreign_name), tags=[])
    unrelated = slack_configuration(name="ops-alerts", arn=SLACK_ARN.replace(SLACK_NAME, "ops-alerts"))
    queue_lists(stub, [slack_configuration(), foreign, unrelated])
    stub.add_response("delete_slack_channel_configuration", {}, {"ChatConfigurationArn": SLACK_ARN})
    result = manager(stubs).ensure({"state": "absent", "name_prefix": "root-login-alerts", "owner_tag": dict(OWNER)})
    stubs.assert_done()
    assert result["changes"] == ["delete Slack channel configuration %s" % SLACK_NAME]
    assert result["diff"]["after"] == {}


def test_a_channel_removed_from_the_list_is_deleted(stubs):
    stub = stubs.stub("chatbot", API_REGION)
    teams_name = configuration_name("root-login-alerts", validate_channels([TEAMS])[0])
    teams = teams_configuration(teams_name)
    queue_lists(stub, [slack_configuration()], [teams])
    stub.add_response("delete_microsoft_teams_channel_configuration", {}, {"ChatConfigurationArn": teams["ChatConfigurationArn"]})
    result = manager(stubs).ensure(params())
    stubs.assert_done()
    assert result["changes"] == ["delete Microsoft Teams channel configuration %s" % teams_name]


def test_inventory_reports_state_for_the_verdict(stubs):
    stub = stubs.stub("chatbot", API_REGION)
    queue_lists(stub, [slack_configuration(State="DISABLED", StateReason="Denied by the organization's chat applications policy")])
    found = manager(stubs).inventory(params())
    stubs.assert_done()
    assert found[SLACK_NAME]["state"] == "DISABLED"
    assert found[SLACK_NAME]["owned"] is True
    assert found[SLACK_NAME]["view"]["topic_arns"] == [TOPIC]
    assert found[SLACK_NAME]["view"]["role_arn"] == ROLE


def test_list_pages_are_all_read(stubs):
    stub = stubs.stub("chatbot", API_REGION)
    stub.add_response("describe_slack_channel_configurations", {"SlackChannelConfigurations": [], "NextToken": "page-0002"}, {})
    stub.add_response("describe_slack_channel_configurations", {"SlackChannelConfigurations": [slack_configuration()]},
                      {"NextToken": "page-0002"})
    stub.add_response("list_microsoft_teams_channel_configurations", {"TeamChannelConfigurations": []}, {})
    assert manager(stubs).ensure(params())["changed"] is False
    stubs.assert_done()


def test_create_error_names_the_console_authorization(stubs):
    stub = stubs.stub("chatbot", API_REGION)
    queue_lists(stub)
    stub.add_client_error("create_slack_channel_configuration", service_error_code="InvalidRequestException",
                          service_message="Slack workspace T0123ABCD is not authorized", http_status_code=400)
    with pytest.raises(AwsCallError, match="must first be authorized once"):
        manager(stubs).ensure(params())


@pytest.mark.parametrize("channels, message", [
    ("T0123ABCD", r"channels must be a list"),
    ([{"type": "discord", "channel_id": "1"}], r"channels\[0\]\.type must be slack or teams"),
    ([{"type": "slack", "channel_id": "C0123ABCD"}], r"channels\[0\]\.workspace_id is required"),
    ([{"type": "slack", "workspace_id": "t0123abcd", "channel_id": "C0123ABCD"}],
     r"channels\[0\]\.workspace_id must be a Slack workspace \(team\) ID"),
    ([{"type": "slack", "workspace_id": "T0123ABCD", "channel_id": "#security"}],
     r"channels\[0\]\.channel_id must be a Slack channel ID"),
    ([SLACK, {"type": "teams", "tenant_id": "not-a-uuid", "team_id": TEAM, "channel_id": TEAMS_CHANNEL}],
     r"channels\[1\]\.tenant_id must be a UUID"),
    ([{"type": "teams", "tenant_id": TENANT, "team_id": TEAM, "channel_id": "security"}],
     r"channels\[0\]\.channel_id must be a Microsoft Teams channel ID"),
    ([dict(SLACK, webhook="https://hooks.slack.example")], r"channels\[0\]: unknown key\(s\) webhook"),
    ([SLACK, dict(SLACK)], r"channels\[1\]: the same channel as channels\[0\]"),
])
def test_bad_channels_are_refused_naming_the_entry(channels, message, stubs):
    with pytest.raises(ValueError, match=message):
        manager(stubs).ensure(params(channels=channels))
    assert stubs.clients == {}  # nothing was called


@pytest.mark.parametrize("overrides, message", [
    ({"topic_arns": []}, "topic_arns must list at least one"),
    ({"topic_arns": ["arn:aws:sqs:us-east-1:111111111111:q"]}, r"topic_arns\[0\]"),
    ({"role_arn": "arn:aws:iam::111111111111:user/alice"}, "role_arn must be an IAM role ARN"),
    ({"name_prefix": "root login"}, "name_prefix must be"),
    ({"guardrail_policy_arns": []}, "none means AdministratorAccess"),
    ({"logging_level": "DEBUG"}, "logging_level must be one of"),
    ({"api_region": "us-east-1"}, "api_region must be one of the Regions serving the chat API"),
    ({"owner_tag": {}}, "owner_tag must be a non-empty dict"),
])
def test_bad_options_are_refused(overrides, message, stubs):
    with pytest.raises(ValueError, match=message):
        manager(stubs).ensure(params(**overrides))
    assert stubs.clients == {}


def test_names_are_deterministic_and_valid():
    assert configuration_name("root-login-alerts", SLACK) == SLACK_NAME
    teams = validate_channels([TEAMS])[0]
    assert teams["channel_id"] == TEAMS_CHANNEL
    # The encoded and the plain spelling of one Teams channel are one channel, one name.
    encoded = validate_channels([dict(TEAMS, channel_id=TEAMS_CHANNEL.replace("%3A", "%3a"), tenant_id=TENANT.upper())])[0]
    assert configuration_name("p", teams) == configuration_name("p", encoded)
    long_slack = {"type": "slack", "workspace_id": "T" + "A" * 80, "channel_id": "C" + "B" * 80}
    name = configuration_name("root-login-alerts", long_slack)
    assert len(name) <= 128 and name.startswith("root-login-alerts-slack-")
