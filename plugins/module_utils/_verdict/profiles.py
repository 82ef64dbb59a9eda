# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Would each enabled alert profile's events, in each Region it alerts in, reach a confirmed recipient?

Pure functions, no I/O. ``delivery_path.evaluate`` judges console_sign_in; this
judges every other enabled profile, per Region, link by link, from what the stack
already read (no request of its own):

1. ``event_source``: a logging trail covers the Region (multi-Region, or homed
   there). "To record events with a detail-type value of AWS API Call via
   CloudTrail, a CloudTrail trail with logging enabled is required" (EventBridge
   user guide, "Events from AWS services").
2. ``rule``: our profile rule exists, in the state the profile needs
   (``alert_profiles`` ``rule_state``), and its pattern covers the profile's events.
3. us-east-1: ``target`` (our topic), ``topic_policy`` (lets EventBridge publish for
   that rule), ``encryption`` and ``recipients``. Other Regions: ``target`` (the
   account's us-east-1 default bus, with the forwarding role, which must be usable),
   then ``forwarded``: the profile's us-east-1 path, which the forwarded event takes.

A link is True (proven), False (broken) or None (a read it needs failed).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as alert_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import targets as eventbridge_targets
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import COMPLIANT
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import NEEDS_ACTION
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import UNKNOWN
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import worst
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import GLOBAL_REGION

ALL_MANAGEMENT_EVENTS = alert_profiles.ALL_MANAGEMENT_EVENTS
TRAIL_REQUIRED = "a CloudTrail trail with logging enabled is required (EventBridge user guide)"


def rule_facts(view):
    """A rule and its targets in the API's shape (``{"rule", "targets"}``) from ``eventbridge_rule.rule_view``
    (what an apply just wrote), so the verdict judges the account as it now stands without reading it again."""
    if not view:
        return {"rule": None, "targets": []}
    rule = {"Name": view.get("name"), "Arn": view.get("arn"), "State": view.get("state"),
            "EventPattern": json.dumps(view["event_pattern"]) if view.get("event_pattern") is not None else None}
    return {"rule": rule, "targets": [eventbridge_targets.to_api(t) for t in view.get("targets") or []]}


def status_of(links):
    if [x for x in links if x["ok"] is False]:
        return NEEDS_ACTION
    if [x for x in links if x["ok"] is None]:
        return UNKNOWN
    return COMPLIANT


def trail_link(trails, account_id, region):
    """The ``event_source`` link of one Region: a trail read in us-east-1 (multi-Region) or in the Region itself."""
    found = delivery_path.event_source_link(trails or {}, account_id, region)
    if found["ok"] is False:
        return delivery_path.link("event_source", False, "%s receives nothing: no logging CloudTrail trail covers it, and %s; %s"
                                  % (region, TRAIL_REQUIRED, found["reason"]))
    return found


def state_link(name, rule):
    """Enabled, in the state the profile's events need. Read-only management events reach only rules in
    ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (EventBridge API reference, PutRule ``State``)."""
    state = rule.get("State")
    wanted = alert_profiles.PROFILES[name]["rule_state"]
    if state not in delivery_path.ENABLED_STATES:
        return delivery_path.link("rule", False, "rule %s is %s" % (rule.get("Name"), state or "not enabled"))
    if wanted == ALL_MANAGEMENT_EVENTS and state != ALL_MANAGEMENT_EVENTS:
        return delivery_path.link("rule", False, "rule %s is %s, not %s: it drops every read-only root call"
                                  % (rule.get("Name"), state, ALL_MANAGEMENT_EVENTS))
    return None


def rule_links(name, found, account_id, region):
    """The ``rule`` link of profile ``name`` in ``region``; ``found``: ``{"rule", "targets", "error"}``."""
    if found is None or found.get("error"):
        return delivery_path.link("rule", None, "the rule of profile %s in %s could not be read: %s"
                                  % (name, region, (found or {}).get("error") or "not read"))
    rule = found.get("rule")
    if not rule:
        return delivery_path.link("rule", False, "profile %s has no rule in %s" % (name, region))
    broken = state_link(name, rule)
    if broken:
        return broken
    ok, why = delivery_path.rule_matches(rule, account_id, region, profile=name)
    return delivery_path.link("rule", ok, why if ok is not True else "rule %s is %s and %s" % (rule.get("Name"), rule.get("State"), why))


def _target(found, arn):
    return ([t for t in found.get("targets") or [] if t.get("Arn") == arn] or [None])[0]


def home_links(name, found, facts):
    """us-east-1, after the rule: our topic, its policy for this rule, its key and its recipients."""
    account, topic_arn = facts["account_id"], facts["topic_arn"]
    target = _target(found, topic_arn)
    if target is None:
        return [delivery_path.link("target", False, "rule %s does not target topic %s" % (found["rule"].get("Name"), topic_arn))]
    topic = (facts.get("topics") or {}).get(topic_arn)
    links = [delivery_path.target_link(target, topic, account, GLOBAL_REGION, facts["partition"])]
    if links[-1]["ok"]:
        attributes = topic["attributes"]
        links.append(delivery_path.topic_policy_link(topic_arn, attributes, found["rule"].get("Arn"), account))
        links.append(delivery_path.encryption_link(topic_arn, attributes, facts.get("keys") or {}))
        links.append(delivery_path.recipients_link(topic_arn, topic, profile=name))
    return links


def forward_links(found, facts, home):
    """Another Region, after the rule: the account's us-east-1 default bus with the forwarding role, then the
    profile's us-east-1 path (``home``: its verdict there)."""
    bus_arn, role = facts["bus_arn"], facts.get("role") or {}
    target = _target(found, bus_arn)
    name = found["rule"].get("Name")
    if target is None:
        return [delivery_path.link("target", False, "rule %s does not forward to %s" % (name, bus_arn))]
    if not target.get("RoleArn") or target["RoleArn"] != role.get("arn"):
        return [delivery_path.link("target", False, "rule %s forwards to %s without the forwarding role %s"
                                   % (name, bus_arn, role.get("arn") or "(none verified)"))]
    usable = role.get("usable")
    links = [delivery_path.link("target", usable, "forwards to %s with role %s%s" % (
        bus_arn, target["RoleArn"], "" if usable else ": " + "; ".join(role.get("problems") or ["not verified"])))]
    ok = {COMPLIANT: True, UNKNOWN: None}.get(home["status"], False)
    links.append(delivery_path.link("forwarded", ok, "in %s: %s" % (
        GLOBAL_REGION, "; ".join(home["problems"]) if home["problems"] else "the profile's path there is complete")))
    return links


def regions_of(name, regions):
    """Where profile ``name`` alerts: us-east-1 only, or each listed Region (us-east-1 first)."""
    if alert_profiles.PROFILES[name]["regions"] != alert_profiles.REGIONS_ALL:
        return [GLOBAL_REGION]
    return [GLOBAL_REGION] + [r for r in regions or [] if r != GLOBAL_REGION]


def region_verdict(links):
    return {"status": status_of(links), "problems": [x["reason"] for x in links if x["ok"] is not True]}


def evaluate_profile(name, facts):
    """``{"status", "problems", "regions": {region: {"status", "problems"}}}`` of one profile."""
    account = facts["account_id"]
    rules = (facts.get("rules") or {}).get(name) or {}
    trails = facts.get("trails") or {}
    regions = {}
    for region in regions_of(name, facts.get("regions")):
        found = rules.get(region)
        links = [trail_link(trails.get(region) or trails.get(GLOBAL_REGION), account, region), rule_links(name, found, account, region)]
        if links[-1]["ok"] is not False and (found or {}).get("rule"):
            links += home_links(name, found, facts) if region == GLOBAL_REGION else forward_links(found, facts, regions[GLOBAL_REGION])
        regions[region] = region_verdict(links)
    problems = ["%s: %s" % (region, problem) for region, verdict in regions.items() for problem in verdict["problems"]]
    return {"status": worst(v["status"] for v in regions.values()), "problems": problems, "regions": regions}


def evaluate(facts):
    """Every enabled profile but console_sign_in (``facts["profiles"]``), judged per Region.

    ``facts``: ``account_id``, ``partition``; ``profiles`` (names); ``regions`` (the regional profiles'
    Regions); ``rules`` (``{profile: {region: {"rule", "targets", "error"}}}``, the API's shapes); ``trails``
    (``{region: delivery_reader.read_trails()}``, us-east-1 at least); ``topics`` and ``keys`` (as
    ``delivery_reader`` read them); ``topic_arn``; ``bus_arn`` (the us-east-1 default bus); ``role``
    (``{"arn", "usable", "problems"}`` of the forwarding role, or None).
    """
    return dict((name, evaluate_profile(name, facts)) for name in facts.get("profiles") or []
                if name != alert_profiles.SIGN_IN_PROFILE)
