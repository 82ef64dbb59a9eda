# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one retry policy: which AWS answers are retried, by which layer, and which are not.

Clients are real boto3 clients made by ``clients.AwsClients`` for a fake endpoint.
botocore's Stubber answers at ``before-call``, ahead of botocore's own retry handler, so
stubbed errors exercise amazon.aws's AWSRetry layer alone. Dropped connections are raised
at ``before-send`` instead, which is where botocore's own retries (standard mode) act.
Error answers are shaped as AWS documents them: code and HTTP status.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

import botocore.awsrequest
import pytest
from botocore.exceptions import ClientError
from botocore.exceptions import ConnectionClosedError
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import SDK_MAX_ATTEMPTS
from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import AwsClients
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import LogBucketManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import delivery_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_code

REGION = "us-east-1"
ACCOUNT = "111111111111"
ENDPOINT = "https://aws.invalid"  # never reached: Stubber or a before-send handler answers
RULE_ARN = "arn:aws:events:us-east-1:111111111111:rule/root-login-alerts"
TOPIC_ARN = "arn:aws:sns:us-east-1:111111111111:root-login-alerts"
BUCKET = "root-login-alerts-111111111111-us-east-1"


class FakeModule:
    """What AwsClients reads from an AnsibleAWSModule: its parameters."""

    def __init__(self, region=REGION, aws_config=None):
        self.params = {
            "region": region,
            "endpoint_url": ENDPOINT,
            "access_key": "testing",
            "secret_key": "testing",
            "session_token": None,
            "profile": None,
            "validate_certs": True,
            "aws_ca_bundle": None,
            "aws_config": aws_config,
        }

    def fail_json(self, **kwargs):
        raise AssertionError(kwargs)

    fail_json_aws = fail_json


@pytest.fixture(autouse=True)
def sleeps(monkeypatch):
    """The delays asked for, by AWSRetry and by botocore (both call time.sleep); none is slept."""
    asked = []
    monkeypatch.setattr(time, "sleep", asked.append)
    for name in ("AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    return asked


def stubbed(service, region=REGION):
    """(client as the modules get it, Stubber on the boto3 client under it)."""
    client = AwsClients(FakeModule(region))(service)
    return client, Stubber(client.client)


def add_errors(stubber, operation, code, status, times=1):
    for unused in range(times):
        stubber.add_client_error(operation, service_error_code=code, service_message="injected", http_status_code=status)


# -- what is retried ------------------------------------------------------------------------------
def test_eventbridge_throttling_is_retried_and_succeeds(sleeps):
    events, stubber = stubbed("events")
    add_errors(stubber, "put_rule", "ThrottlingException", 400)
    stubber.add_response("put_rule", {"RuleArn": RULE_ARN})
    with stubber:
        assert events.put_rule(Name="root-login-alerts", EventPattern="{}", aws_retry=True)["RuleArn"] == RULE_ARN
        stubber.assert_no_pending_responses()
    assert len(sleeps) == 1


def test_s3_slowdown_503_is_retried(sleeps):
    s3, stubber = stubbed("s3")
    add_errors(stubber, "put_bucket_policy", "SlowDown", 503, times=2)
    stubber.add_response("put_bucket_policy", {})
    with stubber:
        s3.put_bucket_policy(Bucket=BUCKET, Policy="{}", aws_retry=True)
        stubber.assert_no_pending_responses()
    assert len(sleeps) == 2


@pytest.mark.parametrize("code, status", [("Throttling", 400), ("Throttled", 429)])
def test_sns_throttling_is_retried(sleeps, code, status):
    """SNS answers the query protocol's Throttling (400) and its own ThrottledException (429,
    code Throttled); AWSRetry knows only the first."""
    sns, stubber = stubbed("sns")
    add_errors(stubber, "get_topic_attributes", code, status)
    stubber.add_response("get_topic_attributes", {"Attributes": {"TopicArn": TOPIC_ARN}})
    with stubber:
        assert sns.get_topic_attributes(TopicArn=TOPIC_ARN, aws_retry=True)["Attributes"]["TopicArn"] == TOPIC_ARN
        stubber.assert_no_pending_responses()
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    "service, operation, params, answer, code, status",
    [
        ("events", "describe_rule", {"Name": "r"}, {"Name": "r"}, "InternalException", 500),
        ("cloudtrail", "describe_trails", {}, {"trailList": []}, "ThrottlingException", 400),
        ("kms", "describe_key", {"KeyId": "k"}, {"KeyMetadata": {"KeyId": "k"}}, "KMSInternalException", 500),
        ("kms", "describe_key", {"KeyId": "k"}, {"KeyMetadata": {"KeyId": "k"}}, "ThrottlingException", 400),
        ("sts", "get_caller_identity", {}, {"Account": ACCOUNT}, "Throttling", 400),
        ("iam", "get_account_summary", {}, {"SummaryMap": {}}, "ServiceFailure", 500),
        ("organizations", "describe_organization", {}, {"Organization": {"Id": "o-a1b2c3d4e5"}}, "ServiceException", 500),
        ("s3", "head_bucket", {"Bucket": BUCKET}, {}, "503", 503),  # HEAD: no body, the status is the code
        ("s3", "get_bucket_policy", {"Bucket": BUCKET}, {"Policy": "{}"}, "InternalError", 500),
        ("sns", "list_subscriptions_by_topic", {"TopicArn": TOPIC_ARN}, {"Subscriptions": []}, "InternalError", 500),
        ("sns", "list_subscriptions_by_topic", {"TopicArn": TOPIC_ARN}, {"Subscriptions": []}, "ServiceUnavailable", 503),
    ],
)
def test_transient_and_throttling_codes_of_each_service_are_retried(sleeps, service, operation, params, answer, code, status):
    client, stubber = stubbed(service)
    add_errors(stubber, operation, code, status)
    stubber.add_response(operation, answer)
    with stubber:
        assert getattr(client, operation)(aws_retry=True, **params) == answer
        stubber.assert_no_pending_responses()
    assert len(sleeps) == 1


def test_awsretry_gives_up_after_its_attempts(sleeps):
    events, stubber = stubbed("events")
    add_errors(stubber, "put_rule", "ThrottlingException", 400, times=8)
    with stubber, pytest.raises(ClientError) as raised:
        events.put_rule(Name="root-login-alerts", EventPattern="{}", aws_retry=True)
    assert error_code(raised.value) == "ThrottlingException"
    assert len(sleeps) == 7


# -- what is not ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "service, operation, params, code, status",
    [
        ("events", "put_rule", {"Name": "r", "EventPattern": "{}"}, "AccessDeniedException", 400),
        ("s3", "put_bucket_policy", {"Bucket": BUCKET, "Policy": "{}"}, "AccessDenied", 403),
        ("sns", "create_topic", {"Name": "t"}, "AuthorizationError", 403),
        ("events", "put_rule", {"Name": "r", "EventPattern": "{}"}, "LimitExceededException", 400),  # a quota
        # NoSuchBucket is retried right after CreateBucket only (LogBucketManager._create).
        ("s3", "put_bucket_policy", {"Bucket": BUCKET, "Policy": "{}"}, "NoSuchBucket", 404),
    ],
)
def test_errors_that_are_not_transient_are_raised_at_once(sleeps, service, operation, params, code, status):
    client, stubber = stubbed(service)
    add_errors(stubber, operation, code, status)  # one answer: a retry would fail with "no stub"
    with stubber, pytest.raises(ClientError) as raised:
        getattr(client, operation)(aws_retry=True, **params)
    assert error_code(raised.value) == code
    assert sleeps == []


# -- a bucket just created ------------------------------------------------------------------------
def statements():
    trail_arn = "arn:aws:cloudtrail:%s:%s:trail/root-login-alerts" % (REGION, ACCOUNT)
    return delivery_statements(BUCKET, "root-login-alerts", trail_arn, ACCOUNT, REGION)


def test_no_such_bucket_right_after_create_bucket_is_retried(sleeps):
    s3, stubber = stubbed("s3")
    add_errors(stubber, "get_bucket_policy", "NoSuchBucket", 404)  # the read: missing, not retried
    stubber.add_response("create_bucket", {"Location": "/" + BUCKET}, {"Bucket": BUCKET, "ObjectOwnership": "BucketOwnerEnforced"})
    add_errors(stubber, "put_public_access_block", "NoSuchBucket", 404, times=2)
    stubber.add_response("put_public_access_block", {}, {"Bucket": BUCKET, "PublicAccessBlockConfiguration": ANY})
    add_errors(stubber, "put_bucket_encryption", "OperationAborted", 409)
    stubber.add_response("put_bucket_encryption", {}, {"Bucket": BUCKET, "ServerSideEncryptionConfiguration": ANY})
    add_errors(stubber, "put_bucket_policy", "NoSuchBucket", 404)
    stubber.add_response("put_bucket_policy", {}, {"Bucket": BUCKET, "Policy": ANY})
    with stubber:
        result = LogBucketManager(lambda service, region=None: s3, REGION).ensure({"bucket": BUCKET, "statements": statements()})
        stubber.assert_no_pending_responses()
    assert result["created"] and result["changed"]
    assert len(sleeps) == 4


def test_bucket_already_owned_by_you_on_create_goes_on(sleeps):
    """The answer to CreateBucket retried after a lost response, outside us-east-1."""
    region = "eu-west-1"
    s3, stubber = stubbed("s3", region)
    add_errors(stubber, "get_bucket_policy", "NoSuchBucket", 404)
    add_errors(stubber, "create_bucket", "BucketAlreadyOwnedByYou", 409)
    add_errors(stubber, "get_bucket_policy", "NoSuchBucketPolicy", 404)  # read again before the policy is written
    for operation in ("put_public_access_block", "put_bucket_encryption", "put_bucket_policy"):
        stubber.add_response(operation, {})
    with stubber:
        result = LogBucketManager(lambda service, region=None: s3, region).ensure({"bucket": BUCKET, "statements": statements()})
        stubber.assert_no_pending_responses()
    assert result["created"]
    assert result["bucket"]["policy"]["Statement"]
    assert sleeps == []


def test_bucket_already_owned_keeps_the_policy_someone_else_set_meanwhile(sleeps):
    """BucketAlreadyOwnedByYou may also mean another writer in this account made the bucket after
    our read: its policy is merged into, never written over."""
    region = "eu-west-1"
    s3, stubber = stubbed("s3", region)
    theirs = {"Sid": "TheirStatement", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
              "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % BUCKET}
    add_errors(stubber, "get_bucket_policy", "NoSuchBucket", 404)
    add_errors(stubber, "create_bucket", "BucketAlreadyOwnedByYou", 409)
    stubber.add_response("get_bucket_policy", {"Policy": json.dumps({"Version": "2012-10-17", "Statement": [theirs]})})
    for operation in ("put_public_access_block", "put_bucket_encryption"):
        stubber.add_response(operation, {})
    stubber.add_response("put_bucket_policy", {})
    with stubber:
        result = LogBucketManager(lambda service, region=None: s3, region).ensure({"bucket": BUCKET, "statements": statements()})
        stubber.assert_no_pending_responses()
    assert [s["Sid"] for s in result["bucket"]["policy"]["Statement"]][0] == "TheirStatement"
    assert len(result["bucket"]["policy"]["Statement"]) == 4


def test_a_bucket_that_is_someone_elses_still_fails(sleeps):
    s3, stubber = stubbed("s3", "eu-west-1")
    add_errors(stubber, "get_bucket_policy", "NoSuchBucket", 404)
    add_errors(stubber, "create_bucket", "BucketAlreadyExists", 409)
    with stubber, pytest.raises(AnsibleAWSError) as raised:
        LogBucketManager(lambda service, region=None: s3, "eu-west-1").ensure({"bucket": BUCKET, "statements": statements()})
    assert "Failed to create S3 bucket %s" % BUCKET in str(raised.value)
    assert sleeps == []


# -- dropped connections: botocore's own retries ---------------------------------------------------
class _Body:
    def __init__(self, data):
        self.data = data

    def stream(self, **unused):
        yield self.data


def drop_first(client, drops, body):
    """Close the connection (ConnectionClosedError) on the first ``drops`` attempts, then answer."""
    attempts = []

    def send(request, **unused):
        attempts.append(request.url)
        if len(attempts) <= drops:
            raise ConnectionClosedError(endpoint_url=request.url)
        return botocore.awsrequest.AWSResponse(request.url, 200, {}, _Body(json.dumps(body).encode()))

    client.meta.events.register("before-send", send)
    return attempts


def test_dropped_connections_are_retried_by_botocore(sleeps):
    events = AwsClients(FakeModule())("events")
    attempts = drop_first(events.client, SDK_MAX_ATTEMPTS - 1, {"RuleArn": RULE_ARN})
    assert events.put_rule(Name="root-login-alerts", EventPattern="{}", aws_retry=True)["RuleArn"] == RULE_ARN
    assert len(attempts) == SDK_MAX_ATTEMPTS
    assert SDK_MAX_ATTEMPTS > 3  # more than standard mode's default


def test_dropped_connections_fail_after_botocore_attempts(sleeps):
    events = AwsClients(FakeModule())("events")
    attempts = drop_first(events.client, SDK_MAX_ATTEMPTS, {"RuleArn": RULE_ARN})
    with pytest.raises(ConnectionClosedError):
        events.put_rule(Name="root-login-alerts", EventPattern="{}", aws_retry=True)
    assert len(attempts) == SDK_MAX_ATTEMPTS  # AWSRetry handles ClientError only


# -- botocore's retry configuration ---------------------------------------------------------------
def test_clients_use_standard_mode_with_more_attempts():
    retries = AwsClients(FakeModule())("sns").client.meta.config.retries
    assert retries == {"mode": "standard", "total_max_attempts": SDK_MAX_ATTEMPTS}


def test_the_users_botocore_config_wins():
    module = FakeModule(aws_config={"retries": {"mode": "adaptive", "max_attempts": 2}, "read_timeout": 7})
    config = AwsClients(module)("sns").client.meta.config
    assert config.retries == {"mode": "adaptive", "total_max_attempts": 3}  # botocore: max_attempts are retries
    assert config.read_timeout == 7


def test_the_environment_wins(monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("AWS_RETRY_MODE", "legacy")
    retries = AwsClients(FakeModule())("sns").client.meta.config.retries
    assert retries == {"mode": "legacy", "total_max_attempts": 2}


@pytest.mark.parametrize("external_id", [None, "rootwatch-7f3a:prod/2026"])
def test_assume_role_sends_the_external_id(external_id):
    """The member role's trust may require sts:ExternalId (docs/member-role.yml): it is sent when set, and
    AssumeRole is made without it otherwise. The answer is shaped like the STS API reference's."""
    clients = AwsClients(FakeModule())
    role = "arn:aws:iam::%s:role/RootwatchAutomation" % ACCOUNT
    expected = {"RoleArn": role, "RoleSessionName": "rootwatch-root-login-alerts"}
    if external_id:
        expected["ExternalId"] = external_id
    with Stubber(clients("sts").client) as stub:
        stub.add_response("assume_role", {
            "Credentials": {"AccessKeyId": "ASIAEXAMPLEEXAMPLE00", "SecretAccessKey": "s" * 40, "SessionToken": "t" * 40,
                            "Expiration": "2026-12-03T12:00:00Z"},
            "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLEEXAMPLE0:rootwatch-root-login-alerts",
                                "Arn": "arn:aws:sts::%s:assumed-role/RootwatchAutomation/rootwatch-root-login-alerts" % ACCOUNT},
        }, expected)
        clients.assume_role(role, "rootwatch-root-login-alerts", external_id)
        stub.assert_no_pending_responses()
    assert clients.params["aws_access_key_id"] == "ASIAEXAMPLEEXAMPLE00"
