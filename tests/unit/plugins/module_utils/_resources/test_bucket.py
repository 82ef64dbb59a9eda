# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CloudTrail log bucket: names, delivery policy, creation and policy merging."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from contextlib import ExitStack

import pytest
from botocore.stub import ANY

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import policies_differ
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import validate_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import BucketNotVerifiedError
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import LogBucketManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import bucket_name_of
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import delivery_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import encryption_configuration
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import encryption_satisfies
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import sid_suffix
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import validate_bucket_owner
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import validate_key_prefix

from cloudtrail_fakes import stubbed_client  # pylint: disable=import-error

ACCOUNT = "111111111111"
REGION = "us-east-1"
BUCKET = "rootwatch-trail-logs"
TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:111111111111:trail/root-login-alerts"
KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER = {
    "Sid": "SomeoneElse",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::rootwatch-trail-logs/*",
}


def statements(prefix=None, region=REGION):
    return delivery_statements(BUCKET, "root-login-alerts", TRAIL_ARN, ACCOUNT, region, prefix)


@pytest.mark.parametrize(
    "value, name",
    [
        ("abc", "abc"),
        ("my-bucket.logs-1", "my-bucket.logs-1"),
        ("a" * 63, "a" * 63),
        ("arn:aws:s3:::my-bucket", "my-bucket"),
        ("arn:aws-cn:s3:::my-bucket", "my-bucket"),
    ],
)
def test_valid_bucket_names(value, name):
    assert bucket_name_of(value) == name


@pytest.mark.parametrize(
    "value, words",
    [
        ("ab", "3 to 63 characters"),
        ("a" * 64, "3 to 63 characters"),
        ("My-Bucket", "lowercase"),
        ("my_bucket", "lowercase"),
        ("-bucket", "begin and end"),
        ("bucket-", "begin and end"),
        ("my..bucket", "two adjacent periods"),
        ("192.168.5.4", "IP address"),
        ("xn--bucket", "prefix 'xn--' is reserved"),
        ("sthree-bucket", "reserved"),
        ("bucket-s3alias", "suffix '-s3alias' is reserved"),
        ("bucket--ol-s3", "reserved"),
        ("arn:aws:s3:::Bad_Name", "lowercase"),
        ("", "is required"),
        (None, "is required"),
    ],
)
def test_invalid_bucket_names(value, words):
    with pytest.raises(ValueError, match="s3_bucket_name") as caught:
        bucket_name_of(value)
    assert words in str(caught.value)


@pytest.mark.parametrize("prefix", [None, "", "logs", "a/b", "x" * 200])
def test_valid_prefixes(prefix):
    assert validate_key_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix, words", [("/logs", "begin or end"), ("logs/", "begin or end"), ("a//b", "'//'"), ("x" * 201, "at most 200")])
def test_invalid_prefixes(prefix, words):
    with pytest.raises(ValueError, match="s3_key_prefix") as caught:
        validate_key_prefix(prefix)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    "name, region, suffix",
    [("root-login-alerts", "us-east-1", "RootLoginAlertsUsEast1"), ("a.b_c", "eu-west-2", "ABCEuWest2"), ("Trail1", "us-gov-west-1", "Trail1UsGovWest1")],
)
def test_sid_suffix(name, region, suffix):
    assert sid_suffix(name, region) == suffix


def test_delivery_statements_scope_cloudtrail_to_the_trail_and_the_log_path():
    acl, write, deny = validate_statements(statements("audit"))
    assert acl["Action"] == "s3:GetBucketAcl" and acl["Resource"] == "arn:aws:s3:::rootwatch-trail-logs"
    assert acl["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert acl["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN, "aws:SourceAccount": ACCOUNT}}
    assert write["Resource"] == "arn:aws:s3:::rootwatch-trail-logs/audit/AWSLogs/111111111111/*"
    assert write["Condition"]["StringEquals"] == {
        "aws:SourceArn": TRAIL_ARN,
        "aws:SourceAccount": ACCOUNT,
        "s3:x-amz-acl": "bucket-owner-full-control",
    }
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == ["arn:aws:s3:::rootwatch-trail-logs", "arn:aws:s3:::rootwatch-trail-logs/*"]
    assert statements()[1]["Resource"] == "arn:aws:s3:::rootwatch-trail-logs/AWSLogs/111111111111/*"
    assert statements(region="cn-north-1")[0]["Resource"] == "arn:aws-cn:s3:::rootwatch-trail-logs"


def test_encryption_configuration():
    assert encryption_configuration() == {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    kms = encryption_configuration(KEY_ARN)["Rules"][0]
    assert kms["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN}
    assert kms["BucketKeyEnabled"] is True


# -- the manager, against a stubbed S3 client --------------------------------------
@pytest.fixture
def s3(request):
    stack = ExitStack()
    request.addfinalizer(stack.close)  # checks that every stubbed answer was used
    return stack.enter_context(stubbed_client("s3", REGION))


def ensure_bucket(client, region=REGION, check_mode=False, **params):
    params.setdefault("statements", statements(region=region))
    return LogBucketManager(lambda service, region=None: client, region, check_mode).ensure(dict(params, bucket=BUCKET))


def policy_response(document):
    return {"Policy": json.dumps(document)}


def test_existing_bucket_policy_keeps_unrelated_statements(s3):
    stubber, client = s3
    stubber.add_response("get_bucket_policy", policy_response({"Version": "2012-10-17", "Statement": [OTHER]}), {"Bucket": BUCKET})
    stubber.add_response("put_bucket_policy", {}, {"Bucket": BUCKET, "Policy": ANY})
    result = ensure_bucket(client)
    assert result["changed"] is True and result["created"] is False
    written = json.loads(client.kwargs("put_bucket_policy")["Policy"])
    assert [s["Sid"] for s in written["Statement"]] == [
        "SomeoneElse",
        "RootwatchCloudTrailAclCheckRootLoginAlertsUsEast1",
        "RootwatchCloudTrailWriteRootLoginAlertsUsEast1",
        "RootwatchDenyInsecureTransport",
    ]
    assert written["Statement"][0] == OTHER
    assert result["diff"]["before"]["policy"]["Statement"] == [OTHER]
    assert result["bucket"]["policy"] == written


def test_equal_policy_in_another_spelling_is_a_no_op(s3):
    stubber, client = s3
    respelled = []
    for statement in reversed(statements()):
        statement = dict(statement)
        statement["Action"] = [statement["Action"]]  # str vs list
        respelled.append(statement)
    stubber.add_response("get_bucket_policy", policy_response({"Version": "2012-10-17", "Statement": [OTHER] + respelled}), {"Bucket": BUCKET})
    result = ensure_bucket(client)
    assert result["changed"] is False and result["actions"] == []
    assert client.names() == ["get_bucket_policy"]


def test_missing_bucket_in_check_mode_previews_the_secure_bucket(s3):
    stubber, client = s3
    stubber.add_client_error("get_bucket_policy", "NoSuchBucket", http_status_code=404, expected_params={"Bucket": BUCKET})
    result = ensure_bucket(client, check_mode=True, kms_key_arn=lambda: KEY_ARN)
    assert client.names() == ["get_bucket_policy"]
    assert result["changed"] is True and result["created"] is True
    bucket = result["bucket"]
    assert bucket["public_access_block"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["object_ownership"] == "BucketOwnerEnforced"
    assert bucket["encryption"] == encryption_configuration(KEY_ARN)
    assert not policies_differ(bucket["policy"], {"Version": "2012-10-17", "Statement": statements()})
    assert result["diff"]["before"] == {"name": BUCKET, "exists": False}
    assert result["actions"][0] == "s3:CreateBucket %s" % BUCKET


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_missing_bucket_is_created_secure(s3, region):
    stubber, client = s3
    stubber.add_client_error("get_bucket_policy", "NoSuchBucket", http_status_code=404)
    create = {"Bucket": BUCKET, "ObjectOwnership": "BucketOwnerEnforced"}
    if region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": region}
    stubber.add_response("create_bucket", {}, create)
    stubber.add_response("put_public_access_block", {}, {"Bucket": BUCKET, "PublicAccessBlockConfiguration": ANY})
    stubber.add_response(
        "put_bucket_encryption",
        {},
        {"Bucket": BUCKET, "ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}},
    )
    stubber.add_response("put_bucket_policy", {}, {"Bucket": BUCKET, "Policy": ANY})
    result = ensure_bucket(client, region=region, statements=statements(region=region))
    assert result["created"] is True
    assert client.kwargs("put_public_access_block")["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True
    assert len(json.loads(client.kwargs("put_bucket_policy")["Policy"])["Statement"]) == 3


def test_missing_bucket_without_create_is_an_error(s3):
    stubber, client = s3
    stubber.add_client_error("get_bucket_policy", "NoSuchBucket", http_status_code=404)
    with pytest.raises(AnsibleAWSError, match="does not exist; create it first or set create_bucket=true"):
        ensure_bucket(client, create=False)


def test_unreadable_policy_suggests_manage_bucket_policy_false(s3):
    stubber, client = s3
    stubber.add_client_error("get_bucket_policy", "AccessDenied", http_status_code=403)
    with pytest.raises(AnsibleAWSError, match="manage_bucket_policy=false"):
        ensure_bucket(client)


def test_bucket_without_policy_gets_one(s3):
    stubber, client = s3
    stubber.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", http_status_code=404)
    stubber.add_response("put_bucket_policy", {}, {"Bucket": BUCKET, "Policy": ANY})
    result = ensure_bucket(client)
    assert result["changed"] is True and result["diff"]["before"]["policy"] is None


def test_without_policy_management_only_existence_is_checked(s3):
    stubber, client = s3
    stubber.add_response("head_bucket", {}, {"Bucket": BUCKET})
    result = ensure_bucket(client, manage_policy=False)
    assert result["changed"] is False and client.names() == ["head_bucket"]
    assert "policy" not in result["bucket"]


def test_nothing_managed_makes_no_call(s3):
    unused, client = s3
    result = ensure_bucket(client, create=False, manage_policy=False)
    assert result == {"changed": False, "created": False, "actions": [], "bucket": {}, "diff": {"before": {}, "after": {}},
                      "changes": [], "facts": {}}
    assert client.calls == []


# -- settings of our bucket: read every run, repaired when drifted or never set ------------------
OWNER_TAG = {"rootwatch:created-by": "root_login_alerts"}
SECURE_BLOCK = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
SSE_S3 = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]}


def add_converged_policy(stubber):
    stubber.add_response("get_bucket_policy", policy_response({"Version": "2012-10-17", "Statement": statements()}), {"Bucket": BUCKET})


def add_tags(stubber, tags):
    if tags:
        stubber.add_response("get_bucket_tagging", {"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}, {"Bucket": BUCKET})
    else:  # S3 answers a bucket without tags with NoSuchTagSet
        stubber.add_client_error("get_bucket_tagging", "NoSuchTagSet", http_status_code=404, expected_params={"Bucket": BUCKET})


def add_settings(stubber, block=None, encryption=None, ownership=None):
    """GetPublicAccessBlock, GetBucketEncryption, GetBucketOwnershipControls; None: never set (S3's not-found codes)."""
    if block is None:
        stubber.add_client_error("get_public_access_block", "NoSuchPublicAccessBlockConfiguration", http_status_code=404)
    else:
        stubber.add_response("get_public_access_block", {"PublicAccessBlockConfiguration": block}, {"Bucket": BUCKET})
    if encryption is None:
        stubber.add_client_error("get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError", http_status_code=404)
    else:
        stubber.add_response("get_bucket_encryption", {"ServerSideEncryptionConfiguration": encryption}, {"Bucket": BUCKET})
    if ownership is None:
        stubber.add_client_error("get_bucket_ownership_controls", "OwnershipControlsNotFoundError", http_status_code=404)
    else:
        stubber.add_response("get_bucket_ownership_controls", {"OwnershipControls": {"Rules": [{"ObjectOwnership": ownership}]}},
                             {"Bucket": BUCKET})


def test_our_converged_bucket_costs_five_reads_and_no_write(s3):
    stubber, client = s3
    add_converged_policy(stubber)
    add_tags(stubber, dict(OWNER_TAG, team="security"))
    add_settings(stubber, SECURE_BLOCK, SSE_S3, "BucketOwnerEnforced")
    result = ensure_bucket(client, owner_tag=OWNER_TAG)
    assert result["changed"] is False and result["changes"] == []
    assert client.names() == ["get_bucket_policy", "get_bucket_tagging", "get_public_access_block", "get_bucket_encryption",
                              "get_bucket_ownership_controls"]
    assert result["bucket"]["public_access_block"] == SECURE_BLOCK


def test_a_bucket_a_killed_run_left_half_configured_is_completed(s3):
    """CreateBucket and the tag went through, then the run died: no public access block, no encryption."""
    stubber, client = s3
    add_converged_policy(stubber)
    add_tags(stubber, OWNER_TAG)
    add_settings(stubber, None, None, "BucketOwnerEnforced")
    stubber.add_response("put_public_access_block", {}, {"Bucket": BUCKET, "PublicAccessBlockConfiguration": SECURE_BLOCK})
    stubber.add_response("put_bucket_encryption", {}, {"Bucket": BUCKET, "ServerSideEncryptionConfiguration": encryption_configuration()})
    result = ensure_bucket(client, owner_tag=OWNER_TAG)
    assert result["changed"] is True
    assert result["changes"] == ["block all public access to S3 bucket %s" % BUCKET, "set the default encryption of S3 bucket %s" % BUCKET]
    assert result["diff"]["before"]["public_access_block"] is None
    assert result["diff"]["after"]["public_access_block"] == SECURE_BLOCK


def test_drifted_settings_of_our_bucket_are_previewed_in_check_mode_without_a_write(s3):
    stubber, client = s3
    add_converged_policy(stubber)
    add_tags(stubber, OWNER_TAG)
    add_settings(stubber, dict(SECURE_BLOCK, BlockPublicPolicy=False), SSE_S3, "ObjectWriter")
    result = ensure_bucket(client, check_mode=True, owner_tag=OWNER_TAG)
    assert result["changed"] is True
    assert result["actions"] == ["s3:PutPublicAccessBlock %s" % BUCKET, "s3:PutBucketOwnershipControls %s" % BUCKET]
    assert result["diff"]["after"]["object_ownership"] == "BucketOwnerEnforced"
    assert "put_public_access_block" not in client.names() and "put_bucket_ownership_controls" not in client.names()


def test_drifted_ownership_is_put_back(s3):
    stubber, client = s3
    add_converged_policy(stubber)
    add_tags(stubber, OWNER_TAG)
    add_settings(stubber, SECURE_BLOCK, SSE_S3, "ObjectWriter")
    stubber.add_response("put_bucket_ownership_controls", {},
                         {"Bucket": BUCKET, "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}})
    assert ensure_bucket(client, owner_tag=OWNER_TAG)["changed"] is True


def test_a_bucket_without_our_tag_keeps_its_settings(s3):
    """A user's bucket named in trail_bucket: only the delivery statements are ours to add."""
    stubber, client = s3
    add_converged_policy(stubber)
    add_tags(stubber, {"team": "payroll"})
    result = ensure_bucket(client, owner_tag=OWNER_TAG)
    assert result["changed"] is False
    assert client.names() == ["get_bucket_policy", "get_bucket_tagging"]


def test_sse_kms_asked_replaces_sse_s3_on_our_bucket(s3):
    stubber, client = s3
    add_converged_policy(stubber)
    add_tags(stubber, OWNER_TAG)
    add_settings(stubber, SECURE_BLOCK, SSE_S3, "BucketOwnerEnforced")
    stubber.add_response("put_bucket_encryption", {}, {"Bucket": BUCKET, "ServerSideEncryptionConfiguration": encryption_configuration(KEY_ARN)})
    assert ensure_bucket(client, owner_tag=OWNER_TAG, kms_key_arn=lambda: KEY_ARN)["changed"] is True


@pytest.mark.parametrize(
    "configuration, key, satisfied",
    [
        (None, None, False),
        (SSE_S3, None, True),
        (encryption_configuration(KEY_ARN), None, True),  # never weakened to SSE-S3
        (SSE_S3, KEY_ARN, False),
        (encryption_configuration(KEY_ARN), KEY_ARN, True),
        (encryption_configuration(KEY_ARN), KEY_ARN.replace("1234abcd", "9999abcd"), False),
        ({"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}, KEY_ARN, False),  # aws/s3 key
    ],
)
def test_encryption_satisfies(configuration, key, satisfied):
    assert encryption_satisfies(configuration, key) is satisfied
    assert encryption_satisfies(configuration, (lambda: key) if key else None) is satisfied


def test_a_new_bucket_is_tagged_before_anything_else_is_set(s3):
    """The tag is the proof that lets a later run complete a bucket this run could not finish."""
    stubber, client = s3
    stubber.add_client_error("get_bucket_policy", "NoSuchBucket", http_status_code=404)
    stubber.add_response("create_bucket", {}, {"Bucket": BUCKET, "ObjectOwnership": "BucketOwnerEnforced"})
    stubber.add_response("put_bucket_tagging", {}, {"Bucket": BUCKET, "Tagging": {"TagSet": [{"Key": "rootwatch:created-by", "Value": "root_login_alerts"}]}})
    for operation in ("put_public_access_block", "put_bucket_encryption", "put_bucket_policy"):
        stubber.add_response(operation, {})
    result = ensure_bucket(client, owner_tag=OWNER_TAG)
    assert client.names()[:3] == ["get_bucket_policy", "create_bucket", "put_bucket_tagging"]
    assert result["bucket"]["tags"] == OWNER_TAG


# -- the bucket owner pinned: ExpectedBucketOwner on every call but CreateBucket ------------------------
# The emulator (moto 5.2) ignores ExpectedBucketOwner and lets any account read and write any bucket, so
# these run against botocore's Stubber, with answers shaped as the S3 API reference documents them. The
# Stubber also validates every request against botocore's S3 model, which would refuse ExpectedBucketOwner
# on an operation that does not take it (CreateBucket does not).
CENTRAL = "222222222222"
MINE = {"Bucket": BUCKET, "ExpectedBucketOwner": ACCOUNT}


def owned_bucket(client, region=REGION, check_mode=False, account_id=ACCOUNT, **params):
    """ensure() by a manager that knows its account, as the trail manager builds it."""
    params.setdefault("statements", statements(region=region))
    manager = LogBucketManager(lambda service, region=None: client, region, check_mode, account_id=account_id)
    return manager.ensure(dict(params, bucket=BUCKET))


def add_denied(stubber, operation, expected):
    """S3's answer to a failed bucket owner condition: 403 AccessDenied (HeadBucket: 403 without a body)."""
    if operation == "head_bucket":
        stubber.add_client_error(operation, "403", "Forbidden", http_status_code=403, expected_params=expected)
    else:
        stubber.add_client_error(operation, "AccessDenied", "Access Denied", http_status_code=403, expected_params=expected)


@pytest.mark.parametrize("value", [None, "", "111111111111", "000000000001"])
def test_valid_bucket_owners(value):
    assert validate_bucket_owner(value) == (value or None)


@pytest.mark.parametrize("value", ["11111111111", "1111111111111", "arn:aws:iam::111111111111:root", "abcdefghijkl", 111111111111])
def test_invalid_bucket_owners_name_the_option(value):
    with pytest.raises(ValueError, match=r"^bucket_owner must be the 12-digit ID of the AWS account that owns the log bucket"):
        validate_bucket_owner(value)


def test_a_new_bucket_sends_the_owner_on_every_call_after_create_bucket(s3):
    stubber, client = s3
    stubber.add_client_error("get_bucket_policy", "NoSuchBucket", http_status_code=404, expected_params=MINE)
    stubber.add_response("create_bucket", {}, {"Bucket": BUCKET, "ObjectOwnership": "BucketOwnerEnforced"})
    stubber.add_response("put_bucket_tagging", {}, dict(MINE, Tagging=ANY))
    stubber.add_response("put_public_access_block", {}, dict(MINE, PublicAccessBlockConfiguration=ANY))
    stubber.add_response("put_bucket_encryption", {}, dict(MINE, ServerSideEncryptionConfiguration=ANY))
    stubber.add_response("put_bucket_policy", {}, dict(MINE, Policy=ANY))
    result = owned_bucket(client, owner_tag=OWNER_TAG)
    assert result["created"] is True and result["bucket"]["owner"] == ACCOUNT
    sent = [(name, kwargs.get("ExpectedBucketOwner")) for name, kwargs in client.calls]
    assert sent == [("get_bucket_policy", ACCOUNT), ("create_bucket", None), ("put_bucket_tagging", ACCOUNT),
                    ("put_public_access_block", ACCOUNT), ("put_bucket_encryption", ACCOUNT), ("put_bucket_policy", ACCOUNT)]


def test_our_converged_bucket_sends_the_owner_on_its_five_reads(s3):
    stubber, client = s3
    stubber.add_response("get_bucket_policy", policy_response({"Version": "2012-10-17", "Statement": statements()}), MINE)
    stubber.add_response("get_bucket_tagging", {"TagSet": [{"Key": "rootwatch:created-by", "Value": "root_login_alerts"}]}, MINE)
    stubber.add_response("get_public_access_block", {"PublicAccessBlockConfiguration": SECURE_BLOCK}, MINE)
    stubber.add_response("get_bucket_encryption", {"ServerSideEncryptionConfiguration": SSE_S3}, MINE)
    stubber.add_response("get_bucket_ownership_controls", {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}, MINE)
    result = owned_bucket(client, owner_tag=OWNER_TAG)
    assert result["changed"] is False and len(client.calls) == 5
    assert result["bucket"]["owner"] == ACCOUNT


def test_repairs_of_our_bucket_send_the_owner(s3):
    stubber, client = s3
    stubber.add_response("get_bucket_policy", policy_response({"Version": "2012-10-17", "Statement": [OTHER]}), MINE)
    stubber.add_response("put_bucket_policy", {}, dict(MINE, Policy=ANY))
    stubber.add_response("get_bucket_tagging", {"TagSet": [{"Key": "rootwatch:created-by", "Value": "root_login_alerts"}]}, MINE)
    stubber.add_client_error("get_public_access_block", "NoSuchPublicAccessBlockConfiguration", http_status_code=404, expected_params=MINE)
    stubber.add_client_error("get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError", http_status_code=404, expected_params=MINE)
    stubber.add_response("get_bucket_ownership_controls", {"OwnershipControls": {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}}, MINE)
    stubber.add_response("put_public_access_block", {}, dict(MINE, PublicAccessBlockConfiguration=SECURE_BLOCK))
    stubber.add_response("put_bucket_encryption", {}, dict(MINE, ServerSideEncryptionConfiguration=encryption_configuration()))
    stubber.add_response("put_bucket_ownership_controls", {}, dict(MINE, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}))
    result = owned_bucket(client, owner_tag=OWNER_TAG)
    assert len(result["changes"]) == 4
    assert all(kwargs["ExpectedBucketOwner"] == ACCOUNT for unused, kwargs in client.calls)


def test_a_squatted_bucket_is_refused_with_the_bucket_and_the_expected_owner(s3):
    """Another account made a bucket with our default name first. With the bucket owner condition S3
    answers 403 AccessDenied; the bucket is never taken as ours, and nothing is written to it."""
    stubber, client = s3
    add_denied(stubber, "get_bucket_policy", MINE)
    with pytest.raises(BucketNotVerifiedError) as caught:
        owned_bucket(client, owner_tag=OWNER_TAG)
    message = caught.value.message
    assert message.startswith("S3 bucket %s is not proven to belong to account %s: GetBucketPolicy with ExpectedBucketOwner=%s "
                              "answered 403 Access Denied" % (BUCKET, ACCOUNT, ACCOUNT))
    assert "no trail is pointed at it" in message and "choose another bucket name" in message
    assert client.names() == ["get_bucket_policy"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_403_to_head_bucket_is_not_taken_as_exists(s3, check_mode):
    """manage_policy false: before, a 403 from HeadBucket meant 'another account's bucket exists'."""
    stubber, client = s3
    add_denied(stubber, "head_bucket", MINE)
    with pytest.raises(BucketNotVerifiedError, match="HeadBucket with ExpectedBucketOwner=%s answered 403" % ACCOUNT) as caught:
        owned_bucket(client, check_mode=check_mode, manage_policy=False)
    assert "s3:ListBucket" in caught.value.message
    assert client.names() == ["head_bucket"]


def test_a_central_bucket_is_proven_by_one_head_bucket_with_its_owner(s3):
    stubber, client = s3
    stubber.add_response("head_bucket", {}, {"Bucket": BUCKET, "ExpectedBucketOwner": CENTRAL})
    result = owned_bucket(client, create=False, manage_policy=False, expected_owner=CENTRAL, check_owner=True, owner_tag=OWNER_TAG)
    assert result["changed"] is False and result["bucket"] == {"name": BUCKET, "arn": "arn:aws:s3:::" + BUCKET, "exists": True, "owner": CENTRAL}
    assert client.names() == ["head_bucket"]  # its tags and settings are its owner's: not even read


def test_a_central_bucket_of_yet_another_account_is_refused(s3):
    stubber, client = s3
    add_denied(stubber, "head_bucket", {"Bucket": BUCKET, "ExpectedBucketOwner": CENTRAL})
    with pytest.raises(BucketNotVerifiedError, match="not proven to belong to account %s" % CENTRAL):
        owned_bucket(client, create=False, manage_policy=False, expected_owner=CENTRAL, check_owner=True,
                     owner_hint="set root_login_alerts_trail_bucket_owner to the ID of the account that owns it")


def test_get_bucket_policy_of_another_accounts_bucket_says_only_its_owner_manages_it(s3):
    """GetBucketPolicy with permission from outside the owner's account: 405 MethodNotAllowed (S3 API reference)."""
    stubber, client = s3
    stubber.add_client_error("get_bucket_policy", "MethodNotAllowed", "The specified method is not allowed against this resource.",
                             http_status_code=405, expected_params={"Bucket": BUCKET, "ExpectedBucketOwner": CENTRAL})
    with pytest.raises(BucketNotVerifiedError, match="only its owner can read or change its policy"):
        owned_bucket(client, expected_owner=CENTRAL)


def test_a_name_taken_between_our_read_and_create_bucket_is_refused(s3):
    stubber, client = s3
    stubber.add_client_error("get_bucket_policy", "NoSuchBucket", http_status_code=404, expected_params=MINE)
    stubber.add_client_error("create_bucket", "BucketAlreadyExists", "The requested bucket name is not available.", http_status_code=409)
    with pytest.raises(BucketNotVerifiedError, match="another account owns that name now"):
        owned_bucket(client)
    assert client.names() == ["get_bucket_policy", "create_bucket"]


@pytest.mark.parametrize("operation, code, status", [("get_bucket_policy", "PermanentRedirect", 301), ("head_bucket", "301", 301)])
def test_other_failures_are_errors_never_exists(s3, operation, code, status):
    """A bucket in another Region answers 301 (HeadBucket without a body): an error, not 'exists'."""
    stubber, client = s3
    stubber.add_client_error(operation, code, http_status_code=status, expected_params=MINE)
    with pytest.raises(AnsibleAWSError) as caught:
        owned_bucket(client, manage_policy=operation == "get_bucket_policy")
    assert not isinstance(caught.value, BucketNotVerifiedError)
    assert "S3 bucket %s" % BUCKET in str(caught.value)
