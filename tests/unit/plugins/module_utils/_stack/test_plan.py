# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack's plan with no stub and no client: settings and plain dicts of what was read in, steps out."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._stack import plan
from ansible_collections.rootwatch.aws.plugins.module_utils._stack import removal
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import validate_settings
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import Callback
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import resolve

ACCOUNT = "111111111111"
HUB = "222222222222"
WHERE = {"account_id": ACCOUNT, "region": "us-east-1", "partition": "aws"}
TOPIC_ARN = "arn:aws:sns:us-east-1:111111111111:root-login-alerts"
RULE_ARN = "arn:aws:events:us-east-1:111111111111:rule/root-login-alerts"
QUEUE_ARN = "arn:aws:sqs:us-east-1:111111111111:root-login-alerts-undelivered"
OURS = {"rootwatch:created-by": "root_login_alerts"}
BASE = {"state": "present", "emails": ["security@example.com"], "region": "us-east-1", "account_id": ACCOUNT, "topic_name": "root-login-alerts",
        "rule_name": "root-login-alerts", "trail": "auto", "trail_name": "root-login-alerts", "tags": {"team": "security"}, "profiles": ["console_sign_in"]}
# The answers of a fresh account, as the readers give them: nothing of ours, no trail.
NOTHING = {"error": None, "rules": [], "names": []}


def settings(**overrides):
    return validate_settings(dict(BASE, **overrides))


def facts(**overrides):
    found = {
        "ours": {"topic_arn": TOPIC_ARN, "rule_arn": RULE_ARN, "target_id": "rootwatch-root-login-alerts"},
        "delivery": {"trails": {"error": None, "trails": []}, "rules": dict(NOTHING), "topics": {}, "keys": {}},
        "verdict": {"event_source": {"ok": False}},
        "destinations": {"facts": {}, "roles": [], "chat": None, "webhooks": []},
        "profile_rules": [], "hub": None, "queue": {"queue_url": None, "attributes": None, "tags": None}, "regions": None,
        "forwarding_role": None,
    }
    found.update(overrides)
    return found


def keys(steps):
    return [s["key"] if s["manager"] else ("expand" if "expand" in s else "notice") for s in steps]


def by_key(steps, key):
    return [s for s in steps if s["key"] == key][0]


# Outcomes the loop would have recorded, for the values a step takes from earlier steps.
DONE = {"topic": {"created": True, "topic": {"policy": {"Statement": []}}}, "dead_letter_queue": {"queue_arn": QUEUE_ARN},
        "forwarding_role": {"role_arn": "arn:aws:iam::111111111111:role/root-login-alerts-forwarding"}}


def test_a_fresh_account_gets_trail_topic_subscriptions_policy_queue_and_rule_in_that_order():
    steps = plan.present(settings(), facts(), WHERE)
    assert keys(steps) == ["trail", "topic", "subscriptions", "topic_policy", "dead_letter_queue", "rule", "notice"]
    assert [s["manager"].__name__ for s in steps if s["manager"]] == [
        "CloudTrailTrailManager", "TopicManager", "SubscriptionManager", "TopicPolicyManager", "DeadLetterQueueManager", "EventBridgeRuleManager"]
    assert all(s.get("region") is None for s in steps if s["manager"])  # the stack's Region
    topic = by_key(steps, "topic")["params"]
    assert topic["name"] == "root-login-alerts" and topic["tags"] == {"team": "security", "rootwatch:created-by": "root_login_alerts"}
    assert topic["owner_tag"] == OURS and topic["purge_tags"] is False
    subscriptions = resolve(by_key(steps, "subscriptions")["params"], DONE)
    assert subscriptions == {"topic_arn": TOPIC_ARN, "protocol": "email", "endpoints": ["security@example.com"], "new_topic": True, "purge": True}
    policy = by_key(steps, "topic_policy")
    statement = policy["params"]["statements"][0]
    assert statement["Sid"] == "RootwatchAllowEventBridgePublish" and statement["Resource"] == TOPIC_ARN
    assert resolve(policy["known"], DONE) == {"attributes": {"Policy": '{"Statement": []}'}}
    rule = resolve(by_key(steps, "rule")["params"], DONE)
    assert rule["name"] == "root-login-alerts" and rule["event_bus_name"] == "default" and rule["purge_targets"] is False
    assert [(t["id"], t["arn"], t["dead_letter_arn"]) for t in rule["targets"]] == [("rootwatch-root-login-alerts", TOPIC_ARN, QUEUE_ARN)]
    trail = by_key(steps, "trail")
    assert trail["params"]["reuse_covering_trail"] is True and trail["params"]["s3_bucket_name"] == "root-login-alerts-111111111111-us-east-1"
    assert trail["unverified_bucket"] is True and trail["params"]["cloud_watch_logs"] is None


def test_check_mode_keeps_a_new_topics_subscriptions_and_policy_quiet():
    steps = plan.present(settings(), facts(), WHERE)
    for key in ("subscriptions", "topic_policy"):
        assert resolve(by_key(steps, key)["quiet"], DONE) is True
        assert resolve(by_key(steps, key)["quiet"], dict(DONE, topic={"created": False})) is False


def test_trail_none_and_create():
    assert "trail" not in keys(plan.present(settings(trail="none"), facts(), WHERE))
    assert by_key(plan.present(settings(trail="create"), facts(), WHERE), "trail")["params"]["reuse_covering_trail"] is False


def test_a_central_bucket_of_another_account_is_neither_created_nor_given_a_policy():
    trail = by_key(plan.present(settings(trail_bucket="org-trail-logs", trail_bucket_owner=HUB), facts(), WHERE), "trail")["params"]
    assert trail["s3_bucket_name"] == "org-trail-logs" and trail["bucket_owner"] == HUB
    assert trail["create_bucket"] is False and trail["manage_bucket_policy"] is False
    assert trail["bucket_owner_hint"] == "set root_login_alerts_trail_bucket_owner to the ID of the account that owns it"


def profile_entry(profile, wanted=True, known=None, region=None):
    name = "root-login-alerts-" + profile.replace("_", "-")
    entry = {"profile": profile, "name": name, "wanted": wanted, "bus": "default", "known": known or {"rule": None, "targets": []},
             "arn": "arn:aws:events:%s:111111111111:rule/%s" % (region or "us-east-1", name)}
    if region:
        entry["region"] = region
    return entry


def test_a_profile_rule_is_planned_after_the_sign_in_rule_and_may_publish_to_the_topic():
    steps = plan.present(settings(profiles=["console_sign_in", "credential_changes"]), facts(profile_rules=[profile_entry("credential_changes")]), WHERE)
    assert keys(steps)[-3:] == ["rule", "rule_credential_changes", "notice"]
    params = resolve(by_key(steps, "rule_credential_changes")["params"], DONE)
    assert params["state"] == "present" and params["description"] == "Root user alerts, profile credential_changes (rootwatch.aws)"
    assert params["targets"][0]["arn"] == TOPIC_ARN and params["targets"][0]["dead_letter_arn"] == QUEUE_ARN
    publishers = by_key(steps, "topic_policy")["params"]["statements"][0]["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert publishers == [RULE_ARN, RULE_ARN + "-credential-changes"]
    assert by_key(steps, "dead_letter_queue")["params"]["rule_arns"] == [RULE_ARN, RULE_ARN + "-credential-changes"]


def test_a_profile_no_longer_listed_loses_only_our_target_from_its_rule():
    entry = profile_entry("credential_changes", wanted=False)
    params = resolve(by_key(plan.present(settings(), facts(profile_rules=[entry]), WHERE), "rule_credential_changes")["params"], DONE)
    assert params == {"name": entry["name"], "event_bus_name": "default", "owner_tag": OURS, "state": "absent",
                      "targets": [{"id": "rootwatch-root-login-alerts", "arn": TOPIC_ARN}]}


def test_a_foreign_rule_with_our_name_gives_no_step_at_all():
    theirs = profile_entry("credential_changes", known={"rule": {"Name": "root-login-alerts-credential-changes"}, "targets": [], "tags": {}})
    found = facts(profile_rules=[theirs])
    config = settings(profiles=["console_sign_in", "credential_changes"])
    assert plan.present(config, found, WHERE) == []
    message = plan.foreign(config, found, WHERE)
    assert len(message) == 1 and message[0].startswith("EventBridge rule root-login-alerts-credential-changes in us-east-1 exists but was not created")
    # The same rule, ours by its tag: planned.
    ours = dict(theirs, known=dict(theirs["known"], tags=dict(OURS)))
    assert "rule_credential_changes" in keys(plan.present(config, facts(profile_rules=[ours]), WHERE))


def test_a_foreign_queue_stops_the_account():
    found = facts(queue={"queue_url": "https://sqs/q", "attributes": {}, "tags": {}})
    assert plan.present(settings(), found, WHERE) == []
    assert "SQS queue root-login-alerts-undelivered in us-east-1" in plan.foreign(settings(), found, WHERE)[0]


REGIONS = {"listed": ["us-east-1", "eu-west-1"], "enabled": ["us-east-1", "eu-west-1", "eu-west-2"], "wanted": ["api_activity"], "queues": {
    "eu-west-1": {"queue_url": None, "attributes": None, "tags": None}, "eu-west-2": {"queue_url": None, "attributes": None, "tags": None}},
    "rules": [profile_entry("api_activity", region="eu-west-1"),
              profile_entry("api_activity", wanted=False, region="eu-west-2", known={"rule": {"Name": "x"}, "targets": [], "tags": OURS})]}


def test_regional_rules_forward_to_the_default_bus_with_the_verified_role_and_their_regions_queue():
    config = settings(profiles=["console_sign_in", "api_activity"], regions=["us-east-1", "eu-west-1"])
    steps = plan.present(config, facts(regions=REGIONS, profile_rules=[profile_entry("api_activity")]), WHERE)
    assert keys(steps)[0] == "forwarding_role" and steps[0]["gate"] is True
    assert steps[0]["params"]["bus_arns"] == ["arn:aws:events:us-east-1:111111111111:event-bus/default"]
    assert steps[0]["params"]["rule_arns"] == ["arn:aws:events:eu-west-1:111111111111:rule/root-login-alerts-api-activity"]
    regional = [(s["key"], s["region"]) for s in steps if s.get("region")]
    assert regional == [("dead_letter_queue_eu-west-1", "eu-west-1"), ("rule_eu-west-1_api_activity", "eu-west-1"),
                        ("rule_eu-west-2_api_activity", "eu-west-2"), ("dead_letter_queue_eu-west-2", "eu-west-2")]
    done = dict(DONE, **{"dead_letter_queue_eu-west-1": {"queue_arn": "arn:aws:sqs:eu-west-1:111111111111:root-login-alerts-undelivered"}})
    target = resolve(by_key(steps, "rule_eu-west-1_api_activity")["params"], done)["targets"][0]
    assert target["arn"] == "arn:aws:events:us-east-1:111111111111:event-bus/default"
    assert target["role_arn"] == DONE["forwarding_role"]["role_arn"] and target["dead_letter_arn"].startswith("arn:aws:sqs:eu-west-1:")
    assert resolve(by_key(steps, "rule_eu-west-2_api_activity")["params"], done)["state"] == "absent"
    assert by_key(steps, "dead_letter_queue_eu-west-2")["params"]["state"] == "absent"


def test_cis_verifies_cloudtrails_role_before_the_trail_and_builds_the_log_group_when_the_trail_asks():
    steps = plan.present(settings(cis_metric_filter=True, trail="create"), facts(), WHERE)
    assert keys(steps)[:3] == ["cis_role", "trail", "notice"] and steps[0]["gate"] is True
    callback = by_key(steps, "trail")["params"]["cloud_watch_logs"]
    assert isinstance(callback, Callback)
    assert [s["key"] for s in callback.steps("arn:aws:cloudtrail:us-east-1:111111111111:trail/root-login-alerts")] == ["cis_log_group"]
    done = {"cis_log_group": {"log_group_arn": "group-arn"}, "cis_role": {"role_arn": "role-arn"}}
    assert resolve(callback.returns, done) == ("group-arn", "role-arn")
    for key in ("cis_metric_filter", "cis_alarm"):
        assert resolve(by_key(steps, key)["when"], done) is True and resolve(by_key(steps, key)["when"], {}) is False
    notice = steps[2]["notice"]
    assert resolve(notice, done) is None and "CIS CloudWatch.1 (root_login_alerts_cis_metric_filter) needs a trail" in resolve(notice, {})


def test_a_reused_trail_gets_no_cis_role_first_and_the_trail_verifies_it_if_it_asks():
    verdict = {"event_source": {"ok": True}}
    steps = plan.present(settings(cis_metric_filter=True), facts(verdict=verdict), WHERE)
    assert keys(steps)[0] == "trail"
    callback = steps[0]["params"]["cloud_watch_logs"]
    trail_arn = "arn:aws:cloudtrail:us-east-1:111111111111:trail/root-login-alerts"
    assert [(s["key"], s["params"].get("trail_arn")) for s in callback.steps(trail_arn)] == [("cis_role", trail_arn), ("cis_log_group", None)]


HUB_SETTINGS = {"hub_account_id": HUB, "member_accounts": [ACCOUNT, HUB]}


def hub_facts():
    bus_rule = "arn:aws:events:us-east-1:222222222222:rule/root-login-alerts-hub/root-login-alerts"
    main = {"profile": "console_sign_in", "name": "root-login-alerts", "wanted": True, "bus": "root-login-alerts-hub", "arn": bus_rule,
            "known": {"rule": None, "targets": []}}
    ours = {"topic_arn": TOPIC_ARN.replace(ACCOUNT, HUB), "rule_arn": RULE_ARN.replace(ACCOUNT, HUB), "target_id": "rootwatch-root-login-alerts"}
    return facts(ours=ours, hub={"bus": {"bus": None, "tags": None}, "bus_rules": dict(NOTHING), "rules": [main]})


def test_the_hub_gets_its_bus_and_the_rule_on_it_and_both_rules_may_publish():
    where = dict(WHERE, account_id=HUB)
    steps = plan.present(settings(account_id=HUB, **HUB_SETTINGS), hub_facts(), where, hub=True)
    assert keys(steps) == ["trail", "topic", "subscriptions", "topic_policy", "dead_letter_queue", "rule", "hub_bus", "hub_rule", "notice"]
    assert by_key(steps, "hub_bus")["params"]["member_accounts"] == [ACCOUNT]  # not the hub itself
    hub_rule = resolve(by_key(steps, "hub_rule")["params"], DONE)
    assert hub_rule["event_bus_name"] == "root-login-alerts-hub" and hub_rule["description"].endswith(", from member accounts")
    publishers = by_key(steps, "topic_policy")["params"]["statements"][0]["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert publishers == [RULE_ARN.replace(ACCOUNT, HUB), "arn:aws:events:us-east-1:222222222222:rule/root-login-alerts-hub/root-login-alerts"]


def test_a_member_forwards_to_the_hub_bus_and_has_no_topic():
    found = facts(forwarding_role={"role": None})
    steps = plan.member(settings(**HUB_SETTINGS), found, WHERE)
    assert keys(steps) == ["forwarding_role", "trail", "dead_letter_queue", "rule"]
    assert steps[0]["params"]["bus_arns"] == ["arn:aws:events:us-east-1:222222222222:event-bus/root-login-alerts-hub"]
    assert steps[0]["known"] == {"role": None}
    rule = resolve(steps[-1]["params"], DONE)
    assert rule["description"].endswith(", forwarded to the hub")
    assert [(t["id"], t["arn"], t["role_arn"]) for t in rule["targets"]] == [
        ("rootwatch-hub-bus", "arn:aws:events:us-east-1:222222222222:event-bus/root-login-alerts-hub", DONE["forwarding_role"]["role_arn"])]
    assert steps[1].get("unverified_bucket") is False  # a member's audit fails at a bucket not proven ours


WEBHOOK = {"name": "pd", "url": "https://events.pagerduty.com/v2/enqueue", "format": "pagerduty_v2", "routing_key": "A" * 32}


def test_a_webhook_no_longer_configured_loses_its_target_then_its_api_destination():
    stale = {"Id": "rootwatch-webhook-pd", "Arn": "arn:aws:events:us-east-1:111111111111:api-destination/root-login-alerts-pd/abc"}
    ours = {"Id": "rootwatch-root-login-alerts", "Arn": TOPIC_ARN}
    rules = {"error": None, "names": ["root-login-alerts"], "rules": [
        {"Name": "root-login-alerts", "Arn": RULE_ARN, "State": "ENABLED", "targets": [ours, stale], "tags": dict(OURS)}]}
    found = facts(delivery=dict(facts()["delivery"], rules=rules))
    steps = plan.present(settings(), found, WHERE)
    assert keys(steps)[-3:] == ["rule_stale_targets", "webhook_pd", "notice"]
    removal = by_key(steps, "rule_stale_targets")
    assert removal["params"]["state"] == "absent" and removal["params"]["targets"] == [{"id": stale["Id"], "arn": stale["Arn"]}]
    # What the rule manager takes as the rule's targets: as read (ours stays).
    assert [t["Id"] for t in resolve(removal["known"], DONE)["targets"]] == ["rootwatch-root-login-alerts", "rootwatch-webhook-pd"]
    assert by_key(steps, "webhook_pd")["params"] == {"name": "root-login-alerts-pd", "state": "absent"}
    # Still configured: nothing is stale.
    webhook = {"webhook": dict(WEBHOOK, name="pd"), "name": "root-login-alerts-pd", "known": {"connection": None, "api_destination": None}}
    with_webhook = dict(found, destinations={"facts": {}, "chat": None, "webhooks": [webhook],
                                             "roles": [{"kind": "webhooks", "arn": "arn:aws:iam::111111111111:role/root-login-alerts-webhooks"}]})
    steps = plan.present(settings(webhooks=[WEBHOOK]), with_webhook, WHERE)
    assert "rule_stale_targets" not in keys(steps) and keys(steps).index("webhook_pd") < keys(steps).index("rule")
    rule = resolve(by_key(steps, "rule")["params"], dict(DONE, webhook_pd={"api_destination_arn": None}))
    assert rule["targets"][1]["arn"] == "arn:aws:events:us-east-1:111111111111:api-destination/root-login-alerts-pd/(ID-known-once-created)"


def test_absent_reads_each_rule_just_before_removing_it_and_reads_the_regions_only_when_a_regional_rule_was_deployed():
    steps = plan.absent(settings(state="absent", emails=[]), WHERE)
    assert keys(steps) == ["found_rule", "rule", "found_rule_api_activity", "rule_api_activity", "found_rule_credential_changes",
                           "rule_credential_changes", "found_rule_assume_root", "rule_assume_root", "expand",  # the other Regions
                           "found_topic", "expand",  # the topic, its policy statement and subscriptions
                           "expand", "expand",  # webhooks, chat
                           "dead_letter_queue", "trail"]
    assert [s.get("read", False) for s in steps[:2]] == [True, False] and steps[0]["params"] == {"name": "root-login-alerts", "bus": "default", "tags": False}
    regions_step = steps[8]
    found = dict((s["key"], {"rule": None, "targets": []}) for s in steps if s.get("read") and s["key"].startswith("found_rule"))
    assert resolve(regions_step["expand"], found) == []
    found["found_rule_api_activity"] = {"rule": {"Name": "root-login-alerts-api-activity"}, "targets": []}
    expanded = resolve(regions_step["expand"], found)
    assert [s["key"] for s in expanded[:1]] == ["enabled_regions"]
    regional = resolve(expanded[1]["expand"], dict(found, enabled_regions=["us-east-1", "eu-west-1"]))
    assert [(s["key"], s["region"]) for s in regional] == [("rule_eu-west-1_api_activity", "eu-west-1"), ("rule_eu-west-1_assume_root", "eu-west-1"),
                                                           ("dead_letter_queue_eu-west-1", "eu-west-1")]


def test_absent_removes_our_chat_and_webhook_targets_found_on_our_rules_and_what_they_led_to():
    steps = plan.absent(settings(state="absent", emails=[]), WHERE)
    removal = by_key(steps, "rule")
    found = {"rule": {"Name": "root-login-alerts"}, "targets": [
        {"Id": "rootwatch-root-login-alerts", "Arn": TOPIC_ARN}, {"Id": "rootwatch-root-login-alerts-chat", "Arn": TOPIC_ARN + "-chat"},
        {"Id": "rootwatch-webhook-pd", "Arn": "arn:aws:events:us-east-1:111111111111:api-destination/root-login-alerts-pd/abc"},
        {"Id": "theirs", "Arn": "arn:aws:sqs:us-east-1:111111111111:theirs"}]}
    done = {"found_rule": found}
    assert [t["id"] for t in resolve(removal["params"], done)["targets"]] == [
        "rootwatch-root-login-alerts", "rootwatch-root-login-alerts-chat", "rootwatch-webhook-pd"]
    expands = [s for s in steps if "expand" in s]
    later = [resolve(s["expand"], done) for s in expands[-2:]]
    assert [s["key"] for s in later[0]] == ["webhook_pd"]
    assert [s["key"] for s in later[1]] == ["chat_channels", "found_chat_topic", None]
    assert resolve(expands[-2]["expand"], {}) == [] and resolve(expands[-1]["expand"], {}) == []


@pytest.mark.parametrize("owned, expected", [(True, ["topic_policy", "subscriptions", "topic", None]), (False, ["topic_policy", None])])
def test_a_topic_is_removed_only_when_ours_and_its_policy_statement_in_any_case(owned, expected):
    found = {"topic_arn": TOPIC_ARN, "exists": True, "owned": owned, "attributes": {"Policy": "{}"}, "tags": {}}
    steps = removal.found_topic_removal_steps(settings(), found)
    assert [s["key"] for s in steps] == expected
    if not owned:
        assert resolve(steps[-1]["notice"], {}) == ("Topic %s is kept: it was not created by rootwatch.aws (no rootwatch:created-by tag); its "
                                                    "subscriptions are kept too" % TOPIC_ARN)
    assert removal.found_topic_removal_steps(settings(), dict(found, exists=False)) == []


def test_the_hub_removes_the_rules_on_its_bus_then_the_bus_naming_the_rules_it_deleted():
    steps = plan.absent(settings(state="absent", emails=[], account_id=HUB, **HUB_SETTINGS), dict(WHERE, account_id=HUB), "hub")
    bus = by_key(steps, "hub_bus")
    assert bus["params"]["name"] == "root-login-alerts-hub" and bus["params"]["state"] == "absent"
    done = dict(("hub_rule" + suffix, {"changed": suffix == "", "kept_targets": None}) for suffix, unused in removal.rule_names(settings()))
    assert resolve(bus["params"]["own_rules"], done) == ["root-login-alerts"]
    targets = by_key(steps, "rule")["params"]["targets"]
    assert [t["id"] for t in resolve(targets, {"found_rule": {"rule": None, "targets": []}})] == ["rootwatch-root-login-alerts", "rootwatch-hub-bus"]


def test_retire_takes_our_topic_target_off_our_rules_then_the_topic():
    steps = plan.retire(settings(**HUB_SETTINGS), WHERE)
    assert keys(steps) == ["retired_rule", "retired_rule_api_activity", "retired_rule_credential_changes", "retired_rule_assume_root",
                           "found_topic", "expand"]
    assert not any(s.get("read") for s in steps[:4])  # the rule manager reads each rule itself
    assert steps[0]["params"]["targets"] == [{"id": "rootwatch-root-login-alerts", "arn": TOPIC_ARN}] and steps[0]["known"] is None
