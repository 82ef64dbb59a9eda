"""The two IAM roles of docs/member-role.yml, arranged in an emulated account: for the tests, the demo and the bench.

rootwatch.aws never writes a role (issue 19, option (a)): the forwarding role (hub mode, regional profiles)
and the CloudTrail-to-CloudWatch-Logs role (``root_login_alerts_cis_metric_filter``) come from the member-role
template, and the collection only verifies them. :func:`deploy` creates them the way a user does: it deploys
docs/member-role.yml itself through the emulator's CloudFormation, so what is tested is the template's roles.

Emulator quirk (moto 5): CloudFormation stores an inline role policy given as an object as its Python repr
(``{'Version': ...}``, single quotes), so GetRolePolicy answers text that is not JSON; AWS answers the JSON
document (URL-encoded). :func:`deploy` rewrites each inline policy of the stack's roles as the JSON document
the template gave, which is what AWS holds.
"""

import ast
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE = os.path.join(ROOT, "docs", "member-role.yml")
STACK_NAME = "rootwatch-member-roles"
# The template's AutomationPrincipalArn: the emulator's own account runs the playbook (moto does not check trusts).
AUTOMATION_ACCOUNT = "123456789012"
AUTOMATION_PRINCIPAL = "arn:aws:iam::123456789012:role/rootwatch-controller"
FORWARDING_ROLE = "root-login-alerts-forwarding"
CIS_ROLE = "root-login-alerts-cloudtrail-logs"
FORWARDING_POLICY = "rootwatch-forward-to-hub-bus"
CIS_POLICY = "rootwatch-cloudtrail-to-cloudwatch-logs"


def template_body():
    with open(TEMPLATE, encoding="utf-8") as handle:
        return handle.read()


def deploy(emulator, account, hub_account_id=None, forwarding=True, cis=False):
    """Deploy docs/member-role.yml in ``account`` (us-east-1; IAM is global), with ``CreateForwardingRole``,
    ``EnableCisMetricFilter`` and ``HubAccountId`` as given. Returns the stack's outputs {key: value}."""
    parameters = {
        "AutomationAccountId": AUTOMATION_ACCOUNT,
        "AutomationPrincipalArn": AUTOMATION_PRINCIPAL,
        "CreateForwardingRole": "true" if forwarding else "false",
        "EnableCisMetricFilter": "true" if cis else "false",
        "HubAccountId": hub_account_id or "",
    }
    cloudformation = emulator.client("cloudformation", account)
    cloudformation.create_stack(
        StackName=STACK_NAME, TemplateBody=template_body(), Capabilities=["CAPABILITY_NAMED_IAM"],
        Parameters=[{"ParameterKey": key, "ParameterValue": value} for key, value in parameters.items()])
    stack = cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise RuntimeError("docs/member-role.yml did not deploy in %s: %s %s" % (account, stack["StackStatus"], stack.get("StackStatusReason")))
    outputs = dict((o["OutputKey"], o["OutputValue"]) for o in stack.get("Outputs") or [])
    iam = emulator.client("iam", account)
    for key in ("ForwardingRoleArn", "CloudTrailLogsRoleArn"):
        if key in outputs:
            _policies_as_json(iam, outputs[key].rsplit("/", 1)[-1])
    return outputs


def deploy_all(emulator, accounts, **options):
    """:func:`deploy` in every account of ``accounts``."""
    return dict((account, deploy(emulator, account, **options)) for account in accounts)


def _policies_as_json(iam, role_name):
    """The moto quirk above, undone: each inline policy as the JSON document it was given."""
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        if isinstance(document, str):
            try:
                json.loads(document)
                continue
            except ValueError:
                document = ast.literal_eval(document)
        iam.put_role_policy(RoleName=role_name, PolicyName=name, PolicyDocument=json.dumps(document))


def inline_policy(emulator, account, role_name=FORWARDING_ROLE, policy_name=FORWARDING_POLICY):
    """The role's inline policy document, as GetRolePolicy answers it."""
    document = emulator.client("iam", account).get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
    return json.loads(document) if isinstance(document, str) else document


def trust_policy(emulator, account, role_name=FORWARDING_ROLE):
    document = emulator.client("iam", account).get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    return json.loads(document) if isinstance(document, str) else document


def role_names(emulator, account):
    return sorted(r["RoleName"] for r in emulator.client("iam", account).list_roles()["Roles"]
                  if r["RoleName"] in (FORWARDING_ROLE, CIS_ROLE))
