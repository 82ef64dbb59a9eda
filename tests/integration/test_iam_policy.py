"""docs/iam-policy.json and docs/member-role.yml, proven: every call the member role makes is allowed, and nothing more is.

The emulator (moto) does not enforce IAM: any call with any credentials succeeds. So these tests
do not ask AWS whether the policy works; they record every request that real ansible-playbook runs
of ``playbooks/root_alerts.yml`` make, and check the recorded calls against the policy documents
themselves, with the collection's own pure evaluator (``plugins/module_utils/_policy/evaluation.py``).
The independent oracle is tests/unit/docs/test_iam_policy_reference.py (the Service Authorization
Reference data, and an evaluator of its own); this file proves that the runs need what the policy
grants, and no more.

Each account is judged against two documents: the automation role's policy that docs/member-role.yml
gives that account (its parameters: ``TEMPLATE_PARAMETERS``, ``HubAccountId`` in hub mode), and
docs/iam-policy.json filled in as docs/iam-policy.md says (the hub's ID for HUB_ACCOUNT_ID, the
hub-account statement only in the hub, the documented opt-in statements where the account uses them).

The runs (one module-scoped fixture, shared by the tests, about two minutes): a check-mode audit of
fresh accounts, apply, a re-apply that changes nothing, drift made by hand plus changed host
variables, a repairing apply, an audit, and ``root_login_alerts_state: absent``. The inventory mixes
the settings that take different code paths: ``trail: auto`` with a covering multi-Region trail
homed in us-west-2, ``trail: auto`` with no trail (one is created), ``trail: create`` into an
existing bucket of the user's (``trail_bucket``, the ``TrailBucketName`` opt-in) with the CIS option,
``trail: none``, a topic encrypted with a customer-managed KMS key (``kms_key_id``) with
``send_test_notification: true``, AWS's own recipe built by hand (a second path is added next to it),
the same recipe with ``adopt_existing``, and a trail of the user's that the CIS option reuses with
consent (``cis_reused_trail``, the ``CisReusedTrailName`` opt-in). Then hub mode: a hub and two
members, with ``api_activity`` in two regions.

The roles come first. The collection writes no role (issue 19 option (a)): each account gets the
forwarding and CloudTrail-logs roles by a stack of docs/member-role.yml in the emulator's
CloudFormation (``member_roles.deploy``, which also undoes moto's Python-repr inline policies). The
automation policy each account is judged by is the template's for that account's parameters,
resolved by tests/unit/docs/member_role_template.py, not read from that stack: moto's CloudFormation
(5.2.5) keeps a ``Ref: AWS::NoValue`` inside a list as null, where AWS removes the item, and the
automation policy's opt-in statements are such items.

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

The evaluator judges resource policies, so ``as_resource_policy`` adapts a copy of each identity
policy: every statement gets ``"Principal": {"AWS": "*"}``.

Emulator quirks relied on (the code stays correct for AWS):
- moto does not enforce IAM, so the policy is checked against the recorded calls, not by AWS.
- sts:AssumeRole accepts any role ARN, and calls with the returned credentials land in the account
  of that ARN; GetCallerIdentity with the access key alone names that account (requests_by_account).
- create_trail checks only that the bucket exists, so the covering trail needs just a bucket.
- SNS email subscriptions are confirmed at once, so no path stays pending.
- TestEventPattern answers without a Result (the role then evaluates locally; the call is made).
"""

import copy
import io
import json
import os
import sys
import urllib.parse

import pytest
from botocore.parsers import RpcV2CBORParser

from emulator import DEFAULT_REGION, simulated_accounts  # pylint: disable=import-error
from member_roles import AUTOMATION_ACCOUNT, AUTOMATION_PRINCIPAL, deploy  # pylint: disable=import-error
from playbook_runner import ROOT  # pylint: disable=import-error
from test_delivery_verdict import add_trail, build_recipe, customer_key
from test_root_alerts_playbook import STACK_TASK, Account, account_failed, run, write_inventory

if os.path.join(ROOT, ".collections") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, ".collections"))  # the checkout as ansible_collections.rootwatch.aws
if os.path.join(ROOT, "tests", "unit", "docs") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, "tests", "unit", "docs"))  # the template resolver, shared with the reference test
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.evaluation import evaluate  # noqa: E402  pylint: disable=wrong-import-position
import member_role_template as template_module  # noqa: E402  pylint: disable=wrong-import-position,import-error

CONTROLLER_ACCOUNT = "123456789012"  # the emulator's account for the run's own credentials
SESSION = "arn:aws:sts::%s:assumed-role/RootwatchAutomation/rootwatch-root-login-alerts"

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
# Hub mode: a hub and two members (host variables without the prefix; hub_account_id is added).
HUB_SETTINGS = {"hub": {}, "member_one": {}, "member_two": {}}
# Calls that need no permission of the member role (see the module docstring).
NOT_COUNTED = {"sts:AssumeRole", "sts:GetCallerIdentity"}


# -- the runs -----------------------------------------------------------------------------------
SETTINGS = {
    # name: host variables (without the root_login_alerts_ prefix)
    "covering_trail": {"trail": "auto"},
    "fresh_auto": {"trail": "auto"},
    # + kms_key_id, trail_bucket; the CIS CloudWatch.1 option (log group, role, metric filter, alarm)
    "create_kms_test": {"trail": "create", "send_test_notification": True, "cis_metric_filter": True},
    "no_trail": {"trail": "none", "management_account": True},  # + iam:ListOrganizationsFeatures
    "aws_recipe": {"trail": "auto"},
    "adopted_recipe": {"adopt_existing": True},
    # The CIS option on a trail of the user's, pointed at our log group with consent (and back on absent).
    "cis_reused": {"trail": "auto", "cis_metric_filter": True, "cis_reused_trail": True},
}
REUSED_TRAIL = "management-events"  # add_trail's name
# The parameters of docs/member-role.yml in each account (beside AutomationAccountId and AutomationPrincipalArn).
TEMPLATE_PARAMETERS = {
    "create_kms_test": {"EnableCisMetricFilter": "true"},  # + TrailBucketName, set in arrange
    "cis_reused": {"EnableCisMetricFilter": "true", "CisReusedTrailName": REUSED_TRAIL},
}


def arrange(emulator, accounts):
    """The accounts as the runs find them; returns (extra host variables, template parameters) by account."""
    extra = {}
    parameters = {account: dict(TEMPLATE_PARAMETERS.get(name, {})) for name, account in accounts.items()}
    west = Account(emulator, accounts["covering_trail"], region="us-west-2")
    bucket = "org-audit-%s" % west.id
    west.client("s3").create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    cloudtrail = west.client("cloudtrail")
    cloudtrail.create_trail(Name="org-audit", S3BucketName=bucket, IsMultiRegionTrail=True, IncludeGlobalServiceEvents=True)
    cloudtrail.start_logging(Name="org-audit")

    kms_account = Account(emulator, accounts["create_kms_test"])
    user_bucket = "user-logs-%s" % kms_account.id
    kms_account.client("s3").create_bucket(Bucket=user_bucket)
    extra[kms_account.id] = {"kms_key_id": customer_key(kms_account), "trail_bucket": user_bucket}
    parameters[kms_account.id]["TrailBucketName"] = user_bucket

    build_recipe(Account(emulator, accounts["aws_recipe"]))
    adopted = Account(emulator, accounts["adopted_recipe"])
    build_recipe(adopted, trail=False)
    add_trail(adopted)
    add_trail(Account(emulator, accounts["cis_reused"]), name=REUSED_TRAIL)
    for account, given in parameters.items():
        arrange_roles(emulator, account, given)
    return extra, parameters


def template_values(account, given):
    return template_module.parameters(template_module.load_template(), account, AutomationAccountId=AUTOMATION_ACCOUNT,
                                      AutomationPrincipalArn=AUTOMATION_PRINCIPAL, **given)


def arrange_roles(emulator, account, given):
    """The service roles of docs/member-role.yml in ``account``: its stack, with the parameters that decide them
    (the opt-ins change only the automation policy, which the emulator does not enforce)."""
    deploy(emulator, account, hub_account_id=given.get("HubAccountId"), cis=given.get("EnableCisMetricFilter") == "true")


def drift(emulator, accounts):
    """Undo by hand some of what the role built, so the repairing apply takes its update paths."""
    inside = Account(emulator, accounts["fresh_auto"])
    cloudtrail = inside.client("cloudtrail")
    cloudtrail.stop_logging(Name="root-login-alerts")
    cloudtrail.update_trail(Name="root-login-alerts", IsMultiRegionTrail=False, IncludeGlobalServiceEvents=False)
    cloudtrail.put_event_selectors(
        TrailName="root-login-alerts",
        EventSelectors=[{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True, "DataResources": []}],
    )
    sns = inside.client("sns")
    topic = inside.topic_arn()
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") != "RootwatchAllowEventBridgePublish"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(policy))
    inside.client("events").remove_targets(Rule="root-login-alerts", Ids=["rootwatch-root-login-alerts"])
    bucket = inside.default_bucket()
    s3 = inside.client("s3")
    s3.delete_bucket_policy(Bucket=bucket)
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})


def changed_host_variables(accounts, extra):
    """The inventory of the repairing apply: new tags, and one address replaced by another."""
    hosts = {}
    for name, account in accounts.items():
        own = dict(SETTINGS[name], **extra.get(account, {}))
        if name == "fresh_auto":
            own["tags"] = {"team": "security"}
        if name == "create_kms_test":
            own["emails"] = ["soc@example.com"]
        hosts[account] = own
    return hosts


class Recorder:
    """The requests of each ansible-playbook run, by account, with what IAM needs to judge them."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.calls = []  # (run, account, iam action, resource, context, what)

    def run(self, label, inventory, reports, **kwargs):
        playbook_run = run(self.emulator, inventory, reports, **kwargs)
        requests = self.emulator.requests()  # before any call of ours adds to the recording
        by_account = self.emulator.requests_by_account(requests)
        for account, found in sorted(by_account.items()):
            for request in found:
                for action, resource, context in iam_actions(self.emulator, account, request):
                    self.calls.append((label, account, action, resource, context, describe(request)))
        return playbook_run

    def actions(self):
        """{lower-cased IAM action: action} of every counted call (IAM action names ignore case)."""
        return {call[2].lower(): call[2] for call in self.calls if call[2] not in NOT_COUNTED}


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


@pytest.fixture(scope="module")
def recorded(emulator_server, tmp_path_factory):
    """Every IAM action of the runs: a Recorder (about two minutes of ansible-playbook runs), with
    ``policies``: {account: (its template policy, docs/iam-policy.json as documented for it)}."""
    emulator = emulator_server
    emulator.reset()
    tmp = tmp_path_factory.mktemp("iam-policy")
    names = list(SETTINGS)
    accounts = dict(zip(names, simulated_accounts(len(names), first=222222222201)))
    extra, parameters = arrange(emulator, accounts)
    hosts = {account: dict(SETTINGS[name], **extra.get(account, {})) for name, account in accounts.items()}
    inventory = write_inventory(tmp / "inventory.yml", hosts)
    recorder = Recorder(emulator)

    def succeeded(label, playbook_run):
        failed = [account for account in accounts.values() if account_failed(playbook_run, account)]
        why = [(account, [r.get("msg") for unused, r in playbook_run.tasks(account) if r.get("failed")]) for account in failed]
        assert playbook_run.rc == 0 and not failed, (label, why, playbook_run)

    succeeded("audit of fresh accounts", recorder.run("audit-fresh", inventory, tmp / "audit-fresh", check=True))
    applied = recorder.run("apply", inventory, tmp / "apply")
    succeeded("apply", applied)
    # The settings took the paths they are here for.
    assert applied.result(STACK_TASK, accounts["covering_trail"])["trail"]["reused"] is True
    assert applied.result(STACK_TASK, accounts["adopted_recipe"])["adopted"], "the recipe account was not adopted"
    assert applied.result(STACK_TASK, accounts["fresh_auto"])["trail"]["created"] is True
    reused = Account(emulator, accounts["cis_reused"]).client("cloudtrail").describe_trails(trailNameList=[REUSED_TRAIL])["trailList"]
    assert [t.get("CloudWatchLogsLogGroupArn") for t in reused if t["Name"] == REUSED_TRAIL] != [None], "cis_reused_trail was not taken"
    succeeded("re-apply", recorder.run("re-apply", inventory, tmp / "re-apply"))
    drift(emulator, accounts)
    changed = write_inventory(tmp / "changed.yml", changed_host_variables(accounts, extra))
    repair = recorder.run("repair", changed, tmp / "repair")
    succeeded("repairing apply", repair)
    fixed = repair.result(STACK_TASK, accounts["fresh_auto"])["changes"]
    assert [c for c in fixed if c.startswith("update trail")], fixed  # the drift took the update paths
    succeeded("audit", recorder.run("audit", changed, tmp / "audit", check=True))
    succeeded("absent", recorder.run("absent", changed, tmp / "absent", root_login_alerts_state="absent"))

    # Hub mode: the bus, its policy, forwarding roles and dead-letter queues, drift on a queue, and removal.
    hub_accounts = dict(zip(HUB_SETTINGS, simulated_accounts(len(HUB_SETTINGS), first=222222222301)))
    hub_id = hub_accounts["hub"]
    for account in hub_accounts.values():
        parameters[account] = {"HubAccountId": hub_id}
        arrange_roles(emulator, account, parameters[account])
    accounts.update(hub_accounts)
    # With api_activity in two regions: rules and queues outside us-east-1 too.
    regional = {"profiles": ["console_sign_in", "api_activity"], "regions": ["us-east-1", "eu-west-1"]}
    hub = write_inventory(tmp / "hub.yml", list(hub_accounts.values()), hub_account_id=hub_id,
                          member_accounts=list(hub_accounts.values()), **regional)
    succeeded("hub audit of fresh accounts", recorder.run("hub-audit-fresh", hub, tmp / "hub-audit-fresh", check=True))
    succeeded("hub apply", recorder.run("hub-apply", hub, tmp / "hub-apply"))
    sqs = Account(emulator, hub_accounts["member_one"]).client("sqs")
    sqs.set_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName="root-login-alerts-undelivered")["QueueUrl"],
                             Attributes={"MessageRetentionPeriod": "60"})
    # The bus now admits the organization instead of the listed accounts: one statement goes (RemovePermission).
    by_organization = write_inventory(tmp / "hub-organization.yml", list(hub_accounts.values()), hub_account_id=hub_id,
                                      organization_id="o-a1b2c3d4e5", **regional)
    repaired = recorder.run("hub-repair", by_organization, tmp / "hub-repair")
    succeeded("hub repair", repaired)
    assert [c for c in repaired.result(STACK_TASK, hub_accounts["member_one"])["changes"] if "dead-letter queue" in c]
    assert "remove bus policy statement RootwatchMemberPutEvents" in repaired.result(STACK_TASK, hub_id)["changes"]
    succeeded("hub audit", recorder.run("hub-audit", by_organization, tmp / "hub-audit", check=True))
    succeeded("hub absent", recorder.run("hub-absent", by_organization, tmp / "hub-absent", root_login_alerts_state="absent"))
    assert "kms:generatedatakey" in recorder.actions(), "no test notification went through the encrypted topic"
    recorder.policies = {account: account_policies(account, given, hub_id if account in hub_accounts.values() else None)
                         for account, given in parameters.items()}
    return recorder


# -- the policies -----------------------------------------------------------------------------------
def account_policies(account, given, hub_account_id):
    """(the automation policy docs/member-role.yml gives ``account``, docs/iam-policy.json as docs/iam-policy.md says
    to fill it in for the same account)."""
    deployed = template_module.automation_policy(template_module.load_template(), template_values(account, given))
    documented = template_module.documented_statements()
    extra = []
    if given.get("CisReusedTrailName"):
        extra.append(json.loads(json.dumps(documented["CisReusedTrail"]).replace("CIS_REUSED_TRAIL_NAME", given["CisReusedTrailName"])))
    if given.get("TrailBucketName"):
        extra.append(json.loads(json.dumps(documented["TrailBucket"]).replace("TRAIL_BUCKET_NAME", given["TrailBucketName"])))
    return deployed, template_module.json_as_documented(template_module.load_policy(), account, hub_account_id, extra)


def policy_actions(policy):
    """{lower-cased action: action} of the Allow statements (the policy has no wildcard to expand)."""
    found = {}
    for statement in policy["Statement"]:
        for action in statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]:
            found[action.lower()] = action
    return found


def as_resource_policy(policy):
    """The identity policy as the evaluator takes it: Principal "*" on every statement."""
    adapted = copy.deepcopy(policy)
    for statement in adapted["Statement"]:
        statement["Principal"] = {"AWS": "*"}
    return adapted


def unique_calls(recorded):
    """(run, account, action, resource, context, what) of the counted calls, each kind once per account."""
    seen = set()
    for label, account, action, resource, context, what in recorded.calls:
        if action in NOT_COUNTED:
            continue
        assert account != CONTROLLER_ACCOUNT, ("a call with the controller's own credentials", label, action, what)
        key = (account, action.lower(), resource, json.dumps(context, sort_keys=True))
        if key not in seen:
            seen.add(key)
            yield label, account, action, resource, context, what


def allowed(policy, account, action, resource, context):
    return evaluate(as_resource_policy(policy), {"AWS": SESSION % account}, action, resource, context)


@pytest.mark.parametrize("which", ["docs/member-role.yml", "docs/iam-policy.json"])
def test_every_recorded_call_is_allowed_by_the_policy(recorded, which):
    index = 0 if which == "docs/member-role.yml" else 1
    denied = []
    for label, account, action, resource, context, what in unique_calls(recorded):
        decision = allowed(recorded.policies[account][index], account, action, resource, context)
        if not decision["allowed"]:
            denied.append((label, account, action, resource, context, what, decision["reason"], decision["unevaluated"]))
    print("\nrecorded IAM actions (%d): %s" % (len(recorded.actions()), ", ".join(sorted(recorded.actions().values()))))
    assert denied == [], "calls %s does not allow:\n%s" % (which, "\n".join(map(str, denied)))


def test_policy_allows_no_action_that_no_run_used(recorded):
    unused = sorted(action for key, action in policy_actions(template_module.load_policy()).items() if key not in recorded.actions())
    assert unused == [], "docs/iam-policy.json allows actions that no run used: %s" % unused


def test_every_statement_is_needed_by_some_call(recorded):
    """Each statement of an account's template policy allows some call that no other statement of it allows
    (the policies have no Deny and no wildcard action, so a statement that does not name the action is no help)."""
    needed, present = set(), set()
    for unused_label, account, action, resource, context, unused_what in unique_calls(recorded):
        statements = recorded.policies[account][0]["Statement"]
        present.update(s["Sid"] for s in statements)
        naming = [s for s in statements if action.lower() in policy_actions({"Statement": [s]})]
        allowing = [s["Sid"] for s in naming if allowed({"Statement": [s]}, account, action, resource, context)["allowed"]]
        if len(allowing) == 1:
            needed.add(allowing[0])
    assert present - needed == set(), "statements no recorded call needs: %s" % sorted(present - needed)
    # Every statement of the JSON, and the two opt-ins the runs use, were there to be judged.
    assert {s["Sid"] for s in template_module.load_policy()["Statement"]} | {"CisReusedTrail", "TrailBucket"} <= present
