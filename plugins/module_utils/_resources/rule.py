# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EventBridge rule manager: read -> compare -> (write unless check mode) -> report.

The decisions are the pure functions of event_pattern and eventbridge_targets;
this class only reads and writes through an EventBridge client whose calls
retry (``aws_retry=True``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import event_pattern
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import targets as eventbridge_targets
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import build_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import DEFAULT_BUS
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import make_diff
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import foreign_resource_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import as_manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import PatternError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import WriteConflictError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError

RULE_NAME_RE = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")
BUS_NAME_RE = re.compile(r"^[/.\-_A-Za-z0-9]{1,256}$")
# ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS: enabled for all events, read-only CloudTrail management
# events included, which ENABLED drops (EventBridge API reference, PutRule ``State``).
API_STATE = {"present": "ENABLED", "disabled": "DISABLED",
             "enabled_with_all_cloudtrail_management_events": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"}
STATE_OPTION = dict((value, key) for key, value in API_STATE.items())  # the API State -> the module's state
BATCH = 10  # put_targets / remove_targets take at most 10 entries


def bus_name(event_bus):
    """A bus given as a name or an ARN -> its name (``arn:...:event-bus/NAME``)."""
    if event_bus and event_bus.startswith("arn:"):
        return parse_aws_arn(event_bus)["resource"].split("/", 1)[-1]
    return event_bus or DEFAULT_BUS


def validate_params(params):
    """Local validation before any call; returns (canonical pattern or None, API targets)."""
    name = params.get("name")
    if not name or not RULE_NAME_RE.match(name):
        raise ValidationError("name must be 1-64 characters of letters, digits, '.', '-' or '_', got %r" % name)
    bus = params.get("event_bus_name") or DEFAULT_BUS
    if bus.startswith("arn:"):
        parsed = parse_aws_arn(bus)
        if not parsed or parsed.get("service") != "events" or not parsed["resource"].startswith("event-bus/"):
            raise ValidationError("event_bus_name %r is not an event bus ARN (arn:aws:events:REGION:ACCOUNT:event-bus/NAME)" % bus)
    elif not BUS_NAME_RE.match(bus):
        raise ValidationError("event_bus_name must be a bus name or ARN, got %r" % bus)
    pattern = None
    if params.get("event_pattern") is not None:
        pattern = event_pattern.canonicalize(params["event_pattern"])
    elif params.get("state") != "absent":
        raise ValidationError("event_pattern is required when state is %s" % params.get("state"))
    targets = eventbridge_targets.validate_targets(params.get("targets") or [])
    return pattern, [eventbridge_targets.to_api(t) for t in targets]


def rule_label(name, event_bus):
    """How messages name a rule: its name, and its bus unless it is the default bus."""
    return name if bus_name(event_bus) == DEFAULT_BUS else "%s on bus %s" % (name, bus_name(event_bus))


def list_rule_targets(client, name, bus):
    """Every target of a rule (all pages of ListTargetsByRule)."""
    targets, token = [], None
    while True:
        kwargs = {"Rule": name, "EventBusName": bus}
        if token:
            kwargs["NextToken"] = token
        page = aws_call("list the targets of EventBridge rule %s" % rule_label(name, bus), client.list_targets_by_rule, **kwargs)
        targets.extend(page.get("Targets", []))
        token = page.get("NextToken")
        if not token:
            return targets


def rule_view(rule, targets, tags=None):
    """The documented ``rule`` return value, also one side of the diff."""
    if rule is None:
        return None
    pattern_text = rule.get("EventPattern")
    view = {
        "arn": rule.get("Arn"),
        "name": rule.get("Name"),
        "event_bus_name": rule.get("EventBusName", DEFAULT_BUS),
        "state": rule.get("State"),
        "description": rule.get("Description", ""),
        "event_pattern": json.loads(pattern_text) if pattern_text else None,
        "targets": [eventbridge_targets.from_api(t) for t in sorted(targets, key=lambda t: t["Id"])],
    }
    if tags is not None:
        view["tags"] = tags
    return view


class EventBridgeRuleManager(ResourceManager):
    """Brings one rule and its targets to the desired state.

    Built like every manager (see ``managers``). The account ID is needed only
    to predict the ARN of a rule that check mode would create. ``known`` may
    hold ``rule`` (the rule as ListRules or DescribeRule gave it, or None when
    it does not exist) and ``targets`` (its targets), read by the caller.
    """

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(EventBridgeRuleManager, self).__init__(clients, region, check_mode, warn, account_id)
        self.client = clients("events", region)
        self._known = {}

    # -- reads ----------------------------------------------------------------
    def describe(self, name, bus):
        """DescribeRule's answer; None when there is no such rule."""
        return aws_call("describe EventBridge rule %s" % rule_label(name, bus), self.client.describe_rule,
                        not_found=("ResourceNotFoundException",), Name=name, EventBusName=bus)

    def list_targets(self, name, bus):
        return list_rule_targets(self.client, name, bus)

    def list_tags(self, arn):
        tags = aws_call("list the tags of EventBridge rule %s" % arn, self.client.list_tags_for_resource, ResourceARN=arn).get("Tags", [])
        return boto3_tag_list_to_ansible_dict(tags)

    # -- plan -----------------------------------------------------------------
    def predicted_arn(self, name, event_bus):
        if event_bus.startswith("arn:"):
            parsed = parse_aws_arn(event_bus)
            account, region = parsed["account_id"], parsed["region"]
        else:
            account, region = self.account_id, self.region
        bus = bus_name(event_bus)
        resource = "rule/%s" % name if bus == DEFAULT_BUS else "rule/%s/%s" % (bus, name)
        return build_arn("events", region, account, resource)

    def ensure(self, params, known=None):
        """Apply ``params`` (the module options); return the module result (see ``managers``)."""
        pattern, desired_targets = validate_params(params)
        name, event_bus = params["name"], params.get("event_bus_name") or DEFAULT_BUS
        known = self._known = known or {}
        current = known["rule"] if "rule" in known else self.describe(name, event_bus)
        current_targets = (known["targets"] if "targets" in known else self.list_targets(name, event_bus)) if current else []
        facts = {"rule": current, "targets": list(current_targets)}
        label = rule_label(name, event_bus)
        if params["state"] == "absent":
            result = self._ensure_absent(current, current_targets, name, event_bus,
                                         desired_targets if params.get("targets") else None, params.get("owner_tag"))
            if not result["changed"]:
                changes = []
            elif result.get("kept_because"):
                changes = ["remove our target from rule %s (the rule is kept: %s)" % (label, result["kept_because"])]
            elif result.get("kept_targets") is not None:
                changes = ["remove our target from rule %s (kept for other targets: %s)" % (label, ", ".join(result["kept_targets"]))]
            else:
                changes = ["delete rule %s" % label]
        else:
            result = self._ensure_present(current, current_targets, params, pattern, desired_targets)
            changes = [rule_change(result["diff"], label)] if result["changed"] else []
        return as_manager_result(dict(result, facts=facts), changes)

    def test_pattern(self, pattern, samples, ask_aws):
        """[{event, expected, matched, method}] for ``samples`` ({name: (event, should_match)}).

        EventBridge judges with TestEventPattern when ``ask_aws``; otherwise, and where
        the endpoint answers without a Result (the emulator's stub), the local evaluation.
        """
        results = []
        for name, (event, expected) in sorted(samples.items()):
            response = {}
            if ask_aws:
                response = aws_call("test an event pattern against the sample %s" % name, self.client.test_event_pattern,
                                    EventPattern=json.dumps(pattern), Event=json.dumps(event))
            if "Result" in response:
                matched, method = bool(response["Result"]), "TestEventPattern"
            else:
                matched, method = event_pattern.matches(pattern, event), "local evaluation"
            results.append({"event": name, "expected": expected, "matched": matched, "method": method})
            if matched != expected:
                self.warn(
                    "The rule's pattern %s the sample %s, which it should %s"
                    % ("matches" if matched else "does not match", name.replace("_", " "), "match" if expected else "not match")
                )
        return results

    def _ensure_present(self, current, current_targets, params, pattern, desired_targets):
        name, event_bus = params["name"], params.get("event_bus_name") or DEFAULT_BUS
        label = rule_label(name, event_bus)
        want_tags = params.get("tags")
        owner_tag = params.get("owner_tag")
        if current and "tags" in self._known:
            current_tags = self._known["tags"]
        else:
            current_tags = self.list_tags(current["Arn"]) if current and (want_tags is not None or owner_tag) else None
        if current and not is_owned(current_tags, owner_tag):
            raise ForeignResourceError(foreign_resource_message(
                "EventBridge rule", name, self.region, owner_tag))

        description = params.get("description")
        if description is None:
            description = (current or {}).get("Description", "")
        desired_rule = {
            "Name": name,
            "EventBusName": bus_name(event_bus),
            "EventPattern": json.dumps(pattern, sort_keys=True, separators=(",", ":")),
            "State": API_STATE[params["state"]],
            "Description": description,
            "Arn": current["Arn"] if current else None,
        }
        rule_changed = (
            current is None
            or not _same_pattern(current.get("EventPattern"), pattern)
            or current.get("State") != desired_rule["State"]
            or current.get("Description", "") != description
        )

        to_put, to_remove, final_targets = eventbridge_targets.plan_targets(
            current_targets, desired_targets, purge=params.get("purge_targets", False)
        )
        if len(final_targets) > eventbridge_targets.MAX_TARGETS_PER_RULE:
            raise ValidationError(
                "targets: rule %s on bus %s would have %d targets; EventBridge allows %d"
                % (name, event_bus, len(final_targets), eventbridge_targets.MAX_TARGETS_PER_RULE)
            )

        tags_to_set, tags_to_unset, final_tags = {}, [], current_tags
        if want_tags is not None:
            tags_to_set, tags_to_unset = compare_aws_tags(current_tags or {}, want_tags, params.get("purge_tags", True))
            final_tags = dict((k, v) for k, v in (current_tags or {}).items() if k not in tags_to_unset)
            final_tags.update(tags_to_set)

        changed = bool(rule_changed or to_put or to_remove or tags_to_set or tags_to_unset)
        if current is None and self.check_mode:
            desired_rule["Arn"] = self.predicted_arn(name, event_bus)
        if changed and not self.check_mode:
            if rule_changed:
                put = dict((k, v) for k, v in desired_rule.items() if k not in ("Arn",))
                put["EventBusName"] = event_bus
                if current is None and want_tags:
                    put["Tags"] = ansible_dict_to_boto3_tag_list(want_tags)
                    tags_to_set, tags_to_unset = {}, []
                desired_rule["Arn"] = aws_call("put EventBridge rule %s" % label, self.client.put_rule, **put)["RuleArn"]
            if tags_to_unset:
                aws_call("untag EventBridge rule %s" % label, self.client.untag_resource,
                         ResourceARN=desired_rule["Arn"], TagKeys=list(tags_to_unset))
            if tags_to_set:
                aws_call("tag EventBridge rule %s" % label, self.client.tag_resource,
                         ResourceARN=desired_rule["Arn"], Tags=ansible_dict_to_boto3_tag_list(tags_to_set))
            self._remove_targets(name, event_bus, to_remove)
            self._put_targets(name, event_bus, to_put)

        before_rule = dict(current, EventBusName=bus_name(event_bus)) if current else None
        before = rule_view(before_rule, current_targets, current_tags)
        after = rule_view(desired_rule, final_targets, final_tags)
        return {
            "changed": changed,
            "rule": after,
            "diff": make_diff(before, after),
        }

    def _ensure_absent(self, current, current_targets, name, event_bus, only_targets, owner_tag=None):
        if current is None:
            return {"changed": False, "rule": {}, "diff": make_diff(None, None)}
        # Without proof that we created the rule, only our own targets (by Id) may go; the rule stays.
        owned = is_owned(self._known["tags"] if "tags" in self._known else self.list_tags(current["Arn"]), owner_tag) if owner_tag else True
        if only_targets is None:
            remove_ids = [t["Id"] for t in current_targets]
        else:
            wanted = set(t["Id"] for t in only_targets)
            remove_ids = [t["Id"] for t in current_targets if t["Id"] in wanted]
        remaining = [t for t in current_targets if t["Id"] not in remove_ids]
        delete_rule = not remaining and owned
        before_rule = dict(current, EventBusName=bus_name(event_bus))
        before = rule_view(before_rule, current_targets)
        after = None if delete_rule else rule_view(before_rule, remaining)
        changed = bool(remove_ids) or delete_rule
        if changed and not self.check_mode:
            self._remove_targets(name, event_bus, remove_ids)
            if delete_rule:
                aws_call("delete EventBridge rule %s" % rule_label(name, event_bus), self.client.delete_rule, Name=name, EventBusName=event_bus)
        result = {"changed": changed, "rule": after or {}, "diff": make_diff(before, after)}
        if not delete_rule:
            result["kept_targets"] = sorted(t["Id"] for t in remaining)
        if not owned:
            result["kept_because"] = "rule %s was not created by rootwatch.aws (no %s tag)" % (name, ", ".join(sorted(owner_tag)))
            self.warn("Rule %s is kept: %s" % (name, result["kept_because"][len("rule %s " % name):]))
        return result

    # -- writes ---------------------------------------------------------------
    def _put_targets(self, name, event_bus, targets):
        for start in range(0, len(targets), BATCH):
            response = aws_call("put targets on EventBridge rule %s" % rule_label(name, event_bus), self.client.put_targets,
                                Rule=name, EventBusName=event_bus, Targets=targets[start:start + BATCH])
            _raise_failed_entries(response, "put_targets", name, event_bus)

    def _remove_targets(self, name, event_bus, ids):
        for start in range(0, len(ids), BATCH):
            response = aws_call("remove targets from EventBridge rule %s" % rule_label(name, event_bus), self.client.remove_targets,
                                Rule=name, EventBusName=event_bus, Ids=list(ids[start:start + BATCH]))
            _raise_failed_entries(response, "remove_targets", name, event_bus)


def replaced_target_arn(diff, target_id):
    """The ARN a target (by Id) pointed at before this run, when the run points it elsewhere; else None."""
    def arn_of(side):
        return dict((t["id"], t["arn"]) for t in ((diff.get(side) or {}).get("targets") or [])).get(target_id)

    before, after = arn_of("before"), arn_of("after")
    return before if before and after and before != after else None


def rule_change(diff, name):
    """One line saying what a rule change does: create, or update of which fields."""
    before, after = diff["before"], diff["after"]
    if not before:
        return "create rule %s" % name
    what = [key for key in ("event_pattern", "state", "description", "targets", "tags") if before.get(key) != after.get(key)]
    return "update rule %s: %s" % (name, ", ".join(what))


def _same_pattern(current_text, pattern):
    """Meaning-equal; a missing or unparsable current pattern (set by others) differs."""
    if not current_text:
        return False
    try:
        return event_pattern.equivalent(current_text, pattern)
    except PatternError:
        return False


def _raise_failed_entries(response, call, name, bus):
    failed = response.get("FailedEntries") or []
    if response.get("FailedEntryCount") or failed:
        details = "; ".join("%s: %s %s" % (f.get("TargetId"), f.get("ErrorCode"), f.get("ErrorMessage")) for f in failed)
        raise WriteConflictError("%s failed for rule %s on bus %s: %s" % (call, name, bus, details))
