# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alert profiles: which root events an EventBridge rule matches, where it runs, what the email says.

Pure module, no I/O. ``PROFILES`` maps the public profile names
(``root_login_alerts_profiles``) to a pattern, a region scope and an input
transformer (paths map + JSON string template, which SNS sends as plain text).
``event_set`` describes the events each profile must alert on (judged by
``pattern_coverage``); ``samples`` holds real-shaped events of each.

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
SIGN_IN_PROFILE = "console_sign_in"  # the path the compliance verdict proves

API_CALL = "AWS API Call via CloudTrail"
CONSOLE_SIGN_IN = alert_message.CONSOLE_SIGN_IN

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
# (same text as metric_filter_pattern.CIS_ROOT_USAGE_PATTERN). NOT EXISTS becomes
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


def validate_profiles(names, param="profiles"):
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


def validate_regions(regions, param="regions"):
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
