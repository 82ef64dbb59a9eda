"""Hub mode through real ansible-playbook runs: one hub and three members.

The hub holds the only topic (one subscription per address in the whole organization), a custom
event bus whose policy admits the members, a rule on it to the topic and a dead-letter queue. Each
member forwards with a rule on its default bus, a role EventBridge assumes and a dead-letter queue.
The role comes from docs/member-role.yml (deployed first, tests/harness/member_roles.py); the
collection only reads and verifies it, and never writes to IAM.

Emulator quirks this test lives with (the code follows AWS): email subscriptions are confirmed at
once, so a converged organization reads compliant; events put on the hub bus are not delivered
across accounts, so delivery itself is not exercised, only the path the verdict proves.
"""

import json

import member_roles  # pylint: disable=import-error
from accounts import Account  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from hub_organization import (  # pylint: disable=import-error
    BUS,
    HUB_REMOVAL_TASK,
    HUB_TARGET_ID,
    MEMBER_NO_OP_BUDGET,
    QUEUE,
    bus_arn,
    organization,
)
from playbook_checks import (  # pylint: disable=import-error
    CREATED_BY,
    EMAILS,
    NAME,
    account_failed,
    assert_accounts,
    failed_task,
    read_report,
    run,
    stack,
    statuses,
    write_inventory,
)


def iam_writes(emulator):
    return [r.action for r in emulator.write_requests() if r.service == "iam"]


def queue_attributes(inside):
    sqs = inside.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"], sqs.list_queue_tags(QueueUrl=url).get("Tags")


def test_hub_and_three_members_apply_reapply_audit_broken_member_and_absent(tmp_path, emulator):
    hub, members, inventory = organization(emulator, tmp_path, 555555556001)
    everyone = [hub] + members
    hub_inside = Account(emulator, hub)

    preview = run(emulator, inventory, tmp_path / "preview", check=True)
    assert preview.rc == 0, preview
    assert emulator.write_requests() == [], [r.action for r in emulator.write_requests()]
    found = statuses(tmp_path / "preview")[0]
    assert set(found.values()) == {"needs_action"}, found

    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    assert stack(applied, hub)["hub_mode"] == "hub" and all(stack(applied, m)["hub_mode"] == "member" for m in members)
    assert iam_writes(emulator) == []  # the roles are the template's; the collection never writes to IAM

    # The hub: one topic, one subscription per address, the bus admitting the members, a rule to the topic.
    assert hub_inside.topics() == [hub_inside.topic_arn()]
    events = hub_inside.client("events")
    bus = events.describe_event_bus(Name=BUS)
    policy = json.loads(bus["Policy"])
    principals = [s for s in policy["Statement"] if s["Sid"] == "RootwatchMemberPutEvents"][0]["Principal"]["AWS"]
    assert sorted(principals) == sorted("arn:aws:iam::%s:root" % m for m in members)
    assert CREATED_BY in events.list_tags_for_resource(ResourceARN=bus["Arn"])["Tags"]
    hub_target = events.list_targets_by_rule(Rule=NAME, EventBusName=BUS)["Targets"][0]
    assert hub_target["Arn"] == hub_inside.topic_arn()
    assert hub_target["DeadLetterConfig"]["Arn"] == "arn:aws:sqs:us-east-1:%s:%s" % (hub, QUEUE)
    assert hub_target["RetryPolicy"] == {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}
    assert "InputTransformer" in hub_target
    topic_policy = json.loads(hub_inside.client("sns").get_topic_attributes(TopicArn=hub_inside.topic_arn())["Attributes"]["Policy"])
    sources = [s for s in topic_policy["Statement"] if s["Sid"] == "RootwatchAllowEventBridgePublish"][0]["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert "arn:aws:events:us-east-1:%s:rule/%s/%s" % (hub, BUS, NAME) in sources
    attributes, tags = queue_attributes(hub_inside)
    assert attributes["SqsManagedSseEnabled"] == "true" and tags == {"rootwatch:created-by": "root_login_alerts"}

    # Members: no topic, a forwarding rule with the template's role, verified and used as it is.
    for member in members:
        inside = Account(emulator, member)
        assert inside.topics() == [], member
        target = inside.client("events").list_targets_by_rule(Rule=NAME)["Targets"]
        assert [t["Id"] for t in target] == [HUB_TARGET_ID] and target[0]["Arn"] == bus_arn(hub)
        assert target[0]["RoleArn"] == "arn:aws:iam::%s:role/%s" % (member, member_roles.FORWARDING_ROLE)
        assert target[0]["DeadLetterConfig"]["Arn"] == "arn:aws:sqs:us-east-1:%s:%s" % (member, QUEUE)
        role = inside.client("iam").get_role(RoleName=member_roles.FORWARDING_ROLE)["Role"]
        assert role["Tags"] == [{"Key": "rootwatch:created-by", "Value": "member-role-template"}], role
        assert stack(applied, member)["forwarding_role_arn"] == role["Arn"]
        assert queue_attributes(inside)[1] == {"rootwatch:created-by": "root_login_alerts"}

    # Exactly one email subscription per address in the whole organization.
    subscribed = []
    for account in everyone:
        sns = Account(emulator, account).client("sns")
        subscribed.extend(s["Endpoint"] for s in sns.list_subscriptions()["Subscriptions"] if s["Protocol"] == "email")
    assert sorted(subscribed) == sorted(EMAILS)

    found, document, markdown = statuses(tmp_path / "apply")
    assert found == dict((a, "compliant") for a in everyone), document["accounts"]
    assert "%s (hub)" % hub in markdown and "hub bus -> %s" % NAME in markdown

    again = run(emulator, inventory, tmp_path / "again")
    assert_accounts(again, everyone, changed=False)
    assert emulator.write_requests() == [], [r.action for r in emulator.write_requests()]
    reached = emulator.requests_by_account(emulator.requests())
    for member in members:
        actions = [r.action for r in reached[member]]
        assert len(actions) <= MEMBER_NO_OP_BUDGET, (member, len(actions), sorted(actions))
        assert actions.count("GetRole") == 1 and actions.count("GetRolePolicy") == 1 and "ListRoleTags" not in actions, actions

    audit = run(emulator, inventory, tmp_path / "audit", check=True)
    assert audit.rc == 0 and emulator.write_requests() == []
    assert statuses(tmp_path / "audit")[0] == dict((a, "compliant") for a in everyone)
    # The hub is read once per run, by its own host: one DescribeEventBus, and no member reads the hub.
    by_account = emulator.requests_by_account(emulator.requests())
    assert [r.action for r in emulator.requests()].count("DescribeEventBus") == 1
    assert [r for r in by_account[hub] if r.action == "DescribeEventBus"]

    # The hub alone is not enough to judge a member: without it in the run, a member is unknown.
    limited = run(emulator, inventory, tmp_path / "limited", check=True, args=("--limit", members[0]))
    assert limited.rc == 0, limited
    entry = [e for e in read_report(tmp_path / "limited")[0]["accounts"] if e["account"] == members[0]][0]
    assert entry["status"] == "unknown" and "hub account was not read" in " ".join(entry["problems"]), entry

    # A member whose forwarding rule was removed needs action, and so does one whose dead-letter queue
    # holds an event (EventBridge could not deliver an alert); the others stay compliant.
    broken = Account(emulator, members[0]).client("events")
    broken.remove_targets(Rule=NAME, Ids=[HUB_TARGET_ID])
    broken.delete_rule(Name=NAME)
    sqs = Account(emulator, members[1]).client("sqs")
    sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"], MessageBody=json.dumps({"detail-type": "lost"}))
    audit = run(emulator, inventory, tmp_path / "broken", check=True)
    assert audit.rc == 0 and emulator.write_requests() == []
    found, document, unused = statuses(tmp_path / "broken")
    assert found == {hub: "compliant", members[0]: "needs_action", members[1]: "needs_action", members[2]: "compliant"}, found
    entries = dict((e["account"], " ".join(e["problems"])) for e in document["accounts"])
    assert "forwards root console sign-ins to hub bus %s" % bus_arn(hub) in entries[members[0]], entries
    assert "dead-letter queue %s holds 1 event(s)" % QUEUE in entries[members[1]], entries
    sqs.purge_queue(QueueUrl=sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"])
    repaired = run(emulator, inventory, tmp_path / "repaired")
    assert repaired.rc == 0 and statuses(tmp_path / "repaired")[0][members[0]] == "compliant"

    # absent: members first, the hub in the role's later task; nothing of ours is left.
    removed = run(emulator, inventory, tmp_path / "absent", root_login_alerts_state="absent")
    assert removed.rc == 0, removed
    assert stack(removed, hub).get("hub_deferred") is True
    assert removed.result(HUB_REMOVAL_TASK, host=hub)["changed"] is True
    assert "delete event bus %s" % BUS in removed.result(HUB_REMOVAL_TASK, host=hub)["changes"]
    assert statuses(tmp_path / "absent")[0] == dict((a, "removed") for a in everyone)
    assert [b["Name"] for b in hub_inside.client("events").list_event_buses()["EventBuses"]] == ["default"]
    for account in everyone:
        inside = Account(emulator, account)
        assert [r for r in inside.rules() if r.startswith(NAME)] == [] and inside.topics() == [], account
        assert inside.client("sqs").list_queues().get("QueueUrls", []) == [], account
        # The roles belong to the template: absent leaves them alone.
        assert member_roles.role_names(emulator, account) == [member_roles.FORWARDING_ROLE], account
    assert iam_writes(emulator) == []


def test_a_foreign_hub_bus_stops_the_hub_before_any_write_and_members_go_on(tmp_path, emulator):
    hub, members, inventory = organization(emulator, tmp_path, 555555556101)
    hub_inside = Account(emulator, hub)
    hub_inside.client("events").create_event_bus(Name=BUS)
    emulator.clear_recording()
    checked = run(emulator, inventory, tmp_path / "reports")
    assert checked.rc != 0
    assert account_failed(checked, hub) and not any(account_failed(checked, m) for m in members)
    unused, message = failed_task(checked, hub)
    assert "event bus %s in us-east-1 exists but was not created by rootwatch.aws" % BUS in message, message
    assert emulator.requests_by_account(emulator.write_requests()).get(hub, []) == []
    assert hub_inside.topics() == []
    found = statuses(tmp_path / "reports")[0]
    assert found[hub] == "failed" and set(found[m] for m in members) == {"unknown"}, found


def test_hub_mode_needs_the_admitted_accounts(tmp_path, emulator):
    accounts = simulated_accounts(2, first=555555556201)
    inventory = write_inventory(tmp_path / "inventory.yml", accounts, hub_account_id=accounts[0])
    checked = run(emulator, inventory, tmp_path / "reports")
    assert checked.rc != 0 and emulator.write_requests() == []
    unused, message = failed_task(checked, accounts[1])
    assert "root_login_alerts_organization_id" in message and "root_login_alerts_member_accounts" in message, message


def test_moving_from_per_account_mode_to_hub_mode_without_a_gap(tmp_path, emulator):
    """docs/hub.md, "Moving from per-account mode": hub first, then members with both paths, then retire."""
    accounts = simulated_accounts(2, first=555555556701)
    hub, member = accounts
    inside = Account(emulator, member)
    member_roles.deploy_all(emulator, accounts, hub_account_id=hub)
    per_account = write_inventory(tmp_path / "per-account.yml", accounts)
    assert run(emulator, per_account, tmp_path / "per-account").rc == 0
    assert inside.subscriptions() == sorted(EMAILS)

    hub_mode = write_inventory(tmp_path / "hub.yml", accounts, hub_account_id=hub, member_accounts=accounts)
    assert run(emulator, hub_mode, tmp_path / "hub-only", args=("--limit", hub)).rc == 0
    both = run(emulator, hub_mode, tmp_path / "both")
    assert both.rc == 0, both
    # Both paths alert meanwhile: the member's own topic and the hub bus.
    assert sorted(inside.targets()) == sorted(["rootwatch-root-login-alerts", HUB_TARGET_ID])
    found, document, unused = statuses(tmp_path / "both")
    assert found == {hub: "compliant", member: "compliant"}, found
    paths = [e for e in document["accounts"] if e["account"] == member][0]["paths"]
    assert sorted(bool(p.get("via_hub")) for p in paths if p["complete"]) == [False, True], paths

    retire = write_inventory(tmp_path / "retire.yml", accounts, hub_account_id=hub, member_accounts=accounts, retire_account_topic=True)
    retired = run(emulator, retire, tmp_path / "retired")
    assert retired.rc == 0, retired
    assert list(inside.targets()) == [HUB_TARGET_ID]
    assert inside.topics() == []
    assert statuses(tmp_path / "retired")[0] == {hub: "compliant", member: "compliant"}
    assert_accounts(run(emulator, retire, tmp_path / "quiet"), accounts, changed=False)


def test_the_forwarding_role_is_verified_never_written(tmp_path, emulator):
    """docs/member-role.yml makes the forwarding role; the collection only verifies it (issue 19 item 1, option (a)).

    - A member without the role: the preview reads needs_action with a line that names the role; an apply fails that
      member before any write, naming the role, its variable and what to deploy; the others go on.
    - A role with an inline Deny of events:PutEvents (issue 21): needs_action, and an apply stops before any write.
    - A role whose trust lost its aws:SourceArn scope still forwards for our rules, so it is used (the alert path
      works), with a warning: any rule of the account could then use it to put events on the hub bus.
    """
    missing = simulated_accounts(2, first=555555556801)[1]
    hub, members, inventory = organization(emulator, tmp_path, 555555556801, without_roles=[missing])
    unused, denied, unscoped = members

    preview = run(emulator, inventory, tmp_path / "preview", check=True)
    assert preview.rc == 0 and emulator.write_requests() == [], preview
    entry = [e for e in read_report(tmp_path / "preview")[0]["accounts"] if e["account"] == missing][0]
    assert entry["status"] == "needs_action"
    assert "IAM role %s (root_login_alerts_forwarding_role_name) does not exist" % member_roles.FORWARDING_ROLE in entry["problems"], entry["problems"]

    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc != 0
    assert account_failed(applied, missing) and not [a for a in (hub, denied, unscoped) if account_failed(applied, a)]
    message = failed_task(applied, missing)[1]
    assert "nothing was changed" in message and "IAM role %s (root_login_alerts_forwarding_role_name) does not exist" % member_roles.FORWARDING_ROLE in message
    assert "deploy docs/member-role.yml with CreateForwardingRole=true and HubAccountId=%s in account %s" % (hub, missing) in message, message
    assert emulator.requests_by_account(emulator.write_requests()).get(missing, []) == []
    assert iam_writes(emulator) == [] and member_roles.role_names(emulator, missing) == []

    # Someone changes two of the template's roles afterwards.
    policy = member_roles.inline_policy(emulator, denied)
    policy["Statement"].append({"Sid": "FreezeForwarding", "Effect": "Deny", "Action": "events:PutEvents", "Resource": "*"})
    emulator.client("iam", denied).put_role_policy(RoleName=member_roles.FORWARDING_ROLE, PolicyName=member_roles.FORWARDING_POLICY,
                                                   PolicyDocument=json.dumps(policy))
    trust = member_roles.trust_policy(emulator, unscoped)
    del trust["Statement"][0]["Condition"]["ArnLike"]
    emulator.client("iam", unscoped).update_assume_role_policy(RoleName=member_roles.FORWARDING_ROLE, PolicyDocument=json.dumps(trust))

    audit = run(emulator, inventory, tmp_path / "audit", check=True)
    assert audit.rc == 0 and emulator.write_requests() == []
    found, document, unused = statuses(tmp_path / "audit")
    assert (found[hub], found[denied], found[unscoped]) == ("compliant", "needs_action", "compliant"), found
    problems = " ".join([e for e in document["accounts"] if e["account"] == denied][0]["problems"])
    assert "explicitly denied by statement(s) 'FreezeForwarding'" in problems, problems
    warnings = " ".join(stack(audit, unscoped).get("warnings") or [])
    assert "no aws:SourceArn condition" in warnings, warnings

    again = run(emulator, inventory, tmp_path / "again")
    assert account_failed(again, denied) and not account_failed(again, unscoped) and not account_failed(again, hub)
    assert "explicitly denied" in failed_task(again, denied)[1]
    assert emulator.requests_by_account(emulator.write_requests()).get(denied, []) == []
    assert "FreezeForwarding" in json.dumps(member_roles.inline_policy(emulator, denied))  # left as it was
