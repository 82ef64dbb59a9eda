# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan's removals (pure, like ``plan``): our targets off our rules, our rules, topics, queues, chat pieces,
webhooks, the CIS pieces and the trail, each only when it is proven ours. A removal reads what it removes just before
it removes it: its reads are steps too (``steps.read``), and the steps that depend on them expand from what they found.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import build_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import log_group_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import DEFAULT_BUS
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as alert_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.alarm import AlarmManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.api_destinations import WebhookManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bus import DEFAULT_TARGET_ID
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import ChatChannelManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.log_group import LogGroupManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.metric_filter import MetricFilterManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.queue import DeadLetterQueueManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import EventBridgeRuleManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import CHAT_ENDPOINT
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import SubscriptionManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import TopicManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import topic_kept_because
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import TopicPolicyManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail import CloudTrailTrailManager
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import destinations as destination_verdict
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import hub as hub_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._stack import notices
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.reads import StackReader
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import OWNER_TAG
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import POLICY_SID
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import chat_params
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import chat_topic_name
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import cis_names
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import profile_rule_name
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import regional_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import trail_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import webhook_resource_names
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import Later
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import deferred
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import expand
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import notice
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import read
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import step


def queue_removal_step(settings, key, known=None, region=None):
    return step(key, DeadLetterQueueManager, {"name": hub_mode.hub_names(settings)["dead_letter_queue_name"], "state": "absent",
                                              "owner_tag": OWNER_TAG}, known, region=region)


def is_destination_target(target):
    """One of our chat or webhook targets (API form), by its Id."""
    target_id = target.get("Id") or ""
    return target_id == destination_verdict.CHAT_TARGET_ID or target_id.startswith(destination_verdict.WEBHOOK_TARGET_PREFIX)


def api_destination_name(arn):
    """The name in ``arn:...:api-destination/<name>/<id>``, or None."""
    if not destination_verdict.is_api_destination_arn(arn):
        return None
    return arn.split(":", 5)[5].split("/")[1]


def chat_removal_steps(settings):
    """Our channel configurations (by name prefix and tag), then our chat topic with its policy statement."""
    return [step("chat_channels", ChatChannelManager, chat_params(settings, "absent"))] + topic_removal_steps(settings, chat=True)


def webhook_removal_steps(settings, names):
    """The API destination and connection of each of ``names`` (ours by their Description only)."""
    prefix = "%s-" % settings["rule_name"]
    return [step("webhook_%s" % name[len(prefix):], WebhookManager, {"name": name, "state": "absent"}) for name in names if name.startswith(prefix)]


def topic_removal_steps(settings, chat=False):
    """Our topic, read (``TopicManager.inspect``), then our policy statement (by its Sid, ours on any topic), and the
    topic with its subscriptions when it is ours. ``chat``: the chat topic, whose one subscription of ours is the chat
    service's."""
    name = chat_topic_name(settings) if chat else settings["topic_name"]
    key = "chat_" if chat else ""
    return [read("found_%stopic" % key, TopicManager, "inspect", name=name, owner_tag=OWNER_TAG),
            expand(lambda done: found_topic_removal_steps(settings, done["found_%stopic" % key], chat))]


def found_topic_removal_steps(settings, topic, chat=False):
    """:func:`topic_removal_steps` once the topic is read (``topic``: ``TopicManager.inspect``'s answer)."""
    name = chat_topic_name(settings) if chat else settings["topic_name"]
    protocol, endpoints = ("https", [CHAT_ENDPOINT]) if chat else ("email", settings.get("emails") or [])
    key = "chat_" if chat else ""
    if not topic["exists"]:
        return []
    steps = [step(key + "topic_policy", TopicPolicyManager, {"topic_arn": topic["topic_arn"], "statements": [{"Sid": POLICY_SID}], "state": "absent"},
                  {"attributes": topic["attributes"]})]
    if topic["owned"]:
        steps.append(step(key + "subscriptions", SubscriptionManager, {"topic_arn": topic["topic_arn"], "protocol": protocol,
                                                                       "endpoints": endpoints, "state": "absent"}))

        def keep_because(done):
            removed = done[key + "subscriptions"]
            remaining = [s for s in removed["facts"]["subscriptions"] if s.get("Endpoint") not in removed["removed_endpoints"]]
            policy = done[key + "topic_policy"]["policy"]
            return lambda arn: topic_kept_because(remaining, endpoints, policy, [POLICY_SID])

        steps.append(step(key + "topic", TopicManager, {"name": name, "state": "absent", "owner_tag": OWNER_TAG, "keep_because": Later(keep_because)},
                          {"attributes": topic["attributes"], "tags": topic["tags"]}))
    kept = notices.topic_kept(topic, key)
    return steps + [notice(lambda done: kept(done) and "Topic %s is kept: %s" % (topic["topic_arn"], kept(done)))]


def rule_names(settings):
    """``(key suffix, name)`` of the sign-in rule and of every profile's rule, deployed or not."""
    return [("", settings["rule_name"])] + [("_" + p, profile_rule_name(settings["rule_name"], p))
                                            for p in alert_profiles.PROFILE_NAMES if p != alert_profiles.SIGN_IN_PROFILE]


def rule_removal_steps(settings, key, bus, targets, read_first=True):
    """Our ``targets`` off each of our rules on ``bus``, a rule of ours left without targets gone. ``read_first``: each
    rule and its targets are read just before, and our chat and webhook targets found there go too."""
    steps = []
    for suffix, name in rule_names(settings):
        params = {"name": name, "event_bus_name": bus, "state": "absent", "targets": list(targets), "owner_tag": OWNER_TAG}
        if not read_first:
            steps.append(step(key + suffix, EventBridgeRuleManager, params))
            continue
        read_key = "found_%s%s" % (key, suffix)
        known = Later(lambda done, read_key=read_key: done[read_key])
        with_found = deferred(lambda known, ours=params["targets"]: ours + [{"id": t["Id"], "arn": t["Arn"]} for t in destinations_on([known])], known)
        steps.extend([read(read_key, StackReader, "rule", name=name, bus=bus, tags=False),
                      step(key + suffix, EventBridgeRuleManager, dict(params, targets=with_found), known)])
    return steps


def destinations_on(rules):
    """Our chat and webhook targets on ``rules`` (``known`` of each, as read)."""
    return [t for known in rules for t in (known or {}).get("targets") or [] if is_destination_target(t)]


def found_destinations(done):
    """Our chat and webhook targets found on the rules a removal read (the default bus's, then the hub bus's)."""
    return destinations_on(done[key] for key in done if key.startswith(("found_rule", "found_hub_rule")))


def regional_removal_steps(settings, targets, where):
    """When a regional profile's rule was found in us-east-1: the enabled Regions, read, then in each other Region our
    regional profiles' rules (our forwarding target off them) and the Region's dead-letter queue."""

    def in_regions(done):
        forward = {"id": DEFAULT_TARGET_ID, "arn": hub_mode.own_default_bus_arn(where["account_id"], where["partition"])}
        steps = []
        for region in done["enabled_regions"][1:]:
            steps.extend(step("rule_%s_%s" % (region, profile), EventBridgeRuleManager, {
                "name": profile_rule_name(settings["rule_name"], profile), "event_bus_name": DEFAULT_BUS, "state": "absent",
                "targets": targets[1:] or [forward], "owner_tag": OWNER_TAG}, region=region) for profile in regional_profiles())
            steps.append(queue_removal_step(settings, "dead_letter_queue_%s" % region, region=region))
        return steps

    def when_deployed(done):
        if not [profile for profile in regional_profiles() if done["found_rule_" + profile]["rule"]]:
            return []
        return [read("enabled_regions", StackReader, "enabled_regions"), expand(in_regions)]

    return expand(when_deployed)


def found_destination_removal_steps(settings):
    """Our webhooks (configured, or found as targets on our rules) and our chat pieces (chat channels configured, or a
    chat target of ours found): only what the settings or our rules' targets name is looked for."""

    def webhooks(done):
        names = set(api_destination_name(t["Arn"]) for t in found_destinations(done) if api_destination_name(t["Arn"]))
        return webhook_removal_steps(settings, sorted(webhook_resource_names(settings) | names))

    def chat(done):
        found_chat = any(t["Id"] == destination_verdict.CHAT_TARGET_ID for t in found_destinations(done))
        return chat_removal_steps(settings) if settings["chat_channels"] or found_chat else []

    return [expand(webhooks), expand(chat)]


def cis_and_trail_removal_steps(settings, where):
    steps = []
    if settings.get("cis_metric_filter"):
        # Alarm and filter first: on AWS deleting a log group deletes its filters (the emulator keeps them).
        names = cis_names(settings)
        steps.append(step("cis_alarm", AlarmManager, {"name": names["cis_alarm_name"], "state": "absent", "owner_tag": OWNER_TAG}))
        steps.append(step("cis_metric_filter", MetricFilterManager, {
            "name": names["cis_metric_filter_name"], "log_group_name": names["cis_log_group_name"], "state": "absent", "owner_tag": OWNER_TAG}))
        # A reused trail sending to our group (connected with consent, maybe in an earlier run) stops before the group
        # goes, even if consent was withdrawn since; ours is deleted below. Only a group proven ours: a same-named
        # group of someone else's, and the trails sending to it, are kept.
        disconnect = step("cis_reused_trail", CloudTrailTrailManager, {
            "group_arn": log_group_arn(where["region"], where["account_id"], names["cis_log_group_name"]),
            "keep_arns": [build_arn("cloudtrail", where["region"], where["account_id"], "trail/%s" % settings["trail_name"])]},
            method="disconnect_log_group")
        steps.append(read("found_log_group", StackReader, "log_group", name=names["cis_log_group_name"]))
        steps.append(expand(lambda done: [disconnect] if done["found_log_group"]["log_group"] and is_owned(done["found_log_group"]["tags"], OWNER_TAG)
                            else []))
        steps.append(step("cis_log_group", LogGroupManager, {"name": names["cis_log_group_name"], "state": "absent", "owner_tag": OWNER_TAG},
                          Later(lambda done: done["found_log_group"])))
    if trail_mode(settings) != "none":
        steps.append(step("trail", CloudTrailTrailManager, {"name": settings["trail_name"], "state": "absent", "owner_tag": OWNER_TAG}))
    return steps
