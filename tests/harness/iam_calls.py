"""Recorded emulator requests as the IAM actions they need, and the member-role template's automation policy.

Shared by the integration tests that judge a run's calls against docs/member-role.yml and docs/iam-policy.json
(test_iam_policy.py, test_destinations.py); ``iam_oracle`` judges them.

How a recorded request becomes IAM actions (``iam_actions``):
- The service is the signing name of the SigV4 credential scope (``Request.service``); for sns,
  events, cloudtrail, kms, s3 and sts it is also the IAM service prefix. The region is the scope's
  region, the account the one whose credentials signed the request (``requests_by_account``).
- Query (sns, sts, iam) and JSON (events, cloudtrail, kms) protocols name the operation
  (``Request.action``), and the IAM action has the operation's name. IAM action names are
  case-insensitive, so ``GetTopicAttributes`` for sns is ``sns:GetTopicAttributes`` whatever the case.
- S3 is REST: ``Request.action`` is "METHOD /bucket", and the query string names the subresource.
  ``S3_ACTIONS`` maps the (method, subresource) pairs the runs make to the IAM action the S3 API
  reference names for the operation (``PutBucketEncryption`` needs ``s3:PutEncryptionConfiguration``,
  ``PutPublicAccessBlock`` needs ``s3:PutBucketPublicAccessBlock``...). Any other S3 request fails the
  test loudly: extend the table, with the operation's documented permission, and the policy. Every
  S3 request carries ``s3:ResourceAccount``: the requesting account, since every bucket these runs
  touch is that account's own.
- Some operations need a second permission that makes no request of its own (the API references
  say so): CreateTopic with tags needs ``sns:TagResource``, CreateTrail with tags
  ``cloudtrail:AddTags``, PutRule with tags ``events:TagResource``, CreateBucket with an
  ``x-amz-object-ownership`` header ``s3:PutBucketOwnershipControls``, a target or trail with a role
  ``iam:PassRole`` on it, and Publish to a topic encrypted with a customer-managed key
  ``kms:GenerateDataKey`` and ``kms:Decrypt`` on that key (called by SNS on the publisher's behalf,
  so with ``kms:ViaService`` ``sns.<region>.amazonaws.com``).
- The resource is the ARN the request names (topic, rule, trail, key, bucket, role), built like AWS
  builds it; actions without resource-level permissions are checked against "*".
- Not counted: ``sts:AssumeRole`` (signed by the controller's credentials; allowing it is the
  controller's permission and the member role's trust policy, not this policy), and
  ``sts:GetCallerIdentity``, which needs no permission at all (STS API reference: "No permissions
  are required to perform this operation", even under an explicit deny).
- Requests that the tests make themselves (arranging accounts with boto3) are never counted:
  the recording is cleared before each ansible-playbook run and read right after it.

The template resolver (``member_role_template``) is the unit tests' stub of docs/member-role.yml, under
tests/unit/stubs; it resolves the template's parameters and conditions as CloudFormation does.
"""

import io
import json
import os
import sys
import urllib.parse

from botocore.parsers import RpcV2CBORParser

from accounts import Account  # pylint: disable=import-error
from emulator import DEFAULT_REGION  # pylint: disable=import-error
from member_roles import AUTOMATION_ACCOUNT, AUTOMATION_PRINCIPAL  # pylint: disable=import-error
from playbook_runner import ROOT  # pylint: disable=import-error

if os.path.join(ROOT, "tests", "unit", "stubs") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, "tests", "unit", "stubs"))
import member_role_template as template_module  # noqa: E402  pylint: disable=wrong-import-position,import-error

# (method, subresource) -> IAM action. "" is the bucket itself, without a subresource.
S3_ACTIONS = {
    ("PUT", ""): "s3:CreateBucket",  # S3 API reference, CreateBucket: s3:CreateBucket
    ("GET", "policy"): "s3:GetBucketPolicy",
    ("PUT", "policy"): "s3:PutBucketPolicy",
    ("PUT", "publicAccessBlock"): "s3:PutBucketPublicAccessBlock",  # PutPublicAccessBlock
    ("PUT", "encryption"): "s3:PutEncryptionConfiguration",  # PutBucketEncryption
    ("GET", "encryption"): "s3:GetEncryptionConfiguration",  # GetBucketEncryption
    ("GET", "publicAccessBlock"): "s3:GetBucketPublicAccessBlock",  # GetPublicAccessBlock
    ("GET", "ownershipControls"): "s3:GetBucketOwnershipControls",
    ("PUT", "ownershipControls"): "s3:PutBucketOwnershipControls",
    ("GET", "tagging"): "s3:GetBucketTagging",
    ("PUT", "tagging"): "s3:PutBucketTagging",
    ("HEAD", ""): "s3:ListBucket",  # HeadBucket: "you must have permissions to perform the s3:ListBucket action"
}
# EventBridge operations on a bus (its name is Name or EventBusName), not a rule.
BUS_ACTIONS = {"CreateEventBus", "DescribeEventBus", "DeleteEventBus", "PutPermission", "RemovePermission"}
# Calls that need no permission of the member role (see the module docstring).
NOT_COUNTED = {"sts:AssumeRole", "sts:GetCallerIdentity"}


def template_values(account, given):
    """docs/member-role.yml's parameter values in ``account``: the automation account and principal of member_roles, and ``given``."""
    return template_module.parameters(template_module.load_template(), account, AutomationAccountId=AUTOMATION_ACCOUNT,
                                      AutomationPrincipalArn=AUTOMATION_PRINCIPAL, **given)


def describe(request):
    return "%s %s %s" % (request.service, request.method, request.action if " " not in request.action else request.url)


def request_region(request):
    auth = request.headers.get("authorization", "")
    scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/") if "Credential=" in auth else []
    return scope[2] if len(scope) >= 4 else DEFAULT_REGION


def parameters(request):
    """The request's parameters: JSON body, or form-encoded body (query protocol)."""
    if request.headers.get("x-amz-target"):
        return json.loads(request.body or "{}")
    return {key: values[0] for key, values in urllib.parse.parse_qs(request.body).items()}


def iam_actions(emulator, account, request):
    """[(IAM action, resource ARN, condition context)] for one recorded request (see the docstring)."""
    service, region = request.service, request_region(request)
    if service == "s3":
        return s3_actions(request, account)
    action = "%s:%s" % (service, request.action)
    params = parameters(request)
    if service == "sns":
        arn = params.get("TopicArn") or params.get("ResourceArn") or params.get("SubscriptionArn")
        if request.action == "CreateTopic":
            arn = "arn:aws:sns:%s:%s:%s" % (region, account, params["Name"])
        found = [(action, arn or "*", {})]
        if request.action == "CreateTopic" and any(key.startswith("Tags.member.") for key in params):
            found.append(("sns:TagResource", arn, {}))  # CreateTopic API reference, Tags
        if request.action == "Subscribe":
            found = [(action, arn, {"sns:Protocol": params["Protocol"], "sns:Endpoint": params["Endpoint"]})]
        if request.action == "Publish":
            found.extend(publish_key_actions(emulator, account, region, arn))
        return found
    if service == "events":
        if "ResourceARN" in params:
            arn = params["ResourceARN"]
        elif request.action in BUS_ACTIONS:
            arn = "arn:aws:events:%s:%s:event-bus/%s" % (region, account, params.get("Name") or params.get("EventBusName"))
        elif params.get("Name") or params.get("Rule"):
            bus = params.get("EventBusName") or "default"
            name = params.get("Name") or params.get("Rule")
            arn = "arn:aws:events:%s:%s:rule/%s" % (region, account, name if bus == "default" else "%s/%s" % (bus, name))
        else:
            arn = "*"
        context = {"events:TargetArn": [target["Arn"] for target in params["Targets"]]} if request.action == "PutTargets" else {}
        found = [(action, arn, context)]
        if request.action == "PutRule" and params.get("Tags"):
            found.append(("events:TagResource", arn, {}))  # PutRule API reference
        if request.action == "CreateEventBus" and params.get("Tags"):
            found.append(("events:TagResource", arn, {}))  # CreateEventBus API reference, Tags
        if request.action == "PutTargets":
            # A target's execution role is passed to EventBridge (PutTargets API reference: "you must
            # have iam:PassRole permissions" for RoleArn).
            found.extend(("iam:PassRole", target["RoleArn"], {"iam:PassedToService": "events.amazonaws.com"})
                         for target in params["Targets"] if target.get("RoleArn"))
        return found
    if service == "sqs":
        name = params.get("QueueName") or (params.get("QueueUrl") or "").rstrip("/").rsplit("/", 1)[-1]
        arn = "arn:aws:sqs:%s:%s:%s" % (region, account, name)
        found = [("sqs:%s" % request.action, arn, {})]
        if request.action == "CreateQueue" and params.get("tags"):
            # "To tag a queue on creation, you must have the sqs:CreateQueue and sqs:TagQueue permissions"
            # (SQS developer guide, "Tagging your Amazon SQS queues").
            found.append(("sqs:TagQueue", arn, {}))
        return found
    if service == "cloudtrail":
        name = params.get("Name") or params.get("TrailName") or params.get("ResourceId") or (params.get("ResourceIdList") or [None])[0]
        arn = "*"
        if name:
            arn = name if name.startswith("arn:") else "arn:aws:cloudtrail:%s:%s:trail/%s" % (region, account, name)
        found = [(action, arn, {})]
        if request.action == "CreateTrail" and params.get("TagsList"):
            found.append(("cloudtrail:AddTags", arn, {}))  # Service Authorization Reference: dependent action
        if params.get("CloudWatchLogsRoleArn"):
            # Handing CloudTrail a role is iam:PassRole on it (IAM user guide, "Granting a user permissions to
            # pass a role to an AWS service"; the CloudTrail guide lists it for CloudWatch Logs delivery).
            found.append(("iam:PassRole", params["CloudWatchLogsRoleArn"], {"iam:PassedToService": "cloudtrail.amazonaws.com"}))
        return found
    if service == "logs":
        group = params.get("logGroupName")
        arn = "arn:aws:logs:%s:%s:log-group:%s" % (region, account, group) if group else "*"
        if request.action == "DescribeLogGroups":
            arn = "arn:aws:logs:%s:%s:log-group:*" % (region, account)
        if params.get("resourceArn"):
            arn = params["resourceArn"]
        found = [(action, arn, {})]
        if request.action == "CreateLogGroup" and params.get("tags"):
            found.append(("logs:TagResource", arn, {}))  # CreateLogGroup API reference: tags need logs:TagResource
        return found
    if service == "monitoring":
        # CloudWatch speaks JSON 1.0 here; in Smithy RPC v2 CBOR (botocore's first choice where the
        # endpoint supports it) the parameters are a CBOR body.
        action = "cloudwatch:%s" % request.action
        if "cbor" in request.headers.get("content-type", "") or request.headers.get("smithy-protocol"):
            params = RpcV2CBORParser().parse_data_item(io.BytesIO(request.raw_body)) if request.raw_body else {}
        names = params.get("AlarmNames") or ([params["AlarmName"]] if params.get("AlarmName") else [])
        if params.get("ResourceARN"):
            arns = [params["ResourceARN"]]
        elif names:
            arns = ["arn:aws:cloudwatch:%s:%s:alarm:%s" % (region, account, name) for name in names]
        else:
            arns = ["*"]  # DescribeAlarmsForMetric, or DescribeAlarms of all alarms
        found = [(action, arn, {}) for arn in arns]
        if request.action == "PutMetricAlarm" and params.get("Tags"):
            found.append(("cloudwatch:TagResource", arns[0], {}))  # PutMetricAlarm API reference, Tags
        return found
    if service == "iam":
        # The roles of these runs have the path "/"; GetRole and GetRolePolicy act on the role.
        role = params.get("RoleName")
        return [(action, "arn:aws:iam::%s:role/%s" % (account, role) if role else "*", {})]
    if service == "kms":
        key = params.get("KeyId", "*")
        if key.startswith("alias/") or ":alias/" in key:
            raise AssertionError("kms %s names an alias (%s); resolve it to the key before judging" % (request.action, key))
        arn = key if key.startswith("arn:") or key == "*" else "arn:aws:kms:%s:%s:key/%s" % (region, account, key)
        return [(action, arn, {})]
    if service == "sts":
        return [(action, "*", {})]
    if service == "ec2":
        return [(action, "*", {})]  # DescribeRegions has no resource type
    if service == "organizations":
        return [(action, "*", {})]  # DescribeOrganization has no resource type
    raise AssertionError("a request to a service this test does not know: %s" % describe(request))


def s3_actions(request, account):
    url = urllib.parse.urlparse(request.url)
    bucket = url.path.strip("/").split("/", 1)
    if len(bucket) != 1 or not bucket[0]:
        raise AssertionError("an S3 request that is not about a bucket: %s %s" % (request.method, request.url))
    subresources = [key for key in urllib.parse.parse_qs(url.query, keep_blank_values=True) if not key.startswith("x-id")]
    key = (request.method, subresources[0] if subresources else "")
    if len(subresources) > 1 or key not in S3_ACTIONS:
        raise AssertionError(
            "an S3 request this test cannot map to an IAM action: %s %s; add it to S3_ACTIONS with the permission "
            "the S3 API reference names, and to docs/iam-policy.json" % (request.method, request.url))
    arn = "arn:aws:s3:::%s" % bucket[0]
    owner = {"s3:ResourceAccount": account}
    found = [(S3_ACTIONS[key], arn, owner)]
    if key == ("PUT", "") and request.headers.get("x-amz-object-ownership"):
        found.append(("s3:PutBucketOwnershipControls", arn, owner))  # CreateBucket API reference
    return found


def publish_key_actions(emulator, account, region, topic_arn):
    """kms:GenerateDataKey and kms:Decrypt for a Publish to a topic with a customer-managed key.

    The SNS developer guide (server-side encryption, "Allow ... publishers ... kms:GenerateDataKey*
    and kms:Decrypt"): SNS calls KMS on the publisher's behalf. The topic is read after the run,
    when it still exists (Publish happens only with state present)."""
    inside = Account(emulator, account, region)
    key = inside.client("sns").get_topic_attributes(TopicArn=topic_arn)["Attributes"].get("KmsMasterKeyId")
    if not key or key.startswith("alias/aws/"):
        return []
    key_arn = inside.client("kms").describe_key(KeyId=key)["KeyMetadata"]["Arn"]
    via = {"kms:ViaService": "sns.%s.amazonaws.com" % region}
    return [("kms:GenerateDataKey", key_arn, via), ("kms:Decrypt", key_arn, via)]
