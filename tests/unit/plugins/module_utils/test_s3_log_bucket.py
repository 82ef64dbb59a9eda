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

from ansible_collections.rootwatch.aws.plugins.module_utils.policy_statements import policies_differ
from ansible_collections.rootwatch.aws.plugins.module_utils.policy_statements import validate_statements
from ansible_collections.rootwatch.aws.plugins.module_utils.s3_log_bucket import LogBucketManager
from ansible_collections.rootwatch.aws.plugins.module_utils.s3_log_bucket import bucket_name_of
from ansible_collections.rootwatch.aws.plugins.module_utils.s3_log_bucket import delivery_statements
from ansible_collections.rootwatch.aws.plugins.module_utils.s3_log_bucket import encryption_configuration
from ansible_collections.rootwatch.aws.plugins.module_utils.s3_log_bucket import sid_suffix
from ansible_collections.rootwatch.aws.plugins.module_utils.s3_log_bucket import validate_key_prefix

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


def policy_response(document):
    return {"Policy": json.dumps(document)}


def test_existing_bucket_policy_keeps_unrelated_statements(s3):
    stubber, client = s3
    stubber.add_response("get_bucket_policy", policy_response({"Version": "2012-10-17", "Statement": [OTHER]}), {"Bucket": BUCKET})
    stubber.add_response("put_bucket_policy", {}, {"Bucket": BUCKET, "Policy": ANY})
    result = LogBucketManager(client, REGION).ensure(BUCKET, statements())
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
    result = LogBucketManager(client, REGION).ensure(BUCKET, statements())
    assert result["changed"] is False and result["actions"] == []
    assert client.names() == ["get_bucket_policy"]


def test_missing_bucket_in_check_mode_previews_the_secure_bucket(s3):
    stubber, client = s3
    stubber.add_client_error("get_bucket_policy", "NoSuchBucket", http_status_code=404, expected_params={"Bucket": BUCKET})
    result = LogBucketManager(client, REGION, check_mode=True).ensure(BUCKET, statements(), kms_key_arn=lambda: KEY_ARN)
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
    result = LogBucketManager(client, region).ensure(BUCKET, statements(region=region))
    assert result["created"] is True
    assert client.kwargs("put_public_access_block")["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True
    assert len(json.loads(client.kwargs("put_bucket_policy")["Policy"])["Statement"]) == 3


def test_missing_bucket_without_create_is_an_error(s3):
    stubber, client = s3
    stubber.add_client_error("get_bucket_policy", "NoSuchBucket", http_status_code=404)
    with pytest.raises(AnsibleAWSError, match="does not exist; create it first or set create_bucket=true"):
        LogBucketManager(client, REGION).ensure(BUCKET, statements(), create=False)


def test_unreadable_policy_suggests_manage_bucket_policy_false(s3):
    stubber, client = s3
    stubber.add_client_error("get_bucket_policy", "AccessDenied", http_status_code=403)
    with pytest.raises(AnsibleAWSError, match="manage_bucket_policy=false"):
        LogBucketManager(client, REGION).ensure(BUCKET, statements())


def test_bucket_without_policy_gets_one(s3):
    stubber, client = s3
    stubber.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", http_status_code=404)
    stubber.add_response("put_bucket_policy", {}, {"Bucket": BUCKET, "Policy": ANY})
    result = LogBucketManager(client, REGION).ensure(BUCKET, statements())
    assert result["changed"] is True and result["diff"]["before"]["policy"] is None


def test_without_policy_management_only_existence_is_checked(s3):
    stubber, client = s3
    stubber.add_response("head_bucket", {}, {"Bucket": BUCKET})
    result = LogBucketManager(client, REGION).ensure(BUCKET, statements(), manage_policy=False)
    assert result["changed"] is False and client.names() == ["head_bucket"]
    assert "policy" not in result["bucket"]


def test_nothing_managed_makes_no_call(s3):
    unused, client = s3
    result = LogBucketManager(client, REGION).ensure(BUCKET, statements(), create=False, manage_policy=False)
    assert result == {"changed": False, "created": False, "actions": [], "bucket": {}, "diff": {"before": {}, "after": {}}}
    assert client.calls == []
