# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resource-policy evaluation: SNS topic policies for EventBridge, KMS key policies, conservative unknowns."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import default_topic_policy
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.evaluation import ALLOW
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.evaluation import EXPLICIT_DENY
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.evaluation import IMPLICIT_DENY
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.evaluation import allows
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.evaluation import decide as decide_all
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.evaluation import evaluate

ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"
ROOT = "arn:aws:iam::%s:root" % ACCOUNT
TOPIC = "arn:aws:sns:us-east-1:%s:alerts" % ACCOUNT
OTHER_TOPIC = "arn:aws:sns:us-east-1:%s:other" % ACCOUNT
RULE = "arn:aws:events:us-east-1:%s:rule/root-login" % ACCOUNT
OTHER_RULE = "arn:aws:events:us-east-1:%s:rule/something-else" % ACCOUNT
KEY = "arn:aws:kms:us-east-1:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % ACCOUNT
EVENTS = {"Service": "events.amazonaws.com"}
CONTEXT = {"aws:SourceArn": RULE, "aws:SourceAccount": ACCOUNT}

DEFAULT_TOPIC_POLICY = default_topic_policy(TOPIC)  # what AWS gives a new topic

KMS_ROOT_STATEMENT = {
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": ROOT},
    "Action": "kms:*",
    "Resource": "*",
}


def publish(sid="AllowEventBridge", **changes):
    """The statement rootwatch adds to a topic policy for one rule; keyword arguments replace elements."""
    statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": TOPIC,
        "Condition": {"ArnEquals": {"aws:SourceArn": RULE}},
    }
    for name, value in changes.items():
        if value is None:
            statement.pop(name, None)
        else:
            statement[name] = value
    return statement


def policy(*statements, **document):
    result = {"Version": "2012-10-17", "Statement": list(statements)}
    result.update(document)
    return result


def decide(document, context=None, principal=None, action="sns:Publish", resource=TOPIC):
    return evaluate(document, principal or EVENTS, action, resource, CONTEXT if context is None else context)


# --------------------------------------------------------------------------- SNS topic policies for EventBridge


def test_default_topic_policy_does_not_allow_eventbridge():
    result = decide(DEFAULT_TOPIC_POLICY)
    assert result["decision"] == IMPLICIT_DENY
    assert result["allowed"] is False
    assert result["statements"] == []
    assert "No statement allows sns:Publish" in result["reason"]
    assert result["unevaluated"] == []


def test_default_topic_policy_allows_the_owner_account_with_source_owner():
    result = decide(DEFAULT_TOPIC_POLICY, context={"aws:SourceOwner": ACCOUNT}, principal={"AWS": ROOT})
    assert result["decision"] == ALLOW
    assert result["statements"] == ["__default_statement_ID"]


def test_eventbridge_statement_allows_this_rule():
    result = decide(policy(publish()))
    assert result == {
        "decision": ALLOW,
        "allowed": True,
        "outcome": True,
        "statements": ["AllowEventBridge"],
        "reason": result["reason"],
        "unevaluated": [],
    }
    assert "'AllowEventBridge'" in result["reason"]


def test_eventbridge_statement_for_another_rule_is_implicit_deny():
    result = decide(policy(publish()), context={"aws:SourceArn": OTHER_RULE, "aws:SourceAccount": ACCOUNT})
    assert result["decision"] == IMPLICIT_DENY
    assert not result["allowed"]
    assert "No statement allows" in result["reason"]


def test_eventbridge_statement_alongside_the_default_statement():
    document = copy.deepcopy(DEFAULT_TOPIC_POLICY)
    document["Statement"].append(publish())
    assert decide(document)["statements"] == ["AllowEventBridge"]


def test_explicit_deny_beats_allow():
    deny = publish("DenyEvents", Effect="Deny", Condition=None)
    result = decide(policy(publish(), deny))
    assert result["decision"] == EXPLICIT_DENY
    assert result["allowed"] is False
    assert result["statements"] == ["DenyEvents"]
    assert "explicitly denied" in result["reason"] and "'DenyEvents'" in result["reason"]


@pytest.mark.parametrize(
    "not_principal, principal, decision",
    [
        ({"AWS": ROOT}, EVENTS, EXPLICIT_DENY),
        ({"AWS": ROOT}, {"AWS": ROOT}, ALLOW),
        ({"Service": "events.amazonaws.com"}, EVENTS, ALLOW),
        ({"Service": ["s3.amazonaws.com", "events.amazonaws.com"]}, EVENTS, ALLOW),
        ({"Service": "s3.amazonaws.com"}, EVENTS, EXPLICIT_DENY),
    ],
)
def test_deny_with_not_principal(not_principal, principal, decision):
    allow_all = publish("AllowAll", Principal="*", Condition=None)
    deny = publish("DenyOthers", Effect="Deny", Principal=None, NotPrincipal=not_principal, Condition=None)
    result = decide(policy(allow_all, deny), principal=principal)
    assert result["decision"] == decision
    if decision == EXPLICIT_DENY:
        assert result["statements"] == ["DenyOthers"]


@pytest.mark.parametrize("account, allowed", [(ACCOUNT, True), (OTHER_ACCOUNT, False)])
def test_source_account_condition(account, allowed):
    statement = publish(Condition={"StringEquals": {"aws:SourceAccount": account}})
    assert decide(policy(statement))["allowed"] is allowed


@pytest.mark.parametrize(
    "pattern, allowed",
    [
        ("arn:aws:events:us-east-1:%s:rule/*" % ACCOUNT, True),
        ("arn:aws:events:*:%s:rule/*" % ACCOUNT, True),
        ("arn:aws:events:us-*:%s:rule/root-???in" % ACCOUNT, True),
        ("arn:aws:events:us-east-1:%s:rule/*" % OTHER_ACCOUNT, False),
        ("arn:aws:events:us-east-1:%s:rule/other-*" % ACCOUNT, False),
        ("arn:aws:events:us-east-1:%s:RULE/*" % ACCOUNT, False),
    ],
)
def test_arn_like_with_wildcards(pattern, allowed):
    for operator in ("ArnLike", "ArnEquals"):
        statement = publish(Condition={operator: {"aws:SourceArn": pattern}})
        assert decide(policy(statement))["allowed"] is allowed, operator


def test_arn_wildcard_does_not_span_arn_parts():
    # Each of the six colon-separated parts is matched on its own: "*" in the service part cannot eat the region.
    log_group = "arn:aws:logs:us-east-1:%s:log-group:trail" % ACCOUNT
    for pattern, allowed in [
        ("arn:aws:*:%s:log-group:trail" % ACCOUNT, False),
        ("arn:aws:*:*:%s:log-group:trail" % ACCOUNT, True),
        ("arn:aws:logs:*:*:log-group:*", True),
    ]:
        statement = publish(Condition={"ArnLike": {"aws:SourceArn": pattern}})
        assert decide(policy(statement), context={"aws:SourceArn": log_group})["allowed"] is allowed, pattern
        statement = publish(Condition={"StringLike": {"aws:SourceArn": pattern}})
        assert decide(policy(statement), context={"aws:SourceArn": log_group})["allowed"], pattern


def test_arn_pattern_without_six_parts_is_unevaluated():
    statement = publish(Condition={"ArnLike": {"aws:SourceArn": "arn:aws:events:*"}})
    result = decide(policy(statement))
    assert not result["allowed"]
    assert "six parts" in result["unevaluated"][0]


@pytest.mark.parametrize(
    "policy_key, context_key",
    [("AWS:SourceArn", "aws:sourcearn"), ("aws:sourcearn", "AWS:SOURCEARN"), ("Aws:SourceArn", "aws:SourceArn")],
)
def test_condition_keys_are_case_insensitive(policy_key, context_key):
    statement = publish(Condition={"ArnEquals": {policy_key: RULE}})
    assert decide(policy(statement), context={context_key: RULE})["allowed"]


@pytest.mark.parametrize(
    "pattern, allowed",
    [
        ("sns:Publish", True),
        ("SNS:PUBLISH", True),
        ("sns:*", True),
        ("SNS:Pub*", True),
        ("sns:Publis?", True),
        ("*", True),
        (["sns:Subscribe", "sns:publish"], True),
        ("sns:Subscribe", False),
        ("sns:Pub", False),
        ("sns:Publish?", False),
        ("s3:*", False),
        ("sns:[P]ublish", False),
    ],
)
def test_action_case_insensitive_with_wildcards(pattern, allowed):
    assert decide(policy(publish(Action=pattern)))["allowed"] is allowed


@pytest.mark.parametrize(
    "not_action, allowed", [("sns:Subscribe", True), ("sns:Pub*", False), (["s3:*", "SNS:*"], False)]
)
def test_not_action(not_action, allowed):
    statement = publish(Action=None, NotAction=not_action)
    assert decide(policy(statement))["allowed"] is allowed


@pytest.mark.parametrize(
    "pattern, allowed",
    [
        (TOPIC, True),
        ("*", True),
        ("arn:aws:sns:us-east-1:%s:*" % ACCOUNT, True),
        ("arn:aws:sns:*:%s:alert?" % ACCOUNT, True),
        ([OTHER_TOPIC, TOPIC], True),
        (OTHER_TOPIC, False),
        (TOPIC.upper(), False),
        ("arn:aws:sns:us-east-1:%s:Alerts" % ACCOUNT, False),
    ],
)
def test_resource_match_is_case_sensitive_with_wildcards(pattern, allowed):
    assert decide(policy(publish(Resource=pattern)))["allowed"] is allowed


@pytest.mark.parametrize("not_resource, allowed", [(OTHER_TOPIC, True), (TOPIC, False), ("arn:aws:sns:*", False)])
def test_not_resource(not_resource, allowed):
    statement = publish(Resource=None, NotResource=not_resource)
    assert decide(policy(statement))["allowed"] is allowed


def test_statement_without_resource_matches():
    assert decide(policy(publish(Resource=None)))["allowed"]


def test_statement_without_principal_applies_to_no_one():
    deny = publish("DenyWithoutPrincipal", Effect="Deny", Principal=None, Condition=None)
    assert decide(policy(publish(Principal=None)))["decision"] == IMPLICIT_DENY
    assert decide(policy(publish(), deny))["decision"] == ALLOW


@pytest.mark.parametrize(
    "principal, allowed",
    [
        ("*", True),
        ({"AWS": "*"}, True),
        ({"AWS": ["arn:aws:iam::%s:root" % OTHER_ACCOUNT, "*"]}, True),
        ({"Service": ["sns.amazonaws.com", "events.amazonaws.com"]}, True),
        ({"AWS": ROOT}, False),
        ({"AWS": ACCOUNT}, False),
        ({"AWS": "arn:aws:iam::%s:role/events" % ACCOUNT}, False),
        ({"Service": "sns.amazonaws.com"}, False),
        ({"Federated": "events.amazonaws.com"}, False),
    ],
)
def test_principal_forms_for_the_events_service(principal, allowed):
    assert decide(policy(publish(Principal=principal)))["allowed"] is allowed


@pytest.mark.parametrize(
    "policy_principal, request_principal, decision",
    [
        (ACCOUNT, ROOT, ALLOW),
        (ROOT, ROOT, ALLOW),
        (ROOT, ACCOUNT, ALLOW),
        ("arn:aws:iam::%s:user/alice" % ACCOUNT, "arn:aws:iam::%s:user/alice" % ACCOUNT, ALLOW),
        ("arn:aws:iam::%s:user/alice" % ACCOUNT, "arn:aws:iam::%s:user/bob" % ACCOUNT, IMPLICIT_DENY),
        (OTHER_ACCOUNT, ROOT, IMPLICIT_DENY),
        ("arn:aws:iam::%s:role/ops/Responder" % ACCOUNT, "arn:aws:sts::%s:assumed-role/Responder/s1" % ACCOUNT, ALLOW),
        ("arn:aws:iam::%s:role/Responder" % ACCOUNT, "arn:aws:sts::%s:assumed-role/Other/s1" % ACCOUNT, IMPLICIT_DENY),
        (
            "arn:aws:iam::%s:role/Responder" % ACCOUNT,
            "arn:aws:sts::%s:assumed-role/Responder/s1" % OTHER_ACCOUNT,
            IMPLICIT_DENY,
        ),
    ],
)
def test_aws_principals_and_account_ids(policy_principal, request_principal, decision):
    statement = publish(Principal={"AWS": policy_principal}, Condition=None)
    assert decide(policy(statement), principal={"AWS": request_principal})["decision"] == decision


def test_account_principal_delegates_to_its_users_so_allow_is_not_claimed_but_deny_applies():
    user = {"AWS": "arn:aws:iam::%s:user/bob" % ACCOUNT}
    allow = publish("AllowAccount", Principal={"AWS": ACCOUNT}, Condition=None)
    result = decide(policy(allow), principal=user)
    assert result["decision"] == IMPLICIT_DENY
    assert "AllowAccount" in result["unevaluated"][0]
    deny = publish("DenyAccount", Effect="Deny", Principal={"AWS": ROOT}, Condition=None)
    everyone = publish("AllowAll", Principal="*", Condition=None)
    result = decide(policy(everyone, deny), principal=user)
    assert (result["decision"], result["statements"]) == (EXPLICIT_DENY, ["DenyAccount"])


def test_service_principal_in_another_case_is_not_claimed():
    result = decide(policy(publish(Principal={"Service": "Events.amazonaws.com"})))
    assert result["decision"] == IMPLICIT_DENY
    assert "differs in case" in result["unevaluated"][0]


# --------------------------------------------------------------------------- condition operators


@pytest.mark.parametrize(
    "condition, context, allowed",
    [
        ({"ArnEqualsIfExists": {"aws:SourceArn": RULE}}, {}, True),
        ({"ArnEqualsIfExists": {"aws:SourceArn": RULE}}, {"aws:SourceArn": RULE}, True),
        ({"ArnEqualsIfExists": {"aws:SourceArn": RULE}}, {"aws:SourceArn": OTHER_RULE}, False),
        ({"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}, {}, True),
        ({"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}, {"aws:SourceAccount": OTHER_ACCOUNT}, False),
        ({"NumericLessThanIfExists": {"s3:max-keys": "10"}}, {}, True),
        ({"ArnEquals": {"aws:SourceArn": RULE}}, {}, False),
    ],
)
def test_if_exists(condition, context, allowed):
    assert decide(policy(publish(Condition=condition)), context=context)["allowed"] is allowed


@pytest.mark.parametrize(
    "value, context, allowed",
    [
        ("false", CONTEXT, True),
        ("false", {}, False),
        ("true", {}, True),
        ("true", CONTEXT, False),
        (False, CONTEXT, True),
        (["true", "false"], {}, True),
    ],
)
def test_null(value, context, allowed):
    statement = publish(Condition={"Null": {"aws:SourceArn": value}})
    assert decide(policy(statement), context=context)["allowed"] is allowed


@pytest.mark.parametrize(
    "operator, value",
    [
        ("StringNotEquals", OTHER_ACCOUNT),
        ("StringNotEqualsIgnoreCase", OTHER_ACCOUNT),
        ("StringNotLike", "2*"),
        ("NumericNotEquals", "5"),
    ],
)
def test_negated_operator_on_a_missing_key_is_true(operator, value):
    statement = publish(Condition={operator: {"aws:SourceAccount": value}})
    assert decide(policy(statement), context={})["allowed"]


def test_negated_arn_operator_on_a_missing_key_is_true():
    for operator in ("ArnNotEquals", "ArnNotLike"):
        statement = publish(Condition={operator: {"aws:SourceArn": OTHER_RULE}})
        assert decide(policy(statement), context={})["allowed"], operator


@pytest.mark.parametrize(
    "context, decision",
    [({}, EXPLICIT_DENY), ({"aws:SourceAccount": OTHER_ACCOUNT}, EXPLICIT_DENY), (CONTEXT, ALLOW)],
)
def test_confused_deputy_deny_with_string_not_equals(context, decision):
    deny = publish("DenyOtherAccounts", Effect="Deny", Condition={"StringNotEquals": {"aws:SourceAccount": ACCOUNT}})
    assert decide(policy(publish(Condition=None), deny), context=context)["decision"] == decision


@pytest.mark.parametrize(
    "operator, values, context_values, allowed",
    [
        ("ForAnyValue:StringEquals", ["a"], ["a", "b"], True),
        ("ForAnyValue:StringEquals", ["c"], ["a", "b"], False),
        ("ForAnyValue:StringEquals", ["a"], None, False),
        ("ForAnyValue:StringLike", ["b*"], ["a", "bee"], True),
        ("ForAllValues:StringEquals", ["a"], ["a", "b"], False),
        ("ForAllValues:StringEquals", ["a", "b", "c"], ["a", "b"], True),
        ("ForAllValues:StringEquals", ["a"], None, True),
        ("ForAllValues:StringEquals", ["a"], [], True),
        ("ForAllValues:StringEqualsIgnoreCase", ["A", "B"], ["a", "b"], True),
        ("ForAnyValue:StringNotEquals", ["a"], ["a", "b"], True),
        ("ForAllValues:StringNotEquals", ["a"], ["a", "b"], False),
    ],
)
def test_for_any_value_and_for_all_values(operator, values, context_values, allowed):
    statement = publish(Condition={operator: {"aws:TagKeys": values}})
    context = {} if context_values is None else {"aws:TagKeys": context_values}
    assert decide(policy(statement), context=context)["allowed"] is allowed


def test_single_valued_operator_on_several_request_values():
    statement = publish(Condition={"StringEquals": {"aws:TagKeys": ["a", "b"]}})
    assert decide(policy(statement), context={"aws:TagKeys": ["a", "b"]})["allowed"]
    result = decide(policy(statement), context={"aws:TagKeys": ["a", "z"]})
    assert not result["allowed"]
    assert "ForAnyValue" in result["unevaluated"][0]


@pytest.mark.parametrize("operator", ["IpAddress", "DateLessThan", "StringEqual", "stringequals", "ForAnyValue:Null"])
def test_unknown_operator_in_allow_is_not_allowed(operator):
    statement = publish(Condition={"ArnEquals": {"aws:SourceArn": RULE}, operator: {"aws:SourceIp": "10.0.0.0/8"}})
    result = decide(policy(statement))
    assert result["decision"] == IMPLICIT_DENY
    assert result["statements"] == []
    assert len(result["unevaluated"]) == 1
    assert "'AllowEventBridge'" in result["unevaluated"][0] and operator in result["unevaluated"][0]
    assert "'AllowEventBridge'" in result["reason"]


@pytest.mark.parametrize("operator", ["IpAddress", "DateGreaterThan", "ArnLikeIfExist"])
def test_unknown_operator_in_deny_denies(operator):
    deny = publish("DenyUnlessVpc", Effect="Deny", Condition={operator: {"aws:SourceIp": "10.0.0.0/8"}})
    result = decide(policy(publish(), deny))
    assert result["decision"] == EXPLICIT_DENY
    assert result["statements"] == ["DenyUnlessVpc"]
    assert "'DenyUnlessVpc'" in result["reason"]
    assert "'DenyUnlessVpc'" in result["unevaluated"][0] and operator in result["unevaluated"][0]


def test_unknown_operator_in_deny_with_a_condition_that_is_definitely_false():
    deny = publish(
        "DenyOtherAccounts",
        Effect="Deny",
        Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "StringEquals": {"aws:SourceAccount": OTHER_ACCOUNT}},
    )
    result = decide(policy(publish(), deny))
    assert result["decision"] == ALLOW
    assert result["unevaluated"] == []


def test_unknown_and_definite_deny_are_both_named():
    deny = publish("Deny", Effect="Deny", Condition=None)
    maybe = publish("MaybeDeny", Effect="Deny", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    result = decide(policy(deny, maybe))
    assert result["statements"] == ["Deny", "MaybeDeny"]
    assert "'MaybeDeny' may also deny" in result["reason"]


@pytest.mark.parametrize(
    "condition, allowed",
    [
        ({"StringEqualsIgnoreCase": {"aws:SourceArn": RULE.upper()}}, True),
        ({"StringEquals": {"aws:SourceArn": RULE.upper()}}, False),
        ({"StringLike": {"aws:SourceArn": "arn:aws:events:*:rule/root-*"}}, True),
        ({"StringLike": {"aws:SourceArn": "*ROOT*"}}, False),
        ({"StringNotLike": {"aws:SourceArn": "*other*"}}, True),
        ({"StringNotLike": {"aws:SourceArn": ["*other*", "*root*"]}}, False),
        ({"StringNotEqualsIgnoreCase": {"aws:SourceAccount": ACCOUNT}}, False),
        ({"ArnNotEquals": {"aws:SourceArn": OTHER_RULE}}, True),
        ({"ArnNotLike": {"aws:SourceArn": "arn:aws:events:*:*:rule/*"}}, False),
        ({"StringEquals": {"aws:SourceAccount": int(ACCOUNT)}}, True),
        ({"StringEquals": {"aws:SourceArn": [OTHER_RULE, RULE]}}, True),
        ({"StringEquals": {"aws:SourceArn": RULE, "aws:SourceAccount": OTHER_ACCOUNT}}, False),
        ({"ArnEquals": {"aws:SourceArn": RULE}, "StringEquals": {"aws:SourceAccount": OTHER_ACCOUNT}}, False),
        ({"ArnEquals": {"aws:SourceArn": RULE}, "StringEquals": {"aws:SourceAccount": ACCOUNT}}, True),
        ({}, True),
    ],
)
def test_string_and_arn_operators_values_or_keys_and(condition, allowed):
    assert decide(policy(publish(Condition=condition)))["allowed"] is allowed


@pytest.mark.parametrize(
    "value, context_value, allowed",
    [
        ("false", False, True),
        ("false", "False", True),
        (False, False, True),
        ("false", True, False),
        ("true", True, True),
    ],
)
def test_bool(value, context_value, allowed):
    statement = publish(Condition={"Bool": {"aws:SecureTransport": value}})
    assert decide(policy(statement), context={"aws:SecureTransport": context_value})["allowed"] is allowed


@pytest.mark.parametrize(
    "operator, value, allowed",
    [
        ("NumericEquals", "10", True),
        ("NumericEquals", 10.0, True),
        ("NumericNotEquals", "10", False),
        ("NumericLessThan", "10", False),
        ("NumericLessThanEquals", "10", True),
        ("NumericGreaterThan", "9.5", True),
        ("NumericGreaterThanEquals", "11", False),
        ("NumericLessThan", ["5", "20"], True),
    ],
)
def test_numeric(operator, value, allowed):
    statement = publish(Condition={operator: {"s3:max-keys": value}})
    assert decide(policy(statement), context={"s3:max-keys": "10"})["allowed"] is allowed


def test_numeric_with_a_value_that_is_not_a_number_is_unevaluated():
    statement = publish(Condition={"NumericLessThan": {"s3:max-keys": "ten"}})
    result = decide(policy(statement), context={"s3:max-keys": "10"})
    assert not result["allowed"]
    assert "not a number" in result["unevaluated"][0]


@pytest.mark.parametrize("version, allowed", [("2012-10-17", False), ("2008-10-17", True)])
def test_policy_variables_are_not_evaluated(version, allowed):
    statement = publish(Condition={"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}})
    context = {"aws:SourceAccount": "${aws:PrincipalAccount}"}
    result = decide(policy(statement, Version=version), context=context)
    assert result["allowed"] is allowed
    assert bool(result["unevaluated"]) is not allowed


# --------------------------------------------------------------------------- KMS key policies


def kms_policy(*actions):
    events = {
        "Sid": "AllowEventBridge",
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": list(actions),
        "Resource": "*",
    }
    return policy(KMS_ROOT_STATEMENT, events)


def test_kms_policy_allows_eventbridge_to_decrypt_and_generate_data_keys():
    allowed, reason = allows(
        kms_policy("kms:Decrypt", "kms:GenerateDataKey*"), EVENTS, ["kms:Decrypt", "kms:GenerateDataKey"], KEY
    )
    assert allowed is True
    assert "AllowEventBridge" in reason


def test_kms_policy_granting_only_decrypt_names_the_missing_action():
    allowed, reason = allows(kms_policy("kms:Decrypt"), EVENTS, ["kms:Decrypt", "kms:GenerateDataKey"], KEY)
    assert allowed is False
    assert reason.startswith("kms:GenerateDataKey is not allowed")
    assert "No statement allows kms:GenerateDataKey" in reason


def test_kms_root_statement_does_not_allow_the_events_service():
    document = policy(KMS_ROOT_STATEMENT)
    allowed, reason = allows(document, EVENTS, ["kms:Decrypt", "kms:GenerateDataKey"], KEY)
    assert allowed is False
    assert reason.startswith("kms:Decrypt is not allowed")
    assert allows(document, {"AWS": ROOT}, ["kms:Decrypt", "kms:GenerateDataKey"], KEY)[0] is True


def test_allows_reports_unevaluated_conditions_and_rejects_no_actions():
    statement = dict(KMS_ROOT_STATEMENT, Principal=EVENTS, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    allowed, reason = allows(policy(statement), EVENTS, ["kms:Decrypt"], KEY)
    assert allowed is False and "IpAddress" in reason
    with pytest.raises(ValueError, match="non-empty list"):
        allows(policy(statement), EVENTS, [], KEY)


# --------------------------------------------------------------------------- documents and inputs


def test_policy_as_json_text():
    assert decide(json.dumps(policy(publish())))["decision"] == ALLOW


def test_statement_as_a_single_dict_and_statement_ids():
    document = {"Version": "2012-10-17", "Statement": publish(sid=None)}
    assert decide(document)["statements"] == ["#0"]
    assert decide(policy(publish("A", Condition={"IpAddress": {}}), publish(sid=None)))["statements"] == ["#1"]


def test_every_allowing_statement_is_named():
    result = decide(policy(publish("One"), publish("Two", Action="sns:*"), publish("Three", Resource=OTHER_TOPIC)))
    assert result["statements"] == ["One", "Two"]


@pytest.mark.parametrize("document", [None, "", "  ", {}, {"Version": "2012-10-17", "Statement": []}])
def test_missing_or_empty_policy_is_implicit_deny(document):
    result = decide(document)
    assert result["decision"] == IMPLICIT_DENY
    assert result["allowed"] is False
    assert "no statement allows" in result["reason"].lower()


@pytest.mark.parametrize(
    "document, message",
    [
        ("{not json", "policy is not valid JSON"),
        ("[]", "must be a JSON object"),
        ('"text"', "must be a JSON object"),
        ({"Statement": "Allow"}, "Statement must be an object or a list"),
        ({"Statement": ["Allow"]}, r"Statement\[0\] must be an object"),
    ],
)
def test_malformed_policy_raises(document, message):
    with pytest.raises(ValueError, match=message):
        decide(document)


@pytest.mark.parametrize(
    "principal, action, resource, context",
    [
        ("events.amazonaws.com", "sns:Publish", TOPIC, {}),
        ({}, "sns:Publish", TOPIC, {}),
        ({"Service": ["events.amazonaws.com", "sns.amazonaws.com"]}, "sns:Publish", TOPIC, {}),
        ({"Service": "events.amazonaws.com", "AWS": ROOT}, "sns:Publish", TOPIC, {}),
        (EVENTS, "", TOPIC, {}),
        (EVENTS, "sns:Publish", None, {}),
        (EVENTS, "sns:Publish", TOPIC, [("aws:SourceArn", RULE)]),
        (EVENTS, "sns:Publish", TOPIC, {"aws:SourceArn": RULE, "AWS:SOURCEARN": OTHER_RULE}),
    ],
)
def test_invalid_requests_raise(principal, action, resource, context):
    with pytest.raises(ValueError):
        evaluate(policy(publish()), principal, action, resource, context)


@pytest.mark.parametrize(
    "changes, decision",
    [
        ({"Effect": "deny"}, EXPLICIT_DENY),
        ({"Effect": None}, EXPLICIT_DENY),
        ({"Effect": "allow"}, EXPLICIT_DENY),
        ({"NotAction": "sns:Subscribe"}, IMPLICIT_DENY),
        ({"NotPrincipal": {"AWS": ROOT}}, IMPLICIT_DENY),
        ({"Action": None}, IMPLICIT_DENY),
        ({"Condition": "ArnEquals"}, IMPLICIT_DENY),
        ({"Condition": {"ArnEquals": {"aws:SourceArn": []}}}, IMPLICIT_DENY),
    ],
)
def test_malformed_statements_never_allow(changes, decision):
    result = decide(policy(publish(**changes)))
    assert result["decision"] == decision
    assert result["unevaluated"] and "'AllowEventBridge'" in result["unevaluated"][0]


# -- known keys (opt-in): a condition on a key whose value the caller does not know is undecided --------------
SNS_CONTEXT_KEY = "kms:EncryptionContext:aws:sns:topicArn"
KMS_CONTEXT = {SNS_CONTEXT_KEY: TOPIC}
KNOWN = [SNS_CONTEXT_KEY]


def key_statement(condition=None, effect="Allow", sid="EventsUseTheKey"):
    statement = {"Sid": sid, "Effect": effect, "Principal": {"Service": "events.amazonaws.com"},
                 "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return statement


def test_without_known_keys_an_absent_key_is_absent():
    conditioned = policy(key_statement({"ArnEquals": {"aws:SourceArn": RULE}}))
    result = evaluate(conditioned, EVENTS, "kms:Decrypt", KEY, KMS_CONTEXT)
    assert result["decision"] == IMPLICIT_DENY and result["outcome"] is False


def test_a_condition_on_an_unknown_key_is_undecided_and_named():
    conditioned = policy(key_statement({"StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnEquals": {"aws:SourceArn": RULE}}))
    result = evaluate(conditioned, EVENTS, "kms:Decrypt", KEY, KMS_CONTEXT, KNOWN)
    assert result["decision"] == IMPLICIT_DENY and result["allowed"] is False and result["outcome"] is None
    assert "aws:SourceArn" in " ".join(result["unevaluated"]) and "aws:SourceAccount" in " ".join(result["unevaluated"])


@pytest.mark.parametrize("condition", [
    {"ArnEqualsIfExists": {"aws:SourceArn": RULE}},
    {"Null": {"aws:SourceArn": "true"}},
    {"Null": {"aws:SourceArn": "false"}},
], ids=["IfExists", "Null true", "Null false"])
def test_if_exists_and_null_on_an_unknown_key_are_undecided_too(condition):
    """Whether the key is present is itself unknown, so neither IAM rule for absent keys decides."""
    assert evaluate(policy(key_statement(condition)), EVENTS, "kms:Decrypt", KEY, KMS_CONTEXT, KNOWN)["outcome"] is None


@pytest.mark.parametrize("condition, outcome", [
    ({"StringEquals": {SNS_CONTEXT_KEY: TOPIC}}, True),
    ({"StringEquals": {SNS_CONTEXT_KEY: OTHER_TOPIC}}, False),
    ({"StringEqualsIfExists": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}}, True),  # known absent: IfExists holds
    ({"Null": {"kms:ViaService": "false"}}, False),  # known absent
], ids=["context value", "other topic", "IfExists on a known-absent key", "Null on a known-absent key"])
def test_known_keys_follow_iam_rules(condition, outcome):
    known = KNOWN + ["kms:ViaService"]
    assert evaluate(policy(key_statement(condition)), EVENTS, "kms:Decrypt", KEY, KMS_CONTEXT, known)["outcome"] is outcome


def test_an_element_that_does_not_match_decides_whatever_the_unknown_key():
    """Kleene logic: another principal's statement never applies, even with a condition on an unknown key."""
    theirs = dict(key_statement({"ArnEquals": {"aws:SourceArn": RULE}}), Principal={"Service": "s3.amazonaws.com"})
    result = evaluate(policy(theirs), EVENTS, "kms:Decrypt", KEY, KMS_CONTEXT, KNOWN)
    assert result["outcome"] is False and result["unevaluated"] == []


def test_an_undecided_deny_makes_an_allowed_request_undecided():
    deny = key_statement({"StringNotEquals": {"aws:SourceAccount": ACCOUNT}}, effect="Deny", sid="OnlyOurAccount")
    result = evaluate(policy(key_statement(), deny), EVENTS, "kms:Decrypt", KEY, KMS_CONTEXT, KNOWN)
    assert result["decision"] == EXPLICIT_DENY and result["outcome"] is None
    # ... and decides nothing when no Allow could apply anyway.
    assert evaluate(policy(deny), EVENTS, "kms:Decrypt", KEY, KMS_CONTEXT, KNOWN)["outcome"] is False
    # A Deny that applies decides.
    applies = key_statement({"StringEquals": {SNS_CONTEXT_KEY: TOPIC}}, effect="Deny", sid="NotThisTopic")
    assert evaluate(policy(key_statement(), applies, deny), EVENTS, "kms:Decrypt", KEY, KMS_CONTEXT, KNOWN)["outcome"] is False


def test_decide_over_several_actions():
    only_decrypt = dict(key_statement(), Action="kms:Decrypt")
    assert decide_all(policy(only_decrypt), EVENTS, ["kms:Decrypt", "kms:GenerateDataKey"], KEY, KMS_CONTEXT, KNOWN)[0] is False
    conditioned = policy(key_statement({"ArnEquals": {"aws:SourceArn": RULE}}))
    ok, reason = decide_all(conditioned, EVENTS, ["kms:Decrypt", "kms:GenerateDataKey"], KEY, KMS_CONTEXT, KNOWN)
    assert ok is None and "aws:SourceArn" in reason
    assert decide_all(policy(key_statement()), EVENTS, ["kms:Decrypt", "kms:GenerateDataKey"], KEY, KMS_CONTEXT, KNOWN)[0] is True


@pytest.mark.parametrize("known", ["aws:SourceArn", [""], [None]])
def test_known_keys_must_be_a_list_of_keys(known):
    with pytest.raises(ValueError, match="known_keys"):
        evaluate(policy(key_statement()), EVENTS, "kms:Decrypt", KEY, KMS_CONTEXT, known)
