# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole root sign-in alert stack of one account, in one process.

Composes the trail, topic, subscription, topic-policy and rule managers, so an
organization-wide run pays one module start per account instead of five or six.
``validate_settings`` is shared with the role's controller-side checks, so bad
variables are refused before any AWS call with the role's own variable names.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.rootwatch.aws.plugins.module_utils import alert_message
from ansible_collections.rootwatch.aws.plugins.module_utils import compliance
from ansible_collections.rootwatch.aws.plugins.module_utils import event_pattern
from ansible_collections.rootwatch.aws.plugins.module_utils.arns import arn_account
from ansible_collections.rootwatch.aws.plugins.module_utils.arns import build_arn
from ansible_collections.rootwatch.aws.plugins.module_utils.arns import caller_account_id
from ansible_collections.rootwatch.aws.plugins.module_utils.cloudtrail_trail import CloudTrailTrailManager
from ansible_collections.rootwatch.aws.plugins.module_utils.cloudtrail_trail import validate_trail_name
from ansible_collections.rootwatch.aws.plugins.module_utils.eventbridge_rule import EventBridgeRuleManager
from ansible_collections.rootwatch.aws.plugins.module_utils.eventbridge_rule import RULE_NAME_RE
from ansible_collections.rootwatch.aws.plugins.module_utils.policy_statements import statements_equal
from ansible_collections.rootwatch.aws.plugins.module_utils.policy_statements import statements_of
from ansible_collections.rootwatch.aws.plugins.module_utils.s3_log_bucket import bucket_name_of
from ansible_collections.rootwatch.aws.plugins.module_utils.sns_policy import TopicPolicyManager
from ansible_collections.rootwatch.aws.plugins.module_utils.sns_policy import eventbridge_publish_statement
from ansible_collections.rootwatch.aws.plugins.module_utils.sns_subscription import SubscriptionManager
from ansible_collections.rootwatch.aws.plugins.module_utils.sns_subscription import canonical_endpoint
from ansible_collections.rootwatch.aws.plugins.module_utils.sns_subscription import manage_endpoints
from ansible_collections.rootwatch.aws.plugins.module_utils.sns_subscription import pending_message
from ansible_collections.rootwatch.aws.plugins.module_utils.sns_topic import TopicManager
from ansible_collections.rootwatch.aws.plugins.module_utils.sns_topic import is_aws_managed_sns_key
from ansible_collections.rootwatch.aws.plugins.module_utils.sns_topic import validate_kms_key_id
from ansible_collections.rootwatch.aws.plugins.module_utils.sns_topic import validate_topic_name

REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@/\-]{1,512}$")
POLICY_SID = "RootwatchAllowEventBridgePublish"
TARGET_ID = "rootwatch-root-login-alerts"
CREATED_BY_TAG = "rootwatch:created-by"
CREATED_BY = "root_login_alerts"
TRAIL_MODES = ("auto", "create", "none")
DEFAULT_BUS = "default"


def default_bucket_name(account_id, region):
    return "root-login-alerts-%s-%s" % (account_id, region)


def validate_settings(settings, prefix=""):
    """Every check that needs no AWS call; raise ValueError naming ``prefix + option``."""

    def name(option):
        return prefix + option

    def check(option, problem_function):
        try:
            problem_function()
        except ValueError as exc:
            raise ValueError("%s: %s" % (name(option), exc))

    state = settings.get("state") or "present"
    if state not in ("present", "absent"):
        raise ValueError("%s must be present or absent, got %r" % (name("state"), state))
    region = settings.get("region")
    if not isinstance(region, str) or not REGION_RE.match(region):
        raise ValueError("%s must be an AWS region name such as us-east-1, got %r" % (name("region"), region))
    role = settings.get("assume_role_arn")
    if role and not ROLE_ARN_RE.match(str(role)):
        raise ValueError(
            "%s must be an IAM role ARN such as arn:aws:iam::111111111111:role/OrganizationAccountAccessRole, got %r"
            % (name("assume_role_arn"), role)
        )
    emails = settings.get("emails") or []
    if not isinstance(emails, list):
        raise ValueError("%s must be a list of email addresses" % name("emails"))
    if state == "present" and not emails:
        raise ValueError("%s must list at least one address when %s is present" % (name("emails"), name("state")))
    for index, email in enumerate(emails):
        check("emails", lambda email=email, index=index: canonical_endpoint("email", email, param="[%d]" % index))
    if len(set(emails)) != len(emails):
        raise ValueError("%s lists an address twice" % name("emails"))
    check("topic_name", lambda: validate_topic_name(settings.get("topic_name"), param="value"))
    rule_name = settings.get("rule_name")
    if not isinstance(rule_name, str) or not RULE_NAME_RE.match(rule_name):
        raise ValueError("%s must be 1-64 letters, digits, '.', '-' or '_', got %r" % (name("rule_name"), rule_name))
    trail = settings.get("trail") or "auto"
    if trail not in TRAIL_MODES:
        raise ValueError("%s must be one of %s, got %r" % (name("trail"), ", ".join(TRAIL_MODES), trail))
    if trail != "none":
        check("trail_name", lambda: validate_trail_name(settings.get("trail_name"), param="value"))
        if settings.get("trail_bucket"):
            check("trail_bucket", lambda: bucket_name_of(settings.get("trail_bucket"), param="value"))
    key = settings.get("kms_key_id")
    if key:
        if is_aws_managed_sns_key(key):
            raise ValueError(
                "%s %r is the AWS-managed key for SNS: EventBridge cannot publish to a topic encrypted with it, "
                "so no alert would ever arrive. Use a customer-managed key whose key policy allows "
                "events.amazonaws.com kms:GenerateDataKey* and kms:Decrypt" % (name("kms_key_id"), key)
            )
        check("kms_key_id", lambda: validate_kms_key_id(key, param="value"))
    if settings.get("event_pattern"):
        try:
            event_pattern.validate(settings["event_pattern"])
        except event_pattern.PatternError as exc:
            raise ValueError("%s: %s" % (name("event_pattern"), exc))
    return settings


def input_transformer():
    return {"input_paths_map": dict(alert_message.INPUT_PATHS), "input_template": alert_message.INPUT_TEMPLATE}


class RootLoginAlertsStack:
    """Read -> compare -> (write unless check mode) -> report for the whole stack.

    ``clients(service, region=None)`` returns retrying clients in the account's
    credentials; ``warn`` takes a message; ``account_id`` is known when a role
    was assumed (it is in the role ARN), else found with sts:GetCallerIdentity.
    """

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        self.clients = clients
        self.region = region
        self.check_mode = check_mode
        self.warn = warn or (lambda message: None)
        self._account_id = account_id
        self._messages = []

    @property
    def account_id(self):
        if self._account_id is None:
            self._account_id = caller_account_id(self.clients("sts"))
        return self._account_id

    def _collect(self, message):
        if message not in self._messages:
            self._messages.append(message)

    # -- entry ------------------------------------------------------------------
    def ensure(self, settings):
        settings = validate_settings(dict(settings))
        topic_arn = build_arn("sns", self.region, self.account_id, settings["topic_name"])
        rule_arn = build_arn("events", self.region, self.account_id, "rule/%s" % settings["rule_name"])
        if settings.get("state", "present") == "absent":
            result = self._absent(settings, topic_arn, rule_arn)
        else:
            result = self._present(settings, topic_arn, rule_arn)
        result.update(account_id=self.account_id, region=self.region, topic_arn=topic_arn, rule_arn=rule_arn)
        self._flush_warnings(settings, result)
        return result

    def _flush_warnings(self, settings, result):
        pending = result.get("pending_confirmation") or []
        per_address = set(pending_message(result["topic_arn"], "email", e) for e in settings.get("emails") or [])
        for message in self._messages:
            if message not in per_address:
                self.warn(message)
        if pending and settings.get("state", "present") == "present":
            self.warn(
                "Account %s: %d of %d alert subscriptions still await confirmation: %s. Each recipient must click "
                "'Confirm subscription' in the email 'AWS Notification - Subscription Confirmation'; until then "
                "no alert reaches them." % (self.account_id, len(pending), len(settings["emails"]), ", ".join(pending))
            )

    # -- present ----------------------------------------------------------------
    def _present(self, settings, topic_arn, rule_arn):
        drift, diff_before, diff_after = [], {}, {}
        trail = self._trail(settings, drift, diff_before, diff_after)

        topic = self._topic_manager().ensure_present(
            settings["topic_name"],
            kms_master_key_id=settings.get("kms_key_id") or None,
            tags=settings.get("tags") or None,
            purge_tags=False,
        )
        if topic["created"]:
            drift.append("create topic %s" % settings["topic_name"])
        elif topic["changed"]:
            drift.append("update topic %s: %s" % (settings["topic_name"], ", ".join(topic["updated_attributes"]) or "tags"))
        self._diff("topic", topic, diff_before, diff_after)
        if topic["created"]:
            diff_after["topic"] = dict(diff_after["topic"], arn=topic_arn)

        # A topic that check mode would create has no subscriptions or policy yet: no warning needed.
        quiet = (lambda message: None) if topic["created"] and self.check_mode else None
        subscriptions = manage_endpoints(
            self._subscription_manager(topic_arn, quiet, new_topic=topic["created"]),
            "email",
            settings["emails"],
        )
        drift.extend("subscribe %s" % s["endpoint"] for s in subscriptions["subscriptions"] if s["action"] == "created")
        self._diff("subscriptions", subscriptions, diff_before, diff_after)

        statement = eventbridge_publish_statement(topic_arn, rule_arn, source_account=self.account_id, sid=POLICY_SID)
        policy = self._policy_manager(quiet).ensure(topic_arn, [statement], attributes=self._topic_attributes(topic))
        if policy["changed"]:
            drift.append("%s topic policy statement %s" % ("replace" if policy["statements_replaced"] else "add", POLICY_SID))
        self._diff("topic_policy", policy, diff_before, diff_after)

        pattern = event_pattern.canonicalize(settings.get("event_pattern") or alert_message.ROOT_SIGN_IN_PATTERN)
        rule = self._rule_manager().ensure(
            {
                "name": settings["rule_name"],
                "event_bus_name": DEFAULT_BUS,
                "description": "Root user console sign-in alerts (rootwatch.aws)",
                "state": "present",
                "event_pattern": pattern,
                "targets": [{"id": TARGET_ID, "arn": topic_arn, "input_transformer": input_transformer()}],
                "purge_targets": False,
                "tags": settings.get("tags") or None,
                "purge_tags": False,
            }
        )
        if rule["changed"]:
            drift.append(self._rule_drift(rule, settings["rule_name"]))
        self._diff("rule", rule, diff_before, diff_after)

        # EventBridge itself judges a pattern this run wrote; an unchanged one (and check
        # mode) is judged locally, with the same answers and no API call.
        ask_aws = rule["changed"] and not self.check_mode
        pattern_tests = self._test_pattern(pattern, ask_aws) if settings.get("verify", True) else []
        if settings.get("send_test_notification") and not self.check_mode:
            self._publish_test(topic_arn)

        state_seen = (diff_before if self.check_mode else diff_after)
        verdict = compliance.assess(
            rule_present=bool(state_seen.get("rule")),
            rule_enabled=(state_seen.get("rule") or {}).get("state") == "ENABLED",
            pattern_matches=self._pattern_equal((state_seen.get("rule") or {}).get("event_pattern"), pattern),
            rule_targets_topic=any(t.get("arn") == topic_arn for t in (state_seen.get("rule") or {}).get("targets", [])),
            policy_statement_present=self._has_statement(state_seen.get("topic_policy"), statement),
            subscriptions=self._subscription_states(subscriptions),
            trail_covered=trail["covered"],
            trail_name=trail["name"],
            trail_logging=trail["logging"],
            trail_reason=trail["reason"],
            drift=drift,
        )
        return {
            "changed": bool(drift),
            "topic": topic["topic"],
            "subscriptions": subscriptions["subscriptions"],
            "pending_confirmation": [s["endpoint"] for s in self._subscription_states(subscriptions) if s["pending"]],
            "topic_policy": policy["policy"],
            "rule": rule["rule"],
            "trail": trail,
            "pattern_tests": pattern_tests,
            "compliance": verdict,
            "changes": drift,
            "diff": {"before": diff_before, "after": diff_after},
        }

    # One factory per manager, shared by present and absent.
    def _topic_manager(self):
        return TopicManager(self.clients("sns"), self.check_mode, warn=self._collect, account_id=self.account_id)

    def _subscription_manager(self, topic_arn, warn=None, new_topic=False):
        return SubscriptionManager(self.clients("sns"), topic_arn, self.check_mode, warn=warn or self._collect, new_topic=new_topic)

    def _policy_manager(self, warn=None):
        return TopicPolicyManager(self.clients("sns"), self.check_mode, warn=warn or self._collect)

    def _rule_manager(self):
        return EventBridgeRuleManager(self.clients("events"), self.check_mode, account_id=lambda: self.account_id, region=self.region)

    def _trail_manager(self):
        return CloudTrailTrailManager(self.clients, self.region, self.check_mode, warn=self._collect, account_id=self.account_id)

    @staticmethod
    def _topic_attributes(topic):
        # The topic manager already read the attributes (or, for a topic it creates, read them
        # back or predicted AWS's default policy); the policy manager needs only Policy.
        return {"Policy": json.dumps(topic["topic"].get("policy") or {})}

    @staticmethod
    def _diff(key, result, before, after):
        diff = result.get("diff") or {}
        before[key] = diff.get("before") or {}
        after[key] = diff.get("after") or {}

    @staticmethod
    def _rule_drift(rule, name):
        before = rule["diff"]["before"]
        if not before:
            return "create rule %s" % name
        after = rule["diff"]["after"]
        what = [key for key in ("event_pattern", "state", "description", "targets", "tags") if before.get(key) != after.get(key)]
        return "update rule %s: %s" % (name, ", ".join(what))

    @staticmethod
    def _pattern_equal(current, desired):
        if not current:
            return False
        try:
            return event_pattern.equivalent(current, desired)
        except event_pattern.PatternError:
            return False

    @staticmethod
    def _has_statement(policy, statement):
        return any(s.get("Sid") == statement["Sid"] and statements_equal(s, statement) for s in statements_of(policy))

    def _subscription_states(self, subscriptions):
        states = []
        for entry in subscriptions["subscriptions"]:
            missing = entry["action"] == "created" and self.check_mode
            states.append({"endpoint": entry["endpoint"], "pending": entry.get("pending_confirmation") and not missing, "missing": missing})
        return states

    # -- trail --------------------------------------------------------------------
    def _trail(self, settings, drift, diff_before, diff_after):
        mode = settings.get("trail") or "auto"
        if mode == "none":
            return {"mode": mode, "covered": None, "name": None, "logging": None, "reason": "trail management is off"}
        tags = dict(settings.get("tags") or {}, **{CREATED_BY_TAG: CREATED_BY})
        result = self._trail_manager().ensure(
            {
                "name": settings["trail_name"],
                "state": "present",
                "s3_bucket_name": settings.get("trail_bucket") or default_bucket_name(self.account_id, self.region),
                "management_events": settings.get("management_events") or "All",
                "is_multi_region_trail": True,
                "include_global_service_events": True,
                "enable_log_file_validation": True,
                "enable_logging": True,
                "create_bucket": True,
                "manage_bucket_policy": True,
                "reuse_covering_trail": mode == "auto",
                "trust_organization_trails": True,
                "tags": tags,
                "purge_tags": False,
            }
        )
        self._diff("trail", result, diff_before, diff_after)
        if result["reused"]:
            covering = result["covering_trail"] or {}
            return {
                "mode": mode,
                "reused": True,
                "covered": True,
                "name": covering.get("name"),
                "arn": covering.get("arn"),
                "logging": covering.get("is_logging"),
                "reason": covering.get("reason"),
            }
        trail = result["trail"] or {}
        if result["created"]:
            drift.append("create trail %s" % settings["trail_name"])
        elif result["changed"]:
            drift.append("update trail %s: %s" % (settings["trail_name"], "; ".join(result["actions"])))
        before_trail = (result["diff"]["before"] or {}).get("trail") or {}
        seen = before_trail if self.check_mode else trail
        logging_on = seen.get("is_logging")
        covered = bool(seen) and bool(logging_on) and seen.get("management_events") in ("All", "WriteOnly")
        reason = "trail %s: %s" % (
            settings["trail_name"],
            "logging %s, management events %s" % ("on" if logging_on else "OFF", seen.get("management_events"))
            if seen else "does not exist yet",
        )
        return {
            "mode": mode,
            "reused": False,
            "covered": covered,
            "name": settings["trail_name"],
            "arn": trail.get("arn"),
            "logging": logging_on,
            "reason": reason,
        }

    # -- verification ---------------------------------------------------------------
    def _test_pattern(self, pattern, ask_aws):
        """Sample events against the pattern: TestEventPattern where asked and implemented, else locally."""
        results = []
        for name, (event, expected) in sorted(alert_message.sample_events(self.account_id, self.region).items()):
            response = {}
            if ask_aws:
                response = self.clients("events").test_event_pattern(
                    EventPattern=json.dumps(pattern), Event=json.dumps(event), aws_retry=True
                )
            if "Result" in response:
                matched, method = bool(response["Result"]), "TestEventPattern"
            else:
                # Also where the endpoint answers without a Result (the emulator's stub).
                matched, method = event_pattern.matches(pattern, event), "local evaluation"
            results.append({"event": name, "expected": expected, "matched": matched, "method": method})
            if matched != expected:
                self._collect(
                    "The rule's pattern %s the sample %s, which it should %s"
                    % ("matches" if matched else "does not match", name.replace("_", " "), "match" if expected else "not match")
                )
        return results

    def _publish_test(self, topic_arn):
        self.clients("sns").publish(
            TopicArn=topic_arn,
            Subject="rootwatch.aws test: root sign-in alerts are wired up",
            Message="Test notification from rootwatch.aws for account %s. A real alert reads:\n\n%s"
            % (self.account_id, alert_message.sample_email(self.region, self.account_id)),
            aws_retry=True,
        )

    # -- absent -------------------------------------------------------------------
    def _absent(self, settings, topic_arn, rule_arn):
        drift, diff_before, diff_after = [], {}, {}
        rule = self._rule_manager().ensure(
            {
                "name": settings["rule_name"],
                "event_bus_name": DEFAULT_BUS,
                "state": "absent",
                "targets": [{"id": TARGET_ID, "arn": topic_arn}],
            }
        )
        if rule["changed"]:
            drift.append(
                "remove our target from rule %s (kept for other targets: %s)" % (settings["rule_name"], ", ".join(rule["kept_targets"]))
                if rule.get("kept_targets") else "delete rule %s" % settings["rule_name"]
            )
        self._diff("rule", rule, diff_before, diff_after)

        policy = self._policy_manager().ensure(topic_arn, [{"Sid": POLICY_SID}], state="absent")
        if policy["changed"]:
            drift.append("remove topic policy statement %s" % POLICY_SID)
        self._diff("topic_policy", policy, diff_before, diff_after)

        manager = self._subscription_manager(topic_arn)
        subscriptions = manage_endpoints(manager, "email", settings.get("emails") or [], state="absent")
        drift.extend("unsubscribe %s" % e for e in subscriptions["removed_endpoints"])
        self._diff("subscriptions", subscriptions, diff_before, diff_after)

        topic_kept = self._topic_kept_for(manager, policy, settings)
        if manager.topic_exists and not topic_kept:
            topic = self._topic_manager().ensure_absent(settings["topic_name"])
            drift.append("delete topic %s" % settings["topic_name"])
            self._diff("topic", topic, diff_before, diff_after)
        elif topic_kept:
            self._collect("Topic %s is kept: %s" % (topic_arn, topic_kept))

        trail = {"mode": settings.get("trail") or "auto", "deleted": False}
        if trail["mode"] != "none":
            trail.update(self._absent_trail(settings, drift, diff_before, diff_after))
        return {
            "changed": bool(drift),
            "subscriptions": subscriptions["subscriptions"],
            "rule": rule["rule"],
            "trail": trail,
            "topic_kept_because": topic_kept,
            "changes": drift,
            "diff": {"before": diff_before, "after": diff_after},
        }

    def _topic_kept_for(self, manager, policy, settings):
        """Why the topic must stay (others use it), or '' when deleting it removes only ours."""
        ours = set(settings.get("emails") or [])
        others = [s.get("Endpoint") for s in manager.listing() if s.get("Endpoint") not in ours]
        if others:
            return "other subscriptions remain (%s)" % ", ".join(sorted(str(o) for o in others))
        foreign = [
            s.get("Sid") for s in statements_of(policy["policy"])
            if s.get("Sid") not in (POLICY_SID, "__default_statement_ID")
        ]
        if foreign:
            return "its policy has statements of others (%s)" % ", ".join(sorted(str(f) for f in foreign))
        return ""

    def _absent_trail(self, settings, drift, diff_before, diff_after):
        """Delete the role's own trail (tagged at creation); a reused trail is never touched."""
        name = settings["trail_name"]
        cloudtrail = self.clients("cloudtrail")
        # The emulator's describe_trails ignores trailNameList, so filter by name here too.
        trails = [
            t for t in cloudtrail.describe_trails(trailNameList=[name], includeShadowTrails=False, aws_retry=True).get("trailList", [])
            if t.get("Name") == name and t.get("HomeRegion") == self.region and arn_account(t.get("TrailARN")) == self.account_id
        ]
        if not trails:
            return {"deleted": False}
        tags = cloudtrail.list_tags(ResourceIdList=[trails[0]["TrailARN"]], aws_retry=True).get("ResourceTagList", [])
        tag_map = dict((t["Key"], t.get("Value")) for entry in tags for t in entry.get("TagsList", []))
        if tag_map.get(CREATED_BY_TAG) != CREATED_BY:
            self._collect("Trail %s was not created by this role (no %s tag), so it is kept" % (name, CREATED_BY_TAG))
            return {"deleted": False, "kept": name}
        result = self._trail_manager().ensure({"name": name, "state": "absent"})
        self._diff("trail", result, diff_before, diff_after)
        if result["changed"]:
            drift.append("delete trail %s (its log bucket and logs are kept)" % name)
        return {"deleted": result["changed"], "name": name}
