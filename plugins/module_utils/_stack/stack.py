# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole root sign-in alert stack of one account, in one process: orchestration only.

Composes the trail, topic, subscription, topic-policy and rule managers, so an
organization-wide run pays one module start per account instead of five or six.
``validate_settings`` is shared with the role's controller-side checks, so bad
variables are refused before any AWS call with the role's own variable names.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import re

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import messages as alert_message
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as alert_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import api_destinations
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import chat_message
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import destinations as destination_verdict
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import targets as eventbridge_targets
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import event_hub
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import event_pattern
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import hub as hub_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import iam_role as iam_roles
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import profiles as profile_verdict
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import root_credentials
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import webhook_formats
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.api_destinations import WebhookManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import ChatChannelManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import DEFAULT_API_REGION as CHAT_API_REGION
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import configuration_name
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import validate_channels
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import ACCOUNT_ID_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import EXTERNAL_ID_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import ROLE_ARN_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import arn_account
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import build_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import partition_for_region
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import unknown_region_problem
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import cis_metric_filter as cis
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail import CloudTrailTrailManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail import validate_trail_name
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import DeliveryPathReader
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import foreign_resources
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import known_for_managers
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import known_rule
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import EventBridgeRuleManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import RULE_NAME_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import STATE_OPTION
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import replaced_target_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import foreign_resource_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.root_credentials import RootCredentialsReader
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import BucketNotVerifiedError
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import bucket_name_of
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import validate_bucket_owner
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import TopicPolicyManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import eventbridge_publish_statement
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import SubscriptionManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import canonical_endpoint
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import TopicManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import is_aws_managed_sns_key
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import topic_kept_because
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import validate_kms_key_id
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import validate_topic_name
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import PatternError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import UnsafeChangeError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError

REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
POLICY_SID = "RootwatchAllowEventBridgePublish"
TARGET_ID = "rootwatch-root-login-alerts"
CREATED_BY_TAG = "rootwatch:created-by"
CREATED_BY = "root_login_alerts"
# Our proof of ownership, set when we create a trail, topic or rule; without it a resource is someone else's.
OWNER_TAG = {CREATED_BY_TAG: CREATED_BY}
TRAIL_MODES = ("auto", "create", "none")
DEFAULT_BUS = "default"
RULE_DESCRIPTION = "Root user console sign-in alerts (rootwatch.aws)"
# The CIS CloudWatch.1 pieces, named after nothing of others.
CIS_DEFAULT_NAMES = {
    "cis_log_group_name": "root-login-alerts-cloudtrail",
    "cis_role_name": "root-login-alerts-cloudtrail-logs",
    "cis_metric_filter_name": "root-login-alerts-root-usage",
    "cis_alarm_name": "root-login-alerts-root-usage",
}
# The roles docs/member-role.yml creates for the chat channels and the webhooks; read and judged, never written.
DESTINATION_ROLES = {
    "chat": {"option": "chat_role_name", "default": "root-login-alerts-chat", "service": destination_verdict.CHAT_SERVICE_PRINCIPAL,
             "variable": "root_login_alerts_chat_role_name", "parameter": "CreateChatRole",
             "what": "the role the chat service assumes for the channel configurations"},
    "webhooks": {"option": "webhook_role_name", "default": "root-login-alerts-webhooks", "service": iam_roles.EVENTS_SERVICE,
                 "variable": "root_login_alerts_webhook_role_name", "parameter": "CreateWebhookRole",
                 "what": "the role EventBridge assumes to invoke the API destinations"},
}
# The routing key's JSON value in a PagerDuty target's input template (webhook_formats.payload_structure).
ROUTING_KEY_IN_TEMPLATE_RE = re.compile(r'("routing_key"\s*:\s*)"(?:[^"\\]|\\.)*"')
REDACTED = "(secret, not shown)"
# A new API destination's ARN ends in an ID AWS chooses: check mode names the target without it.
PENDING_DESTINATION_ID = "(ID-known-once-created)"
# Where AWS documents that root cannot sign in to the console, or has no root user at all.
NO_ROOT_SIGN_IN = {
    "aws-us-gov": "the AWS GovCloud (US) console does not accept root user credentials; you can sign in to it only as an "
    "IAM user (https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-iam.html)",
    "aws-cn": "the China Regions have no root user credentials: every user is an IAM user, including the one who "
    "created the account (https://docs.amazonaws.cn/aws/latest/userguide/iam.md)",
}


def default_bucket_name(account_id, region):
    return "root-login-alerts-%s-%s" % (account_id, region)


def region_problem(region):
    """Why the sign-in rule cannot live in ``region``, or None."""
    if not isinstance(region, str) or not REGION_RE.match(region):
        return "must be an AWS region name such as us-east-1, got %r" % (region,)
    unknown = unknown_region_problem(region)
    if unknown:
        return "must be us-east-1: %s" % unknown
    partition = partition_for_region(region)
    where = delivery_path.sign_in_region(partition)
    if where is None:
        return "%r is in the %s partition, where %s; there is no root console sign-in to alert on" % (
            region, partition, NO_ROOT_SIGN_IN.get(partition, "AWS documents no Region for root console sign-in events"))
    if region != where:
        return (
            "must be %s, got %r: CloudTrail records every root user console sign-in in %s (CloudTrail user guide, "
            "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html), "
            "so a rule in %s never sees one" % (where, region, where, region)
        )
    return None


def validate_settings(settings, prefix=""):
    """Every check that needs no AWS call; raise ValueError naming ``prefix + option``."""

    def name(option):
        return prefix + option

    def check(option, problem_function):
        try:
            problem_function()
        except ValueError as exc:
            raise ValidationError("%s: %s" % (name(option), exc))

    state = settings.get("state") or "present"
    if state not in ("present", "absent"):
        raise ValidationError("%s must be present or absent, got %r" % (name("state"), state))
    problem = region_problem(settings.get("region"))
    if problem:
        raise ValidationError("%s %s" % (name("region"), problem))
    role = settings.get("assume_role_arn")
    if role and not ROLE_ARN_RE.match(str(role)):
        raise ValidationError(
            "%s must be an IAM role ARN such as arn:aws:iam::111111111111:role/OrganizationAccountAccessRole, got %r"
            % (name("assume_role_arn"), role)
        )
    external_id = settings.get("assume_role_external_id")
    if external_id is not None:
        if not role:
            raise ValidationError("%s is set, but %s is not: an ExternalId is only sent on AssumeRole"
                             % (name("assume_role_external_id"), name("assume_role_arn")))
        if not isinstance(external_id, str) or not EXTERNAL_ID_RE.fullmatch(external_id):
            # STS AssumeRole: ExternalId is 2-1224 characters of [\w+=,.@:\/-].
            raise ValidationError("%s must be 2-1224 letters, digits or the characters +=,.@:/_-" % name("assume_role_external_id"))
    account = settings.get("account_id")
    if account is not None and not ACCOUNT_ID_RE.match(str(account)):
        raise ValidationError("%s must be a 12-digit AWS account ID, got %r" % (name("account_id"), account))
    if role and account and arn_account(role) != str(account):
        raise ValidationError(
            "%s %s leads into account %s, but this host names account %s (%s, or a 12-digit host name); "
            "nothing was changed" % (name("assume_role_arn"), role, arn_account(role), account, name("account_id"))
        )
    if not role and not account and not settings.get("use_controller_credentials"):
        raise ValidationError(
            "%s is not set, so this host would work in whatever account the controller's own credentials belong "
            "to; nothing was changed. Set %s (the role in the account to work in), or %s (the account the "
            "credentials must reach; a 12-digit host name means the same), or %s: true to use the "
            "controller's account knowingly" % (name("assume_role_arn"), name("assume_role_arn"), name("account_id"),
                                                name("use_controller_credentials"))
        )
    emails = settings.get("emails") or []
    if not isinstance(emails, list):
        raise ValidationError("%s must be a list of email addresses" % name("emails"))
    if state == "present" and not emails:
        raise ValidationError("%s must list at least one address when %s is present" % (name("emails"), name("state")))
    seen = {}
    for index, email in enumerate(emails):
        check("emails", lambda email=email, index=index: canonical_endpoint("email", email, param="[%d]" % index))
        folded = email.strip().lower()
        if folded in seen:
            raise ValidationError(
                "%s lists an address twice: %r and %r are one mailbox (email addresses are compared without case here, "
                "while SNS would make two subscriptions, so every alert would arrive twice)"
                % (name("emails"), emails[seen[folded]], email)
            )
        seen[folded] = index
    check("topic_name", lambda: validate_topic_name(settings.get("topic_name"), param="value"))
    rule_name = settings.get("rule_name")
    if not isinstance(rule_name, str) or not RULE_NAME_RE.match(rule_name):
        raise ValidationError("%s must be 1-64 letters, digits, '.', '-' or '_', got %r" % (name("rule_name"), rule_name))
    validate_destinations(settings, name)
    trail = settings.get("trail") or "auto"
    if trail not in TRAIL_MODES:
        raise ValidationError("%s must be one of %s, got %r" % (name("trail"), ", ".join(TRAIL_MODES), trail))
    if trail != "none":
        check("trail_name", lambda: validate_trail_name(settings.get("trail_name"), param="value"))
        if settings.get("trail_bucket"):
            check("trail_bucket", lambda: bucket_name_of(settings.get("trail_bucket"), param="value"))
        if settings.get("trail_bucket_owner"):
            check("trail_bucket_owner", lambda: validate_bucket_owner(settings.get("trail_bucket_owner"), param="value"))
            if not settings.get("trail_bucket"):
                raise ValidationError(
                    "%s names the account that owns the bucket in %s, which is not set: the default bucket "
                    "(root-login-alerts-<account>-<region>) is each account's own" % (name("trail_bucket_owner"), name("trail_bucket")))
    key = settings.get("kms_key_id")
    if key:
        if is_aws_managed_sns_key(key):
            raise ValidationError(
                "%s %r is the AWS-managed key for SNS: EventBridge cannot publish to a topic encrypted with it, "
                "so no alert would ever arrive. Use a customer-managed key whose key policy allows "
                "events.amazonaws.com kms:GenerateDataKey* and kms:Decrypt" % (name("kms_key_id"), key)
            )
        check("kms_key_id", lambda: validate_kms_key_id(key, param="value"))
    profiles = settings.get("profiles")
    if profiles is not None:
        check("profiles", lambda: validate_stack_profiles(profiles))
        for profile in extra_profiles(settings):
            if isinstance(rule_name, str) and not RULE_NAME_RE.match(profile_rule_name(rule_name, profile)):
                raise ValidationError("%s %r is too long for the rule of profile %s (%s, at most 64 characters)"
                                 % (name("rule_name"), rule_name, profile, profile_rule_name(rule_name, profile)))
    check("regions", lambda: validate_stack_regions(settings.get("regions")))
    if settings.get("event_pattern"):
        try:
            event_pattern.validate(settings["event_pattern"])
        except PatternError as exc:
            raise ValidationError("%s: %s" % (name("event_pattern"), exc))
    if hub_mode.validate_hub_settings(settings, name):
        for option, why in (("cis_metric_filter", "its alarm would need a topic in every member account"),
                            ("adopt_existing", "a member's own alert path is kept and reported beside the hub's anyway")):
            if settings.get(option):
                raise ValidationError("%s is not supported in hub mode (%s is set): %s" % (name(option), name("hub_account_id"), why))
    return settings


def _without_none(value):
    """Sub-options Ansible filled with None are left out, as if not given."""
    if isinstance(value, dict):
        return dict((key, _without_none(item)) for key, item in value.items() if item is not None)
    if isinstance(value, list):
        return [_without_none(item) for item in value]
    return value


def chat_topic_name(settings):
    """The chat topic: ``chat_topic_name``, else ``<topic name>-chat``."""
    return settings.get("chat_topic_name") or "%s-chat" % settings["topic_name"]


def destination_role_name(settings, kind):
    spec = DESTINATION_ROLES[kind]
    return settings.get(spec["option"]) or spec["default"]


def validate_destinations(settings, name):
    """The chat channels and webhooks (``chat_channels.validate_channels``, ``webhook_formats.validate_webhooks``:
    their errors name ``<variable>[<i>].<key>`` and never a secret), their topic and role names; normalized in
    ``settings``. The webhooks' resources are named ``<rule name>-<webhook name>``."""
    settings["chat_channels"] = validate_channels(settings.get("chat_channels") or [], param=name("chat_channels"))
    settings["webhooks"] = webhook_formats.validate_webhooks(_without_none(settings.get("webhooks") or []), param=name("webhooks"),
                                                             prefix=settings["rule_name"])
    if settings.get("chat_topic_name") is not None:
        try:
            validate_topic_name(settings["chat_topic_name"], param="value")
        except ValueError as exc:
            raise ValidationError("%s: %s" % (name("chat_topic_name"), exc))
    if settings["chat_channels"]:
        try:
            validate_topic_name(chat_topic_name(settings), param="value")
        except ValueError as exc:
            raise ValidationError("%s: the chat topic's name %s" % (name("topic_name"), exc))
        if chat_topic_name(settings) == settings["topic_name"]:
            raise ValidationError("%s must differ from %s: email readers must never get the chat service's JSON"
                             % (name("chat_topic_name"), name("topic_name")))
    # "A rule can have up to five targets" (EventBridge quotas): the email topic's, the chat topic's and the webhooks'.
    ours = 1 + (1 if settings["chat_channels"] else 0) + len(settings["webhooks"])
    if ours > eventbridge_targets.MAX_TARGETS_PER_RULE:
        also = " and the chat topic" if settings["chat_channels"] else ""
        raise ValidationError("%s lists %d webhooks: with the email topic%s every alert rule would have %d targets of ours, and "
                         "EventBridge allows %d per rule"
                         % (name("webhooks"), len(settings["webhooks"]), also, ours, eventbridge_targets.MAX_TARGETS_PER_RULE))
    for kind in sorted(DESTINATION_ROLES):
        role = destination_role_name(settings, kind)
        if not isinstance(role, str) or not iam_roles.ROLE_NAME_RE.match(role):
            raise ValidationError("%s must be 1-64 letters, digits or +=,.@_-, got %r" % (name(DESTINATION_ROLES[kind]["option"]), role))
    key = settings.get("webhook_fingerprint_key")
    if key is not None and (not isinstance(key, str) or not key):
        raise ValidationError("%s must be a non-empty string when set (its value is never shown)" % name("webhook_fingerprint_key"))
    return settings


def validate_stack_profiles(profiles):
    """The alert profiles: console_sign_in (the path the verdict proves) must be among them."""
    profiles = alert_profiles.validate_profiles(profiles, param="value")
    if alert_profiles.SIGN_IN_PROFILE not in profiles:
        raise ValidationError("must include %s: it is the path the compliance verdict proves, got %r"
                         % (alert_profiles.SIGN_IN_PROFILE, profiles))
    return profiles


def regional_profiles(profiles=None):
    """The profiles that need a rule in every region (all of them, or those among ``profiles``)."""
    return [name for name in profiles or alert_profiles.PROFILE_NAMES
            if alert_profiles.PROFILES[name]["regions"] == alert_profiles.REGIONS_ALL]


def validate_stack_regions(regions):
    """``regions`` (None: every region enabled in the account, read from AWS) as a list that includes us-east-1."""
    if regions is None:
        return None
    regions = alert_profiles.validate_regions(regions, param="value")
    if hub_mode.HUB_REGION not in regions:
        raise ValidationError("must include %s: root console sign-ins are recorded there, and the rules of the other regions "
                         "forward to it (or to the hub bus there), got %r" % (hub_mode.HUB_REGION, regions))
    return regions


def profile_rule_name(rule_name, profile):
    """The rule of an extra alert profile: the main rule's name and the profile, such as
    root-login-alerts-credential-changes."""
    return "%s-%s" % (rule_name, profile.replace("_", "-"))


def extra_profiles(settings):
    """The alert profiles beyond console_sign_in that the settings ask for, in order."""
    return [name for name in settings.get("profiles") or [alert_profiles.SIGN_IN_PROFILE] if name != alert_profiles.SIGN_IN_PROFILE]


def sign_in_pattern(settings):
    return event_pattern.canonicalize(settings.get("event_pattern") or alert_message.ROOT_SIGN_IN_PATTERN)


def input_transformer():
    return {"input_paths_map": dict(alert_message.INPUT_PATHS), "input_template": alert_message.INPUT_TEMPLATE}


class RootLoginAlertsStack(ResourceManager):
    """Read -> judge -> (write unless check mode) -> judge again, for the whole stack.

    Built like every manager (``managers``). It reads the delivery facts once
    (``delivery_reader``), lets each manager apply its part with what was read,
    and leaves every verdict to ``delivery_path.evaluate``.
    """

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(RootLoginAlertsStack, self).__init__(clients, region, check_mode, warn, account_id)
        self._messages = []
        # What this run has changed so far, for the message of a failure part-way.
        self.progress = []

    def progress_note(self):
        if self.check_mode or not self.progress:
            return "Nothing was changed by this run before the failure."
        return "Before the failure this run had made these changes, which stay: %s. A re-run converges the rest." % "; ".join(self.progress)

    def _record(self, outcomes, key, outcome):
        outcomes.append((key, outcome))
        if not self.check_mode:
            self.progress.extend(outcome["changes"])
        return outcome

    def _collect(self, message):
        if message not in self._messages:
            self._messages.append(message)

    def _manager(self, cls, warn=None, region=None):
        return cls(self.clients, region or self.region, self.check_mode, warn or self._collect, self.account_id)

    # -- entry ------------------------------------------------------------------
    def ensure(self, settings, known=None):
        settings = validate_settings(dict(settings))
        expected = settings.get("account_id")
        if expected and self.account_id != str(expected):
            raise UnsafeChangeError(
                "The credentials reach account %s, but this host names account %s (account_id, or a 12-digit host "
                "name); nothing was changed" % (self.account_id, expected)
            )
        ours = {
            "topic_arn": build_arn("sns", self.region, self.account_id, settings["topic_name"]),
            "rule_arn": build_arn("events", self.region, self.account_id, "rule/%s" % settings["rule_name"]),
            "target_id": TARGET_ID,
        }
        role = hub_mode.role_of(settings, self.account_id) if settings.get("hub_account_id") else None
        if settings["chat_channels"] and role != hub_mode.MEMBER:
            # In hub mode the chat topic and the channels are the hub's only.
            ours["chat_topic_arn"] = build_arn("sns", self.region, self.account_id, chat_topic_name(settings))
        if settings.get("state", "present") == "absent":
            if role == hub_mode.HUB and settings.get("defer_hub"):
                # Members first, hub last: the role removes the hub in a later task, after every member.
                result = {"changed": False, "changes": [], "diff": {"before": {}, "after": {}}, "hub_deferred": True}
            else:
                result = self._absent(settings, ours, role)
        elif role == hub_mode.MEMBER and settings.get("retire_proof") is not None:
            result = self._retire(settings, ours, settings["retire_proof"])
        elif role == hub_mode.MEMBER:
            result = self._member_present(settings, ours)
        else:
            result = self._present(settings, ours, hub=role == hub_mode.HUB)
        if role:
            result["hub_mode"] = role
        result.update(account_id=self.account_id, region=self.region, topic_arn=ours["topic_arn"], rule_arn=ours["rule_arn"])
        for message in self._messages:
            self.warn(message)
        # A routing key read back from AWS (an older one: no_log masks only this run's values) is never shown.
        return redact_routing_keys(result)

    # -- present ----------------------------------------------------------------
    def _present(self, settings, ours, hub=False):
        """Per-account mode, and the hub in hub mode (which also gets the bus, its rules and a dead-letter queue)."""
        reader = self._manager(DeliveryPathReader)
        use_cis = bool(settings.get("cis_metric_filter"))
        credential_report = self._start_credential_report(settings)
        facts = reader.read(ours, cis=use_cis)
        destinations = self._read_destinations(settings, hub)
        facts.update(destinations["facts"])
        found = delivery_path.evaluate(facts)
        result = {"changed": False, "changes": [], "diff": {"before": {}, "after": {}}, "compliance": found,
                  "pending_confirmation": [], "subscriptions": [], "pattern_tests": []}
        if use_cis:
            result["cis_cloudwatch1"] = self._cloudwatch1(facts)
        result.update(self._root_credentials(settings, credential_report))
        if found["status"] == delivery_path.UNKNOWN:
            if not self.check_mode:
                raise UnsafeChangeError(
                    "Account %s: nothing was changed, because reads the decision depends on failed: %s. A failed read "
                    "is never taken as 'missing' (that could create a second trail, rule or topic); re-run when "
                    "they succeed." % (self.account_id, "; ".join(found["unknown"]))
                )
            return result
        theirs = delivery_path.working_paths(found, ours=False)
        if theirs and settings.get("adopt_existing"):
            self._collect(
                "Account %s already alerts through %s, which rootwatch.aws did not build; adopt_existing is on, so "
                "the account is left exactly as it is" % (self.account_id, describe_paths(theirs))
            )
            result["adopted"] = [dict(rule=p["rule"], topic=p["topic"]) for p in theirs]
            return result
        if theirs and not delivery_path.working_paths(found, ours=True):
            self._collect(
                "Account %s already alerts on root sign-ins through %s, which rootwatch.aws did not build. %s adds a "
                "second path, so every recipient on both would get two emails per sign-in. Set "
                "root_login_alerts_adopt_existing: true to leave such an account as it is."
                % (self.account_id, describe_paths(theirs), "This preview" if self.check_mode else "This run")
            )

        foreign = foreign_resources(facts, ours, OWNER_TAG, self.region)
        profile_rules = self._read_profile_rules(settings, facts["rules"], foreign)
        hub_known = self._read_hub_pieces(settings, reader, foreign) if hub else None
        queue_known = self._read_queue(settings, foreign)
        regions = self._read_regions(settings, (facts["rules"] or {}).get("names") or [], foreign)
        regional_arns = [entry["arn"] for entry in (regions or {}).get("rules") or [] if entry["wanted"]]
        role_known = self._read_role(settings) if regional_arns else None
        foreign.extend(destinations["foreign"])
        if foreign:
            raise ForeignResourceError(" ".join(foreign))
        for check in destinations["roles"]:
            if check["usable"] is False and not self.check_mode:
                raise UnsafeChangeError("Account %s: nothing was changed, because %s" % (self.account_id, "; ".join(check["problems"])))
        outcomes = []
        # The other regions forward to this account's us-east-1 default bus, where the profile's rule alerts.
        own_bus = hub_mode.own_default_bus_arn(self.account_id, partition_for_region(self.region))
        role_arn = hub_mode.forwarding_role_arn(settings, self.account_id)
        if regional_arns:
            role_arn = self._forwarding_role(settings, own_bus, regional_arns, role_known, outcomes)["role_arn"]
        # CloudTrail's role for the CIS log group, verified before any write when this run will point a trail at it.
        cis_role = self._cis_role(settings, None, outcomes) if use_cis and cis_role_needed(settings, facts, found) else None
        known = known_for_managers(facts, ours)
        names = cis_names(settings)
        log_group = {}

        def cloud_watch_logs(trail_arn):
            """The CIS log group, for a trail of ours, with CloudTrail's role for it (verified above, or here when the
            trail manager points a trail at the group that the reads did not foresee)."""
            role = cis_role or self._cis_role(settings, trail_arn, outcomes)
            log_group.update(self._record(outcomes, "cis_log_group", self._manager(cis.LogGroupManager).ensure(
                {"name": names["cis_log_group_name"], "tags": dict(OWNER_TAG), "purge_tags": False, "owner_tag": OWNER_TAG})))
            return log_group["log_group_arn"], role["role_arn"]

        if (settings.get("trail") or "auto") != "none":
            self._record(outcomes, "trail", self._trail(settings, known["trail"], cloud_watch_logs if use_cis else None))
        if use_cis and not log_group:
            self._collect(
                "CIS CloudWatch.1 (root_login_alerts_cis_metric_filter) needs a trail that sends its events to the CIS "
                "log group; the trail here is %s, so no log group, metric filter or alarm was set up. Set "
                "root_login_alerts_trail: create for a trail of the role's own%s."
                % ("off (root_login_alerts_trail: none)" if (settings.get("trail") or "auto") == "none" else "reused",
                   "" if settings.get("cis_reused_trail") else
                   ", or root_login_alerts_cis_reused_trail: true to let the reused trail also send its events there")
            )
        topic = self._manager(TopicManager).ensure(
            {"name": settings["topic_name"], "kms_master_key_id": settings.get("kms_key_id") or None,
             "tags": dict(settings.get("tags") or {}, **OWNER_TAG), "purge_tags": False, "owner_tag": OWNER_TAG},
            known=known["topic"],
        )
        self._record(outcomes, "topic", topic)
        # A topic that check mode would create has no subscriptions or policy yet: no warning needed.
        quiet = (lambda message: None) if topic["created"] and self.check_mode else None
        subscriptions = self._manager(SubscriptionManager, quiet).ensure(
            # The topic is ours (proven above): an address no longer listed is unsubscribed.
            {"topic_arn": topic["topic_arn"], "protocol": "email", "endpoints": settings["emails"], "new_topic": topic["created"],
             "purge": True},
            known=known["subscriptions"],
        )
        self._record(outcomes, "subscriptions", subscriptions)
        rule_arns = [ours["rule_arn"]] + [rule["arn"] for rule in profile_rules if rule["wanted"]]
        bus_rule_arns = [rule["arn"] for rule in hub_known["rules"] if rule["wanted"]] if hub else []
        statement = eventbridge_publish_statement(topic["topic_arn"], rule_arns + bus_rule_arns,
                                                  source_account=self.account_id, sid=POLICY_SID)
        policy = self._manager(TopicPolicyManager, quiet).ensure(
            {"topic_arn": topic["topic_arn"], "statements": [statement]}, known={"attributes": topic_attributes(topic)}
        )
        self._record(outcomes, "topic_policy", policy)
        chat_topic = self._chat_topic(settings, destinations, known, rule_arns + bus_rule_arns, outcomes)
        # Every target keeps what EventBridge could not deliver in the dead-letter queue, after the retries.
        queue = self._dead_letter_queue(settings, rule_arns + bus_rule_arns, queue_known, outcomes)
        delivery = {"dead_letter_arn": queue["queue_arn"], "retry_policy": dict(event_hub.DEFAULT_RETRY_POLICY)}
        extras = self._destination_targets(settings, destinations, chat_topic, delivery, outcomes)
        rule = self._sign_in_rule(settings, "rule", DEFAULT_BUS, RULE_DESCRIPTION,
                                  [dict(delivery, id=TARGET_ID, arn=topic["topic_arn"], input_transformer=input_transformer())]
                                  + extras(alert_profiles.SIGN_IN_PROFILE), known["rule"], outcomes)
        profile_outcomes = self._profile_rules(settings, profile_rules, self._topic_target(topic["topic_arn"], delivery), outcomes,
                                               extras=extras)
        if regions:
            result["regions"] = self._regional_rules(settings, regions, own_bus, role_arn, outcomes)
        if hub:
            self._hub_bus(settings, hub_known, self._topic_target(topic["topic_arn"], delivery), outcomes, extras=extras)
        # Our chat or webhook targets that the settings no longer name, and what they led to (0 requests when none).
        stale = [("rule", settings["rule_name"], DEFAULT_BUS, known["rule"], alert_profiles.SIGN_IN_PROFILE)]
        stale.extend(("rule_" + e["profile"], e["name"], e["bus"], e["known"], e["profile"]) for e in profile_rules if e["wanted"])
        if hub:
            stale.extend(("hub_rule" + ("" if e["profile"] == alert_profiles.SIGN_IN_PROFILE else "_" + e["profile"]), e["name"], e["bus"],
                          e["known"], e["profile"]) for e in hub_known["rules"] if e["wanted"])
        self._remove_stale_destinations(settings, stale, extras, outcomes)
        if log_group:
            self._record(outcomes, "cis_metric_filter", self._manager(cis.MetricFilterManager).ensure(
                {"name": names["cis_metric_filter_name"], "log_group_name": names["cis_log_group_name"], "owner_tag": OWNER_TAG}))
            self._record(outcomes, "cis_alarm", self._manager(cis.AlarmManager).ensure(
                {"name": names["cis_alarm_name"], "metric_name": cis.DEFAULT_METRIC_NAME, "namespace": cis.CIS_NAMESPACE,
                 "topic_arn": topic["topic_arn"], "tags": dict(OWNER_TAG), "purge_tags": False, "owner_tag": OWNER_TAG}))
        # A renamed topic: the old one (still subscribed) is no longer the target. Said, never deleted here.
        orphan = replaced_target_arn(rule["diff"], TARGET_ID)
        if orphan:
            self._collect(
                "Topic %s is no longer the target of rule %s (root_login_alerts_topic_name changed); it still exists "
                "with its subscriptions. Remove it with root_login_alerts_state=absent and root_login_alerts_topic_name=%s"
                % (orphan, settings["rule_name"], orphan.rsplit(":", 1)[-1])
            )
        merge_outcomes(result, outcomes)

        # EventBridge itself judges a pattern this run wrote; an unchanged one (and check
        # mode) is judged locally, with the same answers and no API call.
        if settings.get("verify", True):
            result.update(self._pattern_tests(settings, rule, profile_outcomes))
        if settings.get("send_test_notification") and not self.check_mode:
            self._manager(TopicManager).publish_test(
                topic["topic_arn"], "rootwatch.aws test: root sign-in alerts are wired up",
                "Test notification from rootwatch.aws for account %s. A real alert reads:\n\n%s"
                % (self.account_id, alert_message.sample_email(self.region, self.account_id)),
            )
        result.update(
            profile_rules=dict((profile, outcome["rule"]) for profile, outcome in profile_outcomes if outcome.get("rule")),
            topic=topic["topic"],
            subscriptions=subscriptions["subscriptions"],
            pending_confirmation=subscriptions["pending_endpoints"],
            topic_policy=policy["policy"],
            rule=rule["rule"],
            orphaned_topics=[orphan] if orphan else [],
            trail=trail_summary(settings, dict(outcomes)),
        )
        # Check mode judges the account as found; an apply that changed it judges it as it now stands.
        if result["changed"] and not self.check_mode:
            facts = reader.read(ours, cis=use_cis)
            # The roles are never written: their judgement from before the writes stands.
            facts.update(self._read_destinations(settings, hub, verdict_only=True)["facts"], roles=destinations["facts"].get("roles") or {})
            result["compliance"] = delivery_path.evaluate(facts)
            if use_cis:
                result["cis_cloudwatch1"] = self._cloudwatch1(facts)
        result["compliance"] = with_unverified_bucket(result["compliance"], dict(outcomes).get("trail"))
        # A role the run needs that is missing or may not do its part: needs_action (an apply stopped before writing).
        result["compliance"] = iam_roles.with_role_checks(result["compliance"], role_checks(outcomes) + destinations["roles"])
        result.update(destination_summary(settings, destinations, dict(outcomes)))
        result["profiles"] = self._profile_verdicts(settings, facts, profile_rules, regions, outcomes)
        result["dead_letter_queue"] = self._queue_summary(queue, facts, profile_rules, hub_known)
        if hub:
            result["hub"] = self._hub_summary(settings, reader, facts, hub_known, outcomes, result["changed"])
        if result["pending_confirmation"] and not self.check_mode:
            self._collect(
                "Account %s: %d of %d alert subscriptions still await confirmation: %s. Each recipient must click "
                "'Confirm subscription' in the email 'AWS Notification - Subscription Confirmation'; until then "
                "no alert reaches them." % (self.account_id, len(result["pending_confirmation"]), len(settings["emails"]),
                                            ", ".join(result["pending_confirmation"]))
            )
        return result

    def _read_profile_rules(self, settings, bus_rules, foreign, bus=DEFAULT_BUS):
        """Each extra profile's rule: ``{"profile", "name", "arn", "wanted", "known"}``. A rule a wanted profile
        needs is read now (rule, targets, tags), and one with our name but not our tag joins ``foreign``, so the
        account stops before any write. ``bus_rules`` has every rule name of ``bus`` (one ListRules)."""
        names = set((bus_rules or {}).get("names") or [])
        rules = self._manager(EventBridgeRuleManager)
        wanted = extra_profiles(settings)
        found = []
        for profile in alert_profiles.PROFILE_NAMES:
            if profile == alert_profiles.SIGN_IN_PROFILE:
                continue
            name = profile_rule_name(settings["rule_name"], profile)
            entry = {"profile": profile, "name": name, "wanted": profile in wanted, "bus": bus,
                     "arn": rules.predicted_arn(name, bus), "known": None}
            if name not in names:
                entry["known"] = {"rule": None, "targets": []}
            elif entry["wanted"]:
                entry["known"] = self._read_rule(rules, name, bus, foreign)
            if entry["wanted"] or name in names:
                found.append(entry)
        return found

    def _profile_verdicts(self, settings, facts, profile_rules, plan, outcomes):
        """Each enabled profile beyond console_sign_in, per Region (``profile_verdict``), from what this run read: the
        rules as found (check mode) or as this run left them. A Region that no trail read in us-east-1 covers has its
        own trails read (a single-Region trail is listed only in its Region), so a covered account reads nothing more."""
        if not extra_profiles(settings):
            return {}
        done = dict(outcomes)

        def found(entry, key):
            return entry["known"] if self.check_mode or key not in done else profile_verdict.rule_facts(done[key].get("rule"))

        rules = {}
        for entry in profile_rules:
            if entry["wanted"]:
                rules.setdefault(entry["profile"], {})[hub_mode.HUB_REGION] = found(entry, "rule_" + entry["profile"])
        for entry in (plan or {}).get("rules") or []:
            if entry["wanted"]:
                rules.setdefault(entry["profile"], {})[entry["region"]] = found(entry, "rule_%s_%s" % (entry["region"], entry["profile"]))
        regions = [r for r in (plan or {}).get("listed") or [] if r in plan["enabled"]]
        trails = {hub_mode.HUB_REGION: facts["trails"]}
        for region in regions:
            if region != hub_mode.HUB_REGION and delivery_path.event_source_link(facts["trails"], self.account_id, region)["ok"] is False:
                trails[region] = self._manager(DeliveryPathReader, region=region).read_trails()
        return profile_verdict.evaluate({
            "account_id": self.account_id, "partition": partition_for_region(self.region), "profiles": extra_profiles(settings),
            "regions": regions, "rules": rules, "trails": trails, "topics": facts["topics"], "keys": facts["keys"],
            "topic_arn": facts["ours"]["topic_arn"], "bus_arn": hub_mode.own_default_bus_arn(self.account_id, partition_for_region(self.region)),
            "role": (done.get("forwarding_role") or {}).get("role")})

    def _sign_in_rule(self, settings, key, bus, description, target, known, outcomes):
        """The console sign-in rule on ``bus`` with ``target`` (one, or a list) added (others' targets kept), tagged as ours."""
        return self._record(outcomes, key, self._manager(EventBridgeRuleManager).ensure(
            {"name": settings["rule_name"], "event_bus_name": bus, "description": description, "state": "present",
             "event_pattern": sign_in_pattern(settings), "targets": target if isinstance(target, list) else [target], "purge_targets": False,
             "tags": dict(settings.get("tags") or {}, **OWNER_TAG), "purge_tags": False, "owner_tag": OWNER_TAG}, known=known))

    @staticmethod
    def _read_rule(rules, name, bus, foreign):
        """``known`` of one rule for the rule manager (rule, targets, tags); with our name but not our tag it
        joins ``foreign``, so the account stops before any write."""
        current = rules.describe(name, bus)
        known = {"rule": current, "targets": rules.list_targets(name, bus) if current else []}
        if current:
            known["tags"] = rules.list_tags(current["Arn"])
            if not is_owned(known["tags"], OWNER_TAG):
                foreign.append(foreign_resource_message("EventBridge rule", name, rules.region, OWNER_TAG, "root_login_alerts_rule_name"))
        return known

    def _profile_rules(self, settings, profile_rules, target_for, outcomes, key_prefix="rule_", extras=None):
        """The rules of the extra alert profiles, each with ``target_for(profile)`` (to the topic with the
        profile's message, or to the hub bus) and ``extras(profile)`` (our chat and webhook targets); a profile
        no longer listed loses its rule (when ours)."""
        done = []
        for entry in profile_rules:
            profile = alert_profiles.PROFILES[entry["profile"]]
            targets = [target_for(entry["profile"])] + (extras(entry["profile"]) if extras else [])
            params = {"name": entry["name"], "event_bus_name": entry["bus"], "owner_tag": OWNER_TAG,
                      "targets": [{"id": target["id"], "arn": target["arn"]} for target in targets]}
            if entry["wanted"]:
                params.update(
                    state=STATE_OPTION[profile["rule_state"]], event_pattern=event_pattern.canonicalize(profile["pattern"]),
                    description="Root user alerts, profile %s (rootwatch.aws)" % entry["profile"],
                    targets=targets, purge_targets=False, tags=dict(settings.get("tags") or {}, **OWNER_TAG), purge_tags=False)
            else:
                params["state"] = "absent"
            outcome = self._manager(EventBridgeRuleManager, region=entry.get("region")).ensure(params, known=entry["known"])
            done.append((entry["profile"], self._record(outcomes, key_prefix + entry["profile"], outcome)))
        return done

    def _pattern_tests(self, settings, rule, profile_outcomes):
        """``pattern_tests`` of the sign-in rule and ``profile_pattern_tests`` of each extra profile's rule, against
        real-shaped samples (those it must match, and an IAM user's, an assumed role's and a service event it must
        not): EventBridge's TestEventPattern for a pattern this run wrote, the local evaluation otherwise."""
        sign_in = self._manager(EventBridgeRuleManager).test_pattern(
            sign_in_pattern(settings), alert_message.sample_events(self.account_id, self.region),
            ask_aws=rule["changed"] and not self.check_mode)
        tests = {}
        for profile, outcome in profile_outcomes:
            if not (outcome.get("rule") or {}).get("event_pattern"):
                continue  # removed
            tests[profile] = self._manager(EventBridgeRuleManager).test_pattern(
                outcome["rule"]["event_pattern"], alert_profiles.sample_events(profile, self.account_id, self.region),
                ask_aws=outcome["changed"] and not self.check_mode)
        return {"pattern_tests": sign_in, "profile_pattern_tests": tests}

    @staticmethod
    def _topic_target(topic_arn, delivery):
        """``target_for`` of the topic: the profile's own message, and in hub mode the dead-letter queue."""
        return lambda profile: dict(delivery, id=TARGET_ID, arn=topic_arn, input_transformer=alert_profiles.input_transformer(profile))

    # -- chat and webhooks ----------------------------------------------------------
    def _alert_rule_arns(self, settings, hub):
        """Our alert rules in us-east-1 (the sign-in rule, each enabled profile's; in the hub, those on its bus too):
        the rules that may publish to the chat topic and assume the webhook role."""
        rules = self._manager(EventBridgeRuleManager)
        buses = [DEFAULT_BUS] + ([hub_mode.hub_names(settings)["hub_bus_name"]] if hub else [])
        names = [settings["rule_name"]] + [profile_rule_name(settings["rule_name"], p) for p in extra_profiles(settings)]
        return [rules.predicted_arn(name, bus) for bus in buses for name in names]

    def _chat_params(self, settings, state="present"):
        params = {"state": state, "name_prefix": settings["rule_name"], "owner_tag": OWNER_TAG, "api_region": CHAT_API_REGION,
                  "tags": dict(settings.get("tags") or {})}
        if state == "present":
            params.update(channels=settings["chat_channels"], topic_arns=[build_arn("sns", self.region, self.account_id, chat_topic_name(settings))])
        return params

    def _destination_role(self, settings, kind, rule_arns):
        """A role of docs/member-role.yml, read (GetRole: its trust; its permissions are the template's and are not read)
        and judged: ``{"name", "arn", "usable", "problems"}`` as ``iam_roles.with_role_checks`` takes it."""
        spec = DESTINATION_ROLES[kind]
        name = destination_role_name(settings, kind)
        reference = self._manager(iam_roles.RoleVerifier).read(name)
        arn = (reference or {}).get("Arn") or iam_roles.role_arn(self.region, self.account_id, name)
        if kind == "chat":
            # Whether the chat service sends aws:SourceAccount when it assumes the role is not documented: may lack it.
            trust = [{"context": {"aws:SourceAccount": self.account_id}, "for": "the channel configurations",
                      "may_lack": ("aws:SourceAccount",)}]
        else:
            trust = [{"context": {"aws:SourceAccount": self.account_id, "aws:SourceArn": rule}, "for": "rule %s" % rule} for rule in rule_arns]
        usable, reasons = iam_roles.judge_role(reference, spec["service"], {"trust": trust, "permissions": []})
        problem = "IAM role %s (%s, %s) %s" % (name, spec["variable"], spec["what"], "; ".join(reasons))
        if reference is None:
            problem += ": create it with %s (parameter %s)" % (iam_roles.TEMPLATE, spec["parameter"])
        return {"kind": kind, "name": name, "arn": arn, "usable": usable, "problems": [] if usable else [problem],
                "reason": "; ".join(reasons)}

    def _read_destinations(self, settings, hub, verdict_only=False):
        """Before any write: the chat channel configurations, each webhook's connection and API destination, and the
        roles they use; what the verdict judges (``destination_verdict``) in ``facts``, and ours by name that are not
        ours in ``foreign``. Nothing is read when neither chat channels nor webhooks are configured."""
        out = {"facts": {}, "foreign": [], "roles": [], "chat": None, "webhooks": []}
        if not settings["chat_channels"] and not settings["webhooks"]:
            return out
        rule_arns = self._alert_rule_arns(settings, hub)
        if settings["chat_channels"]:
            params = self._chat_params(settings)
            manager = self._manager(ChatChannelManager)
            configurations = manager.read(params)
            inventory = manager.inventory(params, configurations)
            out["facts"]["chat"] = {"error": None, "configurations": inventory}
            out["chat"] = {"params": params, "configurations": configurations}
            wanted = sorted(set(configuration_name(params["name_prefix"], channel) for channel in params["channels"]))
            out["foreign"].extend(foreign_resource_message("Chat channel configuration", name, CHAT_API_REGION, OWNER_TAG,
                                                           "root_login_alerts_chat_channels")
                                  for name in wanted if name in inventory and not inventory[name]["owned"])
            if not verdict_only:
                out["roles"].append(self._destination_role(settings, "chat", rule_arns))
        if settings["webhooks"]:
            manager = self._manager(WebhookManager)
            found = out["facts"]["webhooks"] = {}
            for webhook in settings["webhooks"]:
                name = webhook_formats.resource_name(settings["rule_name"], webhook["name"])
                known = {"connection": manager.describe_connection(name), "api_destination": manager.describe_api_destination(name)}
                for kind, current in (("Connection", known["connection"]), ("API destination", known["api_destination"])):
                    if current is not None and not api_destinations.is_ours(current.get("Description")):
                        out["foreign"].append(
                            "%s %s in %s exists but was not created by rootwatch.aws (its Description does not begin with %r; "
                            "EventBridge connections and API destinations take no tags), so it is left as it is and nothing was "
                            "changed. Choose another name in root_login_alerts_webhooks, or delete it yourself."
                            % (kind, name, self.region, api_destinations.OWNER_MARKER))
                out["webhooks"].append({"webhook": webhook, "name": name, "known": known})
                if known["api_destination"]:
                    found[known["api_destination"]["ApiDestinationArn"]] = {"name": webhook["name"], "read": manager.read(name, known)}
            if not verdict_only:
                role = self._destination_role(settings, "webhooks", rule_arns)
                out["roles"].append(role)
                out["facts"]["roles"] = {role["arn"]: {"ok": role["usable"], "reason": role["reason"]}}
        return out

    def _chat_topic(self, settings, destinations, known, rule_arns, outcomes):
        """The chat topic (the email topic's key and tags; no subscription of ours: the chat service makes its own)
        with the publish statement for our rules, and the channel configurations on it. None without chat channels."""
        if not destinations["chat"]:
            return None
        topic = self._record(outcomes, "chat_topic", self._manager(TopicManager).ensure(
            {"name": chat_topic_name(settings), "kms_master_key_id": settings.get("kms_key_id") or None,
             "tags": dict(settings.get("tags") or {}, **OWNER_TAG), "purge_tags": False, "owner_tag": OWNER_TAG},
            known=known.get("chat_topic") or {}))
        quiet = (lambda message: None) if topic["created"] and self.check_mode else None
        statement = eventbridge_publish_statement(topic["topic_arn"], rule_arns, source_account=self.account_id, sid=POLICY_SID)
        self._record(outcomes, "chat_topic_policy", self._manager(TopicPolicyManager, quiet).ensure(
            {"topic_arn": topic["topic_arn"], "statements": [statement]}, known={"attributes": topic_attributes(topic)}))
        role = [r for r in destinations["roles"] if r["kind"] == "chat"][0]
        self._record(outcomes, "chat_channels", self._manager(ChatChannelManager).ensure(
            dict(destinations["chat"]["params"], topic_arns=[topic["topic_arn"]], role_arn=role["arn"]),
            known={"configurations": destinations["chat"]["configurations"]}))
        return topic

    def _destination_targets(self, settings, destinations, chat_topic, delivery, outcomes):
        """Each webhook's connection and API destination; ``extras(profile)``: our chat and webhook targets for a
        profile's rule, with the dead-letter queue and retry policy of every target. Check mode names a new API
        destination's target without the ID AWS will choose (:data:`PENDING_DESTINATION_ID`)."""
        hooks = []
        role = [r for r in destinations["roles"] if r["kind"] == "webhooks"]
        for item in destinations["webhooks"]:
            outcome = self._record(outcomes, "webhook_%s" % item["webhook"]["name"], self._manager(WebhookManager).ensure(
                {"name": item["name"], "state": "present", "webhook": item["webhook"],
                 "fingerprint_key": settings.get("webhook_fingerprint_key")}, known=item["known"]))
            arn = outcome["api_destination_arn"] or build_arn(
                "events", self.region, self.account_id, "api-destination/%s/%s" % (item["name"], PENDING_DESTINATION_ID))
            hooks.append((item["webhook"], arn))

        def extras(profile):
            targets = []
            if chat_topic:
                targets.append(dict(delivery, id=destination_verdict.CHAT_TARGET_ID, arn=chat_topic["topic_arn"],
                                    input_transformer=chat_message.input_transformer(profile)))
            for webhook, arn in hooks:
                target = dict(delivery, id=destination_verdict.webhook_target_id(webhook["name"]), arn=arn, role_arn=role[0]["arn"])
                transformer = webhook_formats.input_transformer(webhook["format"], profile, webhook.get("routing_key"))
                if transformer:  # raw: the event as EventBridge has it
                    target["input_transformer"] = transformer
                targets.append(target)
            return targets

        return extras

    def _remove_stale_destinations(self, settings, rules, extras, outcomes):
        """Our chat and webhook targets on our rules that the settings no longer name go (others' targets stay), and
        then what they led to: our channel configurations and chat topic, a webhook's API destination and connection.
        ``rules``: ``(key, name, bus, known, profile)`` of each rule as read before this run."""
        chat_gone, webhooks_gone = False, set()
        for key, name, bus, known, profile in rules:
            desired = extras(profile)
            wanted = set(t["id"] for t in desired) | {TARGET_ID, event_hub.DEFAULT_TARGET_ID}
            current = (known or {}).get("targets") or []
            stale = [t for t in current if is_destination_target(t) and t["Id"] not in wanted]
            if not stale or not (known or {}).get("rule"):
                continue
            # The desired targets count as present, so the rule is never taken for empty and deleted.
            after = [t for t in current if t["Id"] not in [d["id"] for d in desired]] + [eventbridge_targets.to_api(d) for d in desired]
            rule_known = {"rule": known["rule"], "targets": after}
            if "tags" in known:
                rule_known["tags"] = known["tags"]
            self._record(outcomes, "%s_stale_targets" % key, self._manager(EventBridgeRuleManager).ensure(
                {"name": name, "event_bus_name": bus, "state": "absent", "owner_tag": OWNER_TAG,
                 "targets": [{"id": t["Id"], "arn": t["Arn"]} for t in stale]}, known=rule_known))
            chat_gone = chat_gone or any(t["Id"] == destination_verdict.CHAT_TARGET_ID for t in stale)
            webhooks_gone.update(api_destination_name(t["Arn"]) for t in stale if api_destination_name(t["Arn"]))
        if chat_gone and not settings["chat_channels"]:
            self._remove_chat(settings, outcomes)
        configured = set(webhook_formats.resource_name(settings["rule_name"], w["name"]) for w in settings["webhooks"])
        self._remove_webhooks(settings, sorted(webhooks_gone - configured), outcomes)

    def _remove_chat(self, settings, outcomes):
        """Our channel configurations (by name prefix and tag), then our chat topic with its policy statement."""
        self._record(outcomes, "chat_channels", self._manager(ChatChannelManager).ensure(self._chat_params(settings, "absent")))
        self._remove_topic(settings, None, outcomes, chat=True)

    def _remove_webhooks(self, settings, names, outcomes):
        """The API destination and connection of each of ``names`` (ours by their Description only)."""
        prefix = "%s-" % settings["rule_name"]
        for name in names:
            if name.startswith(prefix):
                self._record(outcomes, "webhook_%s" % name[len(prefix):], self._manager(WebhookManager).ensure({"name": name, "state": "absent"}))

    # -- hub mode -------------------------------------------------------------------
    def _read_hub_pieces(self, settings, reader, foreign):
        """The hub's bus, the rules on it and its dead-letter queue, read before any write; a piece with our
        name but not our tag joins ``foreign``."""
        names = hub_mode.hub_names(settings)
        buses = self._manager(event_hub.EventBusManager)
        bus = buses.describe(names["hub_bus_name"])
        bus_known = {"bus": bus, "tags": buses.list_tags(bus["Arn"]) if bus else None}
        if bus and not is_owned(bus_known["tags"], OWNER_TAG):
            foreign.append(foreign_resource_message("EventBridge event bus", names["hub_bus_name"], self.region, OWNER_TAG,
                                                    event_hub.ROLE_VARIABLES["bus"]))
        rules = self._manager(EventBridgeRuleManager)
        main_arn = rules.predicted_arn(settings["rule_name"], names["hub_bus_name"])
        bus_rules = reader.read_rules(main_arn, bus=names["hub_bus_name"]) if bus else {"error": None, "rules": [], "names": [], "exists": False}
        if bus_rules.get("error"):
            raise UnsafeChangeError("Account %s: nothing was changed, because the rules of hub bus %s could not be read: %s"
                             % (self.account_id, names["hub_bus_name"], bus_rules["error"]))
        bus_view = {"topics": {}, "rules": bus_rules}
        foreign.extend(foreign_resources(bus_view, {"topic_arn": "", "rule_arn": main_arn}, OWNER_TAG, self.region))
        main = {"profile": alert_profiles.SIGN_IN_PROFILE, "name": settings["rule_name"], "wanted": True, "bus": names["hub_bus_name"],
                "arn": main_arn, "known": known_rule(bus_rules, main_arn)}
        profile_rules = [main] + self._read_profile_rules(settings, bus_rules, foreign, bus=names["hub_bus_name"])
        return {"bus": bus_known, "bus_rules": bus_rules, "rules": profile_rules}

    def _read_queue(self, settings, foreign, region=None):
        queues = self._manager(event_hub.DeadLetterQueueManager, region=region)
        name = hub_mode.hub_names(settings)["dead_letter_queue_name"]
        url = queues.get_url(name)
        known = {"queue_url": url, "attributes": queues.get_attributes(url) if url else None, "tags": queues.list_tags(url) if url else None}
        if url and not is_owned(known["tags"], OWNER_TAG):
            foreign.append(foreign_resource_message("SQS queue", name, region or self.region, OWNER_TAG, event_hub.ROLE_VARIABLES["queue"]))
        return known

    def _dead_letter_queue(self, settings, rule_arns, known, outcomes, region=None):
        key = "dead_letter_queue" + ("_%s" % region if region else "")
        return self._record(outcomes, key, self._manager(event_hub.DeadLetterQueueManager, region=region).ensure(
            {"name": hub_mode.hub_names(settings)["dead_letter_queue_name"], "rule_arns": rule_arns,
             "tags": dict(settings.get("tags") or {}, **OWNER_TAG), "purge_tags": False, "owner_tag": OWNER_TAG}, known=known))

    def _queue_summary(self, outcome, facts, profile_rules=(), hub_known=None):
        """``hub_mode.queue_summary`` of this Region's queue, with the rules read before any write whose targets may
        name it (a missing queue they name loses every event they fail to deliver)."""
        rules = list((facts.get("rules") or {}).get("rules") or [])
        rules.extend({"Name": entry["name"], "targets": (entry.get("known") or {}).get("targets") or []} for entry in profile_rules or [])
        if hub_known:
            rules.extend({"Name": "%s (bus %s)" % (entry["name"], entry["bus"]), "targets": (entry.get("known") or {}).get("targets") or []}
                         for entry in hub_known["rules"])
        return hub_mode.queue_summary(outcome, rules, applied=not self.check_mode)

    # -- regions --------------------------------------------------------------------
    def _enabled_regions(self):
        """The regions enabled in the account, us-east-1 first. ec2:DescribeRegions "Describes the Regions that
        are enabled for your account" (EC2 API reference), so an opt-in region not opted in is left out."""
        found = self.clients("ec2", hub_mode.HUB_REGION).describe_regions(aws_retry=True).get("Regions", [])
        names = sorted(region["RegionName"] for region in found)
        return [hub_mode.HUB_REGION] + [name for name in names if name != hub_mode.HUB_REGION]

    def _read_regions(self, settings, names, foreign):
        """The rules of the regional profiles outside us-east-1, and their regions' dead-letter queues, read before
        any write. None when no regional profile is wanted and none has its rule in us-east-1 (``names``: the
        rule names of the us-east-1 default bus), so per-account runs without one make no regional call."""
        wanted = regional_profiles(settings.get("profiles") or [alert_profiles.SIGN_IN_PROFILE])
        present = [p for p in regional_profiles() if profile_rule_name(settings["rule_name"], p) in names]
        if not wanted and not present:
            return None
        enabled = self._enabled_regions()
        listed = settings.get("regions") or enabled
        missing = [region for region in listed if region not in enabled]
        if missing:
            raise UnsafeChangeError("Account %s: root_login_alerts_regions lists %s, which ec2:DescribeRegions does not report as "
                             "enabled in this account; nothing was changed" % (self.account_id, ", ".join(missing)))
        plan = {"listed": listed, "enabled": enabled, "rules": [], "queues": {}, "wanted": wanted}
        for region in enabled[1:]:
            rules = self._manager(EventBridgeRuleManager, region=region)
            found = []
            for profile in regional_profiles():
                name = profile_rule_name(settings["rule_name"], profile)
                entry = {"profile": profile, "name": name, "region": region, "bus": DEFAULT_BUS,
                         "wanted": profile in wanted and region in listed, "arn": rules.predicted_arn(name, DEFAULT_BUS)}
                entry["known"] = self._read_rule(rules, name, DEFAULT_BUS, foreign if entry["wanted"] else [])
                if entry["wanted"] or entry["known"]["rule"]:
                    found.append(entry)
            plan["rules"].extend(found)
            if found:
                plan["queues"][region] = self._read_queue(settings, foreign, region)
        return plan

    def _regional_rules(self, settings, plan, bus_arn, role_arn, outcomes):
        """Outside us-east-1, each wanted regional profile's rule forwards to ``bus_arn`` (the account's us-east-1
        default bus, or the hub bus) with the forwarding role and the region's dead-letter queue ("The Amazon SQS
        queue you use must be in the same Region in which you create the rule"); a region or profile no longer
        listed loses our rule there, and then its queue."""
        for region in plan["enabled"][1:]:
            entries = [entry for entry in plan["rules"] if entry["region"] == region]
            if not entries:
                continue
            wanted = [entry["arn"] for entry in entries if entry["wanted"]]
            queue_arn = hub_mode.dead_letter_queue_arn(settings, region, self.account_id)
            if wanted:
                queue_arn = self._dead_letter_queue(settings, wanted, plan["queues"][region], outcomes, region)["queue_arn"]

            def target_for(unused_profile, queue_arn=queue_arn):
                return event_hub.forwarding_target(bus_arn, role_arn, queue_arn)

            self._profile_rules(settings, entries, target_for, outcomes, key_prefix="rule_%s_" % region)
            if not wanted:
                self._record(outcomes, "dead_letter_queue_%s" % region, self._manager(event_hub.DeadLetterQueueManager, region=region).ensure(
                    {"name": hub_mode.hub_names(settings)["dead_letter_queue_name"], "state": "absent", "owner_tag": OWNER_TAG},
                    known=plan["queues"][region]))
        return {"regions": [r for r in plan["listed"] if r in plan["enabled"]],
                "rules": sorted("%s %s" % (entry["region"], entry["name"]) for entry in plan["rules"] if entry["wanted"])}

    def _read_role(self, settings):
        """``known`` of the forwarding role (GetRole and its inline policy), read before any write."""
        name = hub_mode.hub_names(settings)["forwarding_role_name"]
        return {"role": self._manager(iam_roles.RoleVerifier).read(name, iam_roles.ROLES[iam_roles.FORWARDING]["policy_name"])}

    def _forwarding_role(self, settings, bus_arn, rule_arns, known, outcomes):
        """The role EventBridge assumes for a target that is an event bus, verified for our ``rule_arns`` and
        ``bus_arn``; never written (docs/member-role.yml creates it). One that is missing or may not forward stops
        an apply here, before any write; check mode reports it."""
        outcome = self._record(outcomes, "forwarding_role", self._manager(iam_roles.RoleVerifier).ensure(
            {"role": iam_roles.FORWARDING, "name": hub_mode.hub_names(settings)["forwarding_role_name"], "rule_arns": rule_arns,
             "bus_arns": [bus_arn], "rule_name": settings["rule_name"], "hub_account_id": settings.get("hub_account_id")}, known=known))
        self._require_role(outcome)
        return outcome

    def _cis_role(self, settings, trail_arn, outcomes):
        """The role CloudTrail assumes to write to the CIS log group, verified (never written: docs/member-role.yml
        creates it with EnableCisMetricFilter) for ``trail_arn`` (None: our trail). One that is missing or may not
        write there stops an apply; check mode reports it."""
        names = cis_names(settings)
        outcome = self._record(outcomes, "cis_role", self._manager(iam_roles.RoleVerifier).ensure(
            {"role": iam_roles.CLOUDTRAIL_LOGS, "name": names["cis_role_name"], "log_group_name": names["cis_log_group_name"],
             "trail_arn": trail_arn or build_arn("cloudtrail", self.region, self.account_id, "trail/%s" % settings["trail_name"])}))
        self._require_role(outcome)
        return outcome

    def _require_role(self, outcome):
        """An apply stops before any write when a role it needs is missing, insufficient or unreadable."""
        if outcome["blocking"] and not self.check_mode:
            raise UnsafeChangeError("Account %s: nothing was changed, because %s" % (self.account_id, outcome["message"]))

    def _hub_bus(self, settings, hub_known, target_for, outcomes, extras=None):
        """The hub bus (its policy admits the members) and a rule per profile on it, to the topic (and our chat and
        webhook targets, ``extras``)."""
        names = hub_mode.hub_names(settings)
        self._record(outcomes, "hub_bus", self._manager(event_hub.EventBusManager).ensure(
            {"name": names["hub_bus_name"], "organization_id": settings.get("organization_id"),
             "member_accounts": [a for a in settings.get("member_accounts") or [] if a != self.account_id],
             "forwarding_role_name": names["forwarding_role_name"],
             "tags": dict(settings.get("tags") or {}, **OWNER_TAG), "purge_tags": False, "owner_tag": OWNER_TAG},
            known=hub_known["bus"]))
        main = hub_known["rules"][0]
        target = target_for(alert_profiles.SIGN_IN_PROFILE)
        target["input_transformer"] = input_transformer()
        targets = [target] + (extras(alert_profiles.SIGN_IN_PROFILE) if extras else [])
        self._sign_in_rule(settings, "hub_rule", main["bus"], RULE_DESCRIPTION + ", from member accounts", targets, main["known"], outcomes)
        self._profile_rules(settings, hub_known["rules"][1:], target_for, outcomes, key_prefix="hub_rule_", extras=extras)

    def _hub_summary(self, settings, reader, facts, hub_known, outcomes, changed):
        """What the report judges members with: the bus as it now stands and the paths from it."""
        names = hub_mode.hub_names(settings)
        outcome = dict(outcomes)
        if changed and not self.check_mode:
            bus_read = reader.read_bus(names["hub_bus_name"])
            bus_rules = reader.read_rules(outcome["hub_rule"]["rule"]["arn"], bus=names["hub_bus_name"])
        else:
            bus_read = {"bus": hub_known["bus"]["bus"], "error": None}
            bus_rules = hub_known["bus_rules"]
        ours = dict(facts["ours"], rule_arn=hub_known["rules"][0]["arn"])
        verdict = delivery_path.evaluate(dict(facts, bus=names["hub_bus_name"], rules=bus_rules, ours=ours))
        return hub_mode.hub_summary(bus_read, verdict, settings, self._queue_summary(outcome["dead_letter_queue"], facts, hub_known=hub_known),
                                    partition_for_region(self.region), bus_rules=bus_rules)

    def _member_present(self, settings, ours):
        """A member in hub mode: its trail, and rules that forward root events to the hub bus with a role
        and a dead-letter queue of its own. No topic, no subscription. Its verdict needs the hub's facts,
        so it is judged in the report (``hub_mode.member_verdict``); here it is ``unknown`` until then."""
        bus_arn = hub_mode.hub_bus_arn(settings, partition_for_region(self.region))
        reader = self._manager(DeliveryPathReader)
        credential_report = self._start_credential_report(settings)
        facts = reader.read(ours)
        local = delivery_path.evaluate(facts)
        result = {"changed": False, "changes": [], "diff": {"before": {}, "after": {}}, "pending_confirmation": [],
                  "subscriptions": [], "pattern_tests": []}
        result.update(self._root_credentials(settings, credential_report))
        foreign = []
        role_known = self._read_role(settings)
        # The role's own ARN (a path of its own, if it has one), else the one the template gives it.
        role_arn = (role_known["role"] or {}).get("Arn") or hub_mode.forwarding_role_arn(settings, self.account_id)
        queue_known = self._read_queue(settings, foreign)
        # Every role a target to the hub bus uses: ours as the verifier read it (with its inline policy), others with GetRole.
        found_roles = dict(reader.read_roles(forwarding_roles(facts, bus_arn, role_arn)))
        found_roles[role_arn] = role_known["role"]
        member_ours = {"rule_arns": [ours["rule_arn"]], "target_id": event_hub.DEFAULT_TARGET_ID}
        checks = []
        # The member's own organization, for a hub bus that admits by aws:PrincipalOrgID (organization_id): one request,
        # only then. Without it an organization statement is judged unknown, a statement naming the account is not.
        organization = hub_mode.organization_summary(reader.read_organization()) if settings.get("organization_id") else None

        def summary(found, found_local, queue):
            facts_summary = hub_mode.member_summary(found, found_roles, settings, found_local, queue, member_ours, checks,
                                                    organization)
            return {"member": facts_summary, "compliance": hub_mode.member_verdict(facts_summary, None)}

        gate = list(local["unknown"]) + [v["error"] for v in found_roles.values() if isinstance(v, dict) and v.get("error")]
        if gate:
            if not self.check_mode:
                raise UnsafeChangeError(
                    "Account %s: nothing was changed, because reads the decision depends on failed: %s. A failed read "
                    "is never taken as 'missing'; re-run when they succeed." % (self.account_id, "; ".join(gate)))
            result.update(summary(facts, local, hub_mode.queue_summary({"facts": {}})))
            return result
        foreign.extend(foreign_resources(facts, ours, OWNER_TAG, self.region))
        profile_rules = self._read_profile_rules(settings, facts["rules"], foreign)
        regions = self._read_regions(settings, (facts["rules"] or {}).get("names") or [], foreign)
        if foreign:
            raise ForeignResourceError(" ".join(foreign))
        outcomes = []
        rule_arns = [ours["rule_arn"]] + [rule["arn"] for rule in profile_rules if rule["wanted"]]
        regional_arns = [entry["arn"] for entry in (regions or {}).get("rules") or [] if entry["wanted"]]
        role_outcome = self._forwarding_role(settings, bus_arn, rule_arns + regional_arns, role_known, outcomes)
        checks.append(role_outcome["role"])
        known = known_for_managers(facts, ours)
        if (settings.get("trail") or "auto") != "none":
            self._record(outcomes, "trail", self._trail(settings, known["trail"]))
        queue = self._dead_letter_queue(settings, rule_arns, queue_known, outcomes)

        def target_for(unused_profile):
            return event_hub.forwarding_target(bus_arn, role_outcome["role_arn"], queue["queue_arn"])

        rule = self._sign_in_rule(settings, "rule", DEFAULT_BUS, RULE_DESCRIPTION + ", forwarded to the hub",
                                  target_for(alert_profiles.SIGN_IN_PROFILE), known["rule"], outcomes)
        profile_outcomes = self._profile_rules(settings, profile_rules, target_for, outcomes)
        if regions:
            result["regions"] = self._regional_rules(settings, regions, bus_arn, role_outcome["role_arn"], outcomes)
        if settings.get("verify", True):
            result.update(self._pattern_tests(settings, rule, profile_outcomes))
        if settings.get("retire_account_topic"):
            # The move from per-account mode: the topic goes only once the hub path is proven in this run,
            # which needs the hub's result too; the role's later call (retire_proof) does it.
            result["retire_pending"] = True
        merge_outcomes(result, outcomes)
        if result["changed"] and not self.check_mode:
            facts = reader.read(ours)
            local = delivery_path.evaluate(facts)
            found_roles.update(reader.read_roles(forwarding_roles(facts, bus_arn, role_arn)))
        result.update(summary(facts, local, self._queue_summary(queue, facts, profile_rules)))
        result.update(
            rule=rule["rule"], profile_rules=dict((p, o["rule"]) for p, o in profile_outcomes if o.get("rule")),
            trail=trail_summary(settings, dict(outcomes)), orphaned_topics=[], forwarding_role_arn=role_outcome["role_arn"],
            hub_bus_arn=bus_arn)
        return result

    def _retire(self, settings, ours, proof):
        """The member's own topic path, removed once its path through the hub is proven in this run (``proof``,
        judged on the controller from this member's and the hub's results); otherwise kept, with the reason."""
        result = {"changes": [], "diff": {"before": {}, "after": {}}, "retired": False}
        outcomes = []
        if not settings.get("retire_account_topic"):
            return merge_outcomes(result, outcomes)
        if not proof.get("proven"):
            self._collect("Topic %s is kept: root_login_alerts_retire_account_topic waits until this account's path "
                          "through the hub is proven in the same run, and it was not: %s"
                          % (ours["topic_arn"], proof.get("reason") or "no reason given"))
            return merge_outcomes(result, outcomes)
        self._remove_topic(settings, ours, outcomes, only_topic_targets=True)
        result["retired"] = True
        return merge_outcomes(result, outcomes)

    def _start_credential_report(self, settings):
        """With ``report_last_used``, ask IAM for the credential report before the other reads (None otherwise)."""
        return self._manager(RootCredentialsReader).start_credential_report() if settings.get("report_last_used") else None

    def _root_credentials(self, settings, credential_report=None):
        """The root user's credential posture, a second dimension beside the verdict (read only).

        ``root_credentials_read`` and ``organization_features`` go to the report, which judges
        every account with the features its run read in the management account.
        """
        reader = self._manager(RootCredentialsReader)
        read = reader.read()
        features = reader.read_organization_features() if settings.get("management_account") else None
        out = {"root_credentials_read": read, "root_credentials": root_credentials.evaluate(read, features)}
        if features is not None:
            out["organization_features"] = features
        if credential_report is not None:
            out["root_last_used"] = root_credentials.last_used(
                reader.read_credential_report(credential_report), datetime.datetime.now(datetime.timezone.utc))
        return out

    def _cloudwatch1(self, facts):
        """Would Security Hub CloudWatch.1 pass here? From what was read (cis_metric_filter)."""
        return cis.cloudwatch1_verdict(dict(facts["cis"], trails=facts["trails"], account_id=self.account_id, region=self.region))

    def _trail(self, settings, known, cloud_watch_logs=None):
        """The trail and its log bucket. A bucket S3 does not prove to be its expected owner's stops an apply
        before anything is written; an audit reports the account ``unknown`` with the reason instead."""
        mode = settings.get("trail") or "auto"
        owner = settings.get("trail_bucket_owner") or None
        # A central log bucket of another account is its owner's to create and to give CloudTrail's statements.
        own_bucket = owner in (None, self.account_id)
        try:
            return self._manager(CloudTrailTrailManager).ensure(self._trail_params(settings, mode, owner, own_bucket, cloud_watch_logs),
                                                                known=known)
        except BucketNotVerifiedError as exc:
            # A member's verdict is judged in the report, from facts this cannot join: its audit fails instead.
            if not self.check_mode or (settings.get("hub_account_id") and hub_mode.role_of(settings, self.account_id) == hub_mode.MEMBER):
                raise
            return {"changed": False, "created": False, "reused": False, "trail": {}, "covering_trail": None, "changes": [],
                    "diff": {"before": {}, "after": {}}, "facts": {}, "unknown": [exc.message]}

    def _trail_params(self, settings, mode, owner, own_bucket, cloud_watch_logs):
        return {
            "name": settings["trail_name"],
            "state": "present",
            "s3_bucket_name": settings.get("trail_bucket") or default_bucket_name(self.account_id, self.region),
            "bucket_owner": owner,
            "bucket_owner_hint": "set root_login_alerts_trail_bucket_owner to the ID of the account that owns it",
            "management_events": settings.get("management_events") or "All",
            "is_multi_region_trail": True,
            "include_global_service_events": True,
            "enable_log_file_validation": True,
            "enable_logging": True,
            "create_bucket": own_bucket,
            "manage_bucket_policy": own_bucket,
            "reuse_covering_trail": mode == "auto",
            "trust_organization_trails": True,
            "tags": dict(settings.get("tags") or {}, **OWNER_TAG),
            "purge_tags": False,
            "owner_tag": OWNER_TAG,
            "cloud_watch_logs": cloud_watch_logs,
            "cloud_watch_logs_on_reused_trail": bool(settings.get("cis_reused_trail")),
            "cloud_watch_logs_group_arn": cis.log_group_arn(self.region, self.account_id, cis_names(settings)["cis_log_group_name"]),
        }

    # -- absent -------------------------------------------------------------------
    def _absent(self, settings, ours, role=None):
        """Remove what we can prove we created; keep everything else, and say why. In hub mode a member
        also loses its dead-letter queue, and the hub its bus, the rules on it and its queue. The IAM roles are
        left alone: docs/member-role.yml made them, and rootwatch.aws never writes a role."""
        outcomes = []
        targets = [{"id": TARGET_ID, "arn": ours["topic_arn"]}]
        if role:
            targets.append({"id": event_hub.DEFAULT_TARGET_ID, "arn": hub_mode.hub_bus_arn(settings, partition_for_region(self.region))})
        # Our chat and webhook targets go too, whether the settings still name them or not (seen on the rules).
        seen = []
        self._remove_rules(settings, DEFAULT_BUS, targets, outcomes, "rule", seen=seen)
        found = dict(outcomes)
        if [p for p in regional_profiles() if (found["rule_%s" % p]["facts"] or {}).get("rule")]:
            # A regional profile was deployed: its rules and queues in the other regions go too.
            forward = {"id": event_hub.DEFAULT_TARGET_ID, "arn": hub_mode.own_default_bus_arn(self.account_id, partition_for_region(self.region))}
            for region in self._enabled_regions()[1:]:
                for profile in regional_profiles():
                    self._record(outcomes, "rule_%s_%s" % (region, profile), self._manager(EventBridgeRuleManager, region=region).ensure(
                        {"name": profile_rule_name(settings["rule_name"], profile), "event_bus_name": DEFAULT_BUS, "state": "absent",
                         "targets": targets[1:] or [forward], "owner_tag": OWNER_TAG}))
                self._record(outcomes, "dead_letter_queue_%s" % region, self._manager(event_hub.DeadLetterQueueManager, region=region).ensure(
                    {"name": hub_mode.hub_names(settings)["dead_letter_queue_name"], "state": "absent", "owner_tag": OWNER_TAG}))
        if role == hub_mode.HUB:
            bus = hub_mode.hub_names(settings)["hub_bus_name"]
            removed = self._remove_rules(settings, bus, targets[:1], outcomes, "hub_rule", seen=seen)
            self._record(outcomes, "hub_bus", self._manager(event_hub.EventBusManager).ensure(
                {"name": bus, "state": "absent", "owner_tag": OWNER_TAG, "own_rules": removed}))
        subscriptions, kept = self._remove_topic(settings, ours, outcomes)
        if role != hub_mode.MEMBER:
            # Only what the settings or our rules' targets name is looked for: nothing is read without either.
            names = set(webhook_formats.resource_name(settings["rule_name"], w["name"]) for w in settings["webhooks"])
            names.update(api_destination_name(t["Arn"]) for t in seen if api_destination_name(t["Arn"]))
            self._remove_webhooks(settings, sorted(names), outcomes)
            if settings["chat_channels"] or any(t["Id"] == destination_verdict.CHAT_TARGET_ID for t in seen):
                self._remove_chat(settings, outcomes)
        self._record(outcomes, "dead_letter_queue", self._manager(event_hub.DeadLetterQueueManager).ensure(
            {"name": hub_mode.hub_names(settings)["dead_letter_queue_name"], "state": "absent", "owner_tag": OWNER_TAG}))
        self._remove_cis_and_trail(settings, outcomes)
        trail = dict(outcomes).get("trail")
        trail = {"mode": settings.get("trail") or "auto", "deleted": bool(trail and trail["changed"]),
                 "name": settings["trail_name"] if trail else None, "kept": (trail or {}).get("kept")}
        result = {"changes": [], "diff": {"before": {}, "after": {}}, "subscriptions": subscriptions["subscriptions"],
                  "rule": outcomes[0][1]["rule"], "trail": trail, "topic_kept_because": kept}
        return merge_outcomes(result, outcomes)

    def _remove_rules(self, settings, bus, targets, outcomes, key, seen=None):
        """Our targets, and our rules that have no other, off ``bus``; the names of the rules found there. With
        ``seen`` (a list), our chat and webhook targets found on the rules go too, and are added to it."""
        names = [(key, settings["rule_name"])] + [("%s_%s" % (key, profile), profile_rule_name(settings["rule_name"], profile))
                                                  for profile in alert_profiles.PROFILE_NAMES if profile != alert_profiles.SIGN_IN_PROFILE]
        found = []
        for item, name in names:
            rules = self._manager(EventBridgeRuleManager)
            known, ours = None, list(targets)
            if seen is not None:
                # The reads the manager would make anyway (DescribeRule, ListTargetsByRule), made first to see our targets.
                current = rules.describe(name, bus)
                known = {"rule": current, "targets": rules.list_targets(name, bus) if current else []}
                extra = [t for t in known["targets"] if is_destination_target(t)]
                seen.extend(extra)
                ours.extend({"id": t["Id"], "arn": t["Arn"]} for t in extra)
            outcome = self._record(outcomes, item, rules.ensure(
                {"name": name, "event_bus_name": bus, "state": "absent", "targets": ours, "owner_tag": OWNER_TAG}, known=known))
            if outcome["changed"] and not outcome.get("kept_targets"):
                found.append(name)
        return found

    def _remove_topic(self, settings, ours, outcomes, only_topic_targets=False, chat=False):
        """Our topic policy statement, and our topic with its subscriptions. ``only_topic_targets``: first
        our topic's target off our rules (a member moving to hub mode keeps the rules, which forward). ``chat``:
        the chat topic instead, whose one subscription of ours is the chat service's."""
        name = chat_topic_name(settings) if chat else settings["topic_name"]
        topic_arn = build_arn("sns", self.region, self.account_id, name) if chat else ours["topic_arn"]
        protocol, endpoints = ("https", [destination_verdict.CHAT_ENDPOINT]) if chat else ("email", settings.get("emails") or [])
        key = "chat_" if chat else ""
        if only_topic_targets:
            self._remove_rules(settings, DEFAULT_BUS, [{"id": TARGET_ID, "arn": ours["topic_arn"]}], outcomes, "retired_rule")
        topics = self._manager(TopicManager)
        found = topics.inspect(name, OWNER_TAG)
        kept = ""
        subscriptions = {"subscriptions": []}
        if found["exists"]:
            # Our statement (by its Sid) is ours on any topic.
            policy = self._manager(TopicPolicyManager).ensure(
                {"topic_arn": topic_arn, "statements": [{"Sid": POLICY_SID}], "state": "absent"},
                known={"attributes": found["attributes"]},
            )
            self._record(outcomes, key + "topic_policy", policy)
            if found["owned"]:
                subscriptions = self._manager(SubscriptionManager).ensure(
                    {"topic_arn": topic_arn, "protocol": protocol, "endpoints": endpoints, "state": "absent"}
                )
                self._record(outcomes, key + "subscriptions", subscriptions)
                remaining = [s for s in subscriptions["facts"]["subscriptions"] if s.get("Endpoint") not in subscriptions["removed_endpoints"]]
                topic = topics.ensure(
                    {"name": name, "state": "absent", "owner_tag": OWNER_TAG,
                     "keep_because": lambda arn: topic_kept_because(remaining, endpoints, policy["policy"], [POLICY_SID])},
                    known={"attributes": found["attributes"], "tags": found["tags"]},
                )
                self._record(outcomes, key + "topic", topic)
                kept = topic.get("kept_because", "")
            else:
                kept = "it was not created by rootwatch.aws (no %s tag); its subscriptions are kept too" % CREATED_BY_TAG
            if kept:
                self._collect("Topic %s is kept: %s" % (topic_arn, kept))
        return subscriptions, kept

    def _remove_cis_and_trail(self, settings, outcomes):
        if settings.get("cis_metric_filter"):
            # Alarm and filter first: on AWS deleting a log group deletes its filters (the emulator keeps them).
            names = cis_names(settings)
            for key, cls, params in (
                ("cis_alarm", cis.AlarmManager, {"name": names["cis_alarm_name"]}),
                ("cis_metric_filter", cis.MetricFilterManager,
                 {"name": names["cis_metric_filter_name"], "log_group_name": names["cis_log_group_name"]}),
            ):
                self._record(outcomes, key, self._manager(cls).ensure(dict(params, state="absent", owner_tag=OWNER_TAG)))
            # A reused trail sending to our group (connected with consent, maybe in an earlier run) stops
            # before the group goes, even if consent was withdrawn since; ours is deleted below. Only a group
            # proven ours: a same-named group of someone else's, and the trails sending to it, are kept.
            groups = self._manager(cis.LogGroupManager)
            group = groups.describe(names["cis_log_group_name"])
            group_known = {"log_group": group, "tags": groups.list_tags(group) if group else None}
            if group and is_owned(group_known["tags"], OWNER_TAG):
                self._record(outcomes, "cis_reused_trail", self._manager(CloudTrailTrailManager).disconnect_log_group(
                    cis.log_group_arn(self.region, self.account_id, names["cis_log_group_name"]),
                    keep_arns=[build_arn("cloudtrail", self.region, self.account_id, "trail/%s" % settings["trail_name"])]))
            self._record(outcomes, "cis_log_group", groups.ensure(
                {"name": names["cis_log_group_name"], "state": "absent", "owner_tag": OWNER_TAG}, known=group_known))
        if (settings.get("trail") or "auto") != "none":
            self._record(outcomes, "trail", self._manager(CloudTrailTrailManager).ensure(
                {"name": settings["trail_name"], "state": "absent", "owner_tag": OWNER_TAG}))


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


def is_destination_target(target):
    """One of our chat or webhook targets (API form), by its Id."""
    target_id = target.get("Id") or ""
    return target_id == destination_verdict.CHAT_TARGET_ID or target_id.startswith(destination_verdict.WEBHOOK_TARGET_PREFIX)


def api_destination_name(arn):
    """The name in ``arn:...:api-destination/<name>/<id>``, or None."""
    if not destination_verdict.is_api_destination_arn(arn):
        return None
    return arn.split(":", 5)[5].split("/")[1]


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


def cis_role_needed(settings, facts, found):
    """Will this run point a trail at the CIS log group (so it needs CloudTrail's role)? From the trails read, before
    any write: a trail of ours is made or kept (trail create; a trail with our name; no covering trail to reuse), or
    a reused trail may be pointed there with consent (cis_reused_trail)."""
    mode = settings.get("trail") or "auto"
    if mode == "none":
        return False
    if mode == "create" or settings.get("cis_reused_trail"):
        return True
    named = [e for e in (facts["trails"].get("trails") or []) if (e.get("trail") or {}).get("Name") == settings["trail_name"]]
    return bool(named) or found["event_source"]["ok"] is not True


def role_checks(outcomes):
    """The role views (``usable``, ``problems``) of the roles this run verified (``iam_roles.RoleVerifier``)."""
    return [outcome["role"] for key, outcome in outcomes if key in ("forwarding_role", "cis_role")]


def forwarding_roles(facts, bus_arn, our_role_arn):
    """The execution roles of the targets that are the hub bus, other than ours (read with the role manager)."""
    return sorted(set(t["RoleArn"] for r in (facts["rules"].get("rules") or []) for t in r.get("targets") or []
                      if t.get("Arn") == bus_arn and t.get("RoleArn") and t["RoleArn"] != our_role_arn))


def cis_names(settings):
    """The CIS pieces' names: the settings' own, else the defaults."""
    return dict(CIS_DEFAULT_NAMES, **dict((key, settings[key]) for key in CIS_DEFAULT_NAMES if settings.get(key)))


def topic_attributes(topic):
    """The attributes the policy manager needs from the topic manager's result (Policy only)."""
    return {"Policy": json.dumps(topic["topic"].get("policy") or {})}


def describe_paths(paths):
    return ", ".join("rule %s -> topic %s (recipients: %s)" % (p["rule"], p["topic"], ", ".join(p["recipients"]) or "none") for p in paths)


def with_unverified_bucket(verdict, trail_outcome):
    """The verdict, ``unknown`` with the reason, when an audit could not prove the owner of the trail's log bucket
    (an apply stops there instead, before the trail is pointed at the bucket)."""
    reasons = (trail_outcome or {}).get("unknown") or []
    if not reasons:
        return verdict
    return dict(verdict, status=delivery_path.UNKNOWN, unknown=list(verdict.get("unknown") or []) + reasons)


def trail_summary(settings, outcomes):
    """What the run did about the trail (the verdict's event_source link says whether it delivers)."""
    mode = settings.get("trail") or "auto"
    outcome = outcomes.get("trail")
    if outcome is None:
        return {"mode": mode, "reused": False, "created": False, "name": None}
    covering = outcome.get("covering_trail") or {}
    return {
        "mode": mode,
        "reused": outcome["reused"],
        "created": outcome["created"],
        "name": covering.get("name") if outcome["reused"] else settings["trail_name"],
        "arn": covering.get("arn") if outcome["reused"] else (outcome.get("trail") or {}).get("arn"),
    }
