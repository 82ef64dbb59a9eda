"""Email, a Slack channel, a Teams channel and PagerDuty and Opsgenie webhooks configured together (issue 22),
with the real ``ansible-playbook`` against the emulator and the fake chat service (tests/harness/chat_service.py).

Apply, no-op (changed=0, no write to the emulator or the chat service, the request count printed and bounded),
audit (each path judged; ``reaches`` names every kind), a deauthorized connection and a disabled channel
reported, ``state: absent`` removing what is ours, no secret in any output at ``-vvv``, and hub mode (the chat
channels and webhooks in the hub only). Every call of the runs is judged against the template's automation policy.

Emulator quirks, and how AWS is followed here:
- moto has no chatbot: the fake answers the chat API as botocore's model shapes it, and subscribes the chat
  service's https endpoint to a configuration's topics the way the service's own role does (see its docstring).
- moto sets every connection AUTHORIZED at once and has no DeauthorizeConnection; AWS de-authorizes a
  connection whose receiver answers 401 or 407 (user guide, "De-authorizing connections"). The deauthorized
  test answers DescribeConnection through the fault proxy with the state and StateReason AWS would give.
- moto's DescribeConnection sends back the secret values it was given; AWS never does. The collection reads only
  the fields AWS returns (test_api_destinations.py), so what is proven here holds on AWS too.
"""

import json

import pytest

import member_roles  # pylint: disable=import-error
from accounts import Account  # pylint: disable=import-error
from chat_service import ChatService, SUBSCRIPTION_ENDPOINT, is_chat_service_request  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from fault_proxy import FaultProxy  # pylint: disable=import-error
from iam_calls import NOT_COUNTED, iam_actions, request_region, template_module, template_values  # pylint: disable=import-error
from iam_oracle import allowed  # pylint: disable=import-error
from playbook_checks import (  # pylint: disable=import-error
    NAME,
    NO_OP_REQUEST_BUDGET,
    PLAYBOOK,
    SECRET_PATTERNS,
    assert_accounts,
    count,
    read_report,
    stack,
    write_inventory,
)
from playbook_runner import run_playbook  # pylint: disable=import-error

CHAT_TOPIC = NAME + "-chat"  # the stack's default: <topic name>-chat
SLACK = {"type": "slack", "workspace_id": "T0123ABCD", "channel_id": "C0123ABCD"}
TEAMS = {"type": "teams", "tenant_id": "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", "team_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
         "channel_id": "19:b6ef35dc342d56ba5654e6fc6d25a071@thread.tacv2"}
# Secret values, written out: each must never be printed. The routing key is PagerDuty's 32-character key.
ROUTING_KEY = "Rk7Qz2Xw9Lm4Np6Vb1Cd3Ef5Gh8Jt0Sy"
OPSGENIE_KEY = "0f2b5c1e-5ec2-4b1b-8c1c-70d3b9a4e6f1"
FINGERPRINT_KEY = "fingerprint-key-6b1d0c9e7a"
SECRETS = (ROUTING_KEY, OPSGENIE_KEY, FINGERPRINT_KEY)
WEBHOOKS = [
    {"name": "pagerduty", "url": "https://events.pagerduty.com/v2/enqueue", "format": "pagerduty_v2", "routing_key": ROUTING_KEY},
    {"name": "opsgenie", "url": "https://api.opsgenie.com/v2/alerts", "format": "opsgenie",
     "auth": {"type": "api_key", "header": "Authorization", "value": "GenieKey " + OPSGENIE_KEY}},
]
REACHES = ["email", "slack", "teams", "webhook:opsgenie", "webhook:pagerduty"]
COMMON = {"chat_channels": [SLACK, TEAMS], "webhooks": WEBHOOKS, "webhook_fingerprint_key": FINGERPRINT_KEY}
# A converged account with these destinations reads, beyond NO_OP_REQUEST_BUDGET (AssumeRole included):
# 2 chat lists (Slack, Teams), 2 per webhook (DescribeConnection, DescribeApiDestination), 1 GetRole per destination
# role (chat, webhooks), and the chat topic's attributes, tags, subscriptions and the chat subscription's filter
# policy (4), as for the email topic.
DESTINATIONS_BUDGET = NO_OP_REQUEST_BUDGET + 2 + 2 * len(WEBHOOKS) + 2 + 4


@pytest.fixture
def chat(emulator):
    with ChatService(emulator) as service:
        yield service


def deploy_roles(emulator, account, hub_account_id=""):
    """docs/member-role.yml with CreateChatRole and CreateWebhookRole, through the emulator's CloudFormation
    (member_roles.deploy with the two destination parameters on)."""
    parameters = {"AutomationAccountId": member_roles.AUTOMATION_ACCOUNT, "AutomationPrincipalArn": member_roles.AUTOMATION_PRINCIPAL,
                  "CreateForwardingRole": "true" if hub_account_id else "false", "HubAccountId": hub_account_id,
                  "CreateChatRole": "true", "CreateWebhookRole": "true"}
    cloudformation = emulator.client("cloudformation", account)
    cloudformation.create_stack(StackName=member_roles.STACK_NAME, TemplateBody=member_roles.template_body(), Capabilities=["CAPABILITY_NAMED_IAM"],
                                Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()])
    outputs = dict((o["OutputKey"], o["OutputValue"]) for o in cloudformation.describe_stacks(StackName=member_roles.STACK_NAME)["Stacks"][0]["Outputs"])
    iam = emulator.client("iam", account)
    for key in ("ChatChannelRoleArn", "WebhookInvocationRoleArn") + (("ForwardingRoleArn",) if hub_account_id else ()):
        member_roles._policies_as_json(iam, outputs[key].rsplit("/", 1)[-1])  # pylint: disable=protected-access
    return outputs


def prepared_account(emulator, chat, tmp_path, **overrides):
    account = simulated_accounts(1)[0]
    deploy_roles(emulator, account)
    # The one-time console step (no API): the workspace and the team are authorized for the account.
    chat.authorize_slack(account, SLACK["workspace_id"])
    chat.authorize_teams(account, TEAMS["tenant_id"], TEAMS["team_id"])
    inventory = write_inventory(tmp_path / "inventory.yml", [account], **dict(COMMON, **overrides))
    return account, inventory


def run(emulator, chat, inventory, reports, check=False, diff=False, args=(), callback="ansible.posix.json", environ=None, **extra_vars):
    """One run from clean recordings (emulator and chat service), with the chat endpoint exported."""
    emulator.clear_recording()
    chat.clear_recording()
    extra_vars.setdefault("root_alerts_report_dir", str(reports))
    env = dict(environ or emulator.environ(), **chat.environ())
    return run_playbook(PLAYBOOK, env, extra_vars=extra_vars, check=check, diff=diff, inventory=inventory, args=args, callback=callback)


def collection_requests(emulator):
    """The emulator's requests the collection made (not the fake chat service's SNS calls)."""
    return [request for request in emulator.requests() if not is_chat_service_request(request)]


def report_entry(reports):
    document, markdown = read_report(reports)
    return document["accounts"][0], markdown


def chat_topic_arn(account):
    return "arn:aws:sns:us-east-1:%s:%s" % (account, CHAT_TOPIC)


# -- what the runs asked of IAM (tests/harness/iam_calls.py's mapping, and the destination calls it does not know) ----
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"  # the ID EventBridge appends to a connection's or destination's ARN
DESTINATION_ACTIONS = {"CreateConnection", "DescribeConnection", "UpdateConnection", "DeleteConnection",
                       "CreateApiDestination", "DescribeApiDestination", "UpdateApiDestination", "DeleteApiDestination"}


def destination_calls(account, request):
    """[(IAM action, resource, context)] of an emulator request for a connection or an API destination."""
    params = json.loads(request.body or "{}")
    region = request_region(request)
    kind = "connection" if request.action.endswith("Connection") else "api-destination"
    found = [("events:%s" % request.action, "arn:aws:events:%s:%s:%s/%s/%s" % (region, account, kind, params["Name"], UNKNOWN_ID), {})]
    if request.action in ("CreateApiDestination", "DescribeApiDestination") and params.get("ConnectionArn"):
        found.append(("events:%s" % request.action, params["ConnectionArn"], {}))  # its second resource type
    return found


def chat_calls(request):
    """[(IAM action, resource, context)] of a request to the chat API (Service Authorization Reference, AWS Chatbot)."""
    body, action = request.body, "chatbot:%s" % request.operation
    if request.operation.startswith("Create"):
        found = [(action, "*", dict(("aws:RequestTag/%s" % t["TagKey"], t["TagValue"]) for t in body.get("Tags") or []))]
    elif request.operation.startswith(("Update", "Delete")):
        found = [(action, body["ChatConfigurationArn"], {})]
    elif request.operation == "TagResource":
        found = [(action, body["ResourceARN"], {})]
    else:
        found = [(action, "*", {})]
    if body.get("IamRoleArn"):
        found.append(("iam:PassRole", body["IamRoleArn"], {"iam:PassedToService": "chatbot.amazonaws.com"}))
    return found


def denied_calls(emulator, account, emulator_requests, chat_requests, parameters=None):
    """The calls of these runs that the automation policy of docs/member-role.yml with ``parameters`` (default:
    CreateChatRole and CreateWebhookRole) does not allow ([] when every one is allowed), and the IAM actions judged."""
    given = {"CreateChatRole": "true", "CreateWebhookRole": "true"} if parameters is None else parameters
    policy = template_module.automation_policy(template_module.load_template(), template_values(account, given))
    calls = []
    for request in emulator.requests_by_account(emulator_requests).get(account, []):
        if "%s:%s" % (request.service, request.action) in NOT_COUNTED:
            continue
        is_destination = request.service == "events" and request.action in DESTINATION_ACTIONS
        calls.extend(destination_calls(account, request) if is_destination else iam_actions(emulator, account, request))
    for request in chat_requests:
        calls.extend(chat_calls(request))
    denied = [(a, r, c) for a, r, c in calls if not allowed(policy, a, r, c)]
    return denied, sorted(set(a for a, unused, unused_context in calls))


def test_email_slack_teams_and_webhooks_apply_no_op_audit_and_absent(tmp_path, emulator, chat):
    account, inventory = prepared_account(emulator, chat, tmp_path)

    seen = {"emulator": [], "chat": []}

    def keep():
        seen["emulator"].extend(collection_requests(emulator))
        seen["chat"].extend(chat.requests())

    preview = run(emulator, chat, inventory, tmp_path / "preview", check=True, diff=True)
    assert preview.rc == 0, preview
    assert [r for r in collection_requests(emulator) if r.is_write] == [] and chat.write_requests() == []
    keep()

    applied = run(emulator, chat, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    keep()
    assert_accounts(applied, [account], changed=True)
    inside = Account(emulator, account)
    # The chat path: two configurations of ours on the chat topic only, with the template's channel role.
    configurations = chat.configurations(account)
    assert sorted(configurations) == sorted(["root-login-alerts-slack-T0123ABCD-C0123ABCD", next(n for n in configurations if "-teams-" in n)])
    for configuration in configurations.values():
        assert configuration["SnsTopicArns"] == [chat_topic_arn(account)], configuration
        assert configuration["IamRoleArn"] == "arn:aws:iam::%s:role/root-login-alerts-chat" % account, configuration
        assert {"TagKey": "rootwatch:created-by", "TagValue": "root_login_alerts"} in configuration["Tags"], configuration
        assert configuration["GuardrailPolicyArns"] == ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"], configuration
    assert chat.subscription_errors == []
    listing = inside.client("sns").list_subscriptions_by_topic(TopicArn=chat_topic_arn(account))["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in listing] == [("https", SUBSCRIPTION_ENDPOINT)]
    assert inside.subscriptions() == ["security@example.com"]  # the email topic keeps only email
    # The rule's targets: the email topic, the chat topic, and one API destination per webhook with the invocation role.
    targets = inside.client("events").list_targets_by_rule(Rule=NAME)["Targets"]
    arns = sorted(t["Arn"] for t in targets)
    assert inside.topic_arn() in arns and chat_topic_arn(account) in arns, arns
    hooks = [t for t in targets if ":api-destination/" in t["Arn"]]
    assert sorted(t["Arn"].split("/")[1] for t in hooks) == ["root-login-alerts-opsgenie", "root-login-alerts-pagerduty"], hooks
    assert all(t["RoleArn"] == "arn:aws:iam::%s:role/root-login-alerts-webhooks" % account for t in hooks), hooks
    assert all(t.get("DeadLetterConfig", {}).get("Arn") and t.get("RetryPolicy") for t in targets), targets
    pagerduty = [t for t in hooks if "pagerduty" in t["Arn"]][0]
    assert '"dedup_key"' in pagerduty["InputTransformer"]["InputTemplate"], pagerduty

    again = run(emulator, chat, inventory, tmp_path / "again")
    assert again.rc == 0, again
    assert_accounts(again, [account], changed=False)
    keep()
    ours = collection_requests(emulator)
    assert [r for r in ours if r.is_write] == [] and chat.write_requests() == [], ([r for r in ours if r.is_write], chat.write_requests())
    counted = count(emulator.requests_by_account(ours)[account])
    chat_reads = [r.operation for r in chat.requests()]
    print("\nconverged requests in %s: %d to the emulator %s, %d to the chat service %s (budget %d)"
          % (account, sum(counted.values()), dict(counted), len(chat_reads), chat_reads, DESTINATIONS_BUDGET))
    assert sorted(chat_reads) == ["DescribeSlackChannelConfigurations", "ListMicrosoftTeamsChannelConfigurations"]
    assert sum(counted.values()) + len(chat_reads) <= DESTINATIONS_BUDGET, counted

    audit = run(emulator, chat, inventory, tmp_path / "audit", check=True)
    assert audit.rc == 0, audit
    assert [r for r in collection_requests(emulator) if r.is_write] == [] and chat.write_requests() == []
    entry, markdown = report_entry(tmp_path / "audit")
    assert entry["status"] == "compliant", entry["problems"]
    assert entry["reaches"] == REACHES, entry
    assert "reaches email, slack, teams, webhook:opsgenie, webhook:pagerduty" in markdown, markdown
    keep()

    removed = run(emulator, chat, write_inventory(tmp_path / "absent.yml", [account], **dict(COMMON, state="absent")), tmp_path / "absent")
    assert removed.rc == 0, removed
    keep()
    assert chat.configurations(account) == {}
    assert chat_topic_arn(account) not in inside.topics() and inside.topic_arn() not in inside.topics()
    events = inside.client("events")
    assert events.list_connections(NamePrefix=NAME)["Connections"] == []
    assert events.list_api_destinations(NamePrefix=NAME)["ApiDestinations"] == []
    assert NAME not in inside.rules()
    # The template's roles stay: they belong to the stack.
    roles = [r["RoleName"] for r in inside.client("iam").list_roles()["Roles"]]
    assert "root-login-alerts-chat" in roles and "root-login-alerts-webhooks" in roles

    # Every call of these five runs is one the template's automation policy (both destination opt-ins) allows.
    # The emulator does not enforce IAM; the policy is judged with the collection's evaluator, as in test_iam_policy.py.
    denied, judged = denied_calls(emulator, account, seen["emulator"], seen["chat"])
    assert denied == [], denied
    for action in ("chatbot:CreateSlackChannelConfiguration", "chatbot:DeleteMicrosoftTeamsChannelConfiguration", "events:CreateConnection",
                   "events:CreateApiDestination", "events:DeleteConnection", "events:PutTargets", "iam:PassRole"):
        assert action in judged, (action, judged)
    # Without the opt-ins the same runs are refused their chat and webhook calls: the judging bites.
    refused = set(a for a, unused, unused_context in denied_calls(emulator, account, seen["emulator"], seen["chat"], parameters={})[0])
    assert {"chatbot:CreateSlackChannelConfiguration", "events:CreateConnection", "events:PutTargets", "iam:PassRole"} <= refused, refused


def test_secrets_never_appear_in_any_output_at_vvv(tmp_path, emulator, chat):
    account, inventory = prepared_account(emulator, chat, tmp_path)
    verbose = run(emulator, chat, inventory, tmp_path / "apply", diff=True, args=("-vvv",), callback="default")
    output = verbose.raw + "\n" + verbose.stderr
    assert verbose.rc == 0, output[-4000:]
    assert "root-login-alerts-pagerduty" in output and "events.pagerduty.com" in output, "not a -vvv run that shows the webhooks"
    document, markdown = read_report(tmp_path / "apply")
    files = {"stdout and stderr": output, "report.json": json.dumps(document), "report.md": markdown}
    # A changed secret, and an audit, print nothing secret either.
    rotated = "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp"
    rotated_settings = dict(COMMON)
    rotated_settings["webhooks"] = [dict(WEBHOOKS[0], routing_key=rotated), WEBHOOKS[1]]
    rotate = run(emulator, chat, write_inventory(tmp_path / "rotated.yml", [account], **rotated_settings), tmp_path / "rotate",
                 diff=True, args=("-vvv",), callback="default")
    assert rotate.rc == 0, rotate.stderr[-4000:]
    assert "update connection" in rotate.raw or "root-login-alerts-pagerduty" in rotate.raw
    document, markdown = read_report(tmp_path / "rotate")
    files.update({"rotate stdout and stderr": rotate.raw + rotate.stderr, "rotate report.json": json.dumps(document), "rotate report.md": markdown})
    audit = run(emulator, chat, inventory, tmp_path / "audit", check=True, diff=True, args=("-vvv",), callback="default")
    assert audit.rc == 0, audit.stderr[-4000:]
    document, markdown = read_report(tmp_path / "audit")
    files.update({"audit stdout and stderr": audit.raw + audit.stderr, "audit report.json": json.dumps(document), "audit report.md": markdown})
    leaks = ["%s in %s" % (secret if secret != rotated else "the rotated key", where)
             for where, text in sorted(files.items()) for secret in SECRETS + (rotated,) if secret in text]
    assert leaks == [], leaks
    assert [m.group(0) for text in files.values() for p in SECRET_PATTERNS for m in p.finditer(text)] == []
    # The values were sent: they are in AWS (the routing key in the target's input, the Opsgenie key in the connection).
    targets = Account(emulator, account).client("events").list_targets_by_rule(Rule=NAME)["Targets"]
    assert any(rotated in (t.get("InputTransformer") or {}).get("InputTemplate", "") for t in targets)


def deauthorizing(connection_name, reason):
    """A fault-proxy answer: DescribeConnection of ``connection_name`` as AWS gives it once the receiver refused
    the credentials (state DEAUTHORIZED with its StateReason); every other request goes on to the emulator."""
    def answer(proxy, method, path, headers, body):
        if not (headers.get("X-Amz-Target") or "").endswith(".DescribeConnection") or json.loads(body or "{}").get("Name") != connection_name:
            return None
        status, answer_headers, data, unused = proxy.forward(method, path, headers, body.encode("utf-8"))
        described = json.loads(data)
        described.update(ConnectionState="DEAUTHORIZED", StateReason=reason)
        return status, answer_headers, json.dumps(described).encode("utf-8")
    return answer


def test_a_deauthorized_connection_and_disabled_channels_are_reported(tmp_path, emulator, chat):
    account, inventory = prepared_account(emulator, chat, tmp_path)
    assert run(emulator, chat, inventory, tmp_path / "apply").rc == 0
    reason = "Connection is deauthorized because the endpoint returned 401 Unauthorized"
    policy = "Disabled by the organization's chat applications policy"
    for name in chat.configurations(account):
        chat.set_state(account, name, "DISABLED", policy)
    with FaultProxy(emulator, rate=0, answer=deauthorizing("root-login-alerts-pagerduty", reason)) as proxy:
        audit = run(emulator, chat, inventory, tmp_path / "audit", check=True, environ=proxy.environ())
        assert audit.rc == 0, audit
        entry, markdown = report_entry(tmp_path / "audit")
        # Email and Opsgenie still reach someone; the deauthorized webhook and the disabled channels do not.
        assert entry["reaches"] == ["email", "webhook:opsgenie"], entry
        paths = dict((path["target_id"], path) for path in entry["paths"])
        pagerduty = paths["rootwatch-webhook-pagerduty"]
        assert not pagerduty["complete"] and pagerduty["problem"] == "connection root-login-alerts-pagerduty is DEAUTHORIZED: %s" % reason, pagerduty
        chat_path = paths["rootwatch-root-login-alerts-chat"]
        assert not chat_path["complete"], chat_path
        for name in chat.configurations(account):
            assert "%s is DISABLED (%s)" % (name, policy) in chat_path["problem"], chat_path["problem"]
        assert "re-authorize (was DEAUTHORIZED: %s)" % reason in markdown, markdown

        # An apply sends the credentials again ("update the connection with appropriate credentials").
        repaired = run(emulator, chat, inventory, tmp_path / "repair", environ=proxy.environ())
        assert repaired.rc == 0, repaired
        changes = stack(repaired, account)["changes"]
        assert [c for c in changes if c.startswith("update connection root-login-alerts-pagerduty") and "re-authorize" in c], changes
        assert [r for r in proxy.seen() if (r["headers"].get("X-Amz-Target") or "").endswith(".UpdateConnection")]


def test_in_hub_mode_the_chat_channels_and_webhooks_are_the_hubs(tmp_path, emulator, chat):
    hub, member = simulated_accounts(2, first=444444444441)
    deploy_roles(emulator, hub, hub_account_id=hub)
    member_roles.deploy(emulator, member, hub_account_id=hub)  # the forwarding role only
    chat.authorize_slack(hub, SLACK["workspace_id"])
    chat.authorize_teams(hub, TEAMS["tenant_id"], TEAMS["team_id"])
    destinations = {"chat_channels": [SLACK, TEAMS], "webhooks": WEBHOOKS, "webhook_fingerprint_key": FINGERPRINT_KEY}
    inventory = write_inventory(tmp_path / "inventory.yml", {hub: destinations, member: {}}, hub_account_id=hub, member_accounts=[hub, member])
    applied = run(emulator, chat, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    assert len(chat.configurations(hub)) == 2 and chat.configurations(member) == {}
    assert chat.subscription_errors == []
    hub_events, member_events = Account(emulator, hub).client("events"), Account(emulator, member).client("events")
    assert sorted(c["Name"] for c in hub_events.list_connections(NamePrefix=NAME)["Connections"]) == [
        "root-login-alerts-opsgenie", "root-login-alerts-pagerduty"]
    assert member_events.list_connections(NamePrefix=NAME)["Connections"] == []
    assert chat_topic_arn(hub) in Account(emulator, hub).topics() and chat_topic_arn(member) not in Account(emulator, member).topics()

    audit = run(emulator, chat, inventory, tmp_path / "audit", check=True)
    assert audit.rc == 0, audit
    assert [r for r in collection_requests(emulator) if r.is_write] == [] and chat.write_requests() == []
    document, unused = read_report(tmp_path / "audit")
    entries = dict((entry["account"], entry) for entry in document["accounts"])
    assert entries[hub]["status"] == "compliant" and entries[member]["status"] == "compliant", (entries[hub]["problems"], entries[member]["problems"])
    assert entries[hub]["reaches"] == REACHES, entries[hub]
