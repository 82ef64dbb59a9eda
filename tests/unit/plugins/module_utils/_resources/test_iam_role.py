# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two IAM roles the collection reads and never writes: judged by what they may do.

The good roles are written out as docs/member-role.yml makes them (roles_spec: ResourcePrefix
root-login-alerts, HubAccountId 999999999999), in GetRole's and GetRolePolicy's answers. A Stubber
fails on any call not queued, so a test that queues only GetRole and GetRolePolicy proves that
nothing is written and that two requests are made per role.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._resources import iam_role as iam_roles


ACCOUNT = "222222222222"
HUB = "999999999999"
FORWARDING = "root-login-alerts-forwarding"
FORWARDING_ARN = "arn:aws:iam::222222222222:role/root-login-alerts-forwarding"
CIS_ROLE = "root-login-alerts-cloudtrail-logs"
CIS_ROLE_ARN = "arn:aws:iam::222222222222:role/root-login-alerts-cloudtrail-logs"
HUB_BUS = "arn:aws:events:us-east-1:999999999999:event-bus/root-login-alerts-hub"
OWN_BUS = "arn:aws:events:us-east-1:222222222222:event-bus/default"
SIGN_IN_RULE = "arn:aws:events:us-east-1:222222222222:rule/root-login-alerts"
REGIONAL_RULE = "arn:aws:events:eu-west-1:222222222222:rule/root-login-alerts-api-activity"
TRAIL = "arn:aws:cloudtrail:us-east-1:222222222222:trail/root-login-alerts"
GROUP = "root-login-alerts-cloudtrail"
NOW = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
BOUNDARY = "arn:aws:iam::222222222222:policy/team-boundary"

# -- the template's roles, written out -------------------------------------------------------
FORWARDING_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow",
    "Principal": {"Service": "events.amazonaws.com"},
    "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:SourceAccount": "222222222222"},
                  "ArnLike": {"aws:SourceArn": "arn:aws:events:*:222222222222:rule/root-login-alerts*"}},
}]}
FORWARDING_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow",
    "Action": "events:PutEvents",
    "Resource": ["arn:aws:events:us-east-1:222222222222:event-bus/default",
                 "arn:aws:events:us-east-1:999999999999:event-bus/root-login-alerts-hub"],
}]}
CIS_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
CIS_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow",
    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": "arn:aws:logs:us-east-1:222222222222:log-group:root-login-alerts-cloudtrail:log-stream:*",
}]}
TEMPLATE_TAGS = [{"Key": "rootwatch:created-by", "Value": "member-role-template"}]


def get_role_answer(name, arn, trust, tags=None, boundary=None):
    role = {"Path": "/", "RoleName": name, "RoleId": "AROAEXAMPLEID1234567", "Arn": arn, "CreateDate": NOW,
            "AssumeRolePolicyDocument": json.dumps(trust), "MaxSessionDuration": 3600,
            "Tags": TEMPLATE_TAGS if tags is None else tags}
    if boundary:
        role["PermissionsBoundary"] = {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": boundary}
    return {"Role": role}


def reference(trust=None, policy=None, boundary=None, arn=FORWARDING_ARN, name="rootwatch-forward-to-hub-bus"):
    return {"Arn": arn, "AssumeRolePolicyDocument": trust or FORWARDING_TRUST, "PermissionsBoundary": boundary,
            "PolicyName": name, "PolicyDocument": FORWARDING_POLICY if policy is None else policy}


def forwarding(rules=(SIGN_IN_RULE, REGIONAL_RULE), buses=(HUB_BUS,)):
    return iam_roles.forwarding_needs(ACCOUNT, FORWARDING_ARN, list(rules), list(buses))


def cis_needs():
    return iam_roles.cloudtrail_logs_needs(ACCOUNT, "us-east-1", CIS_ROLE_ARN, GROUP, TRAIL)


def with_statement(document, statement):
    changed = copy.deepcopy(document)
    changed["Statement"].append(statement)
    return changed


# == the judges ===================================================================================
class TestForwardingRole:
    def test_the_template_role_forwards_for_our_rules_of_every_region_to_both_buses(self):
        ok, reasons = iam_roles.judge_role(reference(), "events.amazonaws.com", forwarding(buses=(HUB_BUS, OWN_BUS)))
        assert ok is True, reasons
        assert "its inline policy rootwatch-forward-to-hub-bus allows events:PutEvents on %s" % HUB_BUS in reasons
        assert "its trust lets events.amazonaws.com assume it for rule %s" % REGIONAL_RULE in reasons

    def test_missing(self):
        assert iam_roles.judge_role(None, "events.amazonaws.com", forwarding()) == (False, ["does not exist"])

    def test_unreadable_is_unknown(self):
        ok, reasons = iam_roles.judge_role({"error": "iam:GetRole x: AccessDenied"}, "events.amazonaws.com", forwarding())
        assert ok is None and "AccessDenied" in reasons[0]

    def test_trust_of_another_account(self):
        trust = copy.deepcopy(FORWARDING_TRUST)
        trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"] = "333333333333"
        ok, reasons = iam_roles.judge_role(reference(trust=trust), "events.amazonaws.com", forwarding())
        assert ok is False and all("trust does not let events.amazonaws.com assume it" in r for r in reasons), reasons

    def test_trust_scoped_to_other_rules_misses_ours(self):
        trust = copy.deepcopy(FORWARDING_TRUST)
        trust["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"] = "arn:aws:events:us-east-1:222222222222:rule/root-login-alerts"
        ok, reasons = iam_roles.judge_role(reference(trust=trust), "events.amazonaws.com", forwarding())
        # The sign-in rule passes; the regional one does not, and is the only reason given.
        assert ok is False and len(reasons) == 1, reasons
        assert reasons[0].startswith("its trust does not let events.amazonaws.com assume it for rule %s:" % REGIONAL_RULE)

    def test_trust_without_source_arn_still_forwards(self):
        """The decision for a trust that lost its aws:SourceArn scope: the alert path works, so the role is usable;
        the verifier warns (see TestVerifier.test_unscoped_trust_is_used_with_a_warning)."""
        trust = copy.deepcopy(FORWARDING_TRUST)
        del trust["Statement"][0]["Condition"]["ArnLike"]
        assert iam_roles.judge_role(reference(trust=trust), "events.amazonaws.com", forwarding())[0] is True
        probe = iam_roles.forwarding_rule_probe(ACCOUNT, "root-login-alerts")
        assert iam_roles.judge_trust(reference(trust=trust), "events.amazonaws.com", probe)[0] is True
        assert iam_roles.judge_trust(reference(), "events.amazonaws.com", probe)[0] is False

    def test_an_inline_deny_of_put_events(self):
        policy = with_statement(FORWARDING_POLICY, {"Sid": "NoForwarding", "Effect": "Deny", "Action": "events:Put*", "Resource": "*"})
        ok, reasons = iam_roles.judge_role(reference(policy=policy), "events.amazonaws.com", forwarding())
        assert ok is False and "explicitly denied by statement(s) 'NoForwarding'" in reasons[0], reasons

    def test_a_deny_of_something_else_changes_nothing(self):
        policy = with_statement(FORWARDING_POLICY, {"Sid": "NoRules", "Effect": "Deny", "Action": "events:PutRule", "Resource": "*"})
        assert iam_roles.judge_role(reference(policy=policy), "events.amazonaws.com", forwarding())[0] is True

    def test_a_deny_that_cannot_be_evaluated_is_unknown(self):
        deny = {"Sid": "Office", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
        ok, reasons = iam_roles.judge_role(reference(policy=with_statement(FORWARDING_POLICY, deny)), "events.amazonaws.com", forwarding())
        assert ok is None and "Office" in reasons[0], reasons

    def test_policy_for_the_wrong_bus(self):
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": OWN_BUS}]}
        ok, reasons = iam_roles.judge_role(reference(policy=policy), "events.amazonaws.com", forwarding())
        assert ok is False and reasons[0].startswith("its inline policy rootwatch-forward-to-hub-bus does not allow events:PutEvents on %s" % HUB_BUS)

    def test_no_inline_policy(self):
        ok, reasons = iam_roles.judge_role(dict(reference(), PolicyDocument=None), "events.amazonaws.com", forwarding())
        assert ok is False and reasons == ["it has no inline policy rootwatch-forward-to-hub-bus allowing events:PutEvents on %s" % HUB_BUS]

    def test_a_boundary_is_unknown_naming_it(self):
        ok, reasons = iam_roles.judge_role(reference(boundary=BOUNDARY), "events.amazonaws.com", forwarding())
        assert ok is None and BOUNDARY in reasons[0] and "cannot be told" in reasons[0]

    def test_a_boundary_does_not_hide_what_is_missing(self):
        ok, unused = iam_roles.judge_role(dict(reference(boundary=BOUNDARY), PolicyDocument=None), "events.amazonaws.com", forwarding())
        assert ok is False

    def test_permissions_not_read(self):
        role = {"Arn": FORWARDING_ARN, "AssumeRolePolicyDocument": FORWARDING_TRUST, "PermissionsBoundary": None}
        ok, reasons = iam_roles.judge_role(role, "events.amazonaws.com", forwarding())
        assert ok is None and "permissions were not read" in reasons[0]


class TestCloudTrailLogsRole:
    def test_the_template_role(self):
        ok, reasons = iam_roles.judge_role(reference(CIS_TRUST, CIS_POLICY, arn=CIS_ROLE_ARN, name="rootwatch-cloudtrail-to-cloudwatch-logs"),
                                           "cloudtrail.amazonaws.com", cis_needs())
        assert ok is True, reasons
        stream = "arn:aws:logs:us-east-1:222222222222:log-group:root-login-alerts-cloudtrail:log-stream:222222222222_CloudTrail_us-east-1"
        assert "its inline policy rootwatch-cloudtrail-to-cloudwatch-logs allows logs:PutLogEvents on %s" % stream in reasons

    def test_the_policy_aws_documents(self):
        """"Sending events to CloudWatch Logs": the two actions on the account's CloudTrail streams."""
        streams = "arn:aws:logs:us-east-1:222222222222:log-group:root-login-alerts-cloudtrail:log-stream:222222222222_CloudTrail_us-east-1*"
        policy = {"Version": "2012-10-17", "Statement": [
            {"Sid": "AWSCloudTrailCreateLogStream2014110", "Effect": "Allow", "Action": ["logs:CreateLogStream"], "Resource": [streams]},
            {"Sid": "AWSCloudTrailPutLogEvents20141101", "Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": [streams]}]}
        assert iam_roles.judge_role(reference(CIS_TRUST, policy, arn=CIS_ROLE_ARN), "cloudtrail.amazonaws.com", cis_needs())[0] is True

    def test_only_one_of_the_two_actions(self):
        policy = copy.deepcopy(CIS_POLICY)
        policy["Statement"][0]["Action"] = "logs:CreateLogStream"
        ok, reasons = iam_roles.judge_role(reference(CIS_TRUST, policy, arn=CIS_ROLE_ARN), "cloudtrail.amazonaws.com", cis_needs())
        assert ok is False and "does not allow logs:PutLogEvents" in reasons[0]

    def test_another_log_group(self):
        policy = copy.deepcopy(CIS_POLICY)
        policy["Statement"][0]["Resource"] = "arn:aws:logs:us-east-1:222222222222:log-group:other:log-stream:*"
        assert iam_roles.judge_role(reference(CIS_TRUST, policy, arn=CIS_ROLE_ARN), "cloudtrail.amazonaws.com", cis_needs())[0] is False

    def test_a_trust_for_another_service(self):
        trust = copy.deepcopy(CIS_TRUST)
        trust["Statement"][0]["Principal"] = {"Service": "logs.amazonaws.com"}
        assert iam_roles.judge_role(reference(trust, CIS_POLICY, arn=CIS_ROLE_ARN), "cloudtrail.amazonaws.com", cis_needs())[0] is False

    @pytest.mark.parametrize("condition", [
        {"StringEquals": {"aws:SourceAccount": "222222222222"}},
        {"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:222222222222:trail/root-login-alerts"}},
    ])
    def test_a_trust_that_needs_the_confused_deputy_keys_cannot_be_decided(self, condition):
        """AWS: the role policy for CloudWatch Logs monitoring "doesn't support the use of aws:SourceArn and
        aws:SourceAccount"; whether CloudTrail sends them is not documented."""
        trust = copy.deepcopy(CIS_TRUST)
        trust["Statement"][0]["Condition"] = condition
        ok, reasons = iam_roles.judge_role(reference(trust, CIS_POLICY, arn=CIS_ROLE_ARN), "cloudtrail.amazonaws.com", cis_needs())
        assert ok is None and "depends on aws:SourceArn and aws:SourceAccount" in reasons[0], reasons

    def test_a_trust_scoped_to_another_account_is_broken_either_way(self):
        trust = copy.deepcopy(CIS_TRUST)
        trust["Statement"][0]["Condition"] = {"StringEquals": {"aws:SourceAccount": "333333333333"}}
        assert iam_roles.judge_role(reference(trust, CIS_POLICY, arn=CIS_ROLE_ARN), "cloudtrail.amazonaws.com", cis_needs())[0] is False


# == the verifier against stubbed AWS answers ===================================================
def verifier(stubs, check_mode=False):
    return iam_roles.RoleVerifier(stubs.factory, "us-east-1", check_mode=check_mode, warn=stubs.warn, account_id=ACCOUNT)


def queue_forwarding_role(iam, trust=None, policy=None, tags=None, boundary=None):
    trust = FORWARDING_TRUST if trust is None else trust
    policy = FORWARDING_POLICY if policy is None else policy
    iam.add_response("get_role", get_role_answer(FORWARDING, FORWARDING_ARN, trust, tags, boundary), {"RoleName": FORWARDING})
    iam.add_response("get_role_policy", {"RoleName": FORWARDING, "PolicyName": "rootwatch-forward-to-hub-bus", "PolicyDocument": json.dumps(policy)},
                     {"RoleName": FORWARDING, "PolicyName": "rootwatch-forward-to-hub-bus"})


# set_by as the stack passes it: where the user sets the role's name.
FORWARDING_PARAMS = {"role": "forwarding", "name": FORWARDING, "set_by": "root_login_alerts_forwarding_role_name",
                     "rule_arns": [SIGN_IN_RULE, REGIONAL_RULE], "bus_arns": [HUB_BUS],
                     "rule_name": "root-login-alerts", "hub_account_id": HUB}


class TestVerifier:
    def test_the_template_role_reads_two_requests_and_writes_nothing(self, stubs):
        queue_forwarding_role(stubs.stub("iam"))
        result = verifier(stubs).ensure(dict(FORWARDING_PARAMS))
        assert result["usable"] is True and result["blocking"] is False and result["problems"] == []
        assert result["changed"] is False and result["changes"] == [] and result["role_arn"] == FORWARDING_ARN
        assert result["facts"]["role"]["PolicyDocument"] == FORWARDING_POLICY and stubs.warnings == []

    def test_a_role_an_earlier_version_created_verifies_like_any_other(self, stubs):
        queue_forwarding_role(stubs.stub("iam"), tags=[{"Key": "rootwatch:created-by", "Value": "root_login_alerts"}])
        assert verifier(stubs).ensure(dict(FORWARDING_PARAMS))["usable"] is True

    def test_a_role_without_any_tag_verifies_too(self, stubs):
        queue_forwarding_role(stubs.stub("iam"), tags=[])
        assert verifier(stubs).ensure(dict(FORWARDING_PARAMS))["usable"] is True

    def test_missing_role_one_request_and_what_to_deploy(self, stubs):
        stubs.stub("iam").add_client_error("get_role", "NoSuchEntity", "The role cannot be found.", 404, expected_params={"RoleName": FORWARDING})
        result = verifier(stubs, check_mode=True).ensure(dict(FORWARDING_PARAMS))
        assert result["usable"] is False and result["blocking"] is True
        assert result["problems"] == ["IAM role root-login-alerts-forwarding (root_login_alerts_forwarding_role_name) does not exist"]
        assert result["role_arn"] == FORWARDING_ARN  # the ARN the template gives it
        assert "deploy docs/member-role.yml with CreateForwardingRole=true and HubAccountId=999999999999 in account 222222222222" in result["message"]
        assert "root_login_alerts_forwarding_role_name" in result["message"]

    def test_a_role_without_our_inline_policy(self, stubs):
        iam = stubs.stub("iam")
        iam.add_response("get_role", get_role_answer(FORWARDING, FORWARDING_ARN, FORWARDING_TRUST), {"RoleName": FORWARDING})
        iam.add_client_error("get_role_policy", "NoSuchEntity", "not found", 404)
        result = verifier(stubs).ensure(dict(FORWARDING_PARAMS))
        assert result["usable"] is False and "no inline policy rootwatch-forward-to-hub-bus" in result["problems"][0]

    def test_a_role_with_a_deny_statement(self, stubs):
        policy = with_statement(FORWARDING_POLICY, {"Sid": "Stop", "Effect": "Deny", "Action": "events:PutEvents", "Resource": HUB_BUS})
        queue_forwarding_role(stubs.stub("iam"), policy=policy)
        result = verifier(stubs, check_mode=True).ensure(dict(FORWARDING_PARAMS))
        assert result["usable"] is False and result["blocking"] is True and "'Stop'" in result["problems"][0]

    def test_a_boundary_does_not_block_but_is_never_usable(self, stubs):
        queue_forwarding_role(stubs.stub("iam"), boundary=BOUNDARY)
        result = verifier(stubs).ensure(dict(FORWARDING_PARAMS))
        assert result["usable"] is None and result["blocking"] is False and BOUNDARY in result["problems"][0]

    def test_an_unreadable_role_blocks_with_a_rerun_message(self, stubs):
        stubs.stub("iam").add_client_error("get_role", "AccessDenied", "no", 403)
        result = verifier(stubs).ensure(dict(FORWARDING_PARAMS))
        assert result["usable"] is None and result["blocking"] is True
        assert "iam:GetRole root-login-alerts-forwarding: AccessDenied" in result["message"] and "re-run" in result["message"]

    def test_unscoped_trust_is_used_with_a_warning(self, stubs):
        trust = copy.deepcopy(FORWARDING_TRUST)
        del trust["Statement"][0]["Condition"]["ArnLike"]
        queue_forwarding_role(stubs.stub("iam"), trust=trust)
        result = verifier(stubs).ensure(dict(FORWARDING_PARAMS))
        assert result["usable"] is True and result["role"]["notes"] == stubs.warnings
        assert len(stubs.warnings) == 1 and "no aws:SourceArn condition" in stubs.warnings[0]

    def test_known_reads_are_not_repeated(self, stubs):
        stubs.stub("iam")
        assert verifier(stubs).ensure(dict(FORWARDING_PARAMS), known={"role": reference()})["usable"] is True

    def test_cloudtrail_logs_role(self, stubs):
        iam = stubs.stub("iam")
        iam.add_response("get_role", get_role_answer(CIS_ROLE, CIS_ROLE_ARN, CIS_TRUST), {"RoleName": CIS_ROLE})
        iam.add_response("get_role_policy", {"RoleName": CIS_ROLE, "PolicyName": "rootwatch-cloudtrail-to-cloudwatch-logs",
                                             "PolicyDocument": json.dumps(CIS_POLICY)},
                         {"RoleName": CIS_ROLE, "PolicyName": "rootwatch-cloudtrail-to-cloudwatch-logs"})
        result = verifier(stubs).ensure({"role": "cloudtrail_logs", "name": CIS_ROLE, "log_group_name": GROUP, "trail_arn": TRAIL})
        assert result["usable"] is True and result["role_arn"] == CIS_ROLE_ARN

    def test_missing_cloudtrail_logs_role_names_its_parameter(self, stubs):
        stubs.stub("iam").add_client_error("get_role", "NoSuchEntity", "not found", 404)
        result = verifier(stubs).ensure({"role": "cloudtrail_logs", "name": CIS_ROLE, "log_group_name": GROUP, "trail_arn": TRAIL,
                                         "hub_account_id": HUB, "set_by": "root_login_alerts_cis_role_name"})
        assert "root_login_alerts_cis_role_name" in result["problems"][0]
        assert "deploy docs/member-role.yml with EnableCisMetricFilter=true in account" in result["message"]

    @pytest.mark.parametrize("params, words", [
        ({"role": "other", "name": FORWARDING}, "role must be"),
        ({"role": "forwarding", "name": "bad name"}, "name must be an IAM role name"),
        ({"role": "cloudtrail_logs", "name": None}, "name must be an IAM role name"),
        ({"role": "forwarding", "name": "r\u00f4le"}, "name must be an IAM role name"),  # IAM's pattern is ASCII
    ])
    def test_bad_params(self, stubs, params, words):
        with pytest.raises(ValueError, match=words):
            verifier(stubs).ensure(params)


def test_policy_documents_url_encoded_or_not():
    encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"
    assert iam_roles.policy_document(encoded) == {"Version": "2012-10-17", "Statement": []}
    assert iam_roles.policy_document({"a": 1}) == {"a": 1} and iam_roles.policy_document(None) is None


def test_role_arn():
    assert iam_roles.role_arn("us-east-1", ACCOUNT, "r") == "arn:aws:iam::222222222222:role/r"
    assert iam_roles.role_arn("cn-north-1", ACCOUNT, "r", "/svc/") == "arn:aws-cn:iam::222222222222:role/svc/r"
