# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack's plan: settings and what was read (the facts) in, the ordered steps out (``steps``). Pure: no I/O.

:func:`present` (per-account mode and the hub), :func:`member`, :func:`absent` and :func:`retire` give the steps of
each flow; :func:`foreign` says why an account stops before its first write (then the plan has no step). A removal
reads what it removes just before it removes it: its reads are steps too, and the steps that depend on them expand
from what they found.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import build_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import log_group_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import DEFAULT_BUS
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import DEFAULT_RETRY_POLICY
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import foreign_resource_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import chat_message
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import event_pattern
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import messages as alert_message
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as alert_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import webhook_formats
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import iam_role as iam_roles
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import targets as eventbridge_targets
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.alarm import AlarmManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.api_destinations import WebhookManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.api_destinations import is_ours
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bus import DEFAULT_TARGET_ID
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bus import EventBusManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bus import forwarding_target
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import ChatChannelManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import DEFAULT_API_REGION as CHAT_API_REGION
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import configuration_name
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import foreign_resources
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import known_for_managers
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.log_group import LogGroupManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.metric_filter import CIS_NAMESPACE
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.metric_filter import DEFAULT_METRIC_NAME
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.metric_filter import MetricFilterManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.queue import DeadLetterQueueManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import EventBridgeRuleManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import STATE_OPTION
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import replaced_target_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import SubscriptionManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import TopicManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import TopicPolicyManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import eventbridge_publish_statement
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail import CloudTrailTrailManager
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import destinations as destination_verdict
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import hub as hub_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._stack import notices
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.removal import api_destination_name
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.removal import chat_removal_steps
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.removal import cis_and_trail_removal_steps
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.removal import found_destination_removal_steps
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.removal import is_destination_target
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.removal import queue_removal_step
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.removal import regional_removal_steps
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.removal import rule_names
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.removal import rule_removal_steps
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.removal import topic_removal_steps
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.removal import webhook_removal_steps
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import OWNER_TAG
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import POLICY_SID
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import TARGET_ID
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import chat_topic_name
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import cis_names
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import default_bucket_name
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import name_hint
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import role_variable
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import sign_in_pattern
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import trail_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import webhook_resource_names
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import Callback
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import Later
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import deferred
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import notice
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import output
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import step

RULE_DESCRIPTION = "Root user console sign-in alerts (rootwatch.aws)"
# A new API destination's ARN ends in an ID AWS chooses: check mode names the target without it.
PENDING_DESTINATION_ID = "(ID-known-once-created)"


def ours(settings, account_id, region, chat=True):
    """The ARNs of our topic and rule (and chat topic, when this account has one), before anything exists."""
    arns = {"topic_arn": build_arn("sns", region, account_id, settings["topic_name"]),
            "rule_arn": build_arn("events", region, account_id, "rule/%s" % settings["rule_name"]), "target_id": TARGET_ID}
    if settings["chat_channels"] and chat:
        arns["chat_topic_arn"] = build_arn("sns", region, account_id, chat_topic_name(settings))
    return arns


def tagged(settings):
    """Tags and ownership of a resource we create: the settings' tags and our proof of ownership."""
    return {"tags": dict(settings.get("tags") or {}, **OWNER_TAG), "purge_tags": False, "owner_tag": OWNER_TAG}


def input_transformer():
    return {"input_paths_map": dict(alert_message.INPUT_PATHS), "input_template": alert_message.INPUT_TEMPLATE}


def topic_attributes(topic):
    """The attributes the policy manager needs from the topic manager's result (Policy only)."""
    return {"Policy": json.dumps(topic["topic"].get("policy") or {})}


def wanted_arns(entries):
    return [entry["arn"] for entry in entries or [] if entry["wanted"]]


# -- before the first write -------------------------------------------------------------------
def foreign(settings, facts, where, member=False):
    """Why the account stops before its first write: each resource with our name that is not ours (by its tag, or
    for EventBridge connections and API destinations their Description), in the order they were read."""
    region = where["region"]

    def rules(entries):
        return [foreign_resource_message("EventBridge rule", e["name"], e.get("region") or region, OWNER_TAG, name_hint=name_hint("rule_name"))
                for e in entries or [] if e["wanted"] and (e["known"] or {}).get("rule") and not is_owned(e["known"].get("tags"), OWNER_TAG)]

    def queue(known, queue_region):
        name = hub_mode.hub_names(settings)["dead_letter_queue_name"]
        if known["queue_url"] and not is_owned(known["tags"], OWNER_TAG):
            return [foreign_resource_message("SQS queue", name, queue_region, OWNER_TAG, name_hint=name_hint("dead_letter_queue_name"))]
        return []

    messages = queue(facts["queue"], region) if member else []
    messages += foreign_resources(facts["delivery"], facts["ours"], OWNER_TAG, region, name_hint) + rules(facts["profile_rules"])
    if facts.get("hub"):
        bus, name = facts["hub"]["bus"], hub_mode.hub_names(settings)["hub_bus_name"]
        if bus["bus"] and not is_owned(bus["tags"], OWNER_TAG):
            messages.append(foreign_resource_message("EventBridge event bus", name, region, OWNER_TAG, name_hint=name_hint("hub_bus_name")))
        messages += foreign_resources({"topics": {}, "rules": facts["hub"]["bus_rules"]}, {"topic_arn": "", "rule_arn": facts["hub"]["rules"][0]["arn"]},
                                      OWNER_TAG, region, name_hint)
        messages += rules(facts["hub"]["rules"][1:])
    if not member:
        messages += queue(facts["queue"], region)
    for other in ((facts["regions"] or {}).get("enabled") or [])[1:]:
        entries = [entry for entry in facts["regions"]["rules"] if entry["region"] == other]
        messages += rules(entries) + (queue(facts["regions"]["queues"][other], other) if entries else [])
    return messages if member else messages + foreign_destinations(settings, facts["destinations"], region)


def foreign_destinations(settings, destinations, region):
    """Our chat channel configurations (by tag) and webhook connections and API destinations (by Description)."""
    messages = []
    if destinations["chat"]:
        params, inventory = destinations["chat"]["params"], destinations["facts"]["chat"]["configurations"]
        wanted = sorted(set(configuration_name(params["name_prefix"], channel) for channel in params["channels"]))
        messages += [foreign_resource_message("Chat channel configuration", name, CHAT_API_REGION, OWNER_TAG, name_hint=name_hint("chat_channels"))
                     for name in wanted if name in inventory and not inventory[name]["owned"]]
    for item in destinations["webhooks"]:
        for kind, current in (("Connection", item["known"]["connection"]), ("API destination", item["known"]["api_destination"])):
            if current is not None and not is_ours(current.get("Description")):
                messages.append(notices.foreign_webhook_resource(kind, item["name"], region))
    return messages


def present(settings, facts, where, hub=False):
    """The steps of per-account mode, and of the hub in hub mode (which also gets the bus, its rules and a
    dead-letter queue). ``where``: ``account_id``, ``region``, ``partition``. No step when a resource with our name
    is not ours (:func:`foreign`): the account stops before its first write."""
    if foreign(settings, facts, where):
        return []
    account = where["account_id"]
    use_cis = bool(settings.get("cis_metric_filter"))
    steps = []
    # The other regions forward to this account's us-east-1 default bus, where the profile's rule alerts.
    own_bus = hub_mode.own_default_bus_arn(account, where["partition"])
    role_arn = hub_mode.forwarding_role_arn(settings, account)
    regional = wanted_arns((facts["regions"] or {}).get("rules"))
    if regional:
        steps.append(forwarding_role_step(settings, own_bus, regional, facts["forwarding_role"]))
        role_arn = output("forwarding_role", "role_arn")
    # CloudTrail's role for the CIS log group, verified before any write when this run will point a trail at it.
    cis_role_first = use_cis and cis_role_needed(settings, facts["delivery"], facts["verdict"])
    if cis_role_first:
        steps.append(cis_role_step(settings, None, where))
    known = known_for_managers(facts["delivery"], facts["ours"])
    if trail_mode(settings) != "none":
        logs = cis_logs_callback(settings, where, cis_role_first) if use_cis else None
        steps.append(trail_step(settings, known["trail"], where, logs, unverified_bucket=True))
    if use_cis:
        steps.append(notice(lambda done: None if "cis_log_group" in done else notices.cis_without_trail(settings)))
    topic_arn = facts["ours"]["topic_arn"]
    steps.append(step("topic", TopicManager, dict(tagged(settings), name=settings["topic_name"],
                                                  kms_master_key_id=settings.get("kms_key_id") or None), known["topic"], named_by="topic_name"))
    # A topic that check mode would create has no subscriptions or policy yet: no warning needed.
    quiet = output("topic", "created")
    # The topic is ours (proven above): an address no longer listed is unsubscribed.
    steps.append(step("subscriptions", SubscriptionManager, {"topic_arn": topic_arn, "protocol": "email", "endpoints": settings["emails"],
                                                             "new_topic": quiet, "purge": True}, known["subscriptions"], quiet=quiet))
    publishers = [facts["ours"]["rule_arn"]] + wanted_arns(facts["profile_rules"]) + (wanted_arns(facts["hub"]["rules"]) if hub else [])
    steps.append(publish_policy_step("topic_policy", "topic", topic_arn, publishers, account, quiet))
    destinations = facts["destinations"]
    if destinations["chat"]:
        steps.extend(chat_topic_steps(settings, destinations, known, publishers, where))
    # Every target keeps what EventBridge could not deliver in the dead-letter queue, after the retries.
    steps.append(queue_step(settings, "dead_letter_queue", publishers, facts["queue"]))
    delivery = {"dead_letter_arn": output("dead_letter_queue", "queue_arn"), "retry_policy": dict(DEFAULT_RETRY_POLICY)}
    webhook_steps, extras = destination_targets(settings, destinations, delivery, where)
    steps.extend(webhook_steps)
    main_targets = [dict(delivery, id=TARGET_ID, arn=topic_arn, input_transformer=input_transformer())] + extras(alert_profiles.SIGN_IN_PROFILE)
    steps.append(sign_in_rule_step(settings, "rule", DEFAULT_BUS, RULE_DESCRIPTION, main_targets, known["rule"]))
    topic_target = topic_target_for(topic_arn, delivery)
    steps.extend(profile_rule_steps(settings, facts["profile_rules"], topic_target, extras=extras))
    if facts["regions"]:
        steps.extend(regional_rule_steps(settings, facts["regions"], own_bus, role_arn, where))
    if hub:
        steps.extend(hub_bus_steps(settings, facts["hub"], topic_target, extras, account))
    # Our chat or webhook targets that the settings no longer name, and what they led to (no step when none).
    steps.extend(stale_destination_steps(settings, facts, extras, where, hub))
    if use_cis:
        names = cis_names(settings)
        after_group = Later(lambda done: "cis_log_group" in done)
        steps.append(step("cis_metric_filter", MetricFilterManager, {
            "name": names["cis_metric_filter_name"], "log_group_name": names["cis_log_group_name"], "owner_tag": OWNER_TAG},
            when=after_group, named_by="cis_metric_filter_name"))
        steps.append(step("cis_alarm", AlarmManager, dict(tagged(settings), tags=dict(OWNER_TAG), name=names["cis_alarm_name"],
                                                          metric_name=DEFAULT_METRIC_NAME, namespace=CIS_NAMESPACE, topic_arn=topic_arn),
                          when=after_group, named_by="cis_alarm_name"))
    # A renamed topic: the old one (still subscribed) is no longer the target. Said, never deleted here.
    return steps + [notice(lambda done: notices.orphaned_topic(settings, replaced_target_arn(done["rule"]["diff"], TARGET_ID)))]


def member(settings, facts, where):
    """A member in hub mode: its trail, and rules that forward root events to the hub bus with a role and a
    dead-letter queue of its own. No topic, no subscription. No step when a resource is not ours (:func:`foreign`)."""
    if foreign(settings, facts, where, member=True):
        return []
    bus_arn = hub_mode.hub_bus_arn(settings, where["partition"])
    rule_arns = [facts["ours"]["rule_arn"]] + wanted_arns(facts["profile_rules"])
    steps = [forwarding_role_step(settings, bus_arn, rule_arns + wanted_arns((facts["regions"] or {}).get("rules")), facts["forwarding_role"])]
    role_arn = output("forwarding_role", "role_arn")
    known = known_for_managers(facts["delivery"], facts["ours"])
    if trail_mode(settings) != "none":
        steps.append(trail_step(settings, known["trail"], where))
    steps.append(queue_step(settings, "dead_letter_queue", rule_arns, facts["queue"]))
    target = deferred(forwarding_target, bus_arn, role_arn, output("dead_letter_queue", "queue_arn"))
    steps.append(sign_in_rule_step(settings, "rule", DEFAULT_BUS, RULE_DESCRIPTION + ", forwarded to the hub", [target], known["rule"]))
    steps.extend(profile_rule_steps(settings, facts["profile_rules"], lambda unused: target))
    if facts["regions"]:
        steps.extend(regional_rule_steps(settings, facts["regions"], bus_arn, role_arn, where))
    return steps


def cis_role_needed(settings, delivery, verdict):
    """Will this run point a trail at the CIS log group (so it needs CloudTrail's role)? From the trails read, before
    any write: a trail of ours is made or kept (trail create; a trail with our name; no covering trail to reuse), or
    a reused trail may be pointed there with consent (cis_reused_trail)."""
    mode = trail_mode(settings)
    if mode == "none":
        return False
    if mode == "create" or settings.get("cis_reused_trail"):
        return True
    named = [e for e in (delivery["trails"].get("trails") or []) if (e.get("trail") or {}).get("Name") == settings["trail_name"]]
    return bool(named) or verdict["event_source"]["ok"] is not True


def cis_role_step(settings, trail_arn, where):
    """The role CloudTrail assumes to write to the CIS log group, verified (never written: docs/member-role.yml
    creates it with EnableCisMetricFilter) for ``trail_arn`` (None: our trail)."""
    names = cis_names(settings)
    return step("cis_role", iam_roles.RoleVerifier, {
        "role": iam_roles.CLOUDTRAIL_LOGS, "name": names["cis_role_name"], "set_by": role_variable("cis_role_name"),
        "log_group_name": names["cis_log_group_name"],
        "trail_arn": trail_arn or build_arn("cloudtrail", where["region"], where["account_id"], "trail/%s" % settings["trail_name"])}, gate=True)


def cis_logs_callback(settings, where, role_verified):
    """The trail manager's ``cloud_watch_logs(trail_arn)``, for a trail of ours: CloudTrail's role for the CIS log group
    (verified before, or now when the reads did not foresee this trail) and the group; their ARNs."""
    names = cis_names(settings)

    def steps(trail_arn):
        group = step("cis_log_group", LogGroupManager, {"name": names["cis_log_group_name"], "tags": dict(OWNER_TAG), "purge_tags": False,
                                                        "owner_tag": OWNER_TAG}, named_by="cis_log_group_name")
        return [group] if role_verified else [cis_role_step(settings, trail_arn, where), group]

    return Callback(steps, Later(lambda done: (done["cis_log_group"]["log_group_arn"], done["cis_role"]["role_arn"])))


def trail_step(settings, known, where, cloud_watch_logs=None, unverified_bucket=False):
    """The trail and its log bucket. A central log bucket of another account is its owner's to create and to give
    CloudTrail's statements."""
    account, region = where["account_id"], where["region"]
    owner = settings.get("trail_bucket_owner") or None
    own_bucket = owner in (None, account)
    return step("trail", CloudTrailTrailManager, dict(
        tagged(settings), name=settings["trail_name"], state="present",
        s3_bucket_name=settings.get("trail_bucket") or default_bucket_name(account, region), bucket_owner=owner,
        bucket_owner_hint="set %s to the ID of the account that owns it" % role_variable("trail_bucket_owner"),
        management_events=settings.get("management_events") or "All", is_multi_region_trail=True, include_global_service_events=True,
        enable_log_file_validation=True, enable_logging=True, create_bucket=own_bucket, manage_bucket_policy=own_bucket,
        reuse_covering_trail=trail_mode(settings) == "auto", trust_organization_trails=True, cloud_watch_logs=cloud_watch_logs,
        cloud_watch_logs_on_reused_trail=bool(settings.get("cis_reused_trail")),
        cloud_watch_logs_group_arn=log_group_arn(region, account, cis_names(settings)["cis_log_group_name"])),
        known, unverified_bucket=unverified_bucket, named_by="trail_name")


def publish_policy_step(key, topic_key, topic_arn, rule_arns, account, quiet):
    """Our statement (by its Sid) that lets our rules publish to the topic; the topic's policy as its step read it."""
    statement = eventbridge_publish_statement(topic_arn, rule_arns, source_account=account, sid=POLICY_SID)
    return step(key, TopicPolicyManager, {"topic_arn": topic_arn, "statements": [statement]},
                {"attributes": Later(lambda done: topic_attributes(done[topic_key]))}, quiet=quiet)


def queue_step(settings, key, rule_arns, known, region=None):
    return step(key, DeadLetterQueueManager, dict(tagged(settings), name=hub_mode.hub_names(settings)["dead_letter_queue_name"], rule_arns=rule_arns),
                known, region=region, named_by="dead_letter_queue_name")


def forwarding_role_step(settings, bus_arn, rule_arns, known):
    """The role EventBridge assumes for a target that is an event bus, verified for our ``rule_arns`` and ``bus_arn``;
    never written (docs/member-role.yml creates it)."""
    return step("forwarding_role", iam_roles.RoleVerifier, {
        "role": iam_roles.FORWARDING, "name": hub_mode.hub_names(settings)["forwarding_role_name"],
        "set_by": role_variable("forwarding_role_name"), "rule_arns": rule_arns,
        "bus_arns": [bus_arn], "rule_name": settings["rule_name"], "hub_account_id": settings.get("hub_account_id")}, known, gate=True)


def sign_in_rule_step(settings, key, bus, description, targets, known):
    """The console sign-in rule on ``bus`` with ``targets`` added (others' targets kept), tagged as ours."""
    return step(key, EventBridgeRuleManager, dict(tagged(settings), name=settings["rule_name"], event_bus_name=bus, description=description,
                                                  state="present", event_pattern=sign_in_pattern(settings), targets=targets,
                                                  purge_targets=False), known, named_by="rule_name")


def topic_target_for(topic_arn, delivery):
    """``target_for`` of the topic: the profile's own message, and the dead-letter queue."""
    return lambda profile: dict(delivery, id=TARGET_ID, arn=topic_arn, input_transformer=alert_profiles.input_transformer(profile))


def profile_rule_params(settings, entry, targets):
    """An extra profile's rule: ``targets`` added when the profile is wanted, else our targets off it (and the rule
    gone when nothing else is left on it, and it is ours)."""
    params = {"name": entry["name"], "event_bus_name": entry["bus"], "owner_tag": OWNER_TAG,
              "targets": [{"id": target["id"], "arn": target["arn"]} for target in targets]}
    if not entry["wanted"]:
        return dict(params, state="absent")
    profile = alert_profiles.PROFILES[entry["profile"]]
    params.update(tagged(settings), state=STATE_OPTION[profile["rule_state"]], event_pattern=event_pattern.canonicalize(profile["pattern"]),
                  description="Root user alerts, profile %s (rootwatch.aws)" % entry["profile"], targets=targets, purge_targets=False)
    return params


def profile_rule_steps(settings, entries, target_for, key_prefix="rule_", extras=None):
    """The rules of the extra alert profiles, each with ``target_for(profile)`` (to the topic with the profile's
    message, or to a bus) and ``extras(profile)`` (our chat and webhook targets)."""
    return [step(key_prefix + entry["profile"], EventBridgeRuleManager,
                 deferred(profile_rule_params, settings, entry, [target_for(entry["profile"])] + (extras(entry["profile"]) if extras else [])),
                 entry["known"], region=entry.get("region"), named_by="rule_name") for entry in entries]


def regional_rule_steps(settings, regions, bus_arn, role_arn, where):
    """Outside us-east-1, each wanted regional profile's rule forwards to ``bus_arn`` (the account's us-east-1 default
    bus, or the hub bus) with the forwarding role and the region's dead-letter queue ("The Amazon SQS queue you use
    must be in the same Region in which you create the rule"); a region or profile no longer listed loses our rule
    there, and then its queue."""
    steps = []
    for region in regions["enabled"][1:]:
        entries = [entry for entry in regions["rules"] if entry["region"] == region]
        if not entries:
            continue
        wanted = wanted_arns(entries)
        queue_key = "dead_letter_queue_%s" % region
        queue_arn = hub_mode.dead_letter_queue_arn(settings, region, where["account_id"])
        if wanted:
            steps.append(queue_step(settings, queue_key, wanted, regions["queues"][region], region))
            queue_arn = output(queue_key, "queue_arn")
        target = deferred(forwarding_target, bus_arn, role_arn, queue_arn)
        steps.extend(profile_rule_steps(settings, entries, lambda unused, target=target: target, key_prefix="rule_%s_" % region))
        if not wanted:
            steps.append(queue_removal_step(settings, queue_key, regions["queues"][region], region))
    return steps


def hub_bus_steps(settings, hub_known, target_for, extras, account):
    """The hub bus (its policy admits the members) and a rule per profile on it, to the topic (and our chat and
    webhook targets)."""
    names = hub_mode.hub_names(settings)
    steps = [step("hub_bus", EventBusManager, dict(
        tagged(settings), name=names["hub_bus_name"], organization_id=settings.get("organization_id"),
        member_accounts=[a for a in settings.get("member_accounts") or [] if a != account],
        forwarding_role_name=names["forwarding_role_name"]), hub_known["bus"], named_by="hub_bus_name")]
    main = hub_known["rules"][0]
    targets = [dict(target_for(alert_profiles.SIGN_IN_PROFILE), input_transformer=input_transformer())] + extras(alert_profiles.SIGN_IN_PROFILE)
    steps.append(sign_in_rule_step(settings, "hub_rule", main["bus"], RULE_DESCRIPTION + ", from member accounts", targets, main["known"]))
    return steps + profile_rule_steps(settings, hub_known["rules"][1:], target_for, key_prefix="hub_rule_", extras=extras)


# -- chat channels and webhooks ----------------------------------------------------------
def chat_topic_steps(settings, destinations, known, rule_arns, where):
    """The chat topic (the email topic's key and tags; no subscription of ours: the chat service makes its own) with
    the publish statement for our rules, and the channel configurations on it."""
    topic_arn = build_arn("sns", where["region"], where["account_id"], chat_topic_name(settings))
    chat_role = [r for r in destinations["roles"] if r["kind"] == "chat"][0]
    return [step("chat_topic", TopicManager, dict(tagged(settings), name=chat_topic_name(settings), kms_master_key_id=settings.get("kms_key_id") or None),
                 known.get("chat_topic") or {}, named_by="chat_topic_name"),
            publish_policy_step("chat_topic_policy", "chat_topic", topic_arn, rule_arns, where["account_id"], output("chat_topic", "created")),
            step("chat_channels", ChatChannelManager, dict(destinations["chat"]["params"], topic_arns=[topic_arn], role_arn=chat_role["arn"]),
                 {"configurations": destinations["chat"]["configurations"]})]


def destination_targets(settings, destinations, delivery, where):
    """Each webhook's connection and API destination (steps), and ``extras(profile)``: our chat and webhook targets
    for a profile's rule, with the dead-letter queue and retry policy of every target. Check mode names a new API
    destination's target without the ID AWS will choose (:data:`PENDING_DESTINATION_ID`)."""
    steps, hooks = [], []
    webhook_role = [r for r in destinations["roles"] if r["kind"] == "webhooks"]
    for item in destinations["webhooks"]:
        key = "webhook_%s" % item["webhook"]["name"]
        steps.append(step(key, WebhookManager, {"name": item["name"], "state": "present", "webhook": item["webhook"],
                                                "fingerprint_key": settings.get("webhook_fingerprint_key")}, item["known"]))
        pending = build_arn("events", where["region"], where["account_id"], "api-destination/%s/%s" % (item["name"], PENDING_DESTINATION_ID))
        hooks.append((item["webhook"], Later(lambda done, key=key, pending=pending: done[key]["api_destination_arn"] or pending)))
    chat_topic_arn = build_arn("sns", where["region"], where["account_id"], chat_topic_name(settings)) if destinations["chat"] else None

    def extras(profile):
        targets = []
        if chat_topic_arn:
            targets.append(dict(delivery, id=destination_verdict.CHAT_TARGET_ID, arn=chat_topic_arn,
                                input_transformer=chat_message.input_transformer(profile)))
        for webhook, arn in hooks:
            target = dict(delivery, id=destination_verdict.webhook_target_id(webhook["name"]), arn=arn, role_arn=webhook_role[0]["arn"])
            transformer = webhook_formats.input_transformer(webhook["format"], profile, webhook.get("routing_key"))
            if transformer:  # raw: the event as EventBridge has it
                target["input_transformer"] = transformer
            targets.append(target)
        return targets

    return steps, extras


def rules_with_destinations(settings, facts, hub):
    """``(key, name, bus, known, profile)`` of each rule of ours, as read before this run, that may carry our chat and
    webhook targets: the sign-in rule, each wanted profile's, and in the hub those on its bus."""
    known = known_for_managers(facts["delivery"], facts["ours"])
    rules = [("rule", settings["rule_name"], DEFAULT_BUS, known["rule"], alert_profiles.SIGN_IN_PROFILE)]
    rules.extend(("rule_" + e["profile"], e["name"], e["bus"], e["known"], e["profile"]) for e in facts["profile_rules"] if e["wanted"])
    if hub:
        rules.extend(("hub_rule" + ("" if e["profile"] == alert_profiles.SIGN_IN_PROFILE else "_" + e["profile"]), e["name"], e["bus"],
                      e["known"], e["profile"]) for e in facts["hub"]["rules"] if e["wanted"])
    return rules


def stale_targets(settings, rules):
    """``(rule, stale)`` for each of ``rules`` that carries chat or webhook targets of ours the settings no longer name."""
    wanted = set([TARGET_ID, DEFAULT_TARGET_ID] + [destination_verdict.webhook_target_id(w["name"]) for w in settings["webhooks"]])
    if settings["chat_channels"]:
        wanted.add(destination_verdict.CHAT_TARGET_ID)
    rules_with_stale = []
    for rule in rules:
        known = rule[3] or {}
        stale = [t for t in known.get("targets") or [] if is_destination_target(t) and t["Id"] not in wanted]
        if stale and known.get("rule"):
            rules_with_stale.append((rule, stale))
    return rules_with_stale


def stale_destination_steps(settings, facts, extras, where, hub):
    """Our chat and webhook targets on our rules that the settings no longer name go (others' targets stay), then
    what they led to: our channel configurations and chat topic, a webhook's API destination and connection."""
    steps, chat_gone, webhooks_gone = [], False, set()
    for (key, name, bus, known, profile), stale in stale_targets(settings, rules_with_destinations(settings, facts, hub)):
        desired = extras(profile)
        ids = [d["id"] for d in desired]
        # The desired targets count as present, so the rule is never taken for empty and deleted.
        after = deferred(lambda desired, current=known["targets"], ids=ids: [t for t in current if t["Id"] not in ids]
                         + [eventbridge_targets.to_api(d) for d in desired], desired)
        rule_known = dict({"rule": known["rule"], "targets": after}, **({"tags": known["tags"]} if "tags" in known else {}))
        steps.append(step("%s_stale_targets" % key, EventBridgeRuleManager, {
            "name": name, "event_bus_name": bus, "state": "absent", "owner_tag": OWNER_TAG,
            "targets": [{"id": t["Id"], "arn": t["Arn"]} for t in stale]}, rule_known))
        chat_gone = chat_gone or any(t["Id"] == destination_verdict.CHAT_TARGET_ID for t in stale)
        webhooks_gone.update(api_destination_name(t["Arn"]) for t in stale if api_destination_name(t["Arn"]))
    if chat_gone and not settings["chat_channels"]:
        steps.extend(chat_removal_steps(settings))
    return steps + webhook_removal_steps(settings, sorted(webhooks_gone - webhook_resource_names(settings)))


# -- removal: what we can prove we created goes ----------------------------------------------
def absent(settings, where, hub_role=None):
    """Remove what we can prove we created; keep everything else, and say why. In hub mode a member also loses its
    dead-letter queue, and the hub its bus, the rules on it and its queue. IAM roles are never written."""
    targets = [{"id": TARGET_ID, "arn": build_arn("sns", where["region"], where["account_id"], settings["topic_name"])}]
    if hub_role:
        targets.append({"id": DEFAULT_TARGET_ID, "arn": hub_mode.hub_bus_arn(settings, where["partition"])})
    # A regional profile was deployed: its rules and queues in the other Regions go too.
    steps = rule_removal_steps(settings, "rule", DEFAULT_BUS, targets) + [regional_removal_steps(settings, targets, where)]
    if hub_role == hub_mode.HUB:
        bus = hub_mode.hub_names(settings)["hub_bus_name"]
        steps.extend(rule_removal_steps(settings, "hub_rule", bus, targets[:1]))
        removed = Later(lambda done: [name for suffix, name in rule_names(settings)
                                      if done["hub_rule" + suffix]["changed"] and not done["hub_rule" + suffix].get("kept_targets")])
        steps.append(step("hub_bus", EventBusManager, {"name": bus, "state": "absent", "owner_tag": OWNER_TAG, "own_rules": removed}))
    steps.extend(topic_removal_steps(settings))
    if hub_role != hub_mode.MEMBER:
        steps.extend(found_destination_removal_steps(settings))
    steps.append(queue_removal_step(settings, "dead_letter_queue"))
    return steps + cis_and_trail_removal_steps(settings, where)


def retire(settings, where):
    """A member's own topic path, once its path through the hub is proven: our topic's target off our rules (which
    keep forwarding to the hub), then the topic."""
    topic_arn = build_arn("sns", where["region"], where["account_id"], settings["topic_name"])
    return rule_removal_steps(settings, "retired_rule", DEFAULT_BUS, [{"id": TARGET_ID, "arn": topic_arn}], read_first=False) + topic_removal_steps(settings)
