# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sample events: real-shaped CloudTrail-via-EventBridge events, and whether a rule must match each. Pure.

The one home of the samples. :func:`sign_in_samples` are the four events of the root
console sign-in alert (the CloudTrail user guide's example root sign-in, a failed
one, an IAM user's and a forged copy); :func:`sample_events` gives every profile's
(``profiles``), the sign-in ones included for ``console_sign_in``. A rule's pattern
is tested on them (``event_pattern.matches``); :data:`MUST_MATCH` are the two every
alerting rule must match, and :func:`sample_email` is the alert text of the first.

Who sent it. Every profile's samples include ``forged_custom_event``: a custom event
copying one it must match, detail-type and root identity included, with a source
that does not begin with ``aws.`` (:func:`forge`). Only AWS sends ``aws.`` sources,
so no pattern of ours matches it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.messages import CONSOLE_SIGN_IN
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.messages import INPUT_PATHS
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.messages import INPUT_TEMPLATE
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.messages import render
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.profiles import API_CALL
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import GLOBAL_REGION
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.profiles import validate_profiles

SERVICE_EVENT = "AWS Service Event via CloudTrail"
# A source no AWS service uses: what a forger in any account may put on a bus.
FORGED_SOURCE = "com.example.forged-root-alert"
# The samples every alerting rule must match: a successful and a failed root sign-in.
MUST_MATCH = ("root_sign_in", "failed_root_sign_in")
# Each profile's forged event copies this sample (console_sign_in's is among the sign-in samples).
_FORGED_FROM = {"api_activity": "root_create_bucket", "credential_changes": "root_create_access_key",
                "assume_root": "assumed_role_assume_root"}

# -- the root console sign-in ---------------------------------------------------------
SAMPLE_ROOT_SIGN_IN = {
    "version": "0",
    "id": "6f0c2b1e-0000-4000-8000-000000000001",
    "detail-type": "AWS Console Sign In via CloudTrail",
    "source": "aws.signin",
    "account": "111111111111",
    "time": "2026-11-24T06:35:38Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "Root",
            "principalId": "111111111111",
            "arn": "arn:aws:iam::111111111111:root",
            "accountId": "111111111111",
        },
        "eventTime": "2026-11-24T06:35:38Z",
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        "requestParameters": None,
        "responseElements": {"ConsoleLogin": "Success"},
        "additionalEventData": {
            "LoginTo": "https://console.aws.amazon.com/console/home",
            "MobileVersion": "No",
            "MFAUsed": "No",
        },
        "eventID": "3b7a9f1c-0000-4000-8000-000000000002",
        "readOnly": False,
        "eventType": "AwsConsoleSignIn",
        "managementEvent": True,
        "recipientAccountId": "111111111111",
        "eventCategory": "Management",
    },
}


def forge(event, source=FORGED_SOURCE, claimed_account="999999999999"):
    """A custom event copying ``event``, as anyone allowed to put events on a bus can send it: another
    source (not ``aws.``), the same detail-type and detail, and a ``recipientAccountId`` of the sender's choice."""
    forged = copy.deepcopy(event)
    forged["source"] = source
    forged["detail"]["recipientAccountId"] = claimed_account
    return forged


def sign_in_samples(account_id=None, region="us-east-1"):
    """{name: (event, should_match)}: a root sign-in, a failed one, an IAM user's, and a forged copy of the
    first with a custom source (it must not match: only AWS can send ``aws.signin``)."""
    success = copy.deepcopy(SAMPLE_ROOT_SIGN_IN)
    if account_id:
        success["account"] = account_id
        success["detail"]["recipientAccountId"] = account_id
        success["detail"]["userIdentity"].update(
            principalId=account_id, accountId=account_id, arn="arn:aws:iam::%s:root" % account_id
        )
    success["region"] = success["detail"]["awsRegion"] = region
    failure = copy.deepcopy(success)
    failure["detail"]["responseElements"] = {"ConsoleLogin": "Failure"}
    failure["detail"]["errorMessage"] = "Failed authentication"
    iam_user = copy.deepcopy(success)
    iam_user["detail"]["userIdentity"] = {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLE",
        "arn": "arn:aws:iam::%s:user/alice" % success["account"],
        "accountId": success["account"],
        "userName": "alice",
    }
    return {
        "root_sign_in": (success, True),
        "failed_root_sign_in": (failure, True),
        "iam_user_sign_in": (iam_user, False),
        "forged_custom_event": (forge(success), False),
    }


def sample_email(region="us-east-1", account_id=None):
    """The alert text for a sample root sign-in, as the email will read."""
    event = sign_in_samples(account_id, region)["root_sign_in"][0]
    return render(INPUT_TEMPLATE, INPUT_PATHS, event)


# -- every profile's samples -----------------------------------------------------------
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
        ids, account, GLOBAL_REGION, CONSOLE_SIGN_IN, "aws.signin", "signin.amazonaws.com", name, identity,
        response={name: result}, event_type="AwsConsoleSignIn", agent=_AGENT_CONSOLE, extra=extra,
    )


def _iam(ids, account, name, identity, request=None, response=None, read_only=False):
    return _event(
        ids, account, GLOBAL_REGION, API_CALL, "aws.iam", "iam.amazonaws.com", name, identity,
        request=request, response=response, read_only=read_only, agent=_AGENT_CONSOLE,
    )


def _console_samples(account, region):
    ids = _Ids()
    samples = dict(sign_in_samples(account, region))
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
        "service_event": (_kms_service_event(ids, account, GLOBAL_REGION), False),
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
    samples["forged_custom_event"] = (forge(samples[_FORGED_FROM[name]][0]), False)
    return samples
