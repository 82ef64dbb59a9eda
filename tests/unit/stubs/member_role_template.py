"""docs/member-role.yml resolved the way CloudFormation resolves it, for the tests of the policy.

Only what the template uses: parameters with their defaults, AllowedPattern and AllowedValues;
the pseudo parameters AWS::AccountId, AWS::Partition and AWS::NoValue; Conditions built from
Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition; and Fn::Sub (string form), Ref and Fn::If in
properties. ``AWS::NoValue`` removes the list item or property it stands for ("Condition functions",
CloudFormation user guide). Anything else raises, so a template change this module cannot read
fails the tests instead of being judged half-resolved.

Also the extra statements docs/iam-policy.md documents for the JSON (fenced ``json`` blocks that
hold one statement with a Sid), so the tests can check them against the template's opt-in ones.
"""

import copy
import json
import os
import re

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TEMPLATE_PATH = os.path.join(ROOT, "docs", "member-role.yml")
POLICY_PATH = os.path.join(ROOT, "docs", "iam-policy.json")
POLICY_DOC_PATH = os.path.join(ROOT, "docs", "iam-policy.md")
AUTOMATION_ROLE = "RootwatchAutomationRole"
ACCOUNT_VARIABLE = "${aws:PrincipalAccount}"
HUB_PLACEHOLDER = "HUB_ACCOUNT_ID"
HUB_ACCOUNT_SID = "HubBusPolicyHubAccountOnly"
# docs/iam-policy.json is the template for these values; the hub-account statement is in it (IsHub).
# The two trust parameters have no default and do not appear in the policy.
JSON_PARAMETERS = {"HubAccountId": HUB_PLACEHOLDER, "AutomationAccountId": "AUTOMATION_ACCOUNT_ID",
                   "AutomationPrincipalArn": "AUTOMATION_PRINCIPAL_ARN"}
JSON_CONDITIONS = {"IsHub": True}
# The placeholders docs/iam-policy.md's extra statements use for the opt-in parameters.
DOCUMENTED_PARAMETERS = dict(JSON_PARAMETERS, CisReusedTrailName="CIS_REUSED_TRAIL_NAME", TrailBucketName="TRAIL_BUCKET_NAME",
                             TrailBucketOwner="TRAIL_BUCKET_OWNER")
NO_VALUE = object()
_SUB_RE = re.compile(r"\$\{(!?)([^}]+)\}")
_JSON_BLOCK_RE = re.compile(r"^```json\n(.*?)^```", re.S | re.M)


def load_template(path=TEMPLATE_PATH):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)  # long-form intrinsic functions only, so plain YAML reads it


def load_policy(path=POLICY_PATH):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def documented_statements(path=POLICY_DOC_PATH):
    """{Sid: statement} of the extra statements docs/iam-policy.md gives for the JSON."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    found = {}
    for block in _JSON_BLOCK_RE.findall(text):
        statement = json.loads(block)
        if isinstance(statement, dict) and statement.get("Sid"):
            found[statement["Sid"]] = statement
    return found


def parameters(template, account_id, validate=True, **given):
    """The stack's parameter values: ``given`` over the defaults, with the pseudo parameters.

    ``validate`` checks each value against its AllowedPattern and AllowedValues, as CloudFormation
    does before it creates anything (placeholders such as HUB_ACCOUNT_ID need validate=False)."""
    declared = template["Parameters"]
    unknown = set(given) - set(declared)
    if unknown:
        raise KeyError("not parameters of the template: %s" % sorted(unknown))
    values = {"AWS::Partition": "aws", "AWS::AccountId": account_id}
    for name, spec in declared.items():
        if name not in given and "Default" not in spec:
            raise KeyError("parameter %s has no default and was not given" % name)
        value = given.get(name, spec.get("Default"))
        if validate:
            problem = parameter_problem(spec, value)
            if problem:
                raise ValueError("parameter %s=%r: %s" % (name, value, problem))
        values[name] = value
    return values


def parameter_problem(spec, value):
    """Why CloudFormation would refuse ``value`` for a String parameter ``spec``, or None."""
    if "AllowedValues" in spec and value not in spec["AllowedValues"]:
        return "not one of %s" % spec["AllowedValues"]
    if "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], value):
        return spec.get("ConstraintDescription") or "does not match %s" % spec["AllowedPattern"]
    return None


def conditions(template, values, overrides=None):
    """{condition name: bool}; ``overrides`` pins some (the JSON is the hub account's policy)."""
    declared = template.get("Conditions") or {}
    found = dict(overrides or {})

    def condition(name):
        if name not in found:
            found[name] = bool(evaluate(declared[name]))
        return found[name]

    def evaluate(node):
        if isinstance(node, dict) and len(node) == 1:
            (function, argument), = node.items()
            if function == "Condition":
                return condition(argument)
            if function == "Fn::Equals":
                left, right = (resolve(item, values, found) for item in argument)
                return left == right
            if function == "Fn::Not":
                return not evaluate(argument[0])
            if function == "Fn::And":
                return all(evaluate(item) for item in argument)
            if function == "Fn::Or":
                return any(evaluate(item) for item in argument)
        raise ValueError("a condition this module cannot evaluate: %r" % (node,))

    for name in declared:
        condition(name)
    return found


def resolve(node, values, found_conditions):
    """``node`` with every intrinsic function replaced by its value; NO_VALUE for AWS::NoValue."""
    if isinstance(node, dict):
        if len(node) == 1:
            (function, argument), = node.items()
            if function == "Ref":
                if argument == "AWS::NoValue":
                    return NO_VALUE
                return values[argument]
            if function == "Fn::Sub":
                if not isinstance(argument, str):
                    raise ValueError("use the string form of Fn::Sub: %r" % (argument,))
                return _SUB_RE.sub(lambda m: "${" + m.group(2) + "}" if m.group(1) else str(values[m.group(2)]), argument)
            if function == "Fn::If":
                name, when_true, when_false = argument
                return resolve(when_true if found_conditions[name] else when_false, values, found_conditions)
            if function.startswith("Fn::"):
                raise ValueError("an intrinsic function this module does not resolve: %s" % function)
        resolved = {key: resolve(item, values, found_conditions) for key, item in node.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}
    if isinstance(node, list):
        return [item for item in (resolve(entry, values, found_conditions) for entry in node) if item is not NO_VALUE]
    return node


def resolved_roles(template, values, condition_overrides=None):
    """{logical ID: the role's resolved Properties} of the AWS::IAM::Role resources the stack creates."""
    found = conditions(template, values, condition_overrides)
    roles = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        if resource.get("Condition") and not found[resource["Condition"]]:
            continue
        roles[logical_id] = resolve(copy.deepcopy(resource["Properties"]), values, found)
    return roles


def inline_policy(role, name=None):
    """The one inline policy document of a resolved role (or the one named ``name``)."""
    policies = [p for p in role.get("Policies") or [] if name is None or p["PolicyName"] == name]
    if len(policies) != 1:
        raise ValueError("expected one inline policy%s, found %s" % (" named %s" % name if name else "",
                                                                     [p["PolicyName"] for p in role.get("Policies") or []]))
    return policies[0]["PolicyDocument"]


def automation_policy(template, values, condition_overrides=None):
    return inline_policy(resolved_roles(template, values, condition_overrides)[AUTOMATION_ROLE])


def json_equivalent(template):
    """The automation policy as docs/iam-policy.json must read: the template with the JSON's placeholders."""
    values = parameters(template, ACCOUNT_VARIABLE, validate=False, **JSON_PARAMETERS)
    return automation_policy(template, values, JSON_CONDITIONS)


def opt_in_statements(template):
    """{Sid: statement} of the automation policy's statements that only some stacks have (Fn::If),
    resolved with the placeholders of docs/iam-policy.md and the hub account's IsHub."""
    values = parameters(template, ACCOUNT_VARIABLE, validate=False, **DOCUMENTED_PARAMETERS)
    found = conditions(template, values, JSON_CONDITIONS)
    raw = template["Resources"][AUTOMATION_ROLE]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    statements = {}
    for entry in raw:
        if isinstance(entry, dict) and set(entry) == {"Fn::If"}:
            name, when_true, unused = entry["Fn::If"]
            statements[when_true["Sid"]] = (name, resolve(when_true, values, found))
    return statements


def json_as_documented(policy, account_id, hub_account_id=None, extra=(), keep_variable=False):
    """docs/iam-policy.json as docs/iam-policy.md says to deploy it in ``account_id``: HUB_ACCOUNT_ID
    replaced by the hub's ID (hub mode), the hub-account statement dropped anywhere but in the hub,
    and the documented ``extra`` statements (already filled in) added. ``${aws:PrincipalAccount}``
    becomes the account, unless ``keep_variable`` (an evaluator that resolves it gets it as written)."""
    adapted = copy.deepcopy(policy)
    if hub_account_id != account_id:
        adapted["Statement"] = [s for s in adapted["Statement"] if s["Sid"] != HUB_ACCOUNT_SID]
    adapted["Statement"].extend(copy.deepcopy(list(extra)))
    text = json.dumps(adapted)
    if not keep_variable:
        text = text.replace(ACCOUNT_VARIABLE, account_id)
    if hub_account_id:
        text = text.replace(HUB_PLACEHOLDER, hub_account_id)
    return json.loads(text)
