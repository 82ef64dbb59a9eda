"""docs/iam-policy.json, proven: every call the member role makes is allowed, and nothing more is.

The emulator (moto) does not enforce IAM: any call with any credentials succeeds. So these tests
do not ask AWS whether the policy works; they record every request that real ansible-playbook runs
of ``playbooks/root_alerts.yml`` make, in per-account mode, and check the recorded calls against the
policy document themselves, with the collection's own pure evaluator
(``plugins/module_utils/policy_evaluation.py``).

The runs (one module-scoped fixture, shared by the tests, about a minute): a check-mode audit of
fresh accounts, apply, a re-apply that changes nothing, drift made by hand plus changed host
variables, a repairing apply, an audit, and ``root_login_alerts_state: absent``. The inventory mixes
the settings that take different code paths: ``trail: auto`` with a covering multi-Region trail
homed in us-west-2, ``trail: auto`` with no trail (one is created), ``trail: create`` into an
existing bucket of the user's (``trail_bucket``), ``trail: none``, a topic encrypted with a
customer-managed KMS key (``kms_key_id``) with ``send_test_notification: true``, AWS's own recipe
built by hand (a second path is added next to it), and the same recipe with ``adopt_existing``.

How a recorded request becomes IAM actions (``iam_actions``):
- The service is the signing name of the SigV4 credential scope (``Request.service``); for sns,
  events, cloudtrail, kms, s3 and sts it is also the IAM service prefix. The region is the scope's
  region, the account the one whose credentials signed the request (``requests_by_account``).
- Query (sns, sts) and JSON (events, cloudtrail, kms) protocols name the operation
  (``Request.action``), and the IAM action has the operation's name. IAM action names are
  case-insensitive, so ``GetTopicAttributes`` for sns is ``sns:GetTopicAttributes`` whatever the case.
- S3 is REST: ``Request.action`` is "METHOD /bucket", and the query string names the subresource.
  ``S3_ACTIONS`` maps the (method, subresource) pairs the runs make to the IAM action the S3 API
  reference names for the operation (``PutBucketEncryption`` needs ``s3:PutEncryptionConfiguration``,
  ``PutPublicAccessBlock`` needs ``s3:PutBucketPublicAccessBlock``...). Any other S3 request fails the
  test loudly: extend the table, with the operation's documented permission, and the policy.
- Some operations need a second permission that makes no request of its own (the API references
  say so; ``IMPLIED``): CreateTopic with tags needs ``sns:TagResource``, CreateTrail with tags
  ``cloudtrail:AddTags``, PutRule with tags ``events:TagResource``, CreateBucket with an
  ``x-amz-object-ownership`` header ``s3:PutBucketOwnershipControls``, and Publish to a topic
  encrypted with a customer-managed key ``kms:GenerateDataKey`` and ``kms:Decrypt`` on that key
  (called by SNS on the publisher's behalf, so with ``kms:ViaService`` ``sns.<region>.amazonaws.com``).
- The resource is the ARN the request names (topic, rule, trail, key, bucket), built like AWS
  builds it; actions without resource-level permissions are checked against "*".
- Not counted: ``sts:AssumeRole`` (signed by the controller's credentials; allowing it is the
  controller's permission and the member role's trust policy, not this policy), and
  ``sts:GetCallerIdentity``, which needs no permission at all (STS API reference: "No permissions
  are required to perform this operation", even under an explicit deny).
- Requests that the tests make themselves (arranging accounts with boto3) are never counted:
  the recording is cleared before each ansible-playbook run and read right after it.

The policy is an identity policy (no Principal) and uses the variable ``${aws:PrincipalAccount}``.
The evaluator judges resource policies, so ``as_resource_policy`` adapts a copy: every statement
gets ``"Principal": {"AWS": "*"}`` and the variable is replaced by the requesting account.

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
import re
import sys
import urllib.parse

import pytest
from botocore.parsers import RpcV2CBORParser
import yaml

from emulator import DEFAULT_REGION, simulated_accounts  # pylint: disable=import-error
from playbook_runner import ROOT  # pylint: disable=import-error
from test_delivery_verdict import add_trail, build_recipe, customer_key
from test_root_alerts_playbook import STACK_TASK, Account, account_failed, run, write_inventory

if os.path.join(ROOT, ".collections") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, ".collections"))  # the checkout as ansible_collections.rootwatch.aws
from ansible_collections.rootwatch.aws.plugins.module_utils.policy_evaluation import evaluate  # noqa: E402  pylint: disable=wrong-import-position

POLICY_PATH = os.path.join(ROOT, "docs", "iam-policy.json")
TEMPLATE_PATH = os.path.join(ROOT, "docs", "member-role.yml")
ACCOUNT_VARIABLE = "${aws:PrincipalAccount}"
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
}


def arrange(emulator, accounts):
    """The accounts as the runs find them; returns extra host variables by account."""
    extra = {}
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

    build_recipe(Account(emulator, accounts["aws_recipe"]))
    adopted = Account(emulator, accounts["adopted_recipe"])
    build_recipe(adopted, trail=False)
    add_trail(adopted)
    return extra


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
        return s3_actions(request)
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
        role = params.get("RoleName")
        arn = "arn:aws:iam::%s:role/%s" % (account, role) if role else "*"
        found = [(action, arn, {})]
        if request.action == "CreateRole" and any(key.startswith("Tags.member.") for key in params):
            found.append(("iam:TagRole", arn, {}))  # CreateRole API reference: tags need iam:TagRole
        return found
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
    raise AssertionError("a request to a service this test does not know: %s" % describe(request))


def s3_actions(request):
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
    found = [(S3_ACTIONS[key], arn, {})]
    if key == ("PUT", "") and request.headers.get("x-amz-object-ownership"):
        found.append(("s3:PutBucketOwnershipControls", arn, {}))  # CreateBucket API reference
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
    """Every IAM action of the runs: a Recorder (about a minute of ansible-playbook runs)."""
    emulator = emulator_server
    emulator.reset()
    tmp = tmp_path_factory.mktemp("iam-policy")
    names = list(SETTINGS)
    accounts = dict(zip(names, simulated_accounts(len(names), first=222222222201)))
    extra = arrange(emulator, accounts)
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
    accounts.update(hub_accounts)
    # With api_activity in two regions: rules, roles and queues outside us-east-1 too.
    regional = {"profiles": ["console_sign_in", "api_activity"], "regions": ["us-east-1", "eu-west-1"]}
    hub = write_inventory(tmp / "hub.yml", list(hub_accounts.values()), hub_account_id=hub_accounts["hub"],
                          member_accounts=list(hub_accounts.values()), **regional)
    succeeded("hub audit of fresh accounts", recorder.run("hub-audit-fresh", hub, tmp / "hub-audit-fresh", check=True))
    succeeded("hub apply", recorder.run("hub-apply", hub, tmp / "hub-apply"))
    sqs = Account(emulator, hub_accounts["member_one"]).client("sqs")
    sqs.set_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName="root-login-alerts-undelivered")["QueueUrl"],
                             Attributes={"MessageRetentionPeriod": "60"})
    # The bus now admits the organization instead of the listed accounts: one statement goes (RemovePermission).
    by_organization = write_inventory(tmp / "hub-organization.yml", list(hub_accounts.values()), hub_account_id=hub_accounts["hub"],
                                      organization_id="o-a1b2c3d4e5", **regional)
    repaired = recorder.run("hub-repair", by_organization, tmp / "hub-repair")
    succeeded("hub repair", repaired)
    assert [c for c in repaired.result(STACK_TASK, hub_accounts["member_one"])["changes"] if "dead-letter queue" in c]
    assert "remove bus policy statement RootwatchMemberPutEvents" in repaired.result(STACK_TASK, hub_accounts["hub"])["changes"]
    succeeded("hub audit", recorder.run("hub-audit", by_organization, tmp / "hub-audit", check=True))
    succeeded("hub absent", recorder.run("hub-absent", by_organization, tmp / "hub-absent", root_login_alerts_state="absent"))
    assert "kms:generatedatakey" in recorder.actions(), "no test notification went through the encrypted topic"
    return recorder


# -- the policy -------------------------------------------------------------------------------------
def load_policy():
    with open(POLICY_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def policy_actions(policy):
    """{lower-cased action: action} of the Allow statements (the policy has no wildcard to expand)."""
    found = {}
    for statement in policy["Statement"]:
        for action in statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]:
            found[action.lower()] = action
    return found


def as_resource_policy(policy, account):
    """The identity policy as the evaluator takes it: Principal "*", the account variable resolved."""
    adapted = copy.deepcopy(policy)
    for statement in adapted["Statement"]:
        statement["Principal"] = {"AWS": "*"}
    return json.loads(json.dumps(adapted).replace(ACCOUNT_VARIABLE, account))


def test_policy_is_least_privilege_by_its_shape():
    policy = load_policy()
    assert policy["Version"] == "2012-10-17"
    sids = [statement.get("Sid") for statement in policy["Statement"]]
    assert all(sids) and len(set(sids)) == len(sids), sids
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow" and "Principal" not in statement and "NotAction" not in statement, statement
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            assert re.match(r"^[a-z0-9-]+:[A-Za-z0-9]+$", action), "a wildcard or malformed action: %r" % action
        assert actions == sorted(actions), (statement["Sid"], "keep the actions sorted")
    listed = [a.lower() for s in policy["Statement"] for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
    assert len(listed) == len(set(listed)), "an action listed twice"


def test_every_recorded_call_is_allowed_by_the_policy(recorded):
    policy = load_policy()
    denied = []
    seen = set()
    for label, account, action, resource, context, what in recorded.calls:
        if action in NOT_COUNTED:
            continue
        assert account != CONTROLLER_ACCOUNT, ("a call with the controller's own credentials", label, action, what)
        key = (account, action.lower(), resource, json.dumps(context, sort_keys=True))
        if key in seen:
            continue
        seen.add(key)
        decision = evaluate(as_resource_policy(policy, account), {"AWS": SESSION % account}, action, resource, context)
        if not decision["allowed"]:
            denied.append((label, account, action, resource, context, what, decision["reason"], decision["unevaluated"]))
    print("\nrecorded IAM actions (%d): %s" % (len(recorded.actions()), ", ".join(sorted(recorded.actions().values()))))
    assert denied == [], "calls docs/iam-policy.json does not allow:\n%s" % "\n".join(map(str, denied))


def test_policy_allows_no_action_that_no_run_used(recorded):
    unused = sorted(action for key, action in policy_actions(load_policy()).items() if key not in recorded.actions())
    assert unused == [], "docs/iam-policy.json allows actions that no run used: %s" % unused


# -- the CloudFormation template carries the same statements ----------------------------------------
def resolve(value, parameters):
    """Fn::Sub (string form) and Ref of pseudo parameters, enough for the template's policy."""
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        text = value["Fn::Sub"]
        assert isinstance(text, str), "use the string form of Fn::Sub in the policy"
        text = re.sub(r"\$\{(?!!)([^}]+)\}", lambda m: parameters[m.group(1)], text)
        return text.replace("${!", "${")
    if isinstance(value, dict):
        return {key: resolve(item, parameters) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, parameters) for item in value]
    return value


def test_member_role_template_has_the_policy_statements():
    with open(TEMPLATE_PATH, encoding="utf-8") as handle:
        template = yaml.safe_load(handle)  # long-form intrinsic functions only, so plain YAML reads it
    role = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert len(role) == 1, template["Resources"]
    policies = role[0]["Properties"]["Policies"]
    assert len(policies) == 1, policies
    statements = resolve(policies[0]["PolicyDocument"]["Statement"], {"AWS::Partition": "aws", "AWS::AccountId": ACCOUNT_VARIABLE})
    assert statements == load_policy()["Statement"]
    assert template["Parameters"]["RoleName"]["Default"] == "RootwatchAutomation"
    assert "RoleArn" in template["Outputs"]
