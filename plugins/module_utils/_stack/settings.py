# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack's settings: every check that needs no AWS call, and the names the settings imply.

``validate_settings`` is shared with the role's controller-side checks: a refused value is named
``variable_prefix + option`` (the module's option, or with ``root_login_alerts_`` the role's variable), before any
AWS call. This is the one file of the stack that knows the role's variable names: a note that tells the user what
to set names the role's variable through :func:`role_variable`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import ACCOUNT_ID_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import EXTERNAL_ID_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import ROLE_ARN_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import arn_account
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import build_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import partition_for_region
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import unknown_region_problem
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import GLOBAL_REGION
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import PatternError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_kms_key_id
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_role_name
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import event_pattern
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import messages as alert_message
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as alert_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import webhook_formats
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import iam_role as iam_roles
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import targets as eventbridge_targets
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import bucket_name_of
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import validate_bucket_owner
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import DEFAULT_API_REGION as CHAT_API_REGION
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import NAME_PREFIX_RE as CHAT_NAME_PREFIX_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import validate_channels
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import RULE_NAME_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import canonical_endpoint
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import is_aws_managed_sns_key
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import validate_topic_name
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_options import validate_trail_name
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import destinations as destination_verdict
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import hub as hub_mode

# The role sets variable_prefix to this; notes that say what to set name the role's variables.
ROLE_VARIABLE_PREFIX = "root_login_alerts_"
POLICY_SID = "RootwatchAllowEventBridgePublish"
TARGET_ID = "rootwatch-root-login-alerts"
CREATED_BY_TAG = "rootwatch:created-by"
# Our proof of ownership, set when we create a trail, topic or rule; without it a resource is someone else's.
OWNER_TAG = {CREATED_BY_TAG: "root_login_alerts"}
REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
TRAIL_MODES = ("auto", "create", "none")
# The CIS CloudWatch.1 pieces, named after nothing of others.
CIS_DEFAULT_NAMES = {
    "cis_log_group_name": "root-login-alerts-cloudtrail",
    "cis_role_name": "root-login-alerts-cloudtrail-logs",
    "cis_metric_filter_name": "root-login-alerts-root-usage",
    "cis_alarm_name": "root-login-alerts-root-usage",
}
# Where AWS documents that root cannot sign in to the console, or has no root user at all.
NO_ROOT_SIGN_IN = {
    "aws-us-gov": "the AWS GovCloud (US) console does not accept root user credentials; you can sign in to it only as an "
    "IAM user (https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-iam.html)",
    "aws-cn": "the China Regions have no root user credentials: every user is an IAM user, including the one who "
    "created the account (https://docs.amazonaws.cn/aws/latest/userguide/iam.md)",
}


def role_variable(option):
    """The role's variable for the module option ``option``: root_login_alerts_<option>."""
    return ROLE_VARIABLE_PREFIX + option


def name_hint(option):
    """Where a note tells the user to choose another name: the role's variable for ``option``."""
    return "%s in the role rootwatch.aws.root_login_alerts" % role_variable(option)


# The roles docs/member-role.yml creates for the chat channels and the webhooks; read and judged, never written.
DESTINATION_ROLES = {
    "chat": {"option": "chat_role_name", "default": "root-login-alerts-chat", "service": destination_verdict.CHAT_SERVICE_PRINCIPAL,
             "variable": role_variable("chat_role_name"), "parameter": "CreateChatRole",
             "what": "the role the chat service assumes for the channel configurations"},
    "webhooks": {"option": "webhook_role_name", "default": "root-login-alerts-webhooks", "service": iam_roles.EVENTS_SERVICE,
                 "variable": role_variable("webhook_role_name"), "parameter": "CreateWebhookRole",
                 "what": "the role EventBridge assumes to invoke the API destinations"},
}


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
    """Every check that needs no AWS call; raise ValidationError naming ``prefix + option``."""

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
    _validate_credentials(settings, name)
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


def _validate_credentials(settings, name):
    """The role to assume, its ExternalId and the account the host names: they must lead to one account."""
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


def without_none(value):
    """Sub-options Ansible filled with None are left out, as if not given."""
    if isinstance(value, dict):
        return dict((key, without_none(item)) for key, item in value.items() if item is not None)
    if isinstance(value, list):
        return [without_none(item) for item in value]
    return value


def validate_destinations(settings, name):
    """The chat channels and webhooks (``chat_channels.validate_channels``, ``webhook_formats.validate_webhooks``:
    their errors name ``<variable>[<i>].<key>`` and never a secret), their topic and role names; normalized in
    ``settings``. The webhooks' resources are named ``<rule name>-<webhook name>``."""
    settings["chat_channels"] = validate_channels(settings.get("chat_channels") or [], param=name("chat_channels"))
    settings["webhooks"] = webhook_formats.validate_webhooks(without_none(settings.get("webhooks") or []), param=name("webhooks"),
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
        if not CHAT_NAME_PREFIX_RE.match(settings["rule_name"]):
            raise ValidationError("%s must be 1-64 letters, digits, '-' or '_' with %s: it begins the name of each chat channel "
                                  "configuration, got %r" % (name("rule_name"), name("chat_channels"), settings["rule_name"]))
    # "A rule can have up to five targets" (EventBridge quotas): the email topic's, the chat topic's and the webhooks'.
    ours = 1 + (1 if settings["chat_channels"] else 0) + len(settings["webhooks"])
    if ours > eventbridge_targets.MAX_TARGETS_PER_RULE:
        also = " and the chat topic" if settings["chat_channels"] else ""
        raise ValidationError("%s lists %d webhooks: with the email topic%s every alert rule would have %d targets of ours, and "
                              "EventBridge allows %d per rule"
                              % (name("webhooks"), len(settings["webhooks"]), also, ours, eventbridge_targets.MAX_TARGETS_PER_RULE))
    for kind in sorted(DESTINATION_ROLES):
        role_name = destination_role_name(settings, kind)
        validate_role_name(role_name, name(DESTINATION_ROLES[kind]["option"]))
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


def validate_stack_regions(regions):
    """``regions`` (None: every region enabled in the account, read from AWS) as a list that includes us-east-1."""
    if regions is None:
        return None
    regions = alert_profiles.validate_regions(regions, param="value")
    if GLOBAL_REGION not in regions:
        raise ValidationError("must include %s: root console sign-ins are recorded there, and the rules of the other regions "
                              "forward to it (or to the hub bus there), got %r" % (GLOBAL_REGION, regions))
    return regions


# -- what the settings imply -------------------------------------------------------
def trail_mode(settings):
    return settings.get("trail") or "auto"


def chat_topic_name(settings):
    """The chat topic: ``chat_topic_name``, else ``<topic name>-chat``."""
    return settings.get("chat_topic_name") or "%s-chat" % settings["topic_name"]


def destination_role_name(settings, kind):
    spec = DESTINATION_ROLES[kind]
    return settings.get(spec["option"]) or spec["default"]


def profile_rule_name(rule_name, profile):
    """The rule of an extra alert profile: the main rule's name and the profile, such as
    root-login-alerts-credential-changes."""
    return "%s-%s" % (rule_name, profile.replace("_", "-"))


def extra_profiles(settings):
    """The alert profiles beyond console_sign_in that the settings ask for, in order."""
    return [name for name in settings.get("profiles") or [alert_profiles.SIGN_IN_PROFILE] if name != alert_profiles.SIGN_IN_PROFILE]


def regional_profiles(profiles=None):
    """The profiles that need a rule in every region (all of them, or those among ``profiles``)."""
    return [name for name in profiles or alert_profiles.PROFILE_NAMES
            if alert_profiles.PROFILES[name]["regions"] == alert_profiles.REGIONS_ALL]


def sign_in_pattern(settings):
    return event_pattern.canonicalize(settings.get("event_pattern") or alert_message.ROOT_SIGN_IN_PATTERN)


def cis_names(settings):
    """The CIS pieces' names: the settings' own, else the defaults."""
    return dict(CIS_DEFAULT_NAMES, **dict((key, settings[key]) for key in CIS_DEFAULT_NAMES if settings.get(key)))


def default_bucket_name(account_id, region):
    return "root-login-alerts-%s-%s" % (account_id, region)


def webhook_resource_names(settings):
    """The connection and API destination name of each configured webhook."""
    return set(webhook_formats.resource_name(settings["rule_name"], webhook["name"]) for webhook in settings["webhooks"])


def chat_params(settings, state="present", account_id=None, region=None):
    """The chat channel manager's parameters: our configurations by name prefix and tag (present: on the chat topic)."""
    params = {"state": state, "name_prefix": settings["rule_name"], "owner_tag": OWNER_TAG, "api_region": CHAT_API_REGION,
              "tags": dict(settings.get("tags") or {})}
    if state == "present":
        params.update(channels=settings["chat_channels"], topic_arns=[build_arn("sns", region, account_id, chat_topic_name(settings))])
    return params
