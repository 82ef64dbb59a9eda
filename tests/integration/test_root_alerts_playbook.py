"""playbooks/root_alerts.yml and the root_login_alerts role through real ansible-playbook runs.

Every account is a simulated one, entered through sts:AssumeRole with its
``root_login_alerts_assume_role_arn`` host variable, as in an organization. The runs are few and
each carries several accounts with their own host variables, because a run costs seconds.

Emulator quirks these tests live with (the code stays correct for AWS):
- SNS email subscriptions are confirmed at once (never pending), so converged accounts are
  "compliant"; on AWS they stay "needs_action" until each recipient confirms.
- sts:AssumeRole accepts any role ARN, and the emulator files a request under the account whose
  assumed-role credentials signed it; ``requests_by_account`` relies on that to attribute requests.
- create_trail checks only that the log bucket exists, so a "foreign" trail needs just a bucket.
- Any account may read and write any bucket's policy (no cross-account 403), so a default log
  bucket squatted by another account does not break an account here as it does on AWS; the
  failure-isolation test breaks an account with a trail-name clash instead.
- describe_trails(includeShadowTrails=True) lists multi-Region trails of other home Regions, as AWS does.
- TestEventPattern answers without a Result, so the role falls back to local evaluation.
"""

import json
import os
import re

from accounts import Account  # pylint: disable=import-error
from emulator import role_arn, simulated_accounts  # pylint: disable=import-error
from playbook_checks import (  # pylint: disable=import-error
    CREATED_BY,
    EMAILS,
    NAME,
    NO_OP_REQUEST_BUDGET,
    OUR_SID,
    OUR_TARGET_ID,
    PLAYBOOK,
    ROLE,
    SECRET_PATTERNS,
    STACK_TASK,
    account_failed,
    assert_accounts,
    count,
    failed_task,
    read_report,
    requests_by_account,
    run,
    stack,
    write_inventory,
)
from playbook_runner import run_playbook  # pylint: disable=import-error

INCLUSION_PLAYBOOK = os.path.join(os.path.dirname(__file__), "playbooks", "root_alerts_inclusion.yml")


# -- 1, 2, 9: check on fresh accounts, converge, no-op, audit and its report ---------------------
def test_check_then_converge_then_no_op_and_audit_report(tmp_path, emulator):
    accounts = simulated_accounts(3)
    inventory = write_inventory(tmp_path / "inventory.yml", accounts)

    # 1. --check --diff on fresh accounts: every account would change, nothing is written.
    preview = run(emulator, inventory, tmp_path / "preview", check=True, diff=True)
    assert preview.rc == 0, preview
    assert_accounts(preview, accounts, changed=True)
    assert emulator.write_requests() == []
    reached = requests_by_account(emulator, emulator.requests())
    for account in accounts:
        assert count(reached[account])["sts:AssumeRole"] == 1, (account, count(reached[account]))
        assert len(reached[account]) > 1, (account, count(reached[account]))
        result = stack(preview, account)
        assert result["topic_arn"] == "arn:aws:sns:us-east-1:%s:%s" % (account, NAME)
        assert result["rule_arn"] == "arn:aws:events:us-east-1:%s:rule/%s" % (account, NAME)
        assert "create topic %s" % NAME in result["changes"] and "create rule %s" % NAME in result["changes"]
        assert "create trail %s" % NAME in result["changes"]
        assert result["diff"]["before"]["rule"] == {} and result["diff"]["after"]["rule"], result["diff"]
        # Judged as found: nothing delivers yet; what apply would build is listed apart.
        assert result["compliance"]["status"] == "needs_action" and result["compliance"]["paths"] == []
        assert "no enabled rule on the default event bus in us-east-1 matches a root console sign-in" in result["compliance"]["problems"]
    # Nothing ran in the account of the run's own credentials (the emulator's default account).
    assert "123456789012" not in reached, count(reached["123456789012"])
    for account in accounts:
        inside = Account(emulator, account)
        assert inside.topics() == [] and inside.rules() == [] and inside.trails() == []
        assert not inside.bucket_exists(inside.default_bucket())

    # 2. Converge, then a second real run and a --check run change nothing and write nothing.
    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    assert_accounts(applied, accounts, changed=True)
    for account in accounts:
        inside = Account(emulator, account)
        assert inside.topics() == [inside.topic_arn()]
        assert inside.targets() == {OUR_TARGET_ID: inside.topic_arn()}
        assert inside.subscriptions() == EMAILS
        assert OUR_SID in inside.policy_sids()
        assert inside.trails() == [NAME]
        assert inside.bucket_exists(inside.default_bucket())

    again = run(emulator, inventory, tmp_path / "again")
    assert again.rc == 0, again
    assert_accounts(again, accounts, changed=False)
    assert emulator.write_requests() == []
    reached = requests_by_account(emulator, emulator.requests())
    for account in accounts:
        counted = count(reached[account])
        print("no-op run, account %s: %d requests %s" % (account, sum(counted.values()), dict(sorted(counted.items()))))
        assert sum(counted.values()) <= NO_OP_REQUEST_BUDGET, (account, counted)
        assert counted["sts:AssumeRole"] == 1, counted

    # 9. The audit: --check on converged accounts; the report has every account, compliant
    # (the emulator confirms email subscriptions at once).
    reports = tmp_path / "audit"
    audit = run(emulator, inventory, reports, check=True)
    assert audit.rc == 0, audit
    assert_accounts(audit, accounts, changed=False)
    assert emulator.write_requests() == []
    document, markdown = read_report(reports)
    assert document["mode"] == "check"
    assert document["counts"]["accounts"] == 3 and document["counts"]["compliant"] == 3, document["counts"]
    assert document["counts"]["needs_action"] == 0 and document["counts"]["failed"] == 0
    entries = {entry["account"]: entry for entry in document["accounts"]}
    assert sorted(entries) == accounts
    for account in accounts:
        entry = entries[account]
        assert entry["status"] == "compliant" and entry["problems"] == [] and entry["drift"] == [], entry
        assert entry["host"] == account
        assert [(p["rule"], p["ours"], p["complete"], p["recipients"]) for p in entry["paths"]] == [(NAME, True, True, EMAILS)]
        assert entry["event_source"]["ok"] is True and entry["event_source"]["reason"].startswith("trail %s:" % NAME)
        assert re.search(r"^\| %s \| %s \| compliant \|" % (account, account), markdown, re.M), markdown
    summary = audit.run_once_result("Summary")["msg"]
    assert summary[0] == "3 accounts: 3 compliant, 0 need action, 0 unknown, 0 failed, 0 not run", summary


def test_check_mode_does_not_call_a_subscription_it_would_create_pending(tmp_path, emulator):
    """A subscription that check mode would create does not exist: the compliance verdict says
    "not subscribed", and no warning may say it "still awaits confirmation"."""
    account = simulated_accounts(1)[0]
    inventory = write_inventory(tmp_path / "inventory.yml", [account], trail="none")
    preview = run(emulator, inventory, tmp_path, check=True)
    assert preview.rc == 0, preview
    result = stack(preview, account)
    assert result["compliance"]["paths"] == [] and "subscribe %s" % EMAILS[0] in result["changes"]
    assert [warning for warning in result.get("warnings", []) if "await confirmation" in warning] == []


# -- 3, 4, 6, 7: others' things kept, a covering trail reused, no trail, clean removal -------------
def add_foreign_things(inside):
    """What another team set up in the account: the topic and the rule (same names) with their
    own policy statement, subscription and SQS target."""
    sns, events, sqs = inside.client("sns"), inside.client("events"), inside.client("sqs")
    topic = sns.create_topic(Name=NAME)["TopicArn"]
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    policy["Statement"].append({
        "Sid": "AWSEvents_other",
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": topic,
        "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:%s:rule/other-team" % inside.id}},
    })
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(policy))
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="other-team@example.net")
    queue = sqs.create_queue(QueueName="other-team")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=NAME, EventPattern=json.dumps({"source": ["aws.signin"]}))
    events.put_targets(Rule=NAME, Targets=[{"Id": "other-team-queue", "Arn": queue_arn}])
    return queue_arn


def add_covering_trail(inside):
    """An existing multi-region trail logging all management events (create_trail in the
    emulator checks only that the bucket exists)."""
    bucket = "org-audit-%s" % inside.id
    inside.client("s3").create_bucket(Bucket=bucket)
    cloudtrail = inside.client("cloudtrail")
    cloudtrail.create_trail(Name="org-audit", S3BucketName=bucket, IsMultiRegionTrail=True, IncludeGlobalServiceEvents=True)
    cloudtrail.put_event_selectors(
        TrailName="org-audit",
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}],
    )
    cloudtrail.start_logging(Name="org-audit")
    return bucket


def test_foreign_things_kept_covering_trail_reused_no_trail_and_clean_removal(tmp_path, emulator):
    foreign, reuse, no_trail, clean = simulated_accounts(4)
    accounts = [foreign, reuse, no_trail, clean]
    inside = {account: Account(emulator, account) for account in accounts}
    queue_arn = add_foreign_things(inside[foreign])
    audit_bucket = add_covering_trail(inside[reuse])
    inventory = write_inventory(
        tmp_path / "inventory.yml", {foreign: {}, reuse: {"trail": "auto"}, no_trail: {"trail": "none"}, clean: {"tags": {"team": "security"}}}
    )

    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc != 0, applied  # the foreign account fails, and the run says so
    assert_accounts(applied, [reuse, no_trail, clean], changed=True)
    reached = requests_by_account(emulator, emulator.requests())

    # 3. A topic and a rule with our names that we did not create (no rootwatch:created-by tag) are
    # someone else's: the account stops before any write, naming both and the choices.
    other = inside[foreign]
    assert account_failed(applied, foreign)
    unused, message = failed_task(applied, foreign)
    for words in ("SNS topic %s in us-east-1 exists but was not created by rootwatch.aws" % NAME,
                  "EventBridge rule %s in us-east-1 exists but was not created by rootwatch.aws" % NAME,
                  "root_login_alerts_topic_name", "root_login_alerts_rule_name", "rootwatch:created-by=root_login_alerts"):
        assert words in message, (words, message)
    assert [r.action for r in reached[foreign] if r.is_write] == [], "nothing written in the foreign account"
    assert other.policy_sids() == sorted(["__default_statement_ID", "AWSEvents_other"])
    assert other.targets() == {"other-team-queue": queue_arn}
    assert other.subscriptions() == ["other-team@example.net"]
    assert other.trails() == []

    # 6. The covering trail is reused, not copied, and no log bucket is made for a trail of ours.
    trail = stack(applied, reuse)["trail"]
    assert trail["reused"] is True and trail["name"] == "org-audit", trail
    assert stack(applied, reuse)["compliance"]["event_source"]["reason"].startswith("trail org-audit:")
    assert inside[reuse].trails() == ["org-audit"]
    assert not inside[reuse].bucket_exists(inside[reuse].default_bucket())
    assert [r.action for r in reached[reuse] if r.service == "cloudtrail" and r.is_write] == []

    # 7. trail: none leaves CloudTrail alone: no write, no S3 call. The verdict still reads the
    # trails, because compliance is proven link by link (here: no trail, so needs_action).
    assert [r.action for r in reached[no_trail] if r.service in ("cloudtrail", "s3") and (r.is_write or r.service == "s3")] == []
    assert stack(applied, no_trail)["compliance"]["event_source"]["ok"] is False
    assert stack(applied, no_trail)["trail"]["mode"] == "none"
    assert inside[no_trail].trails() == []

    # 4. The trail the role creates carries the tag that state=absent trusts, next to the user's tags.
    cloudtrail = inside[clean].client("cloudtrail")
    trail_arn = cloudtrail.describe_trails(includeShadowTrails=False)["trailList"][0]["TrailARN"]
    tags = cloudtrail.list_tags(ResourceIdList=[trail_arn])["ResourceTagList"][0]["TagsList"]
    assert CREATED_BY in tags and {"Key": "team", "Value": "security"} in tags, tags

    # 3, 4, 6, 7. state: absent removes ours only.
    removed = run(emulator, inventory, tmp_path / "absent", root_login_alerts_state="absent")
    assert removed.rc == 0, removed
    assert_accounts(removed, [reuse, no_trail, clean], changed=True)
    assert_accounts(removed, [foreign], changed=False)
    reached = requests_by_account(emulator, emulator.requests())

    result = stack(removed, foreign)
    assert other.topics() == [other.topic_arn()], "a topic we cannot prove we created is kept"
    assert "not created by rootwatch.aws" in result["topic_kept_because"], result["topic_kept_because"]
    assert other.subscriptions() == ["other-team@example.net"]
    assert other.policy_sids() == sorted(["__default_statement_ID", "AWSEvents_other"])
    assert other.rules() == [NAME], "their rule is kept"
    assert other.targets() == {"other-team-queue": queue_arn}
    assert [r.action for r in reached[foreign] if r.is_write] == [], "absent removes nothing of theirs"

    assert inside[reuse].trails() == ["org-audit"]
    assert inside[reuse].client("cloudtrail").get_trail_status(Name="org-audit")["IsLogging"] is True
    assert inside[reuse].bucket_exists(audit_bucket)
    assert [r.action for r in reached[reuse] if r.service == "cloudtrail" and r.is_write] == []

    assert [key for key in count(reached[no_trail]) if key.startswith(("cloudtrail:", "s3:"))] == []  # absent reads no trail either

    # 4. A clean converge leaves nothing of the role behind but the log bucket.
    gone = inside[clean]
    assert gone.topics() == [] and gone.rules() == [] and gone.trails() == []
    assert gone.bucket_exists(gone.default_bucket())
    assert stack(removed, clean)["topic_kept_because"] == ""

    # A second removal has nothing to do anywhere.
    again = run(emulator, inventory, tmp_path / "absent-again", root_login_alerts_state="absent")
    assert again.rc == 0, again
    assert_accounts(again, accounts, changed=False)
    assert emulator.write_requests() == []


# -- 5: bad variables fail before any AWS call, naming the variable ---------------------------------
BAD_VARIABLES = [
    ({"emails": ["not-an-email"]}, "root_login_alerts_emails"),
    ({"region": "us-east-x"}, "root_login_alerts_region"),
    ({"region": "eu-west-1"}, "root_login_alerts_region must be us-east-1"),  # root sign-ins are recorded in us-east-1 only
    ({"region": "us-fake-9"}, "root_login_alerts_region must be us-east-1"),
    ({"assume_role_arn": "arn:aws:iam::12345:role/Audit"}, "root_login_alerts_assume_role_arn"),
    ({"kms_key_id": "alias/aws/sns"}, "root_login_alerts_kms_key_id"),
    (
        {"event_pattern": {"source": ["aws.signin"], "detail": {"userIdentity": {"type": "Root"}}}},
        "root_login_alerts_event_pattern",
    ),
    ({"emails": []}, "root_login_alerts_emails"),
    ({"emails": "security@example.com, nope"}, "root_login_alerts_emails"),  # a string is split at commas
]
# What meta/argument_specs.yml refuses, with validate_argument_spec's message.
REFUSED_BY_ARGUMENT_SPECS = [
    ({"emails": {"to": "security@example.com"}}, "root_login_alerts_emails"),  # not a list
    ({"trail": "sometimes"}, "root_login_alerts_trail"),  # choices
    ({"verify": "perhaps"}, "root_login_alerts_verify"),  # not a bool
]
ARGUMENT_SPEC_MESSAGE = "Validation of arguments failed:"
BAD_VARIABLES += REFUSED_BY_ARGUMENT_SPECS


def test_bad_variables_fail_before_any_aws_call(tmp_path, emulator):
    accounts = simulated_accounts(len(BAD_VARIABLES))
    inventory = write_inventory(tmp_path / "inventory.yml", {a: bad for a, (bad, unused) in zip(accounts, BAD_VARIABLES)})
    checked = run(emulator, inventory, tmp_path / "reports", check=True)
    assert checked.rc != 0, checked
    assert emulator.requests() == [], count(emulator.requests())
    wrong = []
    for account, (bad, variable) in zip(accounts, BAD_VARIABLES):
        assert account_failed(checked, account), (account, bad, checked.stats.get(account))
        task, message = failed_task(checked, account)
        # The playbook turns off Ansible's validation task: the stack task's action refuses types and
        # choices against the role's argument specs, the module every other value, before its first
        # AWS call (no request was recorded above).
        assert task == STACK_TASK, (account, bad, task)
        assert message.startswith(ARGUMENT_SPEC_MESSAGE) == ((bad, variable) in REFUSED_BY_ARGUMENT_SPECS), (bad, message)
        if variable not in message:
            wrong.append((bad, task, message))
    assert wrong == [], "messages that do not name the variable: %s" % wrong


def test_summary_and_report_name_accounts_that_failed_their_variables(tmp_path, emulator):
    """Every run ends with the summary and the report (the playbook's promise), even when every
    account fails; an account refused for its variables is "failed" with the reason, not "not run"."""
    accounts = simulated_accounts(2)
    inventory = write_inventory(tmp_path / "inventory.yml", {accounts[0]: {"region": "us-east-x"}, accounts[1]: {"trail": "sometimes"}})
    reports = tmp_path / "reports"
    checked = run(emulator, inventory, reports, check=True)
    assert checked.rc != 0, checked
    assert emulator.requests() == []
    assert checked.run_once_result("Summary"), "no summary when every account fails"
    summary = checked.run_once_result("Summary")["msg"]
    assert summary[0] == "2 accounts: 0 compliant, 0 need action, 0 unknown, 2 failed, 0 not run", summary
    document, unused = read_report(reports)
    entries = {entry["account"]: entry for entry in document["accounts"]}
    for account, variable in zip(accounts, ("root_login_alerts_region", "root_login_alerts_trail")):
        assert entries[account]["status"] == "failed", entries[account]
        assert variable in entries[account]["problems"][0], entries[account]


# -- 8: one broken account does not stop the others ---------------------------------------------------
def test_one_broken_account_fails_alone_and_is_reported(tmp_path, emulator):
    accounts = simulated_accounts(3)
    broken = accounts[1]
    # The middle account already has a multi-Region trail called root-login-alerts whose home is
    # us-west-2, so the role cannot create its own (trail names are per Region, a multi-Region
    # trail shows in every Region). A default log bucket squatted by another account, the AWS
    # way to break this account, does not break it in the emulator: moto lets any account read
    # and write any bucket's policy (on AWS GetBucketPolicy answers 403 and the role fails).
    west = Account(emulator, broken, region="us-west-2")
    west.client("s3").create_bucket(Bucket="west-logs-%s" % broken, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    west.client("cloudtrail").create_trail(Name=NAME, S3BucketName="west-logs-%s" % broken, IsMultiRegionTrail=True)
    inventory = write_inventory(tmp_path / "inventory.yml", accounts)
    reports = tmp_path / "reports"

    first = run(emulator, inventory, reports)
    assert first.rc != 0, first
    good = [account for account in accounts if account != broken]
    assert_accounts(first, good, changed=True)
    for account in good:
        assert Account(emulator, account).rules() == [NAME]
    assert account_failed(first, broken), first.stats
    unused, reason = failed_task(first, broken)
    assert broken in reason and "us-west-2" in reason, reason
    assert Account(emulator, broken).topics() == [], "the broken account stopped at its trail"
    summary = first.run_once_result("Summary")["msg"]
    assert summary[0] == "3 accounts: 2 compliant, 0 need action, 0 unknown, 1 failed, 0 not run", summary
    assert [line for line in summary if line.startswith("%s failed: " % broken) and "us-west-2" in line], summary
    document, markdown = read_report(reports)
    entries = {entry["account"]: entry for entry in document["accounts"]}
    assert entries[broken]["status"] == "failed" and "us-west-2" in entries[broken]["problems"][0], entries[broken]
    assert [entries[account]["status"] for account in good] == ["compliant", "compliant"]
    assert re.search(r"^\| %s \| %s \| failed \|" % (broken, broken), markdown, re.M), markdown

    west.client("cloudtrail").delete_trail(Name=NAME)
    second = run(emulator, inventory, reports)
    assert second.rc == 0, second
    assert_accounts(second, [broken], changed=True)
    assert_accounts(second, good, changed=False)
    document, unused = read_report(reports)
    assert document["counts"]["compliant"] == 3, document["counts"]


# -- 10: the role inside existing plays -------------------------------------------------------------
def test_role_imported_included_and_under_module_defaults(tmp_path, emulator):
    imported, included, defaults = accounts = simulated_accounts(3)
    # The trail is not what these plays are about; leaving it out keeps the two runs short.
    inventory = write_inventory(tmp_path / "inventory.yml", accounts, trail="none")
    hosts = {"root_alerts_import_hosts": imported, "root_alerts_include_hosts": included, "root_alerts_module_defaults_hosts": defaults}

    converged = run(emulator, inventory, tmp_path, playbook=INCLUSION_PLAYBOOK, args=("--tags", "root_alerts"), **hosts)
    assert converged.rc == 0, converged
    assert_accounts(converged, accounts, changed=True)
    for account in accounts:
        names = [name for name, unused in converged.tasks(account)]
        assert "Unrelated task of the existing play" not in names, (account, names)
        assert "The play uses the role's result" in names or account == defaults, (account, names)
        assert [name for name in names if name.startswith(ROLE + "Validating arguments")], (account, names)
        assert Account(emulator, account).targets() == {OUR_TARGET_ID: Account(emulator, account).topic_arn()}

    again = run(emulator, inventory, tmp_path, playbook=INCLUSION_PLAYBOOK, args=("--tags", "root_alerts"), **hosts)
    assert again.rc == 0, again
    assert_accounts(again, accounts, changed=False)
    assert emulator.write_requests() == []


# -- 11: credentials never reach the output, even at -vvv ----------------------------------------------
def test_assumed_role_credentials_never_appear_at_vvv(tmp_path, emulator):
    account = simulated_accounts(1)[0]
    inventory = write_inventory(tmp_path / "inventory.yml", [account])
    emulator.clear_recording()
    verbose = run_playbook(
        PLAYBOOK, emulator.environ(), extra_vars={"root_alerts_report_dir": str(tmp_path)}, inventory=inventory,
        args=("-vvv",), callback="default",  # what an operator's log shows
    )
    output = verbose.raw + "\n" + verbose.stderr
    assert verbose.rc == 0, output[-4000:]
    # -vvv lines: the module process's connection, or the in-process engine's (plugins/action).
    marker = "ESTABLISH LOCAL CONNECTION" in output or "in the controller's worker process" in output
    assert marker and "rule_arn" in output, "not a -vvv run with results"
    assert [r for r in emulator.requests() if r.action == "AssumeRole"], "the role was not assumed"
    leaks = [match.group(0) for pattern in SECRET_PATTERNS for match in pattern.finditer(output)]
    assert leaks == []
    # The patterns do catch the credentials the emulator hands out for an assumed role.
    credentials = emulator.client("sts").assume_role(RoleArn=role_arn(account), RoleSessionName="probe")["Credentials"]
    printed = json.dumps({"aws_session_token": credentials["SessionToken"]}) + " " + credentials["AccessKeyId"]
    assert all(pattern.search(printed) for pattern in (SECRET_PATTERNS[0], SECRET_PATTERNS[1], SECRET_PATTERNS[4])), printed
