"""cloudtrail_trail and cloudtrail_coverage_info through real ansible-playbook runs against the emulator.

Emulator quirks these tests live with (the code stays correct for AWS):
- describe_trails ignores trailNameList, so the module filters by name and home Region itself.
- create_trail checks only that the bucket exists (AWS also checks the bucket policy), so the
  bucket policy is asserted here directly.
- A trail that never had selectors set returns empty selector lists (AWS returns the default
  selector: all management events); both mean "All".
- put_event_selectors with basic selectors keeps earlier advanced ones (AWS replaces them).
- lookup_events is missing, so delivery of a sign-in event cannot be shown end to end.
- S3 ignores ExpectedBucketOwner and lets any account read and write any bucket, so a bucket of
  another account is never refused by the emulator itself. These tests show the condition is sent on
  every S3 request but CreateBucket, with the right account; the bucket-squatting tests put AWS's
  answer to a failed condition (403 AccessDenied) in front of the emulator with the fault proxy, and
  the unit tests (test_s3_log_bucket.py, test_cloudtrail_trail.py) use botocore Stubber answers.
"""

import json
import os
import urllib.parse

import yaml

from emulator import Request, role_arn  # pylint: disable=import-error
from fault_proxy import FaultProxy, error_answer, protocol_of  # pylint: disable=import-error
from playbook_runner import ROOT, run_playbook  # pylint: disable=import-error

PLAYBOOKS = os.path.join(os.path.dirname(__file__), "playbooks")
TRAIL_PLAYBOOK = os.path.join(PLAYBOOKS, "cloudtrail_trail.yml")
COVERAGE_PLAYBOOK = os.path.join(PLAYBOOKS, "cloudtrail_coverage.yml")
ERRORS_PLAYBOOK = os.path.join(PLAYBOOKS, "cloudtrail_errors.yml")
ACCOUNT = "123456789012"  # the emulator's default account
NAME = "root-login-alerts"
BUCKET = "rootwatch-trail-logs"
ARN = "arn:aws:cloudtrail:us-east-1:%s:trail/%s" % (ACCOUNT, NAME)
S3_DATA = {
    "ReadWriteType": "All",
    "IncludeManagementEvents": False,
    "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::payments-bucket/"]}],
    "ExcludeManagementEventSources": [],
}
OTHER_STATEMENT = {
    "Sid": "ReadForAuditors",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::%s/*" % BUCKET,
}


def environ(emulator):
    # The checkout's ansible.cfg fails a run whose inventory cannot be parsed; these
    # playbooks target the implicit localhost and pass no inventory.
    return dict(emulator.environ(), ANSIBLE_INVENTORY_UNPARSED_FAILED="false")


def apply(emulator, check=False, diff=True, **options):
    options.setdefault("bucket", BUCKET)
    extra = {"trail_" + key: value for key, value in options.items()}
    return run_playbook(TRAIL_PLAYBOOK, environ(emulator), extra_vars=extra, check=check, diff=diff)


def ok(run, task="Trail"):
    assert run.rc == 0, run
    return run.result(task)


def calls(emulator):
    return [(request.service, request.action) for request in emulator.requests()]


def bucket_owner_conditions(requests):
    """(S3 call, the x-amz-expected-bucket-owner it sent) of each S3 request; CreateBucket is a PUT
    on the bucket without a subresource."""
    found = []
    for request in requests:
        if request.service != "s3":
            continue
        url = urllib.parse.urlparse(request.url)
        name = "CreateBucket" if request.method == "PUT" and not url.query else "%s %s?%s" % (request.method, url.path, url.query)
        found.append((name, request.headers.get("x-amz-expected-bucket-owner")))
    return found


def trails(emulator, region="us-east-1"):
    return emulator.client("cloudtrail", region=region).describe_trails(includeShadowTrails=False)["trailList"]


def test_create_with_a_secure_bucket_then_a_no_op_reads_four_times(emulator):
    created = ok(apply(emulator, prefix="ct"))
    # The bucket owner pinned: every S3 call but CreateBucket (which does not take it) names this account.
    sent = bucket_owner_conditions(emulator.requests())
    assert ("CreateBucket", None) in sent and len(sent) >= 5
    assert [owner for name, owner in sent if name != "CreateBucket"] == [ACCOUNT] * (len(sent) - 1)
    assert created["bucket"]["owner"] == ACCOUNT
    assert created["changed"] is True and created["created"] is True and created["reused"] is False
    trail = created["trail"]
    assert trail["arn"] == ARN and trail["home_region"] == "us-east-1"
    assert trail["is_multi_region_trail"] is True and trail["is_logging"] is True
    assert trail["management_events"] == "All" and trail["log_file_validation_enabled"] is True
    assert created["diff"]["before"]["trail"] == {} and created["diff"]["after"]["trail"]["arn"] == ARN

    s3 = emulator.client("s3")
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    by_sid = {statement["Sid"]: statement for statement in policy["Statement"]}
    write = by_sid["RootwatchCloudTrailWriteRootLoginAlertsUsEast1"]
    assert write["Resource"] == "arn:aws:s3:::%s/ct/AWSLogs/%s/*" % (BUCKET, ACCOUNT)
    assert write["Condition"]["StringEquals"]["aws:SourceArn"] == ARN
    assert write["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT
    assert by_sid["RootwatchDenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    status = emulator.client("cloudtrail").get_trail_status(Name=NAME)
    assert status["IsLogging"] is True

    # The bucket given as an ARN is the same bucket: nothing to do, four reads.
    emulator.clear_recording()
    again = ok(apply(emulator, bucket="arn:aws:s3:::" + BUCKET, prefix="ct"))
    assert again["changed"] is False and again["actions"] == []
    assert emulator.write_requests() == []
    assert calls(emulator) == [
        ("cloudtrail", "DescribeTrails"),
        ("s3", "GET /%s" % BUCKET),  # GetBucketPolicy
        ("cloudtrail", "GetEventSelectors"),
        ("cloudtrail", "GetTrailStatus"),
    ]
    assert bucket_owner_conditions(emulator.requests()) == [("GET /%s?policy" % BUCKET, ACCOUNT)]


def test_switch_to_write_only_keeps_data_selectors_and_other_policy_statements(emulator):
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [OTHER_STATEMENT]}))
    created = ok(apply(emulator, tags={"owner": "security"}))
    assert created["created"] is True
    assert created["bucket"]["exists"] is True and "public_access_block" not in created["bucket"]  # existing bucket kept as is
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    assert policy["Statement"][0] == OTHER_STATEMENT
    assert len(policy["Statement"]) == 4

    # Someone else adds a data-event selector for their bucket.
    client = emulator.client("cloudtrail")
    client.put_event_selectors(
        TrailName=NAME,
        EventSelectors=[
            {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [], "ExcludeManagementEventSources": []},
            S3_DATA,
        ],
    )
    emulator.clear_recording()
    switched = ok(apply(emulator, management_events="WriteOnly", tags={"owner": "security"}))
    assert switched["changed"] is True
    assert switched["actions"] == ["cloudtrail:PutEventSelectors %s" % NAME]
    assert switched["trail"]["management_events"] == "WriteOnly"
    assert switched["diff"]["before"]["trail"]["management_events"] == "All"
    assert switched["trail"]["tags"] == {"owner": "security"}
    selectors = client.get_event_selectors(TrailName=NAME)["EventSelectors"]
    assert S3_DATA in selectors
    assert [s["ReadWriteType"] for s in selectors if s["IncludeManagementEvents"]] == ["WriteOnly"]
    assert [w.action for w in emulator.write_requests()] == ["PutEventSelectors"]

    # Same selectors in another order, same tags: a no-op that also reads the tags.
    client.put_event_selectors(TrailName=NAME, EventSelectors=list(reversed(selectors)))
    emulator.clear_recording()
    again = ok(apply(emulator, management_events="WriteOnly", tags={"owner": "security"}))
    assert again["changed"] is False
    assert emulator.write_requests() == []
    assert ("cloudtrail", "ListTags") in calls(emulator)


def test_advanced_selectors_keep_others_and_set_the_management_selector(emulator):
    ok(apply(emulator))
    data = {
        "Name": "Lambda invocations",
        "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]},
        ],
    }
    management = {"Name": "Management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
    client = emulator.client("cloudtrail")
    client.put_event_selectors(TrailName=NAME, AdvancedEventSelectors=[data, management])
    switched = ok(apply(emulator, management_events="WriteOnly"))
    assert switched["changed"] is True and switched["trail"]["event_selectors"] == []
    written = client.get_event_selectors(TrailName=NAME)["AdvancedEventSelectors"]
    assert data in written
    assert {
        "Name": "Management",
        "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["false"]}],
    } in written


def test_kms_alias_and_key_arn_are_the_same_key(emulator):
    kms = emulator.client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/cloudtrail", TargetKeyId=key["KeyId"])
    created = ok(apply(emulator, kms_key_id="alias/cloudtrail"))
    rule = emulator.client("s3").get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}
    assert created["trail"]["kms_key_id"] == "alias/cloudtrail"
    emulator.clear_recording()
    again = ok(apply(emulator, kms_key_id=key["Arn"]))
    assert again["changed"] is False
    assert emulator.write_requests() == []
    # The emulator stores the alias as given (AWS stores the key ARN): one lookup resolves it.
    assert calls(emulator).count(("kms", "DescribeKey")) == 1


def test_check_mode_on_a_fresh_account_writes_nothing_and_previews_everything(emulator):
    run = apply(emulator, check=True, management_events="WriteOnly")
    result = ok(run)
    assert result["changed"] is True and result["created"] is True
    assert result["trail"]["arn"] == ARN and result["trail"]["management_events"] == "WriteOnly"
    assert result["bucket"]["object_ownership"] == "BucketOwnerEnforced"
    assert result["bucket"]["encryption"]["Rules"][0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert result["diff"]["before"]["bucket"] == {"name": BUCKET, "exists": False}
    assert result["actions"][0] == "s3:CreateBucket %s" % BUCKET
    assert emulator.write_requests() == []
    assert trails(emulator) == []
    assert emulator.client("s3").list_buckets()["Buckets"] == []


def test_check_mode_on_a_converged_trail_writes_nothing(emulator):
    ok(apply(emulator))
    emulator.clear_recording()
    result = ok(apply(emulator, check=True, management_events="WriteOnly", enable_logging=False))
    assert result["changed"] is True
    assert result["actions"] == ["cloudtrail:PutEventSelectors %s" % NAME, "cloudtrail:StopLogging %s" % NAME]
    assert result["trail"]["is_logging"] is False
    assert emulator.write_requests() == []
    assert emulator.client("cloudtrail").get_trail_status(Name=NAME)["IsLogging"] is True


def make_trail(emulator, name, region="us-east-1", multi=True, logging=True, selectors=None, org=False):
    """A trail someone else made (the emulator only checks that its bucket exists)."""
    s3 = emulator.client("s3", region=region)
    bucket = "%s-logs" % name
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    client = emulator.client("cloudtrail", region=region)
    arn = client.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi, IsOrganizationTrail=org)["TrailARN"]
    if selectors:
        client.put_event_selectors(TrailName=name, EventSelectors=selectors)
    if logging:
        client.start_logging(Name=name)
    return arn


def test_reuses_a_covering_trail_and_creates_no_second_one(emulator):
    existing = make_trail(emulator, "org-baseline", region="eu-west-1", org=True)
    make_trail(emulator, "eu-local", region="eu-west-1", multi=False)
    emulator.clear_recording()
    result = ok(apply(emulator, reuse=True))
    assert result["changed"] is False and result["created"] is False and result["reused"] is True
    assert result["trail"] == {}
    covering = result["covering_trail"]
    assert covering["arn"] == existing and covering["is_organization_trail"] is True
    assert "organization trail multi-Region trail (home eu-west-1), logging" in covering["reason"]
    assert emulator.write_requests() == []
    # One listing, then the covering trail's status and selectors (read in its home Region).
    assert calls(emulator) == [
        ("cloudtrail", "DescribeTrails"),
        ("cloudtrail", "GetTrailStatus"),
        ("cloudtrail", "GetEventSelectors"),
    ]
    assert [t["Name"] for t in trails(emulator)] == []

    coverage = ok(run_playbook(COVERAGE_PLAYBOOK, environ(emulator), extra_vars={"coverage_account_id": ACCOUNT}), "Coverage")
    assert coverage["covered"] is True and coverage["covering_trail"]["arn"] == existing
    # The single-Region trail of eu-west-1 is not visible from us-east-1 at all.
    assert [t["name"] for t in coverage["trails"]] == ["org-baseline"]


def test_reuse_creates_its_own_trail_when_no_trail_covers(emulator):
    make_trail(emulator, "stopped-trail", logging=False)
    make_trail(emulator, "read-only-trail", selectors=[{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}])
    result = ok(apply(emulator, reuse=True))
    assert result["created"] is True and result["reused"] is False and result["covering_trail"] is None
    reasons = {entry["name"]: entry["reason"] for entry in result["coverage"]}
    assert "logging is turned off" in reasons["stopped-trail"]
    assert "only ReadOnly management events" in reasons["read-only-trail"]
    assert sorted(t["Name"] for t in trails(emulator)) == sorted([NAME, "read-only-trail", "stopped-trail"])

    # From now on the named trail exists and is managed as usual: others are not examined.
    emulator.clear_recording()
    again = ok(apply(emulator, reuse=True))
    assert again["changed"] is False and again["reused"] is False and "coverage" not in again
    assert emulator.write_requests() == []
    assert len(emulator.requests()) == 4

    coverage = ok(run_playbook(COVERAGE_PLAYBOOK, environ(emulator)), "Coverage")
    assert coverage["covered"] is True and coverage["covering_trail"]["name"] == NAME
    # Multi-Region trails by ARN, every one evaluated (stop_at_first defaults to false here).
    assert [(t["name"], t["covers"]) for t in coverage["trails"]] == [
        ("read-only-trail", False),
        (NAME, True),
        ("stopped-trail", False),
    ]


def test_absent_deletes_the_trail_and_keeps_the_bucket(emulator):
    ok(apply(emulator))
    emulator.clear_recording()
    checked = ok(apply(emulator, check=True, state="absent"))
    assert checked["changed"] is True and emulator.write_requests() == []
    removed = ok(apply(emulator, state="absent"))
    assert removed["changed"] is True and removed["diff"]["after"] == {"trail": {}}
    assert trails(emulator) == []
    assert [b["Name"] for b in emulator.client("s3").list_buckets()["Buckets"]] == [BUCKET]
    emulator.clear_recording()
    again = ok(apply(emulator, state="absent"))
    assert again["changed"] is False
    assert calls(emulator) == [("cloudtrail", "DescribeTrails")]


def test_bad_input_fails_before_any_call(emulator):
    run = run_playbook(ERRORS_PLAYBOOK, environ(emulator))
    expected = {
        "Invalid bucket name": "s3_bucket_name 'My_Bucket' is not a valid S3 bucket name",
        "Unknown management_events": "management_events must be one of: All, WriteOnly, ReadOnly",
        "Adjacent punctuation in the trail name": "must not have adjacent periods, underscores or dashes",
        "Trail name like an IP address": "must not be formatted as an IP address",
        "AWS managed KMS key": "is an AWS managed key",
        "Invalid account_id for coverage": "account_id must be a 12-digit AWS account ID",
    }
    for task, words in expected.items():
        result = run.result(task)
        assert result.get("failed") is True, (task, result)
        assert words in result["msg"], (task, result["msg"])
    assert emulator.requests() == []


CENTRAL = "222222222222"  # a log archive account


def test_a_central_bucket_of_another_account_is_proven_with_one_head_bucket(emulator):
    emulator.client("s3", account_id=CENTRAL).create_bucket(Bucket="org-log-archive")
    emulator.clear_recording()
    created = ok(apply(emulator, bucket="org-log-archive", create_bucket=False, manage_bucket_policy=False, bucket_owner=CENTRAL))
    assert created["created"] is True and created["bucket"] == {
        "name": "org-log-archive", "arn": "arn:aws:s3:::org-log-archive", "exists": True, "owner": CENTRAL}
    assert trails(emulator)[0]["S3BucketName"] == "org-log-archive"
    # One HeadBucket that names the owner; the archive's policy, tags and settings are its owner's.
    assert bucket_owner_conditions(emulator.requests()) == [("HEAD /org-log-archive?", CENTRAL)]


def test_a_bad_bucket_owner_fails_before_any_write(emulator):
    malformed = apply(emulator, bucket_owner="12345")
    assert malformed.rc != 0
    assert "bucket_owner must be the 12-digit ID of the AWS account that owns the log bucket, got '12345'" in malformed.result("Trail")["msg"]
    assert emulator.requests() == []
    # Another account's bucket cannot be created or given a policy by this account.
    foreign = apply(emulator, bucket_owner=CENTRAL)
    assert foreign.rc != 0
    assert "bucket_owner %s is another account than the trail's (%s): set create_bucket=false" % (CENTRAL, ACCOUNT) in foreign.result("Trail")["msg"]
    assert emulator.write_requests() == [] and bucket_owner_conditions(emulator.requests()) == []


def owner_condition(owners):
    """S3's bucket owner condition, which the emulator ignores, for the buckets in ``owners`` ({bucket: account}):
    a request whose x-amz-expected-bucket-owner names another account answers 403 AccessDenied (HeadBucket: no
    body), as AWS does (S3 user guide, "Verifying bucket ownership with bucket owner condition"). A request without
    the header goes through, as to a squatter's bucket whose policy lets everyone in."""

    def answer(unused_proxy, method, path, headers, body):
        if protocol_of(headers, path, body) != "s3":
            return None
        bucket = urllib.parse.urlparse(path).path.lstrip("/").split("/", 1)[0]
        expected = headers.get("x-amz-expected-bucket-owner")
        if bucket not in owners or not expected or expected == owners[bucket]:
            return None
        status, answer_headers, data = error_answer("s3", "AccessDenied", 403, "Access Denied")
        return status, answer_headers, b"" if method == "HEAD" else data

    return answer


def test_bucket_squatting_is_refused_and_no_trail_points_at_the_bucket(emulator):
    """Another account made the log bucket first; with or without policy management the module stops."""
    emulator.client("s3", account_id=CENTRAL).create_bucket(Bucket=BUCKET)
    emulator.clear_recording()
    with FaultProxy(emulator, rate=0.0, answer=owner_condition({BUCKET: CENTRAL})) as proxy:
        for manage in (True, False):
            run = run_playbook(TRAIL_PLAYBOOK, dict(environ(emulator), AWS_ENDPOINT_URL=proxy.endpoint),
                               extra_vars={"trail_bucket": BUCKET, "trail_manage_bucket_policy": manage})
            assert run.rc != 0, run
            message = run.result("Trail")["msg"]
            assert "S3 bucket %s is not proven to belong to account %s" % (BUCKET, ACCOUNT) in message, message
            assert "no trail is pointed at it" in message
        assert proxy.counts()["answered"] == 2  # the one S3 read of each run, refused
    assert emulator.write_requests() == []
    assert trails(emulator) == []


def test_the_role_pins_each_accounts_bucket_owner_and_stops_a_squatted_one(tmp_path, emulator):
    """Through playbooks/root_alerts.yml, apply then audit. The default bucket names its own account on every S3
    call; root_login_alerts_trail_bucket_owner reaches the stack, which then only proves the central bucket; and
    an account whose default bucket name another account took first fails alone, its audit ``unknown``."""
    own, central_user, squatted = "111111111111", "111111111112", "111111111113"
    archive, squatter = "111111111119", "222222222222"
    taken = "root-login-alerts-%s-us-east-1" % squatted
    emulator.client("s3", account_id=archive).create_bucket(Bucket="org-log-archive")
    emulator.client("s3", account_id=squatter).create_bucket(Bucket=taken)
    hosts = {account: {"root_login_alerts_assume_role_arn": role_arn(account), "root_login_alerts_emails": ["security@example.com"]}
             for account in (own, central_user, squatted)}
    hosts[central_user].update(root_login_alerts_trail_bucket="org-log-archive", root_login_alerts_trail_bucket_owner=archive)
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"aws_accounts": {"hosts": hosts}}), encoding="utf-8")
    entries = {}
    with FaultProxy(emulator, rate=0.0, answer=owner_condition({taken: squatter})) as proxy:
        for mode in ("apply", "audit"):
            proxy.reset()
            run = run_playbook(os.path.join(ROOT, "playbooks", "root_alerts.yml"), proxy.environ(), inventory=str(inventory),
                               check=mode == "audit", extra_vars={"root_alerts_report_dir": str(tmp_path / mode)})
            assert run.rc == (2 if mode == "apply" else 0), run
            with open(str(tmp_path / mode / "report.json"), encoding="utf-8") as handle:
                entries[mode] = {entry["account"]: entry for entry in json.load(handle)["accounts"]}
            if mode == "apply":
                # What the proxy received: the refused requests never reached the emulator's recording.
                by_account = emulator.requests_by_account([Request(entry) for entry in proxy.seen()])
    sent = bucket_owner_conditions(by_account[own])
    assert ("CreateBucket", None) in sent
    assert [owner for name, owner in sent if name != "CreateBucket"] == [own] * (len(sent) - 1)
    assert bucket_owner_conditions(by_account[central_user]) == [("HEAD /org-log-archive?", archive)]
    assert bucket_owner_conditions(by_account[squatted]) == [("GET /%s?policy" % taken, squatted)]
    described = emulator.client("cloudtrail", account_id=central_user).describe_trails()["trailList"]
    assert [t["S3BucketName"] for t in described if t["Name"] == NAME] == ["org-log-archive"]
    for mode, status in (("apply", "failed"), ("audit", "unknown")):
        entry = entries[mode][squatted]
        assert entry["status"] == status, entry
        assert any("S3 bucket %s is not proven to belong to account %s" % (taken, squatted) in line for line in entry["problems"]), entry
        assert entries[mode][own]["status"] == entries[mode][central_user]["status"] == "compliant"
    # Nothing was made in the squatted account: no trail, and no topic or rule before the bucket was proven.
    assert emulator.client("cloudtrail", account_id=squatted).describe_trails()["trailList"] == []
    assert emulator.client("sns", account_id=squatted).list_topics()["Topics"] == []
