# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Chat channels through AWS Chatbot (Amazon Q Developer in chat applications): validation and
:class:`ChatChannelManager`, one channel configuration per Slack or Microsoft Teams channel.

The API (boto3 service ``chatbot``, botocore model chatbot-2017-10-11): Create/Describe/Update/Delete
SlackChannelConfiguration(s) and Create/List/Update/Delete MicrosoftTeamsChannelConfiguration(s).
Create takes ``ConfigurationName`` (1-128 of ``[A-Za-z0-9-_]``), the workspace (``SlackTeamId``) or
``TenantId``/``TeamId``, the channel, ``IamRoleArn`` (required), ``SnsTopicArns``, ``GuardrailPolicyArns``
("The AWS managed AdministratorAccess policy is applied by default if this is not set", so we always
set it), ``LoggingLevel`` (ERROR, INFO or NONE) and ``Tags`` (TagKey/TagValue). Update cannot change the
workspace or team; tags change only through TagResource. Describe/List answers carry ``Tags`` and
``State`` (ENABLED, or DISABLED "if the organization's AWS Chatbot policy has explicitly denied that
configuration"). https://docs.aws.amazon.com/chatbot/latest/APIReference/Welcome.html

Where: "APIs are currently available in the following Regions: us-east-2, us-west-2, ap-southeast-1,
eu-west-1 [...] Your configuration data however, is stored in each of the relevant available Regions"
(API reference, Welcome). botocore's endpoints.json lists no chatbot Regions (its rule set builds
``chatbot.<region>.amazonaws.com`` for any), so the Region is ours to choose: us-east-2 by default,
the console's Region.

Prerequisite with no API: the Slack workspace or the Microsoft Teams team must first be authorized
once in the chat service's console ("To get the workspace ID, you must perform the initial
authorization flow with Slack in the AWS Chatbot console", CreateSlackChannelConfiguration; same for
TeamId). Without it, Create fails and the error says so (see :data:`AUTHORIZATION_HINT`).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import re

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import ROLE_ARN_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import foreign_resource_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.sns_common import validate_topic_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_match
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_state

PARAM = "channels"
API_REGIONS = ("us-east-2", "us-west-2", "ap-southeast-1", "eu-west-1")
DEFAULT_API_REGION = "us-east-2"
# Channel guardrail: the chat service's documented AWS managed CloudWatchReadOnlyAccess (admin guide, "IAM
# policies for AWS Chatbot"), the read-only match of its "Notification permissions" role template
# (cloudwatch:Describe*, Get*, List*). Without a guardrail the service applies AdministratorAccess.
DEFAULT_GUARDRAILS = ("arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess",)
LOGGING_LEVELS = ("ERROR", "INFO", "NONE")
DEFAULT_LOGGING_LEVEL = "NONE"  # ERROR/INFO make the service create a log group we would not own
KIND = {"slack": "Slack channel configuration", "teams": "Microsoft Teams channel configuration"}
AUTHORIZATION_HINT = (
    "The %s must first be authorized once in the Amazon Q Developer in chat applications (AWS Chatbot) console "
    "(https://console.aws.amazon.com/chatbot/); there is no API for that step."
)

# Formats from the API reference (botocore model): SlackTeamId [0-9A-Z]{1,255}, SlackChannelId [A-Za-z0-9]+
# (max 255), TenantId/TeamId UUIDs, Teams ChannelId URL-encoded ("19%3a...%40thread.tacv2").
SLACK_TEAM_RE = re.compile(r"^[0-9A-Z]{1,255}$")
SLACK_CHANNEL_RE = re.compile(r"^[A-Za-z0-9]{1,255}$")
UUID_RE = re.compile(r"^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$")
TEAMS_CHANNEL_RE = re.compile(r"^[a-zA-Z0-9\-_=+/.,]*%3[aA][a-zA-Z0-9\-_=+/.,]*%40[a-zA-Z0-9\-_=+/.,]*$")
NAME_PREFIX_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CONFIGURATION_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
POLICY_ARN_RE = re.compile(r"^arn:aws[a-z\-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]{1,512}$")
KEYS = {"slack": ("type", "workspace_id", "channel_id"), "teams": ("type", "tenant_id", "team_id", "channel_id")}


def teams_channel_id(value):
    """A Teams channel ID in the API's URL-encoded form, escapes in upper case: ``19:x@thread.tacv2`` and
    ``19%3ax%40thread.tacv2`` both become ``19%3Ax%40thread.tacv2``."""
    return re.sub(r"%3a", "%3A", (value or "").replace(":", "%3A").replace("@", "%40"), flags=re.IGNORECASE)


def _digest(*parts):
    return hashlib.sha256("/".join(parts).encode("utf-8")).hexdigest()[:16]


def configuration_name(prefix, channel):
    """Deterministic, valid ConfigurationName: ``<prefix>-slack-<workspace>-<channel>`` when it fits in 128
    characters, else ``<prefix>-slack-<digest>``; Teams IDs hold characters a name cannot, so
    ``<prefix>-teams-<digest of tenant/team/channel>``."""
    if channel["type"] == "slack":
        name = "%s-slack-%s-%s" % (prefix, channel["workspace_id"], channel["channel_id"])
        if CONFIGURATION_NAME_RE.match(name):
            return name
        return "%s-slack-%s" % (prefix, _digest(channel["workspace_id"], channel["channel_id"]))
    return "%s-teams-%s" % (prefix, _digest(channel["tenant_id"].lower(), channel["team_id"].lower(),
                                            teams_channel_id(channel["channel_id"])))


def validate_channels(channels, param=PARAM):
    """Return the channels as plain dicts (Teams channel IDs URL-encoded), or raise ValueError naming
    ``<param>[<i>].<key>``."""
    if isinstance(channels, (str, dict)) or not isinstance(channels, (list, tuple)):
        raise ValidationError("%s must be a list of {type: slack, workspace_id, channel_id} or {type: teams, tenant_id, "
                              "team_id, channel_id}, got %r" % (param, channels))
    result, seen = [], {}
    for index, channel in enumerate(channels):
        where = "%s[%d]" % (param, index)
        if not isinstance(channel, dict):
            raise ValidationError("%s must be a dict, got %r" % (where, channel))
        kind = channel.get("type")
        if kind not in KEYS:
            raise ValidationError("%s.type must be slack or teams, got %r" % (where, kind))
        unknown = sorted(set(channel) - set(KEYS[kind]))
        if unknown:
            raise ValidationError("%s: unknown key(s) %s for type %s (allowed: %s)" % (where, ", ".join(unknown), kind, ", ".join(KEYS[kind])))
        for key in KEYS[kind][1:]:
            if not isinstance(channel.get(key), str) or not channel[key]:
                raise ValidationError("%s.%s is required (a string)" % (where, key))
        if kind == "slack":
            if not SLACK_TEAM_RE.match(channel["workspace_id"]):
                raise ValidationError("%s.workspace_id must be a Slack workspace (team) ID: uppercase letters and digits, "
                                      "such as T0123ABCD, got %r" % (where, channel["workspace_id"]))
            if not SLACK_CHANNEL_RE.match(channel["channel_id"]):
                raise ValidationError("%s.channel_id must be a Slack channel ID: letters and digits, such as C0123ABCD (the "
                                      "end of the channel's link), got %r" % (where, channel["channel_id"]))
            clean = dict(channel)
        else:
            for key in ("tenant_id", "team_id"):
                if not UUID_RE.match(channel[key]):
                    raise ValidationError("%s.%s must be a UUID (8-4-4-4-12 hex digits), got %r" % (where, key, channel[key]))
            encoded = teams_channel_id(channel["channel_id"])
            if len(encoded) > 255 or not TEAMS_CHANNEL_RE.match(encoded):
                raise ValidationError("%s.channel_id must be a Microsoft Teams channel ID such as 19:abc...@thread.tacv2 "
                                      "(or its URL-encoded form 19%%3Aabc...%%40thread.tacv2), got %r" % (where, channel["channel_id"]))
            clean = dict(channel, tenant_id=channel["tenant_id"].lower(), team_id=channel["team_id"].lower(), channel_id=encoded)
        identity = configuration_name("x", clean)
        if identity in seen:
            raise ValidationError("%s: the same channel as %s[%d]" % (where, param, seen[identity]))
        seen[identity] = index
        result.append(clean)
    return result


def validate_params(params):
    """Check every option before any call; ValueError names the option."""
    state = validate_state(params)
    validate_match(params.get("name_prefix"), NAME_PREFIX_RE, "name_prefix", "1-64 letters, digits, '-' or '_'")
    owner_tag = params.get("owner_tag")
    if not owner_tag or not isinstance(owner_tag, dict):
        raise ValidationError("owner_tag must be a non-empty dict: ownership of channel configurations is proven by it")
    region = params.get("api_region") or DEFAULT_API_REGION
    if region not in API_REGIONS:
        raise ValidationError("api_region must be one of the Regions serving the chat API (%s), got %r" % (", ".join(API_REGIONS), region))
    if state == "absent":
        return
    validate_channels(params.get("channels"))
    topics = params.get("topic_arns")
    if not isinstance(topics, (list, tuple)) or not topics:
        raise ValidationError("topic_arns must list at least one SNS topic ARN (the chat topic)")
    for index, arn in enumerate(topics):
        validate_topic_arn(arn, "topic_arns[%d]" % index)
    validate_match(params.get("role_arn"), ROLE_ARN_RE, "role_arn", "an IAM role ARN (the chat service's channel role)")
    guardrails = params.get("guardrail_policy_arns", DEFAULT_GUARDRAILS)
    if not isinstance(guardrails, (list, tuple)) or not guardrails:
        raise ValidationError("guardrail_policy_arns must list at least one IAM policy ARN (none means AdministratorAccess)")
    for index, arn in enumerate(guardrails):
        validate_match(arn, POLICY_ARN_RE, "guardrail_policy_arns[%d]" % index, "an IAM policy ARN")
    if params.get("logging_level", DEFAULT_LOGGING_LEVEL) not in LOGGING_LEVELS:
        raise ValidationError("logging_level must be one of %s, got %r" % (", ".join(LOGGING_LEVELS), params.get("logging_level")))


def channel_of(kind, configuration):
    """Our channel dict for an API configuration."""
    if kind == "slack":
        return {"type": "slack", "workspace_id": configuration.get("SlackTeamId"), "channel_id": configuration.get("SlackChannelId")}
    return {"type": "teams", "tenant_id": (configuration.get("TenantId") or "").lower(),
            "team_id": (configuration.get("TeamId") or "").lower(), "channel_id": teams_channel_id(configuration.get("ChannelId"))}


def view(kind, configuration):
    """What we manage of a configuration, comparable and shown in the diff (topics and guardrails sorted)."""
    return dict(channel_of(kind, configuration),
                name=configuration.get("ConfigurationName"),
                topic_arns=sorted(configuration.get("SnsTopicArns") or []),
                role_arn=configuration.get("IamRoleArn"),
                guardrail_policy_arns=sorted(configuration.get("GuardrailPolicyArns") or []),
                logging_level=configuration.get("LoggingLevel") or "NONE")


def drift(current, desired):
    """The managed keys whose meaning differs; ``channel`` first when it is another channel (both views
    spell IDs one way: UUIDs in lower case, Teams escapes in upper case)."""
    keys = ["topic_arns", "role_arn", "guardrail_policy_arns", "logging_level"]
    differs = [key for key in keys if current[key] != desired[key]]
    if any(current.get(key) != desired.get(key) for key in KEYS[desired["type"]]):
        differs.insert(0, "channel")
    return differs


def _all_pages(what, method, key):
    items, token = [], None
    while True:
        page = aws_call(what, method, **({"NextToken": token} if token else {}))
        items.extend(page.get(key) or [])
        token = page.get("NextToken")
        if not token:
            return items


class ChatChannelManager(ResourceManager):
    """Read -> compare -> (write unless check mode) -> report, for our chat channel configurations.

    ``ensure(params, known=None)``: ``channels``, ``topic_arns``, ``role_arn``, ``name_prefix``, ``tags``,
    ``owner_tag``, ``state`` and optionally ``guardrail_policy_arns``, ``logging_level``, ``api_region``.
    ``known["configurations"]`` may hold :meth:`read`'s answer from earlier in the run. Present makes one
    configuration per channel and deletes our own (prefix and owner tag) that no channel names any more;
    absent deletes ours only. A converged run makes 2 requests (one list per chat platform), plus one
    ListTagsForResource per configuration of our name whose list answer carries no tags.
    """

    def chat_client(self, params):
        return self.client("chatbot", params.get("api_region") or DEFAULT_API_REGION)

    # -- reads ------------------------------------------------------------
    def read(self, params):
        """``{"slack": [configuration], "teams": [configuration]}``, every page of both lists."""
        client = self.chat_client(params)
        return {"slack": _all_pages("list the Slack channel configurations of AWS Chatbot",
                                    client.describe_slack_channel_configurations, "SlackChannelConfigurations"),
                "teams": _all_pages("list the Microsoft Teams channel configurations of AWS Chatbot",
                                    client.list_microsoft_teams_channel_configurations, "TeamChannelConfigurations")}

    def _tags(self, client, configuration):
        if "Tags" in configuration:
            return boto3_tag_list_to_ansible_dict(configuration["Tags"] or [], "TagKey", "TagValue")
        answer = aws_call("list the tags of chat channel configuration %s" % configuration.get("ConfigurationName"),
                          client.list_tags_for_resource, ResourceARN=configuration["ChatConfigurationArn"])
        return boto3_tag_list_to_ansible_dict(answer.get("Tags") or [], "TagKey", "TagValue")

    def inventory(self, params, configurations=None):
        """Our-named configurations: ``{name: {"kind", "arn", "view", "state", "state_reason", "tags", "owned"}}``.

        For the verdict: which channels exist, their topics, role and State (DISABLED by an organization
        chat policy delivers nothing).
        """
        client = self.chat_client(params)
        configurations = configurations if configurations is not None else self.read(params)
        ours = {}
        for kind in ("slack", "teams"):
            marker = "%s-%s-" % (params["name_prefix"], kind)
            for configuration in configurations.get(kind) or []:
                name = configuration.get("ConfigurationName") or ""
                if not name.startswith(marker):
                    continue
                tags = self._tags(client, configuration)
                ours[name] = {"kind": kind, "arn": configuration["ChatConfigurationArn"], "view": view(kind, configuration),
                              "state": configuration.get("State") or "ENABLED", "state_reason": configuration.get("StateReason"),
                              "tags": tags, "owned": is_owned(tags, params["owner_tag"])}
        return ours

    # -- ensure -----------------------------------------------------------
    def ensure(self, params, known=None):
        validate_params(params)
        params = dict(params, channels=validate_channels(params.get("channels") or []) if params.get("state", "present") == "present" else [])
        client = self.chat_client(params)
        current = self.inventory(params, (known or {}).get("configurations"))
        desired = self._desired(params)
        foreign = sorted(name for name in desired if name in current and not current[name]["owned"])
        if foreign:  # before any write
            raise ForeignResourceError(" ".join(foreign_resource_message(
                "Chat channel configuration", name, "AWS Chatbot", params["owner_tag"]) for name in foreign))
        changes, before, after = [], {}, {}
        for name, want in desired.items():
            have = current.get(name)
            if have is None:
                changes.append("create %s %s" % (KIND[want["view"]["type"]], name))
                after[name] = want["view"]
                if not self.check_mode:
                    self._create(client, name, want, params)
                continue
            before[name], after[name] = have["view"], want["view"]
            differs = drift(have["view"], want["view"])
            if "channel" in differs:
                changes.append("replace %s %s: it points at another channel" % (KIND[have["kind"]], name))
                if not self.check_mode:
                    self._delete(client, have["kind"], name, have["arn"])
                    self._create(client, name, want, params)
                continue
            if differs:
                changes.append("update %s %s: %s" % (KIND[have["kind"]], name, ", ".join(differs)))
                if not self.check_mode:
                    self._update(client, have, want)
            missing = dict((key, value) for key, value in want["tags"].items() if have["tags"].get(key) != value)
            if missing:
                changes.append("tag %s %s: %s" % (KIND[have["kind"]], name, ", ".join(sorted(missing))))
                if not self.check_mode:
                    aws_call("tag chat channel configuration %s" % name, client.tag_resource,
                             ResourceARN=have["arn"], Tags=ansible_dict_to_boto3_tag_list(missing, "TagKey", "TagValue"))
        for name, have in sorted(current.items()):
            if name in desired or not have["owned"]:
                continue  # not ours (no owner tag): left exactly as it is
            changes.append("delete %s %s" % (KIND[have["kind"]], name))
            before[name] = have["view"]
            if not self.check_mode:
                self._delete(client, have["kind"], name, have["arn"])
        facts = {"configurations": dict((name, dict(entry, tags=dict(entry["tags"]))) for name, entry in current.items())}
        channels = dict((name, want["view"]) for name, want in desired.items())
        return manager_result(bool(changes), {"before": before, "after": after}, changes, facts, channels=channels)

    def _desired(self, params):
        tags = dict(params.get("tags") or {})
        tags.update(params["owner_tag"])
        guardrails = sorted(params.get("guardrail_policy_arns") or DEFAULT_GUARDRAILS)
        result = {}
        for channel in params["channels"]:
            name = configuration_name(params["name_prefix"], channel)
            result[name] = {"tags": tags, "view": dict(channel, name=name, topic_arns=sorted(params["topic_arns"]),
                                                       role_arn=params["role_arn"], guardrail_policy_arns=guardrails,
                                                       logging_level=params.get("logging_level") or DEFAULT_LOGGING_LEVEL)}
        return result

    # -- writes -----------------------------------------------------------
    @staticmethod
    def _common(want):
        return {"SnsTopicArns": want["topic_arns"], "IamRoleArn": want["role_arn"],
                "GuardrailPolicyArns": want["guardrail_policy_arns"], "LoggingLevel": want["logging_level"]}

    def _create(self, client, name, want, params):
        spec = want["view"]
        args = dict(self._common(spec), ConfigurationName=name, Tags=ansible_dict_to_boto3_tag_list(want["tags"], "TagKey", "TagValue"))
        if spec["type"] == "slack":
            method, hint = client.create_slack_channel_configuration, "Slack workspace %s" % spec["workspace_id"]
            args.update(SlackTeamId=spec["workspace_id"], SlackChannelId=spec["channel_id"])
        else:
            method, hint = client.create_microsoft_teams_channel_configuration, "Microsoft Teams team %s" % spec["team_id"]
            args.update(TenantId=spec["tenant_id"], TeamId=spec["team_id"], ChannelId=spec["channel_id"])
        aws_call("create %s %s. %s" % (KIND[spec["type"]], name, AUTHORIZATION_HINT % hint), method, **args)

    def _update(self, client, have, want):
        spec = want["view"]
        args = dict(self._common(spec), ChatConfigurationArn=have["arn"])
        if have["kind"] == "slack":
            aws_call("update %s %s" % (KIND["slack"], spec["name"]), client.update_slack_channel_configuration,
                     SlackChannelId=spec["channel_id"], **args)
        else:
            aws_call("update %s %s" % (KIND["teams"], spec["name"]), client.update_microsoft_teams_channel_configuration,
                     ChannelId=spec["channel_id"], **args)

    @staticmethod
    def _delete(client, kind, name, arn):
        method = client.delete_slack_channel_configuration if kind == "slack" else client.delete_microsoft_teams_channel_configuration
        aws_call("delete %s %s" % (KIND[kind], name), method, ChatConfigurationArn=arn)
