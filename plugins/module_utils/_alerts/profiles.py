# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alert profiles: which root events an EventBridge rule matches, where it runs, what the email says.

Pure module, no I/O. ``PROFILES`` maps the public profile names
(``root_login_alerts_profiles``) to a pattern, a region scope and an input
transformer (paths map + JSON string template, which SNS sends as plain text).
``sample_events`` gives real-shaped CloudTrail-via-EventBridge events for each
profile, with whether the profile must match them; ``rules_for`` lists the
(profile, region) rules to deploy.

Where each event is recorded (it decides where a rule must run):

- Root console sign-ins: "If you sign in as the root user, CloudTrail records
  the event in us-east-1."
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
- IAM, AWS Sign-In and STS (global endpoint) are global services recorded in
  us-east-1 ("CloudFront, IAM, SignIn, and STS events occur in that region",
  AWS notice on global service events, quoted in
  https://github.com/SummitRoute/aws_breaking_changes/issues/51; see also the
  design notes). Other API calls, and calls to regional STS endpoints such as
  ``AssumeRoot`` ("The STS global endpoint is not supported for AssumeRoot. You
  must send this request to a Regional STS endpoint."
  https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html),
  are recorded in the region where they were made.

Who sent it. Every pattern pins ``source``: AWS reserves ``aws.`` sources for its
services ("Customer-generated events can have any value here, as long as it
doesn't begin with aws.", EventBridge user guide, event structure), so a custom
event that copies a detail-type and ``userIdentity.type: Root`` matches none of
them (each profile's samples include such a forged event). The sources are AWS's
own, from the EventBridge events reference: ``aws.signin`` (AWS Sign-In,
https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-signin.html),
``aws.iam`` (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-iam.html),
``aws.sts`` (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-sts.html);
an "AWS API Call via CloudTrail" event of any service has ``source`` ``aws.`` and
the service (https://docs.aws.amazon.com/eventbridge/latest/ref/events.html), so
``api_activity`` takes the prefix. The messages take the account from ``$.account``
and keep every ``detail`` field outside JSON strings (see ``alert_message``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import messages as alert_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import unknown_region_problem
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError

# -- region scopes --------------------------------------------------------------
REGIONS_SIGN_IN = "us-east-1-only"  # one rule, in the sign-in region (us-east-1)
REGIONS_ALL = "all"  # one rule per region the caller lists
SIGN_IN_REGION = "us-east-1"
SIGN_IN_PROFILE = "console_sign_in"  # the path the compliance verdict proves

API_CALL = "AWS API Call via CloudTrail"
CONSOLE_SIGN_IN = alert_message.CONSOLE_SIGN_IN
SERVICE_EVENT = "AWS Service Event via CloudTrail"

DEFAULT_PROFILES = ["console_sign_in"]

# -- rule states (EventBridge PutRule ``State``) ----------------------------------------
# "ENABLED: ... EventBridge matches events against the rule, except for AWS management events
# delivered through CloudTrail" that are read-only; "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS:
# The rule is enabled for all events, including AWS management events delivered through CloudTrail"
# (EventBridge API reference, PutRule / Rule ``State``; user guide, "Receiving read-only management
# events from AWS services"). api_activity must see read-only root calls (DescribeInstances, ...).
# assume_root: AWS does not document AssumeRoot's ``readOnly``; the STS credential calls are treated
# as read-only (the user guide's example rule for sts AssumeRole uses this state), and this state
# receives the event either way (docs/profiles.md).
RULE_ENABLED = "ENABLED"
ALL_MANAGEMENT_EVENTS = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"


# Paths shared by the CloudTrail API-call messages. ``region`` is the envelope's,
# set by EventBridge: where the event was recorded, which is also where its event
# history lives. Only ``account`` and ``region`` go inside the alert's text.
_API_PATHS = {
    "account": "$.account",
    "region": "$.region",
    "event": "$.detail.eventName",
    "service": "$.detail.eventSource",
    "arn": "$.detail.userIdentity.arn",
    "type": "$.detail.userIdentity.type",
    "time": "$.detail.eventTime",
    "ip": "$.detail.sourceIPAddress",
    "agent": "$.detail.userAgent",
    "eventid": "$.detail.eventID",
}
_API_FIELDS = [("event", "event"), ("service", "service"), ("identity", "arn"), ("identity_type", "type"),
               ("time", "time"), ("source_ip", "ip"), ("user_agent", "agent"), ("event_id", "eventid")]
_COPIED = "The other fields are copied from the CloudTrail record."

# -- console_sign_in --------------------------------------------------------------
# The sign-in pattern and email (alert_message is their one home): source aws.signin.
# INPUT_PATHS reads $.detail.responseElements.ConsoleLogin ("Success"/"Failure").
# Note: the pattern matches every "AWS Console Sign In via CloudTrail" event of
# the root user, so signin.amazonaws.com events such as PasswordUpdated match too
# (see the samples); credential_changes names them explicitly.

# The events each profile must alert on, judged by ``pattern_coverage``: per kind of
# event, the fields whose value is ``fixed``, the ``enumerable`` ones (every value must
# be admitted; label of each for the gaps), ``free`` text fields always present
# (``prefixed``: always beginning so), ``optional`` ones (present only with the given
# values) and ``absent`` ones. Fields not listed are unknown: a pattern may not rely on
# them. ``<account>`` and ``<region>`` are filled in by ``event_set``.
ACCOUNT, REGION = "<account>", "<region>"
# Console sign-ins, from the CloudTrail user guide's "AWS Management Console sign-in
# events" (examples of root sign-ins, success and failure):
# https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
# "For sign-in events, the eventType field is AwsConsoleSignIn."
# https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-non-api-events.html
# errorMessage ("Failed authentication") appears only in failed sign-ins; awsRegion is
# the sign-in endpoint's Region, sourceIPAddress and userAgent are the caller's.
CONSOLE_SIGN_IN_EVENTS = {
    "one": "root sign-in",
    "many": "sign-ins",
    "covered": "matches every root console sign-in: success and failure, with or without MFA, from any address, "
               "user agent and sign-in endpoint Region",
    "kinds": [{
        "label": "root console sign-ins",
        "fixed": {
            "version": "0",
            "source": alert_message.SIGN_IN_SOURCE,
            "detail-type": CONSOLE_SIGN_IN,
            "account": ACCOUNT,
            "region": REGION,
            "detail.userIdentity.type": "Root",
            "detail.userIdentity.principalId": ACCOUNT,
            "detail.userIdentity.arn": "arn:aws:iam::%s:root" % ACCOUNT,
            "detail.userIdentity.accountId": ACCOUNT,
            "detail.eventSource": "signin.amazonaws.com",
            "detail.eventName": "ConsoleLogin",
            "detail.eventType": "AwsConsoleSignIn",
            "detail.recipientAccountId": ACCOUNT,
            "detail.requestParameters": None,
            "detail.readOnly": False,
            "detail.managementEvent": True,
            "detail.eventCategory": "Management",
        },
        "enumerable": {
            "detail.responseElements.ConsoleLogin": [("Success", "successful sign-ins"), ("Failure", "failed sign-ins")],
            "detail.additionalEventData.MFAUsed": [("Yes", "sign-ins with MFA"), ("No", "sign-ins without MFA")],
            "detail.additionalEventData.MobileVersion": [("Yes", "sign-ins to the mobile console"),
                                                         ("No", "sign-ins to the desktop console")],
        },
        "free": ["id", "time", "detail.eventVersion", "detail.eventTime", "detail.eventID", "detail.awsRegion",
                 "detail.sourceIPAddress", "detail.userAgent"],
        "optional": {"detail.errorMessage": {"detail.responseElements.ConsoleLogin": "Failure"}},
    }],
}

# -- api_activity -------------------------------------------------------------------
# The CIS CloudWatch.1 metric filter, translated to EventBridge:
#   { $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS
#     && $.eventType != "AwsServiceEvent" }
# https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-1
# (same text as cis_metric_filter.CIS_ROOT_USAGE_PATTERN). NOT EXISTS becomes
# {"exists": false}; != becomes anything-but. "For these events [AWS service
# events], the eventType field is AwsServiceEvent."
# https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-non-api-events.html
# Any service: source "aws." and the service (EventBridge events reference, table of
# event sources), as a prefix; a custom event cannot begin with aws.
API_ACTIVITY_PATTERN = {
    "source": [{"prefix": "aws."}],
    "detail-type": [API_CALL],
    "detail": {
        "userIdentity": {"type": ["Root"], "invokedBy": [{"exists": False}]},
        "eventType": [{"anything-but": "AwsServiceEvent"}],
    },
}

# Root API calls of any service, read-only or not, as the CIS filter counts them: made by
# the root user, not by a service on its behalf (no invokedBy), eventType AwsApiCall.
API_ACTIVITY_EVENTS = {
    "one": "root API call",
    "many": "root API calls",
    "covered": "matches every root API call, read-only or not, of any service",
    "kinds": [{
        "label": "root API calls",
        "fixed": {"detail-type": API_CALL, "account": ACCOUNT, "region": REGION,
                  "detail.userIdentity.type": "Root", "detail.eventType": "AwsApiCall"},
        "enumerable": {"detail.readOnly": [(True, "read-only root API calls"), (False, "root API calls that change something")]},
        "prefixed": {"source": "aws."},
        "free": ["id", "time", "detail.eventVersion", "detail.eventTime", "detail.eventID", "detail.eventSource",
                 "detail.eventName", "detail.awsRegion", "detail.sourceIPAddress", "detail.userAgent"],
        "absent": ["detail.userIdentity.invokedBy"],
    }],
}

API_ACTIVITY_TEMPLATE = alert_message.json_template(
    "AWS account root user API call in AWS account <account>, recorded in <region>. " + _COPIED, _API_FIELDS)

# -- credential_changes ------------------------------------------------------------
# IAM API calls (detail-type "AWS API Call via CloudTrail", source aws.iam,
# eventSource iam.amazonaws.com, recorded in us-east-1). CloudTrail names an IAM
# event after the API operation: "CloudTrail captures all API calls for IAM and
# AWS STS as events" https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
IAM_CREDENTIAL_EVENTS = [
    # "If you do not specify a user name, IAM determines the user name implicitly
    # based on the AWS access key ID signing the request. [...] Consequently, you
    # can use this operation to manage AWS account root user credentials."
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html
    "CreateAccessKey",
    # MFA devices. "When you make this request with root user credentials, you
    # must use an AssumeRoot session to omit the user name." (DeactivateMFADevice)
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeactivateMFADevice.html
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateVirtualMFADevice.html
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableMFADevice.html
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteVirtualMFADevice.html
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_ResyncMFADevice.html
    "CreateVirtualMFADevice",
    "EnableMFADevice",
    "DeactivateMFADevice",
    "DeleteVirtualMFADevice",
    "ResyncMFADevice",
    # Login profile (the console password). CreateLoginProfile: "This parameter
    # [UserName] is optional. [...] When you make this request with root user
    # credentials, you must use an AssumeRoot session to omit the user name."
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateLoginProfile.html
    # DeleteLoginProfile: "Deletes the password for the specified IAM user or root user"
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteLoginProfile.html
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateLoginProfile.html
    "CreateLoginProfile",
    "UpdateLoginProfile",
    "DeleteLoginProfile",
]
# Not included: ChangePassword - "Changes the password of the IAM user who is
# calling this operation. [...] The AWS account root user password is not
# affected by this operation."
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_ChangePassword.html
# DeleteAccessKey / UpdateAccessKey are left out: removing root keys is the
# remediation, not the risk.

# AWS Sign-In events (eventSource signin.amazonaws.com, source aws.signin,
# eventType AwsConsoleSignIn, so detail-type "AWS Console Sign In via
# CloudTrail"; recorded in us-east-1 for the root user). AWS's sign-in events
# page does not list these names; they are taken from published detections
# with real events:
# - PasswordRecoveryRequested: "the PasswordRecoveryRequested event from
#   signin.amazonaws.com applies to the root user's "Forgot your password?"
#   flow. Other identity types, like IAM and federated users, do not generate
#   this event." https://www.elastic.co/guide/en/security/current/prebuilt-rule-8-19-9-aws-sign-in-root-password-recovery-requested.html
# - PasswordRecoveryCompleted: "This indicates that the root user password was
#   reset." https://docs.datadoghq.com/security/default_rules/aws-cloudtrail-password-recovery-suspicious-ip/
# - PasswordUpdated (eventType AwsConsoleSignIn, userIdentity.type Root,
#   responseElements.PasswordUpdated "Success"): "Someone manually changed the
#   Root console login password."
#   https://github.com/panther-labs/panther-analysis/blob/release/rules/aws_cloudtrail_rules/aws_root_password_changed.yml
# The branch accepts both detail-types in case AWS delivers them as API calls.
SIGNIN_CREDENTIAL_EVENTS = ["PasswordRecoveryRequested", "PasswordRecoveryCompleted", "PasswordUpdated"]

CREDENTIAL_CHANGES_PATTERN = {
    "detail-type": [API_CALL, CONSOLE_SIGN_IN],
    "source": ["aws.iam", "aws.signin"],
    "detail": {
        "userIdentity": {"type": ["Root"]},
        "eventType": [{"anything-but": "AwsServiceEvent"}],
        "$or": [
            {"eventSource": ["iam.amazonaws.com"], "eventName": list(IAM_CREDENTIAL_EVENTS)},
            {"eventSource": ["signin.amazonaws.com"], "eventName": list(SIGNIN_CREDENTIAL_EVENTS)},
        ],
    },
}

CREDENTIAL_CHANGES_EVENTS = {
    "one": "root credential change",
    "many": "root credential changes",
    "covered": "matches every root credential change it names, IAM calls and AWS Sign-In events",
    "kinds": [
        {"label": "IAM credential calls (iam.amazonaws.com)",
         "fixed": {"source": "aws.iam", "detail-type": API_CALL, "account": ACCOUNT, "region": REGION,
                   "detail.userIdentity.type": "Root", "detail.eventSource": "iam.amazonaws.com",
                   "detail.eventType": "AwsApiCall"},
         "enumerable": {"detail.eventName": [(name, "%s calls" % name) for name in IAM_CREDENTIAL_EVENTS]},
         "free": ["id", "time", "detail.eventTime", "detail.eventID", "detail.awsRegion", "detail.sourceIPAddress",
                  "detail.userAgent"]},
        {"label": "AWS Sign-In password events (signin.amazonaws.com)",
         "fixed": {"source": alert_message.SIGN_IN_SOURCE, "detail-type": CONSOLE_SIGN_IN, "account": ACCOUNT,
                   "region": REGION, "detail.userIdentity.type": "Root", "detail.eventSource": "signin.amazonaws.com",
                   "detail.eventType": "AwsConsoleSignIn"},
         "enumerable": {"detail.eventName": [(name, "%s events" % name) for name in SIGNIN_CREDENTIAL_EVENTS]},
         "free": ["id", "time", "detail.eventTime", "detail.eventID", "detail.awsRegion", "detail.sourceIPAddress",
                  "detail.userAgent"]},
    ],
}

CREDENTIAL_CHANGES_TEMPLATE = alert_message.json_template(
    "AWS account root user credential change in AWS account <account>, recorded in <region>. " + _COPIED, _API_FIELDS)

# -- assume_root -----------------------------------------------------------------
# "Find the AssumeRoot event in your CloudTrail logs. This event is generated
# when your management account or the delegated administrator for IAM gets a set
# of short term credentials from sts:AssumeRoot." The example event has
# userIdentity.type AssumedRole, sessionContext.assumedRoot "true",
# eventSource sts.amazonaws.com, eventName AssumeRoot, awsRegion us-west-2.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-track-privileged-tasks.html
# "you must sign in via a management account or a delegated administrator
# account as an IAM user or role with the sts:AssumeRoot permission explicitly
# granted. You cannot use root user credentials to call sts:AssumeRoot."
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html
# So the caller's type is not constrained. Regional endpoint only: every region.
ASSUME_ROOT_PATTERN = {
    "detail-type": [API_CALL],
    "source": ["aws.sts"],
    "detail": {"eventSource": ["sts.amazonaws.com"], "eventName": ["AssumeRoot"]},
}

# The caller's identity type is not fixed (see above): only the call is.
ASSUME_ROOT_EVENTS = {
    "one": "AssumeRoot call",
    "many": "AssumeRoot calls",
    "covered": "matches every sts:AssumeRoot call, whoever makes it",
    "kinds": [{
        "label": "AssumeRoot calls",
        "fixed": {"source": "aws.sts", "detail-type": API_CALL, "account": ACCOUNT, "region": REGION,
                  "detail.eventSource": "sts.amazonaws.com", "detail.eventName": "AssumeRoot",
                  "detail.eventType": "AwsApiCall"},
        "free": ["id", "time", "detail.eventTime", "detail.eventID", "detail.awsRegion", "detail.sourceIPAddress",
                 "detail.userAgent", "detail.userIdentity.type", "detail.userIdentity.arn"],
    }],
}

ASSUME_ROOT_PATHS = dict(
    [(name, path) for name, path in _API_PATHS.items() if name != "service"],  # always sts.amazonaws.com
    target="$.detail.requestParameters.targetPrincipal",
    task="$.detail.requestParameters.taskPolicyArn.arn",
)

ASSUME_ROOT_TEMPLATE = alert_message.json_template(
    "Centralized root access: sts:AssumeRoot was called in AWS account <account>, recorded in <region>. " + _COPIED,
    [("caller", "arn"), ("caller_type", "type"), ("target_account", "target"), ("task_policy", "task"),
     ("event", "event"), ("time", "time"), ("source_ip", "ip"), ("user_agent", "agent"), ("event_id", "eventid")])

PROFILES = {
    "console_sign_in": {
        "name": "console_sign_in",
        "rule_state": RULE_ENABLED,
        "description": "Root user console sign-ins, successful and failed (recorded in us-east-1 only).",
        "pattern": alert_message.ROOT_SIGN_IN_PATTERN,
        "regions": REGIONS_SIGN_IN,
        "input_paths_map": alert_message.INPUT_PATHS,
        "input_template": alert_message.INPUT_TEMPLATE,
    },
    "api_activity": {
        "name": "api_activity",
        "rule_state": ALL_MANAGEMENT_EVENTS,
        "description": "Any API call made as the root user, in every listed region, "
                       "excluding calls made by AWS services (as the CIS CloudWatch.1 filter does).",
        "pattern": API_ACTIVITY_PATTERN,
        "regions": REGIONS_ALL,
        "input_paths_map": dict(_API_PATHS),
        "input_template": API_ACTIVITY_TEMPLATE,
    },
    "credential_changes": {
        "name": "credential_changes",
        "rule_state": RULE_ENABLED,
        "description": "Root user credential changes: password recovery and updates, MFA devices, "
                       "access key creation, login profile (recorded in us-east-1 only).",
        "pattern": CREDENTIAL_CHANGES_PATTERN,
        "regions": REGIONS_SIGN_IN,
        "input_paths_map": dict(_API_PATHS),
        "input_template": CREDENTIAL_CHANGES_TEMPLATE,
    },
    "assume_root": {
        "name": "assume_root",
        "rule_state": ALL_MANAGEMENT_EVENTS,
        "description": "sts:AssumeRoot calls (centralized root access: privileged root sessions started "
                       "from the management or a delegated-admin account), in every listed region.",
        "pattern": ASSUME_ROOT_PATTERN,
        "regions": REGIONS_ALL,
        "input_paths_map": ASSUME_ROOT_PATHS,
        "input_template": ASSUME_ROOT_TEMPLATE,
    },
}

PROFILE_NAMES = ("console_sign_in", "api_activity", "credential_changes", "assume_root")


def _known():
    return ", ".join(PROFILE_NAMES)


def validate_profiles(names, param="root_login_alerts_profiles"):
    """Return ``names`` as a list, or raise ValueError naming ``param`` and the problem."""
    if isinstance(names, str) or not isinstance(names, (list, tuple)):
        raise ValidationError("%s must be a list of profile names (known: %s), got %r" % (param, _known(), names))
    if not names:
        raise ValidationError("%s must name at least one profile (known: %s)" % (param, _known()))
    seen = set()
    for index, name in enumerate(names):
        if not isinstance(name, str) or name not in PROFILES:
            raise ValidationError("%s[%d]: unknown profile %r; known profiles: %s" % (param, index, name, _known()))
        if name in seen:
            raise ValidationError("%s[%d]: duplicate profile %r" % (param, index, name))
        seen.add(name)
    return list(names)


def get_profile(name):
    """A deep copy of one profile, by name (ValueError when unknown)."""
    validate_profiles([name], param="profile")
    return copy.deepcopy(PROFILES[name])


EVENT_SETS = {"console_sign_in": CONSOLE_SIGN_IN_EVENTS, "api_activity": API_ACTIVITY_EVENTS,
              "credential_changes": CREDENTIAL_CHANGES_EVENTS, "assume_root": ASSUME_ROOT_EVENTS}


def _fill(value, account_id, region):
    if isinstance(value, str):
        return value.replace(ACCOUNT, account_id).replace(REGION, region)
    if isinstance(value, dict):
        return dict((key, _fill(item, account_id, region)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(_fill(item, account_id, region) for item in value)
    return value


def event_set(name, account_id, region):
    """The events profile ``name`` must alert on, for a rule of ``account_id`` in ``region`` (``pattern_coverage``)."""
    validate_profiles([name], param="profile")
    return _fill(copy.deepcopy(EVENT_SETS[name]), account_id, region)


def input_transformer(name):
    """``{"input_paths_map", "input_template"}`` for a profile, in the eventbridge_targets option form."""
    profile = get_profile(name)
    return {"input_paths_map": profile["input_paths_map"], "input_template": profile["input_template"]}


def validate_regions(regions, param="root_login_alerts_regions"):
    """Return ``regions`` as a list: names from botocore's own list of regions, no duplicates."""
    if isinstance(regions, str) or not isinstance(regions, (list, tuple)):
        raise ValidationError("%s must be a list of region names, got %r" % (param, regions))
    seen = set()
    for index, region in enumerate(regions):
        if not isinstance(region, str) or not region.strip():
            raise ValidationError("%s[%d] must be a region name (a non-empty string), got %r" % (param, index, region))
        problem = unknown_region_problem(region)
        if problem:
            raise ValidationError("%s[%d]: %s" % (param, index, problem))
        if region in seen:
            raise ValidationError("%s[%d]: duplicate region %r" % (param, index, region))
        seen.add(region)
    return list(regions)


def rules_for(profiles, regions, sign_in_region=SIGN_IN_REGION):
    """The (profile name, region) pairs to deploy, in profile order then region order.

    A us-east-1-only profile gets one rule, in ``sign_in_region``; an "all"
    profile one rule per region in ``regions``. ``regions`` may be None or empty
    only when no "all" profile is asked for.
    """
    profiles = validate_profiles(profiles)
    if not isinstance(sign_in_region, str) or not sign_in_region:
        raise ValidationError("sign_in_region must be a region name, got %r" % (sign_in_region,))
    needs_regions = [name for name in profiles if PROFILES[name]["regions"] == REGIONS_ALL]
    if regions is None:
        regions = []
    regions = validate_regions(regions)
    if needs_regions and not regions:
        raise ValidationError(
            "root_login_alerts_regions must list at least one region for the profile(s) %s, "
            "which need a rule in every region" % ", ".join(needs_regions)
        )
    pairs = []
    for name in profiles:
        if PROFILES[name]["regions"] == REGIONS_ALL:
            pairs.extend((name, region) for region in regions)
        else:
            pairs.append((name, sign_in_region))
    return pairs


# -- sample events ----------------------------------------------------------------
_TIME = "2026-11-24T06:35:38Z"
_AGENT_CONSOLE = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
_AGENT_CLI = "aws-cli/2.22.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.8 md/arch#x86_64 lang/python#3.12.6"


class _Ids(object):
    """Deterministic envelope ids and event ids, one pair per sample."""

    def __init__(self):
        self.count = 0

    def take(self):
        self.count += 1
        return (
            "6f0c2b1e-0000-4000-8000-%012d" % (2 * self.count + 1000),
            "3b7a9f1c-0000-4000-8000-%012d" % (2 * self.count + 1001),
        )


def _root(account, assumed_root=False):
    identity = {
        "type": "Root",
        "principalId": account,
        "arn": "arn:aws:iam::%s:root" % account,
        "accountId": account,
        "accessKeyId": "ASIAROOTEXAMPLE00001",
        "sessionContext": {"attributes": {"creationDate": "2026-11-24T06:30:00Z", "mfaAuthenticated": "true"}},
    }
    if assumed_root:
        # A session from sts:AssumeRoot acting in the member account. Shape
        # assumed: the design notes say these actions are logged as type Root.
        identity["accessKeyId"] = "ASIAASSUMEDROOT00001"
        identity["sessionContext"]["attributes"]["mfaAuthenticated"] = "false"
    return identity


def _iam_user(account):
    return {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLEALICE0001",
        "arn": "arn:aws:iam::%s:user/alice" % account,
        "accountId": account,
        "accessKeyId": "AKIAEXAMPLEALICE0001",
        "userName": "alice",
    }


def _assumed_role(account, assumed_root=False):
    identity = {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLEADMIN0001:alice",
        "arn": "arn:aws:sts::%s:assumed-role/Admin/alice" % account,
        "accountId": account,
        "accessKeyId": "ASIAEXAMPLEADMIN0001",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEADMIN0001",
                "arn": "arn:aws:iam::%s:role/Admin" % account,
                "accountId": account,
                "userName": "Admin",
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": "2026-11-24T06:30:00Z", "mfaAuthenticated": "false"},
        },
    }
    if assumed_root:
        identity["sessionContext"]["assumedRoot"] = "true"
    return identity


def _event(ids, account, region, detail_type, source, event_source, event_name, identity,
           request=None, response=None, event_type="AwsApiCall", read_only=False,
           agent=_AGENT_CLI, ip="203.0.113.7", extra=None):
    """A CloudTrail event as EventBridge delivers it: the envelope and the record in ``detail``."""
    envelope_id, event_id = ids.take()
    detail = {
        "eventVersion": "1.10" if event_type != "AwsConsoleSignIn" else "1.08",
        "userIdentity": identity,
        "eventTime": _TIME,
        "eventSource": event_source,
        "eventName": event_name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": agent,
        "requestParameters": request,
        "responseElements": response,
        "requestID": "c0ffee00-0000-4000-8000-%012d" % ids.count,
        "eventID": event_id,
        "readOnly": read_only,
        "eventType": event_type,
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    if event_type == "AwsConsoleSignIn":
        del detail["requestID"]
    detail.update(extra or {})
    return {
        "version": "0",
        "id": envelope_id,
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": _TIME,
        "region": region,
        "resources": [],
        "detail": detail,
    }


def _kms_service_event(ids, account, region):
    """A real-shaped AWS service event (automatic KMS key rotation)."""
    key_arn = "arn:aws:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % (region, account)
    event = _event(
        ids, account, region, SERVICE_EVENT, "aws.kms", "kms.amazonaws.com", "RotateKey",
        {"accountId": account, "invokedBy": "kms.amazonaws.com"},
        event_type="AwsServiceEvent", agent="kms.amazonaws.com", ip="kms.amazonaws.com",
        extra={"serviceEventDetails": {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
               "resources": [{"accountId": account, "type": "AWS::KMS::Key", "ARN": key_arn}]},
    )
    event["resources"] = [key_arn]
    return event


def _signin(ids, account, name, identity, result="Success", extra=None):
    return _event(
        ids, account, SIGN_IN_REGION, CONSOLE_SIGN_IN, "aws.signin", "signin.amazonaws.com", name, identity,
        response={name: result}, event_type="AwsConsoleSignIn", agent=_AGENT_CONSOLE, extra=extra,
    )


def _iam(ids, account, name, identity, request=None, response=None, read_only=False):
    return _event(
        ids, account, SIGN_IN_REGION, API_CALL, "aws.iam", "iam.amazonaws.com", name, identity,
        request=request, response=response, read_only=read_only, agent=_AGENT_CONSOLE,
    )


def _console_samples(account, region):
    ids = _Ids()
    samples = dict(alert_message.sample_events(account, region))
    with_mfa = copy.deepcopy(samples["root_sign_in"][0])
    with_mfa["detail"]["additionalEventData"]["MFAUsed"] = "Yes"
    with_mfa["detail"]["additionalEventData"]["MfaType"] = "FIDO2"
    samples["root_sign_in_with_mfa"] = (with_mfa, True)
    federated = copy.deepcopy(samples["root_sign_in"][0])
    federated["detail"]["userIdentity"] = _assumed_role(account)
    federated["detail"]["additionalEventData"]["SamlProviderArn"] = "arn:aws:iam::%s:saml-provider/Okta" % account
    samples["assumed_role_sign_in"] = (federated, False)
    samples["root_api_call"] = (
        _event(ids, account, region, API_CALL, "aws.s3", "s3.amazonaws.com", "CreateBucket", _root(account),
               request={"bucketName": "example-bucket", "Host": "example-bucket.s3.amazonaws.com"}),
        False,
    )
    samples["service_event"] = (_kms_service_event(ids, account, region), False)
    # The fixed pattern matches any root "AWS Console Sign In via CloudTrail"
    # event, so a root password update (AWS Sign-In) alerts here too.
    samples["root_password_updated"] = (_signin(ids, account, "PasswordUpdated", _root(account)), True)
    return samples


def _api_activity_samples(account, region):
    ids = _Ids()
    bucket = {"bucketName": "example-bucket", "Host": "example-bucket.s3.%s.amazonaws.com" % region}

    def s3(name, identity, **kwargs):
        return _event(ids, account, region, API_CALL, "aws.s3", "s3.amazonaws.com", name, identity, **kwargs)

    invoked = _root(account)
    invoked["invokedBy"] = "cloudformation.amazonaws.com"
    failed = s3("PutBucketPolicy", _root(account), request=dict(bucket, policy="{...}"),
                extra={"errorCode": "AccessDenied", "errorMessage": "Access Denied"})
    typed_service = s3("PutBucketTagging", _root(account), request=bucket, event_type="AwsServiceEvent")
    return {
        "root_create_bucket": (s3("CreateBucket", _root(account), request=bucket), True),
        "root_iam_create_user": (
            _iam(ids, account, "CreateUser", _root(account), request={"userName": "bob"},
                 response={"user": {"userName": "bob", "path": "/", "arn": "arn:aws:iam::%s:user/bob" % account}}),
            True,
        ),
        # Matches the pattern; a rule in state ENABLED only receives it when the
        # state is ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (read-only event).
        "root_read_only_call": (
            _event(ids, account, region, API_CALL, "aws.ec2", "ec2.amazonaws.com", "DescribeInstances",
                   _root(account), request={"instancesSet": {}, "filterSet": {}}, read_only=True),
            True,
        ),
        "root_failed_call": (failed, True),
        "root_session_action": (
            s3("DeleteBucketPolicy", _root(account, assumed_root=True), request=bucket), True,
        ),
        "iam_user_create_bucket": (s3("CreateBucket", _iam_user(account), request=bucket), False),
        "assumed_role_create_bucket": (s3("CreateBucket", _assumed_role(account), request=bucket), False),
        "root_call_invoked_by_service": (s3("CreateBucket", invoked, request=bucket,
                                            agent="cloudformation.amazonaws.com",
                                            ip="cloudformation.amazonaws.com"), False),
        # Isolates the eventType guard: root-typed, delivered as an API call,
        # eventType AwsServiceEvent (the CIS filter's third clause).
        "root_typed_service_event": (typed_service, False),
        "service_event": (_kms_service_event(ids, account, region), False),
        "root_console_sign_in": (_signin(ids, account, "ConsoleLogin", _root(account),
                                         extra={"additionalEventData": {"MFAUsed": "Yes"}}), False),
    }


def _credential_samples(account):
    ids = _Ids()
    mfa_arn = "arn:aws:iam::%s:mfa/root-account-mfa-device" % account
    root = _root(account)
    session = _root(account, assumed_root=True)
    key = {"accessKey": {"accessKeyId": "AKIAEXAMPLENEWKEY001", "status": "Active", "createDate": "Nov 24, 2026, 6:35:38 AM"}}
    user_key = {"accessKey": {"accessKeyId": "AKIAEXAMPLENEWKEY002", "status": "Active", "userName": "bob",
                              "createDate": "Nov 24, 2026, 6:35:38 AM"}}
    samples = {
        "root_create_access_key": (_iam(ids, account, "CreateAccessKey", root, response=key), True),
        "root_create_virtual_mfa_device": (
            _iam(ids, account, "CreateVirtualMFADevice", root,
                 request={"virtualMFADeviceName": "root-account-mfa-device", "path": "/"},
                 response={"virtualMFADevice": {"serialNumber": mfa_arn}}),
            True,
        ),
        "root_enable_mfa_device": (
            _iam(ids, account, "EnableMFADevice", root, request={"serialNumber": mfa_arn}), True,
        ),
        "root_deactivate_mfa_device": (
            _iam(ids, account, "DeactivateMFADevice", root, request={"serialNumber": mfa_arn}), True,
        ),
        "root_delete_virtual_mfa_device": (
            _iam(ids, account, "DeleteVirtualMFADevice", root, request={"serialNumber": mfa_arn}), True,
        ),
        "root_resync_mfa_device": (
            _iam(ids, account, "ResyncMFADevice", root, request={"serialNumber": mfa_arn}), True,
        ),
        # Centralized root access: a root session (from sts:AssumeRoot) in the member account.
        "root_session_create_login_profile": (
            _iam(ids, account, "CreateLoginProfile", session,
                 response={"loginProfile": {"createDate": "Nov 24, 2026, 6:35:38 AM", "passwordResetRequired": True}}),
            True,
        ),
        "root_update_login_profile": (
            _iam(ids, account, "UpdateLoginProfile", root, request={"passwordResetRequired": False}), True,
        ),
        "root_session_delete_login_profile": (_iam(ids, account, "DeleteLoginProfile", session), True),
        "root_password_updated": (_signin(ids, account, "PasswordUpdated", _root(account)), True),
        "root_password_recovery_requested": (
            _signin(ids, account, "PasswordRecoveryRequested", _root(account)), True,
        ),
        "root_password_recovery_completed": (
            _signin(ids, account, "PasswordRecoveryCompleted", _root(account)), True,
        ),
        "iam_user_create_access_key": (
            _iam(ids, account, "CreateAccessKey", _iam_user(account), request={"userName": "bob"}, response=user_key),
            False,
        ),
        "assumed_role_create_access_key": (
            _iam(ids, account, "CreateAccessKey", _assumed_role(account), request={"userName": "bob"},
                 response=user_key),
            False,
        ),
        "assumed_role_enable_mfa_device": (
            _iam(ids, account, "EnableMFADevice", _assumed_role(account),
                 request={"userName": "bob", "serialNumber": "arn:aws:iam::%s:mfa/bob" % account}),
            False,
        ),
        "iam_user_change_password": (_iam(ids, account, "ChangePassword", _iam_user(account)), False),
        "iam_user_password_updated": (_signin(ids, account, "PasswordUpdated", _iam_user(account)), False),
        "root_list_access_keys": (_iam(ids, account, "ListAccessKeys", root, read_only=True), False),
        "root_console_sign_in": (_signin(ids, account, "ConsoleLogin", _root(account),
                                         extra={"additionalEventData": {"MFAUsed": "Yes"}}), False),
        "service_event": (_kms_service_event(ids, account, SIGN_IN_REGION), False),
    }
    # Root-typed IAM call with eventType AwsServiceEvent: excluded by the eventType guard.
    typed_service = _iam(ids, account, "CreateAccessKey", _root(account), response=key)
    typed_service["detail"]["eventType"] = "AwsServiceEvent"
    samples["root_typed_service_event"] = (typed_service, False)
    return samples


def _assume_root_samples(account, region, member="222222222222"):
    ids = _Ids()

    def sts(name, identity, request=None, response=None, **kwargs):
        return _event(ids, account, region, API_CALL, "aws.sts", "sts.amazonaws.com", name, identity,
                      request=request, response=response, **kwargs)

    assume_root_request = {
        "targetPrincipal": member,
        "taskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"},
        "durationSeconds": 900,
    }
    credentials = {"credentials": {"accessKeyId": "ASIAASSUMEDROOT00001", "sessionToken": "<redacted>",
                                   "expiration": "Nov 24, 2026, 6:50:38 AM"}}
    service = {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}
    member_action = _event(ids, member, region, API_CALL, "aws.s3", "s3.amazonaws.com", "DeleteBucketPolicy",
                           _root(member, assumed_root=True),
                           request={"bucketName": "locked-bucket", "policy": ""})
    return {
        "assumed_role_assume_root": (
            sts("AssumeRoot", _assumed_role(account, assumed_root=True), assume_root_request, credentials), True,
        ),
        "iam_user_assume_root": (sts("AssumeRoot", _iam_user(account), assume_root_request, credentials), True),
        "failed_assume_root": (
            sts("AssumeRoot", _assumed_role(account), assume_root_request,
                extra={"errorCode": "AccessDenied",
                       "errorMessage": "User is not authorized to perform: sts:AssumeRoot"}),
            True,
        ),
        "assume_role": (
            sts("AssumeRole", _assumed_role(account),
                {"roleArn": "arn:aws:iam::%s:role/OrganizationAccountAccessRole" % member,
                 "roleSessionName": "alice"},
                {"credentials": {"accessKeyId": "ASIAEXAMPLEROLE00001", "sessionToken": "<redacted>",
                                 "expiration": "Nov 24, 2026, 7:35:38 AM"}},
                read_only=True),
            False,
        ),
        "get_session_token": (
            sts("GetSessionToken", _iam_user(account), {"durationSeconds": 3600},
                {"credentials": {"accessKeyId": "ASIAEXAMPLETOKEN0001", "sessionToken": "<redacted>",
                                 "expiration": "Nov 24, 2026, 7:35:38 AM"}},
                read_only=True),
            False,
        ),
        "service_assume_role": (
            sts("AssumeRole", service,
                {"roleArn": "arn:aws:iam::%s:role/ec2-instance-role" % account, "roleSessionName": "i-0123456789abcdef0"},
                agent="ec2.amazonaws.com", ip="ec2.amazonaws.com", read_only=True),
            False,
        ),
        "service_event": (_kms_service_event(ids, account, region), False),
        # What the root session then does, in the member account: api_activity's job.
        "root_session_action": (member_action, False),
    }


def sample_events(profile, account_id="111111111111", region="us-east-1"):
    """``{name: (event, should_match)}`` for a profile (a name or a profile dict).

    Every profile's samples include ``forged_custom_event``, which it must not match.
    ``region`` places the events recorded where the call was made; IAM and root
    sign-in events stay in us-east-1, as CloudTrail records them.
    """
    name = profile["name"] if isinstance(profile, dict) else profile
    validate_profiles([name], param="profile")
    account = account_id or "111111111111"
    if name == "console_sign_in":
        return _console_samples(account, region)  # its forged event comes from alert_message
    if name == "api_activity":
        samples = _api_activity_samples(account, region)
    elif name == "credential_changes":
        samples = _credential_samples(account)
    else:
        samples = _assume_root_samples(account, region)
    # A custom event copying the first one it must match, detail-type and root identity included.
    samples["forged_custom_event"] = (alert_message.forge(samples[_FORGED_FROM[name]][0]), False)
    return samples


_FORGED_FROM = {"api_activity": "root_create_bucket", "credential_changes": "root_create_access_key",
                "assume_root": "assumed_role_assume_root"}


def render_sample(name, sample, account_id="111111111111", region="us-east-1"):
    """The alert text a profile's sample event would produce."""
    profile = PROFILES[validate_profiles([name], param="profile")[0]]
    event = sample_events(name, account_id, region)[sample][0]
    return alert_message.render(profile["input_template"], profile["input_paths_map"], event)
