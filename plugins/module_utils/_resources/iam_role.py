# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two IAM roles rootwatch.aws uses and never writes: read, then judged by what they may do.

``docs/member-role.yml`` creates them (issue 19, option (a)); the automation role has no IAM write
action, so the collection reads each role with two requests (``iam:GetRole``, then
``iam:GetRolePolicy`` of the template's inline policy name) and passes it to the one service it is
for:

- the forwarding role (``root_login_alerts_forwarding_role_name``), which EventBridge assumes for a
  target that is an event bus: the hub bus (hub mode) or the account's own us-east-1 default bus
  (regional profiles). Its trust must admit ``events.amazonaws.com`` with ``aws:SourceAccount`` the
  account and ``aws:SourceArn`` our rule: "For EventBridge event bus rule targets, the value of
  aws:SourceArn must be the rule ARN" (EventBridge user guide, "Cross-service confused deputy
  prevention"). Its inline policy must allow ``events:PutEvents`` on the bus.
- the CloudTrail-to-CloudWatch-Logs role (``root_login_alerts_cis_role_name``), which CloudTrail
  assumes to deliver to the CIS log group. AWS documents its trust without a condition: "Confused
  deputy prevention is not applicable to the role policy for CloudWatch Logs monitoring. The role
  policy doesn't support the use of aws:SourceArn and aws:SourceAccount" (CloudTrail user guide,
  "Role policy document for CloudTrail to use CloudWatch Logs for monitoring"). Whether CloudTrail
  sends those keys is not documented, so a trust that depends on them cannot be decided here.
  Its inline policy must allow ``logs:CreateLogStream`` and ``logs:PutLogEvents`` on the stream
  CloudTrail writes, ``<account>_CloudTrail_<region>`` ("CloudWatch log group and log stream naming
  for CloudTrail"). The ``o-<organization id>_*`` streams of an organization trail are not checked:
  the organization ID is not read.

Judged with ``policy_evaluation``, never by comparing text: the trust lets the service call
``sts:AssumeRole`` with the context it sends, the inline policy allows each needed action on its
resource, and no explicit Deny in it blocks one. Not read, each one more request per role and
run: other inline policies (ListRolePolicies), attached managed policies
(ListAttachedRolePolicies) and the permissions boundary's document (GetPolicy and
GetPolicyVersion). A Deny in an attached policy is therefore not seen. A boundary is visible in
GetRole's answer (``PermissionsBoundary``): with one, an action our inline policy allows is
``unknown`` (the boundary may not allow it), never usable. ``iam:SimulatePrincipalPolicy`` would
evaluate all of them, but costs a request per action and role in every run, needs the caller to
supply the service's context keys anyway, and is one more IAM permission.

Ownership tags do not matter here: rootwatch.aws never writes a role, so a role of that name
that passes is used, whoever created it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

from urllib.parse import unquote

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import partition_for_region
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import GLOBAL_REGION
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import AwsCallError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_summary
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_role_name
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import make_diff
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._policy import evaluation as policy_evaluation

EVENTS_SERVICE = "events.amazonaws.com"
CLOUDTRAIL_SERVICE = "cloudtrail.amazonaws.com"
TEMPLATE = "docs/member-role.yml"
FORWARDING = "forwarding"
CLOUDTRAIL_LOGS = "cloudtrail_logs"
# The two roles of docs/member-role.yml: the inline policy each is read by, the service it is for and the template
# parameter that creates it. Messages name the role by ``params["set_by"]``, where the caller sets its name.
ROLES = {
    FORWARDING: {
        "what": "the forwarding role EventBridge assumes",
        "policy_name": "rootwatch-forward-to-hub-bus",
        "service": EVENTS_SERVICE,
        "parameter": "CreateForwardingRole",
    },
    CLOUDTRAIL_LOGS: {
        "what": "the role CloudTrail assumes to write to the CIS log group",
        "policy_name": "rootwatch-cloudtrail-to-cloudwatch-logs",
        "service": CLOUDTRAIL_SERVICE,
        "parameter": "EnableCisMetricFilter",
    },
}
# The confused-deputy keys CloudTrail may not send when it assumes the CloudWatch Logs role (see above).
CLOUDTRAIL_MAY_LACK = ("aws:SourceArn", "aws:SourceAccount")


def set_by(params):
    """Where the role's name is set, for messages: the caller's ``set_by``, else the parameter ``name``."""
    return params.get("set_by") or "name"


class _NotRead(object):
    """The inline policy was not read (a role the template did not make has no known policy name)."""


NOT_READ = _NotRead()


# -- pure helpers ----------------------------------------------------------------------
def policy_document(value):
    """A policy document as a dict (botocore decodes IAM's URL-encoded JSON; be lenient)."""
    if value is None or isinstance(value, dict):
        return value
    return json.loads(unquote(value))


def role_arn(region, account_id, name, path="/"):
    """The ARN IAM gives a role (the template's roles have path ``/``)."""
    return "arn:%s:iam::%s:role%s%s" % (partition_for_region(region), account_id, path or "/", name)


def role_reference(role, policy_name=None, policy=NOT_READ):
    """A role as the judges take it, JSON-safe (no timestamps): ``Arn``, ``AssumeRolePolicyDocument``,
    ``PermissionsBoundary`` (its ARN or None) and, when the inline policy was read, ``PolicyName`` and
    ``PolicyDocument`` (None: the role has no such policy). ``role`` is GetRole's Role."""
    reference = {
        "Arn": role.get("Arn"),
        "AssumeRolePolicyDocument": policy_document(role.get("AssumeRolePolicyDocument")),
        "PermissionsBoundary": (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
    }
    if policy is not NOT_READ:
        reference.update(PolicyName=policy_name, PolicyDocument=policy_document(policy))
    return reference


def forwarding_needs(account_id, arn, rule_arns, bus_arns):
    """What the forwarding role ``arn`` must allow: EventBridge assumes it for each rule of ``rule_arns``,
    and it may call events:PutEvents on each bus of ``bus_arns``."""
    return {
        "trust": [{"context": {"aws:SourceAccount": account_id, "aws:SourceArn": rule}, "for": "rule %s" % rule}
                  for rule in rule_arns],
        "permissions": [{"action": "events:PutEvents", "resource": bus, "context": _principal_context(arn, account_id)}
                        for bus in bus_arns],
    }


def forwarding_rule_probe(account_id, rule_name, region=GLOBAL_REGION):
    """The trust request of a rule that is not ours (its name does not start with ``rule_name``): a trust that
    admits it is not scoped to our rules."""
    rule = "arn:%s:events:%s:%s:rule/not-%s" % (partition_for_region(region), region, account_id, rule_name)
    return {"context": {"aws:SourceAccount": account_id, "aws:SourceArn": rule}, "for": "a rule that is not ours"}


def cloudtrail_logs_needs(account_id, region, arn, log_group_name, trail_arn):
    """What the CloudTrail-to-CloudWatch-Logs role ``arn`` must allow: CloudTrail assumes it for ``trail_arn``,
    and it may create and write the stream CloudTrail names ``<account>_CloudTrail_<region>``."""
    stream = "arn:%s:logs:%s:%s:log-group:%s:log-stream:%s_CloudTrail_%s" % (
        partition_for_region(region), region, account_id, log_group_name, account_id, region)
    context = _principal_context(arn, account_id)
    return {
        "trust": [{"context": {"aws:SourceAccount": account_id, "aws:SourceArn": trail_arn}, "for": "trail %s" % trail_arn,
                   "may_lack": CLOUDTRAIL_MAY_LACK}],
        "permissions": [{"action": action, "resource": stream, "context": context}
                        for action in ("logs:CreateLogStream", "logs:PutLogEvents")],
    }


def _principal_context(arn, account_id):
    # The role's session calls the action: these global keys are present in every request it makes.
    return {"aws:PrincipalArn": arn, "aws:PrincipalAccount": account_id}


def _as_resource_policy(document):
    """An identity policy in the form policy_evaluation evaluates: a resource-policy statement without a
    principal applies to no one, while an identity-policy statement applies to its identity. IAM rejects a
    Principal in an identity policy ("MalformedPolicyDocument"), so ``"Principal": "*"`` adds nothing else."""
    document = copy.deepcopy(document)
    statements = document.get("Statement") if isinstance(document, dict) else None
    for statement in statements if isinstance(statements, list) else [statements]:
        if isinstance(statement, dict) and "Principal" not in statement and "NotPrincipal" not in statement:
            statement["Principal"] = "*"
    return document


def _definitely_denied(result):
    # policy_evaluation words a Deny that surely applies "is explicitly denied by"; one it could not fully
    # evaluate is only "treated as denied", and is unknown here.
    return result["decision"] == policy_evaluation.EXPLICIT_DENY and " is explicitly denied by " in result["reason"]


def _outcome(result, allowed, denied, unknown):
    if result["allowed"]:
        return True, allowed
    if _definitely_denied(result) or not result["unevaluated"]:
        return False, "%s: %s" % (denied, result["reason"])
    return None, "%s: %s %s" % (unknown, result["reason"], " ".join(result["unevaluated"]))


def judge_trust(reference, service, request):
    """Does the trust let ``service`` assume the role with ``request["context"]``? -> (True/False/None, reason).
    Keys listed in ``request["may_lack"]`` may be absent: a trust that depends on them is None."""
    trust = reference.get("AssumeRolePolicyDocument")
    if trust is None:
        return None, "its trust policy was not read"
    arn = reference.get("Arn") or "*"
    context = dict(request["context"])
    lacking = dict((k, v) for k, v in context.items() if k not in (request.get("may_lack") or ()))
    results = [policy_evaluation.evaluate(trust, {"Service": service}, "sts:AssumeRole", arn, ctx)
               for ctx in ([context, lacking] if request.get("may_lack") else [context])]
    if len(results) == 2 and results[0]["allowed"] != results[1]["allowed"]:
        return None, ("whether its trust lets %s assume it for %s depends on %s, which AWS documents as not supported "
                      "for this role; docs/member-role.yml trusts the service without a condition"
                      % (service, request["for"], " and ".join(request["may_lack"])))
    return _outcome(results[0], "its trust lets %s assume it for %s" % (service, request["for"]),
                    "its trust does not let %s assume it for %s" % (service, request["for"]),
                    "its trust could not be fully evaluated for %s" % request["for"])


def judge_permission(reference, request):
    """Does the role's inline policy allow ``request["action"]`` on ``request["resource"]``, with no explicit
    Deny in it? -> (True/False/None, reason). A permissions boundary makes an allowed action None."""
    action, resource = request["action"], request["resource"]
    name = reference.get("PolicyName")
    if "PolicyDocument" not in reference:
        return None, "its permissions were not read (only the inline policy of a role named by the role variables is)"
    if reference["PolicyDocument"] is None:
        return False, "it has no inline policy %s allowing %s on %s" % (name, action, resource)
    result = policy_evaluation.evaluate(_as_resource_policy(reference["PolicyDocument"]), {"AWS": reference.get("Arn") or "*"},
                                        action, resource, request.get("context"))
    ok, reason = _outcome(result, "its inline policy %s allows %s on %s" % (name, action, resource),
                          "its inline policy %s does not allow %s on %s" % (name, action, resource),
                          "its inline policy %s could not be fully evaluated for %s on %s" % (name, action, resource))
    if ok and reference.get("PermissionsBoundary"):
        return None, ("its inline policy %s allows %s on %s, but it has the permissions boundary %s, which is not read: "
                      "whether the boundary allows it too cannot be told" % (name, action, resource, reference["PermissionsBoundary"]))
    return ok, reason


def judge_role(reference, service, needs):
    """The role (a :func:`role_reference`, None when it does not exist, ``{"error"}`` when a read failed) against
    ``needs`` (:func:`forwarding_needs`, :func:`cloudtrail_logs_needs`) -> (True/False/None, reasons): every need
    met (what it may do), else what is missing (False) or what cannot be told (None)."""
    if reference is None:
        return False, ["does not exist"]
    if reference.get("error"):
        return None, ["could not be read: %s" % reference["error"]]
    judged = [judge_trust(reference, service, request) for request in needs["trust"]]
    judged.extend(judge_permission(reference, request) for request in needs["permissions"])
    for wanted in (False, None):
        reasons = [reason for ok, reason in judged if ok is wanted]
        if reasons:
            return wanted, reasons
    return True, [reason for unused, reason in judged]


# -- the verifier ----------------------------------------------------------------------
class RoleVerifier(ResourceManager):
    """Reads one of the two roles and says whether it is usable; never writes (check mode changes nothing).

    ``ensure(params, known)`` params: ``role`` (:data:`FORWARDING` or :data:`CLOUDTRAIL_LOGS`), ``name``
    (the role variable's value), and what the role is used for: ``rule_arns`` and ``bus_arns`` (forwarding;
    ``rule_name`` too, to tell whether its trust is scoped to our rules), or ``log_group_name`` and
    ``trail_arn`` (CloudTrail). ``hub_account_id`` names the template's HubAccountId in the message. ``known``
    may hold ``role`` (:meth:`read`'s answer). It returns the manager contract, never changed, with the extra
    keys ``role`` (view), ``role_arn`` (the role's, or the ARN it would have), ``usable`` (True, False, or
    None when it cannot be told), ``problems`` (one line each naming the role and its variable), ``blocking``
    (missing, insufficient or unreadable: an apply must stop before any write) and ``message`` (what to do).
    The view also has ``notes``: warnings about a usable role (a forwarding trust not scoped to our rules).
    """

    kind = "IAM role"

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(RoleVerifier, self).__init__(clients, region, check_mode, warn, account_id)
        self.iam = clients("iam", region)

    def read(self, name, policy_name=None):
        """GetRole, then GetRolePolicy of ``policy_name`` (none: not read) -> :func:`role_reference`; None when the
        role does not exist; ``{"error": text}`` when a read failed."""
        role_read = "iam:GetRole %s" % name
        try:
            answer = aws_call(role_read, self.iam.get_role, not_found=("NoSuchEntity",), RoleName=name)
        except AwsCallError as exc:
            return {"error": error_summary(role_read, exc)}
        if answer is None:
            return None
        role = answer["Role"]
        policy = NOT_READ
        if policy_name:
            policy_read = "iam:GetRolePolicy %s %s" % (name, policy_name)
            try:
                inline = aws_call(policy_read, self.iam.get_role_policy, not_found=("NoSuchEntity",), RoleName=name, PolicyName=policy_name)
            except AwsCallError as exc:
                return {"Arn": role.get("Arn"), "error": error_summary(policy_read, exc)}
            policy = inline["PolicyDocument"] if inline is not None else None
        try:
            return role_reference(role, policy_name, policy)
        except ValueError as exc:  # IAM answers JSON; anything else cannot be judged
            return {"Arn": role.get("Arn"), "error": "the policies of IAM role %s are not JSON: %s" % (name, exc)}

    def needs(self, params, arn):
        if params["role"] == FORWARDING:
            return forwarding_needs(self.account_id, arn, params.get("rule_arns") or [], params.get("bus_arns") or [])
        return cloudtrail_logs_needs(self.account_id, self.region, arn, params["log_group_name"], params["trail_arn"])

    def ensure(self, params, known=None):
        spec = ROLES.get(params.get("role"))
        if spec is None:
            raise ValidationError("role must be %s or %s, got %r" % (FORWARDING, CLOUDTRAIL_LOGS, params.get("role")))
        name = params.get("name")
        validate_role_name(name, "name")
        known = known or {}
        reference = known["role"] if "role" in known else self.read(name, spec["policy_name"])
        arn = (reference or {}).get("Arn") or role_arn(self.region, self.account_id, name)
        usable, reasons = judge_role(reference, spec["service"], self.needs(params, arn))
        # "IAM role R (variable) does not exist", "IAM role R (variable): its trust ..."
        joint = " " if reasons and reasons[0].startswith(("does not", "could not")) else ": "
        problems = [] if usable else ["IAM role %s (%s)%s%s" % (name, set_by(params), joint, "; ".join(reasons))]
        notes = self._unscoped_trust(spec, name, reference, params) if usable else []
        for note in notes:
            self.warn(note)
        blocking = usable is False or bool((reference or {}).get("error"))
        view = {"name": name, "arn": arn, "policy_name": spec["policy_name"], "usable": usable, "problems": problems, "notes": notes}
        return manager_result(False, make_diff(view, view), [], {"role": reference}, role=view, role_arn=arn, usable=usable,
                              problems=problems, blocking=blocking, message=self.message(spec, reference, problems, params))

    def _unscoped_trust(self, spec, name, reference, params):
        """A forwarding role whose trust also admits a rule that is not ours still forwards, so it is used (the alert
        path works), with a warning: whoever may create a rule and pass the role can put events on the bus with it."""
        if params["role"] != FORWARDING or not params.get("rule_name"):
            return []
        if not judge_trust(reference, spec["service"], forwarding_rule_probe(self.account_id, params["rule_name"], self.region))[0]:
            return []
        return ["IAM role %s (%s) lets EventBridge assume it for any rule of account %s, not only for rules whose names start "
                "with %s: its trust has no aws:SourceArn condition that limits it to our rules, so anyone allowed to create a "
                "rule and pass this role can put events on %s with it; %s scopes it with ArnLike aws:SourceArn"
                % (name, set_by(params), self.account_id, params["rule_name"], " and ".join(params.get("bus_arns") or []), TEMPLATE)]

    def message(self, spec, reference, problems, params):
        """What to do about a role that is not usable: deploy the template (the collection never writes a role),
        or re-run when its read failed."""
        if not problems:
            return ""
        if (reference or {}).get("error"):
            return "%s. A failed read is never taken as 'missing'; re-run when it succeeds" % "; ".join(problems)
        hub = params.get("hub_account_id")
        parameters = "%s=true%s" % (spec["parameter"], " and HubAccountId=%s" % hub if hub and params["role"] == FORWARDING else "")
        return ("%s. rootwatch.aws neither creates nor changes IAM roles: deploy %s with %s in account %s (it creates %s), "
                "or set %s to a role that passes these checks" % ("; ".join(problems), TEMPLATE, parameters,
                                                                  self.account_id, spec["what"], set_by(params)))
