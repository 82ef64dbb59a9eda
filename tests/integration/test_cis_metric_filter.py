"""The CIS CloudWatch.1 option: apply, re-apply changed=0, a write-free audit that says whether
CloudWatch.1 would pass, and state=absent removing its pieces.

The role CloudTrail assumes to write to the log group comes from docs/member-role.yml with
EnableCisMetricFilter (tests/harness/member_roles.py deploys it); the collection verifies it before the
trail's first write, never writes it, and state=absent leaves it alone.

Emulator quirks this test lives with (the code follows AWS):
- CreateTrail and UpdateTrail check neither the CloudWatch Logs role nor the log group (AWS answers
  InvalidCloudWatchLogsRoleArnException until the role is usable; the code retries that code);
- DeleteLogGroup keeps the group's metric filters (AWS deletes them), so the filter is removed first;
- email subscriptions are confirmed at once, so the alarm's topic has a confirmed subscriber.
"""

import json

import member_roles  # pylint: disable=import-error
from accounts import Account  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from playbook_checks import (  # pylint: disable=import-error
    account_failed,
    assert_accounts,
    failed_task,
    read_report,
    run,
    stack,
    write_inventory,
)

LOG_GROUP = "root-login-alerts-cloudtrail"
ALARM = "root-login-alerts-root-usage"
CIS_ROLE = "root-login-alerts-cloudtrail-logs"


def cis_pieces(inside):
    logs = inside.client("logs")
    groups = [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix=LOG_GROUP)["logGroups"]]
    filters = logs.describe_metric_filters(logGroupName=LOG_GROUP)["metricFilters"] if groups else []
    alarms = inside.client("cloudwatch").describe_alarms(AlarmNames=[ALARM])["MetricAlarms"]
    roles = [r["RoleName"] for r in inside.client("iam").list_roles()["Roles"] if r["RoleName"] == CIS_ROLE]
    return groups, filters, alarms, roles


def iam_writes(emulator):
    return [r.action for r in emulator.write_requests() if r.service == "iam"]


def test_cis_option_apply_reapply_audit_absent(tmp_path, emulator):
    own, reused = simulated_accounts(2)
    inventory = write_inventory(tmp_path / "inventory.yml", {own: {"trail": "create"}, reused: {"trail": "none"}}, cis_metric_filter=True)
    member_roles.deploy(emulator, own, cis=True)

    preview = run(emulator, inventory, tmp_path / "preview", check=True)
    assert preview.rc == 0, preview
    assert emulator.write_requests() == []
    assert stack(preview, own)["cis_cloudwatch1"]["passes"] is False
    assert "create log group %s" % LOG_GROUP in stack(preview, own)["changes"]

    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    inside = Account(emulator, own)
    groups, filters, alarms, roles = cis_pieces(inside)
    assert groups == [LOG_GROUP] and roles == [CIS_ROLE] and iam_writes(emulator) == []
    assert [f["filterPattern"] for f in filters] == [
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }']
    assert [a["AlarmActions"] for a in alarms] == [[inside.topic_arn()]]
    trail = inside.client("cloudtrail").describe_trails(includeShadowTrails=False)["trailList"][0]
    assert trail["CloudWatchLogsLogGroupArn"].startswith("arn:aws:logs:us-east-1:%s:log-group:%s" % (own, LOG_GROUP))
    assert trail["CloudWatchLogsRoleArn"] == "arn:aws:iam::%s:role/%s" % (own, CIS_ROLE)  # the template's role
    result = stack(applied, own)
    assert result["cis_cloudwatch1"]["passes"] is True, result["cis_cloudwatch1"]
    # With trail: none nothing of this is set up, and a warning says why.
    assert cis_pieces(Account(emulator, reused)) == ([], [], [], [])
    assert [w for w in stack(applied, reused).get("warnings", []) if "CloudWatch.1" in w], stack(applied, reused).get("warnings")
    assert stack(applied, reused)["cis_cloudwatch1"]["passes"] is False

    again = run(emulator, inventory, tmp_path / "again")
    assert again.rc == 0, again
    assert_accounts(again, [own, reused], changed=False)
    assert emulator.write_requests() == []

    reports = tmp_path / "audit"
    audit = run(emulator, inventory, reports, check=True)
    assert audit.rc == 0 and emulator.write_requests() == []
    entries = {e["account"]: e for e in read_report(reports)[0]["accounts"]}
    assert entries[own]["cis_cloudwatch1"]["status"] == "passed"
    assert entries[reused]["cis_cloudwatch1"]["status"] == "failed"
    assert "| passes |" in read_report(reports)[1]

    removed = run(emulator, inventory, tmp_path / "absent", root_login_alerts_state="absent")
    assert removed.rc == 0, removed
    assert cis_pieces(inside) == ([], [], [], [CIS_ROLE]) and iam_writes(emulator) == []  # the role is the template's


def test_without_the_template_role_cis_stops_before_any_write(tmp_path, emulator):
    """No role from docs/member-role.yml (EnableCisMetricFilter): the preview reads needs_action with a line naming the
    role; an apply stops before the trail's first write, naming the role, its variable and the template parameter.
    A role that CloudTrail may not use (here: it may not call logs:PutLogEvents) is refused the same way."""
    account = simulated_accounts(1, first=444444444601)[0]
    inventory = write_inventory(tmp_path / "inventory.yml", {account: {"trail": "create"}}, cis_metric_filter=True)
    preview = run(emulator, inventory, tmp_path / "preview", check=True)
    assert preview.rc == 0 and emulator.write_requests() == []
    compliance = stack(preview, account)["compliance"]
    line = "IAM role %s (root_login_alerts_cis_role_name) does not exist" % CIS_ROLE
    assert compliance["status"] == "needs_action" and line in compliance["problems"], compliance
    refused = run(emulator, inventory, tmp_path / "refused")
    assert refused.rc != 0 and account_failed(refused, account)
    message = failed_task(refused, account)[1]
    assert line in message and "deploy docs/member-role.yml with EnableCisMetricFilter=true" in message and "nothing was changed" in message
    assert emulator.write_requests() == [], [r.action for r in emulator.write_requests()]

    member_roles.deploy(emulator, account, cis=True)
    policy = member_roles.inline_policy(emulator, account, CIS_ROLE, member_roles.CIS_POLICY)
    policy["Statement"][0]["Action"] = ["logs:CreateLogStream"]
    emulator.client("iam", account).put_role_policy(RoleName=CIS_ROLE, PolicyName=member_roles.CIS_POLICY, PolicyDocument=json.dumps(policy))
    emulator.clear_recording()
    narrow = run(emulator, inventory, tmp_path / "narrow")
    assert narrow.rc != 0 and "does not allow logs:PutLogEvents" in failed_task(narrow, account)[1]
    assert emulator.write_requests() == [], [r.action for r in emulator.write_requests()]


def users_trail(inside, name="org-audit"):
    """A trail of the user's: multi-region, logging, in this account, sending to no log group."""
    bucket = "user-trail-%s" % inside.id
    inside.client("s3").create_bucket(Bucket=bucket)
    cloudtrail = inside.client("cloudtrail")
    cloudtrail.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=True, IncludeGlobalServiceEvents=True)
    cloudtrail.start_logging(Name=name)
    return cloudtrail


def test_a_reused_trail_sends_to_the_cis_group_only_with_consent_and_absent_turns_it_off(tmp_path, emulator):
    consenting, declining = accounts = simulated_accounts(2, first=444444444401)
    inventory = write_inventory(tmp_path / "inventory.yml", {consenting: {"cis_reused_trail": True}, declining: {}},
                                cis_metric_filter=True)
    trails = {account: users_trail(Account(emulator, account)) for account in accounts}
    member_roles.deploy(emulator, consenting, cis=True)  # the declining account never needs the role

    preview = run(emulator, inventory, tmp_path / "preview", check=True)
    assert preview.rc == 0 and emulator.write_requests() == []

    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    inside = Account(emulator, consenting)
    trail = trails[consenting].describe_trails(trailNameList=["org-audit"])["trailList"][0]
    assert trail["CloudWatchLogsLogGroupArn"].startswith("arn:aws:logs:us-east-1:%s:log-group:%s" % (consenting, LOG_GROUP)), trail
    assert trail["S3BucketName"] == "user-trail-%s" % consenting and trail["IsMultiRegionTrail"], "nothing else changed"
    assert stack(applied, consenting)["trail"]["reused"] is True
    assert stack(applied, consenting)["cis_cloudwatch1"]["passes"] is True, stack(applied, consenting)["cis_cloudwatch1"]
    assert cis_pieces(inside)[0] == [LOG_GROUP]
    # Without consent the reused trail is left exactly as it is, and a warning says how to consent.
    untouched = trails[declining].describe_trails(trailNameList=["org-audit"])["trailList"][0]
    assert not untouched.get("CloudWatchLogsLogGroupArn")
    warnings = [w for w in stack(applied, declining).get("warnings", []) if "root_login_alerts_cis_reused_trail" in w]
    assert warnings, stack(applied, declining).get("warnings")

    again = run(emulator, inventory, tmp_path / "again")
    assert_accounts(again, accounts, changed=False)
    assert emulator.write_requests() == []

    removed = run(emulator, inventory, tmp_path / "absent", root_login_alerts_state="absent")
    assert removed.rc == 0, removed
    after = trails[consenting].describe_trails(trailNameList=["org-audit"])["trailList"]
    assert [t["Name"] for t in after] == ["org-audit"], "the user's trail is never deleted"
    assert not after[0].get("CloudWatchLogsLogGroupArn"), after[0]
    assert cis_pieces(inside) == ([], [], [], [CIS_ROLE])
    assert any(c.startswith("stop trail arn:aws:cloudtrail:us-east-1:%s:trail/org-audit" % consenting)
               for c in stack(removed, consenting)["changes"]), stack(removed, consenting)["changes"]


def test_absent_keeps_a_same_named_log_group_of_someone_else_and_the_trail_sending_to_it(tmp_path, emulator):
    """Ownership by proof: a log group with our name but not our tag is not ours, so neither it nor the
    user's trail that sends to it is touched by state=absent."""
    account = simulated_accounts(1, first=444444444501)[0]
    inside = Account(emulator, account)
    cloudtrail = users_trail(inside)
    inside.client("logs").create_log_group(logGroupName=LOG_GROUP)
    group_arn = "arn:aws:logs:us-east-1:%s:log-group:%s:*" % (account, LOG_GROUP)
    role_arn = "arn:aws:iam::%s:role/security-team-cloudtrail" % account
    cloudtrail.update_trail(Name="org-audit", CloudWatchLogsLogGroupArn=group_arn, CloudWatchLogsRoleArn=role_arn)
    inventory = write_inventory(tmp_path / "inventory.yml", [account], cis_metric_filter=True, cis_reused_trail=True)
    removed = run(emulator, inventory, tmp_path / "absent", root_login_alerts_state="absent")
    assert removed.rc == 0, removed
    trail = cloudtrail.describe_trails(trailNameList=["org-audit"])["trailList"][0]
    assert trail["CloudWatchLogsLogGroupArn"] == group_arn and trail["CloudWatchLogsRoleArn"] == role_arn
    assert cis_pieces(inside)[0] == [LOG_GROUP]
    assert not [c for c in stack(removed, account)["changes"] if "stop trail" in c], stack(removed, account)["changes"]
