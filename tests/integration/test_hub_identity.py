"""Issue 21, items 4 and 5: keys judged with the context AWS sends, and the hub judged with the member's own identity.

- Table row 4: a topic key policy that lets events.amazonaws.com in only under aws:SourceAccount and aws:SourceArn
  is ``unknown`` (whether they reach KMS on this path is not documented), never ``needs_action``.
- Table row 8: the hub bus admits aws:PrincipalOrgID; a member outside that organization is not compliant. The
  member reads its own organization (organizations:DescribeOrganization, one request).
- Table row 10: the hub's bus rule narrowed to ``"account": [hub]`` matches no member event (forwarded events keep
  the member's account), so members are not compliant, and the problem names the account.
- A member rule whose target is the hub bus without a RoleArn counts when the bus admits the account directly.

The emulator models Organizations: the hub creates one and an account in it (CreateAccount gives it its ID), and a
simulated account outside it answers AWSOrganizationsNotInUseException. Emulator quirks lived with: email
subscriptions are confirmed at once; events put on the hub bus are not delivered across accounts, so only the path
the verdict proves is shown.
"""

import json

import member_roles  # pylint: disable=import-error
from accounts import RECIPE_TOPIC, Account, build_recipe  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from hub_organization import BUS, MEMBER_NO_OP_BUDGET, bus_arn  # pylint: disable=import-error
from playbook_checks import NAME, run, statuses, write_inventory  # pylint: disable=import-error

# The sign-in pattern of a rule of the member's own, written out (not the collection's writer).
SIGN_IN_PATTERN = {"source": ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"],
                   "detail": {"userIdentity": {"type": ["Root"]}}}


def problems_of(document, account):
    entry = [e for e in document["accounts"] if e["account"] == account][0]
    return " ".join(entry["problems"] + (entry.get("unknown") or []))


def test_a_key_granted_to_events_only_under_source_conditions_is_unknown_not_broken(tmp_path, emulator):
    account = simulated_accounts(1, first=555555557001)[0]
    inside = Account(emulator, account)
    key_policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % account},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "EventBridgeForOurRuleOnly", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": account},
                       "ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:%s:rule/rootstack-RootActivityRule" % account}}}]}
    key = inside.client("kms").create_key(Policy=json.dumps(key_policy))["KeyMetadata"]["Arn"]
    build_recipe(inside, kms_key=key)
    inventory = write_inventory(tmp_path / "inventory.yml", [account])
    audit = run(emulator, inventory, tmp_path / "audit", check=True)
    assert audit.rc == 0 and emulator.write_requests() == [], audit
    document = statuses(tmp_path / "audit")[1]
    entry = document["accounts"][0]
    assert entry["status"] == "unknown", entry
    text = problems_of(document, account)
    assert "aws:SourceArn" in text and "aws:SourceAccount" in text and RECIPE_TOPIC in text, text
    assert "does not let events.amazonaws.com use" not in text, text


def test_the_hub_judges_each_member_with_its_own_organization_account_and_principal(tmp_path, emulator):
    hub = simulated_accounts(1, first=555555557101)[0]
    outside = simulated_accounts(1, first=555555557102)[0]
    organizations = emulator.client("organizations", hub)
    organization_id = organizations.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    inside_member = organizations.create_account(Email="member@example.com", AccountName="member")["CreateAccountStatus"]["AccountId"]
    accounts = [hub, inside_member, outside]
    member_roles.deploy_all(emulator, accounts, hub_account_id=hub)
    # The bus admits the organization only (no member_accounts).
    inventory = write_inventory(tmp_path / "inventory.yml", accounts, hub_account_id=hub, organization_id=organization_id)

    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    found, document, unused = statuses(tmp_path / "apply")
    # Row 8: the account outside the organization is denied by the aws:PrincipalOrgID statement.
    assert found == {hub: "compliant", inside_member: "compliant", outside: "needs_action"}, document["accounts"]
    assert "does not admit aws.signin events from role arn:aws:iam::%s:role/" % outside in problems_of(document, outside)

    # A converged member makes one request more than in listed-accounts mode: its organization.
    again = run(emulator, inventory, tmp_path / "again")
    assert again.rc == 0 and emulator.write_requests() == [], [r.action for r in emulator.write_requests()]
    reached = emulator.requests_by_account(emulator.requests())
    for member in (inside_member, outside):
        actions = [r.action for r in reached[member]]
        assert actions.count("DescribeOrganization") == 1, actions
        assert len(actions) <= MEMBER_NO_OP_BUDGET + 1, (member, len(actions), sorted(actions))
    assert "DescribeOrganization" not in [r.action for r in reached[hub]]

    # Row 10: the hub's rule narrowed to the hub account matches no member event.
    events = Account(emulator, hub).client("events")
    rule = events.describe_rule(Name=NAME, EventBusName=BUS)
    narrowed = dict(json.loads(rule["EventPattern"]), account=[hub])
    events.put_rule(Name=NAME, EventBusName=BUS, EventPattern=json.dumps(narrowed), State="ENABLED")
    audit = run(emulator, inventory, tmp_path / "narrowed", check=True)
    assert audit.rc == 0 and emulator.write_requests() == []
    found, document, unused = statuses(tmp_path / "narrowed")
    assert found[inside_member] == "needs_action", document["accounts"]
    assert "for the events of account %s" % inside_member in problems_of(document, inside_member)
    events.put_rule(Name=NAME, EventBusName=BUS, EventPattern=rule["EventPattern"], State="ENABLED")

    # A role-less target counts when the bus admits the account directly (AWS's account example: PutPermission
    # with the account as Principal); a RoleArn is needed only for an organization grant (PutTargets, RoleArn).
    events.put_permission(EventBusName=BUS, Action="events:PutEvents", Principal=outside, StatementId="TheirDirectGrant")
    theirs = Account(emulator, outside).client("events")
    theirs.put_rule(Name="their-forwarder", EventPattern=json.dumps(SIGN_IN_PATTERN), State="ENABLED")
    theirs.put_targets(Rule="their-forwarder", Targets=[{"Id": "direct", "Arn": bus_arn(hub)}])
    audit = run(emulator, inventory, tmp_path / "role-less", check=True)
    assert audit.rc == 0 and emulator.write_requests() == []
    found, document, unused = statuses(tmp_path / "role-less")
    assert found == {hub: "compliant", inside_member: "compliant", outside: "compliant"}, document["accounts"]
    paths = dict((p["rule"], p) for p in [e for e in document["accounts"] if e["account"] == outside][0]["paths"])
    # The direct grant admits the account, so our role's sessions too (a statement naming an account admits its principals).
    assert sorted(name for name, p in paths.items() if p["complete"]) == [NAME, "their-forwarder"], paths
    forwarding = [entry for entry in paths["their-forwarder"]["links"] if entry["link"] == "forwarding"][0]
    assert forwarding["ok"] is True and "without a role" in forwarding["reason"] and "TheirDirectGrant" in forwarding["reason"], forwarding
