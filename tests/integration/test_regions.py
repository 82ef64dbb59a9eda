"""Regional profiles (api_activity) across two regions, in per-account mode and in hub mode, and every
profile's pattern against its samples.

Outside us-east-1 the profile's rule forwards to the account's us-east-1 default bus (per-account
mode) or to the hub bus (hub mode), with the forwarding role and a dead-letter queue in that region;
the us-east-1 rule (or the hub bus rule) alerts the topic. A region removed from the list loses our
rule and queue there. The forwarding role comes from docs/member-role.yml (tests/harness/member_roles.py);
the collection verifies it before any write and never writes to IAM.

Emulator quirks this test lives with (the code follows AWS): ec2:DescribeRegions lists every region
moto knows, so the regions are always given here; events are not delivered across regions or
accounts, so the test checks the path that is built, not a delivered email.
"""

import json

import member_roles  # pylint: disable=import-error
from accounts import Account  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from playbook_checks import (  # pylint: disable=import-error
    NAME,
    account_failed,
    assert_accounts,
    failed_task,
    read_report,
    run,
    stack,
    write_inventory,
)

API_RULE = NAME + "-api-activity"
QUEUE = "root-login-alerts-undelivered"
ROLE = "root-login-alerts-forwarding"
TWO = ["us-east-1", "eu-west-1"]


def rules_in(emulator, account, region):
    events = Account(emulator, account, region).client("events")
    return [rule["Name"] for rule in events.list_rules()["Rules"]]


def queues_in(emulator, account, region):
    return Account(emulator, account, region).client("sqs").list_queues().get("QueueUrls", [])


def test_api_activity_in_two_regions_per_account_then_a_region_removed_then_absent(tmp_path, emulator):
    account = simulated_accounts(1, first=555555556301)[0]
    inventory = write_inventory(tmp_path / "two.yml", [account], profiles=["console_sign_in", "api_activity"], regions=TWO)

    preview = run(emulator, inventory, tmp_path / "preview", check=True)
    assert preview.rc == 0 and emulator.write_requests() == [], [r.action for r in emulator.write_requests()]
    assert any(r.action == "DescribeRegions" for r in emulator.requests())  # read, not guessed
    assert "create rule %s" % API_RULE in stack(preview, account)["changes"]
    # The template was not deployed: the preview says which role is missing, and an apply stops before any write.
    missing = "IAM role %s (root_login_alerts_forwarding_role_name) does not exist" % ROLE
    assert missing in stack(preview, account)["compliance"]["problems"], stack(preview, account)["compliance"]
    assert stack(preview, account)["compliance"]["status"] == "needs_action"
    refused = run(emulator, inventory, tmp_path / "refused")
    assert refused.rc != 0 and account_failed(refused, account)
    assert missing in failed_task(refused, account)[1] and "deploy docs/member-role.yml with CreateForwardingRole=true" in failed_task(refused, account)[1]
    assert emulator.write_requests() == [], [r.action for r in emulator.write_requests()]

    member_roles.deploy(emulator, account)
    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    assert [r.action for r in emulator.write_requests() if r.service == "iam"] == []
    us_east = Account(emulator, account)
    target = us_east.client("events").list_targets_by_rule(Rule=API_RULE)["Targets"][0]
    assert target["Arn"] == us_east.topic_arn() and "InputTransformer" in target
    west = Account(emulator, account, "eu-west-1").client("events")
    pattern = json.loads(west.describe_rule(Name=API_RULE)["EventPattern"])
    assert pattern["detail"]["userIdentity"]["type"] == ["Root"]
    forward = west.list_targets_by_rule(Rule=API_RULE)["Targets"][0]
    assert forward["Arn"] == "arn:aws:events:us-east-1:%s:event-bus/default" % account
    assert forward["RoleArn"] == "arn:aws:iam::%s:role/%s" % (account, ROLE)
    assert forward["DeadLetterConfig"]["Arn"] == "arn:aws:sqs:eu-west-1:%s:%s" % (account, QUEUE)
    assert forward["RetryPolicy"] == {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}
    trust = us_east.client("iam").get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
    assert trust["ArnLike"] == {"aws:SourceArn": "arn:aws:events:*:%s:rule/%s*" % (account, NAME)}
    assert len(queues_in(emulator, account, "eu-west-1")) == 1
    assert rules_in(emulator, account, "us-west-2") == []  # only the listed regions
    assert stack(applied, account)["regions"]["rules"] == ["eu-west-1 %s" % API_RULE]

    assert_accounts(run(emulator, inventory, tmp_path / "again"), [account], changed=False)
    assert emulator.write_requests() == []

    one = write_inventory(tmp_path / "one.yml", [account], profiles=["console_sign_in", "api_activity"], regions=["us-east-1"])
    reduced = run(emulator, one, tmp_path / "reduced")
    assert reduced.rc == 0, reduced
    assert "delete rule %s" % API_RULE in stack(reduced, account)["changes"]
    assert rules_in(emulator, account, "eu-west-1") == [] and queues_in(emulator, account, "eu-west-1") == []
    assert API_RULE in rules_in(emulator, account, "us-east-1")

    # absent from here; removal from two regions is in the hub-mode test.
    removed = run(emulator, one, tmp_path / "absent", root_login_alerts_state="absent")
    assert removed.rc == 0, removed
    assert [r for r in rules_in(emulator, account, "us-east-1") if r.startswith(NAME)] == []
    assert queues_in(emulator, account, "us-east-1") == []
    assert member_roles.role_names(emulator, account) == [ROLE]  # the template's: absent leaves it alone


def test_api_activity_in_two_regions_in_hub_mode_and_every_profile_against_its_samples(tmp_path, emulator):
    """Every profile is deployed. Emulator quirk: TestEventPattern answers without a Result, so the judging of
    each pattern falls back to the local evaluation; on AWS a pattern the run wrote is judged by EventBridge."""
    accounts = simulated_accounts(2, first=555555556401)
    hub, member = accounts
    everything = ["console_sign_in", "api_activity", "credential_changes", "assume_root"]
    inventory = write_inventory(tmp_path / "hub.yml", accounts, hub_account_id=hub, member_accounts=accounts,
                                profiles=everything, regions=TWO)
    member_roles.deploy_all(emulator, accounts, hub_account_id=hub)
    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    assert any(r.action == "TestEventPattern" for r in emulator.requests())  # written patterns go to EventBridge
    for account in accounts:
        tests = stack(applied, account)["profile_pattern_tests"]
        assert sorted(tests) == ["api_activity", "assume_root", "credential_changes"], account
        for profile, results in tests.items():
            assert [t for t in results if t["matched"] != t["expected"]] == [], (profile, results)
            names = [t["event"] for t in results if not t["expected"]]
            assert "service_event" in names and any(n.startswith(("iam_user", "assumed_role", "assume_role")) for n in names), names
            assert [t["event"] for t in results if t["expected"]], profile
        assert [t for t in stack(applied, account)["pattern_tests"] if t["matched"] != t["expected"]] == []
    bus = "arn:aws:events:us-east-1:%s:event-bus/root-login-alerts-hub" % hub
    west = Account(emulator, member, "eu-west-1").client("events")
    forward = west.list_targets_by_rule(Rule=API_RULE)["Targets"][0]
    assert forward["Arn"] == bus and forward["RoleArn"] == "arn:aws:iam::%s:role/%s" % (member, ROLE)
    assert Account(emulator, member).client("events").list_targets_by_rule(Rule=API_RULE)["Targets"][0]["Arn"] == bus
    hub_events = Account(emulator, hub).client("events")
    assert hub_events.list_targets_by_rule(Rule=API_RULE, EventBusName="root-login-alerts-hub")["Targets"][0]["Arn"] == \
        Account(emulator, hub).topic_arn()
    # The hub's own other regions forward to its us-east-1 default bus.
    hub_west = Account(emulator, hub, "eu-west-1").client("events").list_targets_by_rule(Rule=API_RULE)["Targets"][0]
    assert hub_west["Arn"] == "arn:aws:events:us-east-1:%s:event-bus/default" % hub
    assert_accounts(run(emulator, inventory, tmp_path / "again"), accounts, changed=False)
    audit = run(emulator, inventory, tmp_path / "audit", check=True)
    assert audit.rc == 0 and emulator.write_requests() == []
    removed = run(emulator, inventory, tmp_path / "absent", root_login_alerts_state="absent")
    assert removed.rc == 0, removed
    for account in accounts:
        for region in TWO:
            assert [r for r in rules_in(emulator, account, region) if r.startswith(NAME)] == [], (account, region)


def add_single_region_trail(inside):
    """The account's only trail: single-Region, in us-east-1, logging every management event (it covers the
    root sign-ins, which CloudTrail records in us-east-1, so the role reuses it)."""
    bucket = "audit-%s" % inside.id
    inside.client("s3").create_bucket(Bucket=bucket)
    cloudtrail = inside.client("cloudtrail")
    cloudtrail.create_trail(Name="audit-us-east-1", S3BucketName=bucket, IsMultiRegionTrail=False, IncludeGlobalServiceEvents=True)
    cloudtrail.put_event_selectors(TrailName="audit-us-east-1",
                                   EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}])
    cloudtrail.start_logging(Name="audit-us-east-1")


def trail_reads_in(emulator, region):
    """CloudTrail requests signed for ``region`` (SigV4 scope: KEY/DATE/REGION/SERVICE/aws4_request)."""
    return [r.action for r in emulator.requests() if r.service == "cloudtrail" and "/%s/cloudtrail/" % region in r.headers.get("authorization", "")]


def test_a_region_no_trail_covers_is_reported_as_receiving_nothing_until_the_user_asks_for_a_trail(tmp_path, emulator):
    """Table rows 5 and 7: api_activity in eu-west-1 while the only trail is single-Region in us-east-1. CloudTrail
    records an API call in the Region where it is made, and EventBridge gets "AWS API Call via CloudTrail" events only
    with "a CloudTrail trail with logging enabled" (EventBridge user guide), so eu-west-1 sends nothing. The report
    shows every profile per Region; root_login_alerts_trail: create is how the user asks for a multi-Region trail."""
    account = simulated_accounts(1, first=555555556501)[0]
    inside = Account(emulator, account)
    add_single_region_trail(inside)
    member_roles.deploy(emulator, account)
    inventory = write_inventory(tmp_path / "reused.yml", [account], profiles=["console_sign_in", "api_activity"], regions=TWO)
    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    assert stack(applied, account)["trail"]["reused"] is True and inside.trails() == ["audit-us-east-1"]
    assert stack(applied, account)["compliance"]["status"] == "compliant"  # the sign-in path is whole
    document, markdown = read_report(tmp_path / "apply")
    entry = document["accounts"][0]
    api = entry["profiles"]["api_activity"]
    assert entry["status"] == "needs_action" and api["status"] == "needs_action"
    assert api["regions"]["us-east-1"] == {"status": "compliant", "problems": []}, api
    assert api["regions"]["eu-west-1"]["status"] == "needs_action"
    nothing = api["regions"]["eu-west-1"]["problems"][0]
    assert nothing.startswith("eu-west-1 receives nothing: no logging CloudTrail trail covers it"), nothing
    assert entry["profiles"]["console_sign_in"] == {"status": "compliant", "problems": [],
                                                    "regions": {"us-east-1": {"status": "compliant", "problems": []}}}
    assert "| needs_action | api_activity: needs_action (eu-west-1); console_sign_in: compliant |" in markdown
    assert "| Profiles (Regions not compliant) |" in markdown
    # Only an uncovered Region has its own trails read (a single-Region trail is listed only in its Region).
    assert "DescribeTrails" in trail_reads_in(emulator, "eu-west-1")

    created = run(emulator, inventory, tmp_path / "create", root_login_alerts_trail="create")
    assert created.rc == 0, created
    assert inside.trails() == ["audit-us-east-1", NAME]
    assert inside.client("cloudtrail").get_trail(Name=NAME)["Trail"]["IsMultiRegionTrail"] is True
    entry = read_report(tmp_path / "create")[0]["accounts"][0]
    assert entry["status"] == "compliant" and entry["profiles"]["api_activity"]["regions"]["eu-west-1"]["status"] == "compliant", entry

    again = run(emulator, inventory, tmp_path / "again", root_login_alerts_trail="create")
    assert_accounts(again, [account], changed=False)
    assert emulator.write_requests() == [] and trail_reads_in(emulator, "eu-west-1") == []  # covered: nothing more is read
