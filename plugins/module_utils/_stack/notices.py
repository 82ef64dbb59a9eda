# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the stack tells the user: its messages (warnings and refusals) and the summaries in its result. Pure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.api_destinations import OWNER_MARKER
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import DEFAULT_API_REGION as CHAT_API_REGION
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import destinations as destination_verdict
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import hub as hub_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.cloudwatch1 import cloudwatch1_verdict
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import CREATED_BY_TAG
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import chat_topic_name
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import name_hint
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import role_variable
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import trail_mode

# The routing key's JSON value in a PagerDuty target's input template (webhook_formats.payload_structure).
ROUTING_KEY_IN_TEMPLATE_RE = re.compile(r'("routing_key"\s*:\s*)"(?:[^"\\]|\\.)*"')
REDACTED = "(secret, not shown)"
TEST_SUBJECT = "rootwatch.aws test: root sign-in alerts are wired up"


# -- refusals: the account stops before the write they concern -------------------------------
def account_mismatch(account_id, expected):
    return ("The credentials reach account %s, but this host names account %s (account_id, or a 12-digit host "
            "name); nothing was changed" % (account_id, expected))


def failed_reads(account_id, unknown, member=False):
    """A read the decision depends on failed: never taken as 'missing'."""
    why = "" if member else " (that could create a second trail, rule or topic)"
    return ("Account %s: nothing was changed, because reads the decision depends on failed: %s. A failed read "
            "is never taken as 'missing'%s; re-run when they succeed." % (account_id, "; ".join(unknown), why))


def nothing_changed(account_id, because):
    return "Account %s: nothing was changed, because %s" % (account_id, because)


def regions_not_enabled(account_id, missing):
    return ("Account %s: %s lists %s, which ec2:DescribeRegions does not report as enabled in this account; nothing was "
            "changed" % (account_id, role_variable("regions"), ", ".join(missing)))


def hub_rules_unreadable(account_id, bus, error):
    return nothing_changed(account_id, "the rules of hub bus %s could not be read: %s" % (bus, error))


def name_is_set_by(error, option):
    """A manager's message about a resource that is not ours, with where the stack's user sets its name."""
    return "%s Its name is set by %s." % (error.msg, name_hint(option))


def foreign_webhook_resource(kind, name, region):
    return ("%s %s in %s exists but was not created by rootwatch.aws (its Description does not begin with %r; "
            "EventBridge connections and API destinations take no tags), so it is left as it is and nothing was "
            "changed. Choose another name in %s, or delete it yourself." % (kind, name, region, OWNER_MARKER, role_variable("webhooks")))


# -- warnings ------------------------------------------------------------------------------------
def describe_paths(paths):
    return ", ".join("rule %s -> topic %s (recipients: %s)" % (p["rule"], p["topic"], ", ".join(p["recipients"]) or "none") for p in paths)


def adopted(account_id, theirs):
    return ("Account %s already alerts through %s, which rootwatch.aws did not build; adopt_existing is on, so "
            "the account is left exactly as it is" % (account_id, describe_paths(theirs)))


def second_path(account_id, theirs, check_mode):
    return ("Account %s already alerts on root sign-ins through %s, which rootwatch.aws did not build. %s adds a "
            "second path, so every recipient on both would get two emails per sign-in. Set "
            "%s: true to leave such an account as it is."
            % (account_id, describe_paths(theirs), "This preview" if check_mode else "This run", role_variable("adopt_existing")))


def cis_without_trail(settings):
    """CIS CloudWatch.1 was asked for, but no trail of ours sends its events to the CIS log group."""
    none = trail_mode(settings) == "none"
    return ("CIS CloudWatch.1 (%s) needs a trail that sends its events to the CIS log group; the trail here is %s, so no "
            "log group, metric filter or alarm was set up. Set %s: create for a trail of the role's own%s."
            % (role_variable("cis_metric_filter"), "off (%s: none)" % role_variable("trail") if none else "reused", role_variable("trail"),
               "" if settings.get("cis_reused_trail") else
               ", or %s: true to let the reused trail also send its events there" % role_variable("cis_reused_trail")))


def orphaned_topic(settings, orphan):
    """A renamed topic: the old one is no longer the rule's target (None: no renamed topic)."""
    if not orphan:
        return None
    return ("Topic %s is no longer the target of rule %s (%s changed); it still exists with its subscriptions. Remove it "
            "with %s=absent and %s=%s" % (orphan, settings["rule_name"], role_variable("topic_name"), role_variable("state"),
                                          role_variable("topic_name"), orphan.rsplit(":", 1)[-1]))


def topic_kept(found, key=""):
    """``kept(done)``: why a removal keeps the topic ``found`` (its inspection), '' when it goes or never was."""

    def kept(done):
        if not found["exists"]:
            return ""
        if found["owned"]:
            return done[key + "topic"].get("kept_because", "")
        return "it was not created by rootwatch.aws (no %s tag); its subscriptions are kept too" % CREATED_BY_TAG

    return kept


def retire_waits(topic_arn, reason):
    return ("Topic %s is kept: %s waits until this account's path through the hub is proven in the same run, and it "
            "was not: %s" % (topic_arn, role_variable("retire_account_topic"), reason or "no reason given"))


def pending_confirmation(account_id, pending, total):
    return ("Account %s: %d of %d alert subscriptions still await confirmation: %s. Each recipient must click "
            "'Confirm subscription' in the email 'AWS Notification - Subscription Confirmation'; until then "
            "no alert reaches them." % (account_id, len(pending), total, ", ".join(pending)))


def test_message(account_id, sample):
    return "Test notification from rootwatch.aws for account %s. A real alert reads:\n\n%s" % (account_id, sample)


def progress_note(check_mode, progress):
    if check_mode or not progress:
        return "Nothing was changed by this run before the failure."
    return "Before the failure this run had made these changes, which stay: %s. A re-run converges the rest." % "; ".join(progress)


# -- the result ----------------------------------------------------------------------------------
def empty_result(**extra):
    return dict({"changed": False, "changes": [], "diff": {"before": {}, "after": {}}}, **extra)


def merge_outcomes(result, outcomes):
    """The managers' outcomes, in order, into the stack's result: changed, changes, diff by key."""
    for key, outcome in outcomes:
        result["changes"].extend(outcome["changes"])
        result["diff"]["before"][key] = outcome["diff"]["before"]
        result["diff"]["after"][key] = outcome["diff"]["after"]
    result["changed"] = any(outcome["changed"] for unused, outcome in outcomes)
    return result


def redact_routing_keys(value):
    """``value`` with the PagerDuty routing key of every target input template replaced by :data:`REDACTED`. The key
    travels in the payload (webhook_formats), so it is in the templates of our targets as AWS returns them."""
    if isinstance(value, dict):
        return dict((key, redact_routing_keys(item)) for key, item in value.items())
    if isinstance(value, list):
        return [redact_routing_keys(item) for item in value]
    if isinstance(value, str) and '"routing_key"' in value:
        return ROUTING_KEY_IN_TEMPLATE_RE.sub(r'\1"%s"' % REDACTED, value)
    return value


def unverified_trail(exc):
    """The trail's outcome in an audit when S3 did not prove the log bucket's owner: nothing, and why unknown."""
    return {"changed": False, "created": False, "reused": False, "trail": {}, "covering_trail": None, "changes": [],
            "diff": {"before": {}, "after": {}}, "facts": {}, "unknown": [exc.message]}


def with_unverified_bucket(verdict, trail_outcome):
    """The verdict, ``unknown`` with the reason, when an audit could not prove the owner of the trail's log bucket
    (an apply stops there instead, before the trail is pointed at the bucket)."""
    reasons = (trail_outcome or {}).get("unknown") or []
    if not reasons:
        return verdict
    return dict(verdict, status=delivery_path.UNKNOWN, unknown=list(verdict.get("unknown") or []) + reasons)


def role_checks(outcomes):
    """The role views (``usable``, ``problems``) of the roles this run verified (``iam_roles.RoleVerifier``)."""
    return [outcome["role"] for key, outcome in outcomes if key in ("forwarding_role", "cis_role")]


def trail_summary(settings, outcomes):
    """What the run did about the trail (the verdict's event_source link says whether it delivers)."""
    outcome = outcomes.get("trail")
    if outcome is None:
        return {"mode": trail_mode(settings), "reused": False, "created": False, "name": None}
    covering = outcome.get("covering_trail") or {}
    return {
        "mode": trail_mode(settings),
        "reused": outcome["reused"],
        "created": outcome["created"],
        "name": covering.get("name") if outcome["reused"] else settings["trail_name"],
        "arn": covering.get("arn") if outcome["reused"] else (outcome.get("trail") or {}).get("arn"),
    }


def removed_trail_summary(settings, outcomes):
    outcome = outcomes.get("trail")
    return {"mode": trail_mode(settings), "deleted": bool(outcome and outcome["changed"]),
            "name": settings["trail_name"] if outcome else None, "kept": (outcome or {}).get("kept")}


def regions_summary(regions):
    """The Regions the regional profiles' rules are in, and those rules."""
    return {"regions": [r for r in regions["listed"] if r in regions["enabled"]],
            "rules": sorted("%s %s" % (entry["region"], entry["name"]) for entry in regions["rules"] if entry["wanted"])}


def destination_summary(settings, destinations, outcomes):
    """The result's ``chat`` and ``webhooks`` (what was built, and the roles read): nothing secret, endpoints by host."""
    out = {}
    roles = dict((role["kind"], role) for role in destinations["roles"])
    if destinations["chat"]:
        topic = outcomes.get("chat_topic") or {}
        channels = outcomes.get("chat_channels") or {}
        out["chat"] = {"topic_arn": topic.get("topic_arn"), "topic_name": chat_topic_name(settings),
                       "channels": channels.get("channels") or {}, "api_region": CHAT_API_REGION,
                       "role": dict((k, roles["chat"][k]) for k in ("name", "arn", "usable", "problems"))}
    if destinations["webhooks"]:
        hooks = {}
        for item in destinations["webhooks"]:
            outcome = outcomes.get("webhook_%s" % item["webhook"]["name"]) or {}
            after = (outcome.get("diff") or {}).get("after") or {}
            hooks[item["webhook"]["name"]] = {
                "format": item["webhook"]["format"], "name": item["name"],
                "target_id": destination_verdict.webhook_target_id(item["webhook"]["name"]),
                "connection_arn": outcome.get("connection_arn"), "api_destination_arn": outcome.get("api_destination_arn"),
                "connection": after.get("connection") or {}, "api_destination": after.get("api_destination") or {}}
        out["webhooks"] = hooks
        out["webhook_role"] = dict((k, roles["webhooks"][k]) for k in ("name", "arn", "usable", "problems"))
    return out


def profile_rules_summary(profile_outcomes):
    return dict((profile, outcome["rule"]) for profile, outcome in profile_outcomes if outcome.get("rule"))


def queue_summary(outcome, facts, applied, profile_rules=(), hub_known=None):
    """``hub_mode.queue_summary`` of this Region's queue, with the rules read before any write whose targets may
    name it (a missing queue they name loses every event they fail to deliver)."""
    rules = list((facts.get("rules") or {}).get("rules") or [])
    rules.extend({"Name": entry["name"], "targets": (entry.get("known") or {}).get("targets") or []} for entry in profile_rules or [])
    if hub_known:
        rules.extend({"Name": "%s (bus %s)" % (entry["name"], entry["bus"]), "targets": (entry.get("known") or {}).get("targets") or []}
                     for entry in hub_known["rules"])
    return hub_mode.queue_summary(outcome, rules, applied=applied)


def cloudwatch1(facts):
    """Would Security Hub CloudWatch.1 pass here? From what was read (cis_metric_filter)."""
    return cloudwatch1_verdict(dict(facts["cis"], trails=facts["trails"], account_id=facts["account_id"], region=facts["region"]))
