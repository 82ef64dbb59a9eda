# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The trail manager: comparison by meaning, reuse of a covering trail (its options: ``test_trail_options``).

Paths the emulator cannot reach (an organization trail seen from a member
account, advanced selectors with data events, a KMS key stored as its ARN) run
against stubbed clients.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from contextlib import ExitStack

import pytest
from botocore.stub import ANY

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.rootwatch.aws.plugins.module_utils._stack import notices as stack_notices
from ansible_collections.rootwatch.aws.plugins.module_utils._stack import plan as stack_plan
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import validate_settings
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.stack import RootLoginAlertsStack
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail import CloudTrailTrailManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail import apply_updates
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail import attribute_updates
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail import trail_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import BucketNotVerifiedError
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import delivery_statements

from cloudtrail_fakes import ACCOUNT  # pylint: disable=import-error
from cloudtrail_fakes import MANAGEMENT_ACCOUNT  # pylint: disable=import-error
from cloudtrail_fakes import REGION  # pylint: disable=import-error
from cloudtrail_fakes import stubbed_client  # pylint: disable=import-error
from cloudtrail_fakes import trail  # pylint: disable=import-error

NAME = "root-login-alerts"
BUCKET = "logs-bucket"
ARN = "arn:aws:cloudtrail:us-east-1:%s:trail/%s" % (ACCOUNT, NAME)
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = "arn:aws:kms:us-east-1:%s:key/%s" % (ACCOUNT, KEY_ID)
# Every S3 call on the log bucket carries the bucket owner condition: the trail's own account by default.
ON_OUR_BUCKET = {"Bucket": BUCKET, "ExpectedBucketOwner": ACCOUNT}


def params(**overrides):
    base = {
        "name": NAME,
        "state": "present",
        "s3_bucket_name": BUCKET,
        "s3_key_prefix": None,
        "kms_key_id": None,
        "tags": None,
        "purge_tags": True,
        "is_multi_region_trail": True,
        "include_global_service_events": True,
        "enable_log_file_validation": True,
        "management_events": "All",
        "enable_logging": True,
        "create_bucket": True,
        "manage_bucket_policy": True,
        "reuse_covering_trail": False,
        "trust_organization_trails": True,
    }
    base.update(overrides)
    return base


# -- validation before any call ----------------------------------------------------
@pytest.mark.parametrize(
    "overrides, words",
    [
        ({"name": "a..b"}, "name 'a..b'"),
        ({"s3_bucket_name": "Bad_Bucket"}, "s3_bucket_name 'Bad_Bucket'"),
        ({"s3_bucket_name": None}, "s3_bucket_name is required"),
        ({"s3_key_prefix": "/x"}, "s3_key_prefix"),
        ({"management_events": "Everything"}, "management_events must be one of"),
        ({"include_global_service_events": False}, "include_global_service_events must be true for a multi-Region trail"),
        ({"reuse_covering_trail": True, "management_events": "ReadOnly"}, "cannot be combined with management_events=ReadOnly"),
        ({"kms_key_id": "alias/aws/cloudtrail"}, "AWS managed key"),
        ({"tags": {"n": 1}}, "tags.n must be a string"),
        ({"bucket_owner": "12345"}, "bucket_owner must be the 12-digit ID of the AWS account that owns the log bucket, got '12345'"),
    ],
)
def test_invalid_params_are_refused_before_any_call(overrides, words):
    manager = CloudTrailTrailManager(clients=None, region=REGION)  # any AWS call would fail
    with pytest.raises(ValueError) as caught:
        manager.ensure(params(**overrides))
    assert words in str(caught.value)


# -- pure comparison -----------------------------------------------------------------
@pytest.mark.parametrize(
    "current, overrides, expected",
    [
        ({}, {}, {}),
        ({}, {"s3_bucket_name": "other-bucket"}, {"S3BucketName": "other-bucket"}),
        ({}, {"s3_key_prefix": ""}, {}),  # no prefix either way
        ({"S3KeyPrefix": "p"}, {"s3_key_prefix": None}, {}),  # omitted: kept
        ({"S3KeyPrefix": "p"}, {"s3_key_prefix": ""}, {"S3KeyPrefix": ""}),
        ({}, {"s3_key_prefix": "q"}, {"S3KeyPrefix": "q"}),
        ({"IsMultiRegionTrail": False}, {}, {"IsMultiRegionTrail": True}),
        ({"LogFileValidationEnabled": False}, {}, {"EnableLogFileValidation": True}),
        ({"IncludeGlobalServiceEvents": False}, {}, {"IncludeGlobalServiceEvents": True}),
        ({"KmsKeyId": KEY_ARN}, {"kms_key_id": None}, {}),
        ({"KmsKeyId": KEY_ARN}, {"kms_key_id": ""}, {"KmsKeyId": ""}),
        ({"KmsKeyId": KEY_ARN}, {"kms_key_id": "alias/same"}, {}),
        ({"KmsKeyId": KEY_ARN}, {"kms_key_id": "alias/other"}, {"KmsKeyId": "alias/other"}),
    ],
)
def test_attribute_updates(current, overrides, expected):
    description = dict(trail(NAME, bucket=BUCKET), **current)

    def kms_same(left, right):
        return left == right or {left, right} == {KEY_ARN, "alias/same"}

    updates = attribute_updates(description, params(**overrides), kms_same)
    assert updates == expected
    after = apply_updates(description, updates)
    assert attribute_updates(after, params(**overrides), kms_same) == {}


def test_trail_result_shapes():
    assert trail_result(None) == {}
    result = trail_result(trail(NAME), {"IsLogging": True}, ("basic", [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]), {"a": "b"})
    assert result["management_events"] == "WriteOnly"
    assert result["is_logging"] is True and result["tags"] == {"a": "b"}
    assert result["advanced_event_selectors"] == [] and result["s3_key_prefix"] == "" and result["kms_key_id"] == ""


# -- the manager against stubbed clients ------------------------------------------------
class Clients:
    """Stubbed clients by service; ``stub[service]`` to add answers, ``.calls`` for what ran."""

    def __init__(self, stack, services):
        self.stub = {}
        self.client = {}
        for service in services:
            self.stub[service], self.client[service] = stack.enter_context(stubbed_client(service))

    def __call__(self, service, region=None):
        return self.client[service]

    def calls(self):
        return [(service, name) for service, client in self.client.items() for name in client.names()]

    def writes(self):
        return [call for call in self.calls() if not call[1].startswith(("get_", "describe_", "list_", "head_"))]


def policy_for(trail_arn=ARN, prefix=None):
    return {"Version": "2012-10-17", "Statement": delivery_statements(BUCKET, NAME, trail_arn, ACCOUNT, REGION, prefix)}


def own_trail(**fields):
    description = trail(NAME, bucket=BUCKET)
    description.update(fields)
    return description


def stub_converged_reads(clients, description, selectors, logging=True):
    clients.stub["cloudtrail"].add_response(
        "describe_trails", {"trailList": [description]}, {"trailNameList": [NAME], "includeShadowTrails": False}
    )
    clients.stub["s3"].add_response("get_bucket_policy", {"Policy": json.dumps(policy_for())}, ON_OUR_BUCKET)
    clients.stub["cloudtrail"].add_response("get_event_selectors", dict(selectors, TrailARN=ARN), {"TrailName": NAME})
    clients.stub["cloudtrail"].add_response("get_trail_status", {"IsLogging": logging}, {"Name": NAME})


def test_converged_trail_is_a_no_op_with_four_reads():
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3"])
        stub_converged_reads(clients, own_trail(), {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]})
        result = CloudTrailTrailManager(clients, REGION).ensure(params())
    assert result["changed"] is False and result["actions"] == []
    assert clients.calls() == [
        ("cloudtrail", "describe_trails"),
        ("cloudtrail", "get_event_selectors"),
        ("cloudtrail", "get_trail_status"),
        ("s3", "get_bucket_policy"),
    ]
    assert result["trail"]["management_events"] == "All"
    assert result["diff"]["before"] == result["diff"]["after"]


def test_kms_alias_against_the_stored_key_arn_resolves_once_and_is_a_no_op():
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3", "kms"])
        stub_converged_reads(clients, own_trail(KmsKeyId=KEY_ARN), {"EventSelectors": [{"ReadWriteType": "All"}]})
        clients.stub["kms"].add_response(
            "describe_key", {"KeyMetadata": {"KeyId": KEY_ID, "Arn": KEY_ARN}}, {"KeyId": "alias/cloudtrail"}
        )
        result = CloudTrailTrailManager(clients, REGION).ensure(params(kms_key_id="alias/cloudtrail"))
    assert result["changed"] is False
    assert ("kms", "describe_key") in clients.calls() and clients.writes() == []


def test_same_kms_text_needs_no_kms_call():
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3"])
        stub_converged_reads(clients, own_trail(KmsKeyId=KEY_ARN), {"EventSelectors": [{"ReadWriteType": "All"}]})
        result = CloudTrailTrailManager(clients, REGION).ensure(params(kms_key_id=KEY_ARN))
    assert result["changed"] is False


def test_advanced_selectors_keep_data_selectors_and_set_the_management_one():
    data = {
        "Name": "S3 writes",
        "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        ],
    }
    management = {"Name": "Management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3"])
        stub_converged_reads(clients, own_trail(), {"AdvancedEventSelectors": [data, management]})
        clients.stub["cloudtrail"].add_response("put_event_selectors", {}, {"TrailName": NAME, "AdvancedEventSelectors": ANY})
        result = CloudTrailTrailManager(clients, REGION).ensure(params(management_events="WriteOnly"))
        written = clients.client["cloudtrail"].kwargs("put_event_selectors")["AdvancedEventSelectors"]
    assert result["changed"] is True
    # Others' selectors are written back exactly as they were (order included).
    assert written[1:] == [data]
    assert {
        "Name": "Management",
        "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["false"]}],
    } in written
    assert result["trail"]["management_events"] == "WriteOnly"
    assert result["trail"]["event_selectors"] == []


def test_logging_off_is_turned_on_and_tags_are_merged():
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3"])
        stub_converged_reads(clients, own_trail(), {}, logging=False)
        clients.stub["cloudtrail"].add_response(
            "list_tags",
            {"ResourceTagList": [{"ResourceId": ARN, "TagsList": [{"Key": "old", "Value": "1"}, {"Key": "keep", "Value": "x"}]}]},
            {"ResourceIdList": [ARN]},
        )
        clients.stub["cloudtrail"].add_response("remove_tags", {}, {"ResourceId": ARN, "TagsList": [{"Key": "old"}]})
        clients.stub["cloudtrail"].add_response("add_tags", {}, {"ResourceId": ARN, "TagsList": [{"Key": "new", "Value": "2"}]})
        clients.stub["cloudtrail"].add_response("start_logging", {}, {"Name": NAME})
        result = CloudTrailTrailManager(clients, REGION).ensure(params(tags={"keep": "x", "new": "2"}))
    assert result["trail"]["tags"] == {"keep": "x", "new": "2"}
    assert result["trail"]["is_logging"] is True
    assert result["diff"]["before"]["trail"]["is_logging"] is False


def test_reuse_trusts_an_organization_trail_a_member_account_cannot_read():
    org = trail("aws-controltower-BaselineCloudTrail", owner=MANAGEMENT_ACCOUNT, org=True)
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail"])
        clients.stub["cloudtrail"].add_response("describe_trails", {"trailList": [org]}, {"includeShadowTrails": True})
        clients.stub["cloudtrail"].add_client_error("get_trail_status", "CloudTrailARNInvalidException", expected_params={"Name": org["TrailARN"]})
        clients.stub["cloudtrail"].add_client_error(
            "get_event_selectors", "CloudTrailARNInvalidException", expected_params={"TrailName": org["TrailARN"]}
        )
        manager = CloudTrailTrailManager(clients, REGION, account_id=ACCOUNT)
        result = manager.ensure(params(reuse_covering_trail=True))
    assert result["changed"] is False and result["created"] is False and result["reused"] is True
    assert result["covering_trail"]["arn"] == org["TrailARN"]
    assert "assumed" in result["covering_trail"]["reason"]
    assert result["trail"] == {} and clients.writes() == []


def test_reuse_creates_when_nothing_covers_and_says_why():
    other = trail("eu-only", home="eu-west-1", multi=False)
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3"])
        clients.stub["cloudtrail"].add_response("describe_trails", {"trailList": [other]}, {"includeShadowTrails": True})
        clients.stub["s3"].add_response("get_bucket_policy", {"Policy": json.dumps(policy_for())}, ON_OUR_BUCKET)
        result = CloudTrailTrailManager(clients, REGION, check_mode=True).ensure(params(reuse_covering_trail=True))
    # The account came from the visible trail's ARN: no sts call.
    assert result["created"] is True and result["reused"] is False
    assert result["trail"]["arn"] == ARN
    assert [entry["reason"] for entry in result["coverage"]] == ["single-Region trail in eu-west-1; it does not record events in us-east-1"]
    assert clients.writes() == []


def test_same_name_multi_region_trail_elsewhere_is_a_clear_error():
    elsewhere = trail(NAME, home="eu-west-1", multi=True)
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail"])
        clients.stub["cloudtrail"].add_response("describe_trails", {"trailList": [elsewhere]}, {"includeShadowTrails": True})
        with pytest.raises(AnsibleAWSError, match="home Region eu-west-1"):
            CloudTrailTrailManager(clients, REGION).ensure(params(reuse_covering_trail=True))


def test_check_mode_create_predicts_the_trail_and_the_bucket_without_writes():
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3", "sts"])
        clients.stub["cloudtrail"].add_response("describe_trails", {"trailList": []}, {"trailNameList": [NAME], "includeShadowTrails": False})
        clients.stub["sts"].add_response("get_caller_identity", {"Account": ACCOUNT, "Arn": "arn:aws:iam::%s:root" % ACCOUNT, "UserId": "x"}, {})
        clients.stub["s3"].add_client_error("get_bucket_policy", "NoSuchBucket", http_status_code=404)
        result = CloudTrailTrailManager(clients, REGION, check_mode=True).ensure(params(management_events="WriteOnly", s3_key_prefix="ct"))
    assert clients.writes() == []
    assert result["changed"] is True and result["created"] is True
    assert result["trail"]["arn"] == ARN and result["trail"]["management_events"] == "WriteOnly"
    assert result["bucket"]["object_ownership"] == "BucketOwnerEnforced"
    assert result["actions"] == [
        "s3:CreateBucket logs-bucket",
        "s3:PutPublicAccessBlock logs-bucket",
        "s3:PutBucketEncryption logs-bucket",
        "s3:PutBucketPolicy logs-bucket",
        "cloudtrail:CreateTrail root-login-alerts",
        "cloudtrail:PutEventSelectors root-login-alerts",
        "cloudtrail:StartLogging root-login-alerts",
    ]
    write = result["bucket"]["policy"]["Statement"][1]
    assert write["Resource"] == "arn:aws:s3:::logs-bucket/ct/AWSLogs/%s/*" % ACCOUNT


def test_absent_deletes_only_the_trail():
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail"])
        clients.stub["cloudtrail"].add_response("describe_trails", {"trailList": [own_trail()]}, {"trailNameList": [NAME], "includeShadowTrails": False})
        clients.stub["cloudtrail"].add_response("delete_trail", {}, {"Name": NAME})
        result = CloudTrailTrailManager(clients, REGION).ensure(params(state="absent"))
    assert result["changed"] is True and result["diff"]["after"] == {"trail": {}}
    assert clients.writes() == [("cloudtrail", "delete_trail")]


def test_read_only_management_events_warn_that_sign_in_is_not_recorded():
    warnings = []
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3"])
        stub_converged_reads(clients, own_trail(), {"EventSelectors": [{"ReadWriteType": "ReadOnly"}]})
        result = CloudTrailTrailManager(clients, REGION, warn=warnings.append).ensure(params(management_events="ReadOnly"))
    assert result["changed"] is False
    assert len(warnings) == 1 and "will not record console sign-in events" in warnings[0]


OWNED = {"rootwatch:created-by": "root_login_alerts"}


def test_create_answered_already_exists_rereads_and_goes_on():
    """AWS answers TrailAlreadyExistsException when CreateTrail is retried after a lost answer, or
    when a concurrent run created it first (the emulator replaces the trail instead). The trail is
    read again; carrying our tag, it is ours, and the run goes on as an update."""
    created = own_trail()
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3", "sts"])
        ct, s3 = clients.stub["cloudtrail"], clients.stub["s3"]
        ct.add_response("describe_trails", {"trailList": []}, {"trailNameList": [NAME], "includeShadowTrails": False})
        clients.stub["sts"].add_response("get_caller_identity", {"Account": ACCOUNT, "Arn": "arn:aws:iam::%s:root" % ACCOUNT, "UserId": "x"}, {})
        s3.add_response("get_bucket_policy", {"Policy": json.dumps(policy_for())}, ON_OUR_BUCKET)
        s3.add_client_error("get_bucket_tagging", "NoSuchTagSet", http_status_code=404, expected_params=ON_OUR_BUCKET)  # not ours: settings left alone
        ct.add_client_error("create_trail", "TrailAlreadyExistsException", http_status_code=400)
        ct.add_response("describe_trails", {"trailList": [created]}, {"trailNameList": [NAME], "includeShadowTrails": False})
        ct.add_response("list_tags", {"ResourceTagList": [{"ResourceId": ARN, "TagsList": [{"Key": k, "Value": v} for k, v in OWNED.items()]}]},
                        {"ResourceIdList": [ARN]})
        s3.add_response("get_bucket_policy", {"Policy": json.dumps(policy_for())}, ON_OUR_BUCKET)
        s3.add_client_error("get_bucket_tagging", "NoSuchTagSet", http_status_code=404, expected_params=ON_OUR_BUCKET)
        ct.add_response("get_event_selectors", {"TrailARN": ARN, "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]},
                        {"TrailName": NAME})
        ct.add_response("get_trail_status", {"IsLogging": True}, {"Name": NAME})
        result = CloudTrailTrailManager(clients, REGION).ensure(params(owner_tag=OWNED, tags=dict(OWNED)))
    assert result["created"] is True and result["changed"] is True
    assert clients.writes() == [("cloudtrail", "create_trail")], "nothing created twice"
    assert result["trail"]["arn"] == ARN


def test_users_trail_with_our_name_is_foreign_and_not_touched_when_it_does_not_cover():
    users = own_trail()
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail"])
        ct = clients.stub["cloudtrail"]
        ct.add_response("describe_trails", {"trailList": [users]}, {"trailNameList": [NAME], "includeShadowTrails": False})
        ct.add_response("list_tags", {"ResourceTagList": [{"ResourceId": ARN, "TagsList": [{"Key": "team", "Value": "payroll"}]}]},
                        {"ResourceIdList": [ARN]})
        ct.add_response("get_trail_status", {"IsLogging": False}, {"Name": ARN})
        with pytest.raises(ForeignResourceError, match="was not created by rootwatch.aws .*logging is turned off"):
            CloudTrailTrailManager(clients, REGION, account_id=ACCOUNT).ensure(params(owner_tag=OWNED, tags=dict(OWNED)))
    assert clients.writes() == []


# -- CIS: a reused trail sends to our log group only with consent ---------------------------------
GROUP_ARN = "arn:aws:logs:us-east-1:%s:log-group:root-login-alerts-cloudtrail:*" % ACCOUNT
ROLE_ARN = "arn:aws:iam::%s:role/root-login-alerts-cloudtrail-logs" % ACCOUNT


def reuse_with_consent(covering, warnings, consent=True, check_mode=False):
    """ensure() with trail: auto finding ``covering``, which reads as logging all management events."""
    made = []

    def cloud_watch_logs(trail_arn):
        made.append(trail_arn)
        return GROUP_ARN, ROLE_ARN

    stack = ExitStack()
    clients = Clients(stack, ["cloudtrail"])
    ct = clients.stub["cloudtrail"]
    ct.add_response("describe_trails", {"trailList": [covering]}, {"includeShadowTrails": True})
    ct.add_response("get_trail_status", {"IsLogging": True}, {"Name": covering["TrailARN"]})
    ct.add_response("get_event_selectors", {"TrailARN": covering["TrailARN"],
                                            "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]},
                    {"TrailName": covering["TrailARN"]})
    return stack, clients, made, dict(
        manager=CloudTrailTrailManager(clients, REGION, check_mode=check_mode, warn=warnings.append, account_id=ACCOUNT),
        params=params(reuse_covering_trail=True, cloud_watch_logs=cloud_watch_logs, cloud_watch_logs_on_reused_trail=consent,
                      cloud_watch_logs_group_arn=GROUP_ARN))


def test_with_consent_a_reused_trail_is_pointed_at_our_log_group_and_nothing_else():
    covering, warnings = trail("org-audit"), []
    stack, clients, made, run = reuse_with_consent(covering, warnings)
    with stack:
        clients.stub["cloudtrail"].add_response(
            "update_trail", {"Name": "org-audit", "TrailARN": covering["TrailARN"]},
            {"Name": covering["TrailARN"], "CloudWatchLogsLogGroupArn": GROUP_ARN, "CloudWatchLogsRoleArn": ROLE_ARN})
        result = run["manager"].ensure(run["params"])
    assert result["reused"] is True and result["changed"] is True
    assert result["cloud_watch_logs_connected"] == covering["TrailARN"] and made == [covering["TrailARN"]]
    assert clients.writes() == [("cloudtrail", "update_trail")]


def test_with_consent_check_mode_previews_the_change_without_a_write():
    covering, warnings = trail("org-audit"), []
    stack, clients, unused, run = reuse_with_consent(covering, warnings, check_mode=True)
    with stack:
        result = run["manager"].ensure(run["params"])
    assert result["changed"] is True and clients.writes() == []
    assert result["changes"] == ["update trail root-login-alerts: cloudtrail:UpdateTrail %s (CloudWatchLogsLogGroupArn, "
                                 "CloudWatchLogsRoleArn)" % covering["TrailARN"]]


def test_without_consent_a_reused_trail_is_left_exactly_as_it_is():
    covering, warnings = trail("org-audit"), []
    stack, clients, made, run = reuse_with_consent(covering, warnings, consent=False)
    with stack:
        result = run["manager"].ensure(run["params"])
    assert result["changed"] is False and made == [] and clients.writes() == []


def test_a_reused_trail_that_sends_to_another_group_keeps_it():
    covering, warnings = trail("org-audit"), []
    covering["CloudWatchLogsLogGroupArn"] = "arn:aws:logs:us-east-1:%s:log-group:security-team:*" % ACCOUNT
    stack, clients, made, run = reuse_with_consent(covering, warnings)
    with stack:
        result = run["manager"].ensure(run["params"])
    assert result["changed"] is False and made == [] and clients.writes() == []
    assert any("already sends its events to log group" in w for w in warnings), warnings


def test_another_accounts_organization_trail_cannot_be_pointed_at_our_group():
    covering, warnings = trail("aws-controltower-BaselineCloudTrail", owner=MANAGEMENT_ACCOUNT, org=True), []
    stack, clients, made, run = reuse_with_consent(covering, warnings)
    with stack:
        result = run["manager"].ensure(run["params"])
    assert result["reused"] is True and result["changed"] is False and made == []
    assert any("its own account and home Region" in w for w in warnings), warnings


def test_disconnect_turns_delivery_off_on_trails_sending_to_our_group_except_the_kept():
    users, ours, elsewhere = trail("org-audit"), own_trail(), trail("other")
    users["CloudWatchLogsLogGroupArn"] = ours["CloudWatchLogsLogGroupArn"] = GROUP_ARN
    elsewhere["CloudWatchLogsLogGroupArn"] = "arn:aws:logs:us-east-1:%s:log-group:security-team:*" % ACCOUNT
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail"])
        clients.stub["cloudtrail"].add_response("describe_trails", {"trailList": [users, ours, elsewhere]}, {"includeShadowTrails": False})
        clients.stub["cloudtrail"].add_response(
            "update_trail", {}, {"Name": users["TrailARN"], "CloudWatchLogsLogGroupArn": "", "CloudWatchLogsRoleArn": ""})
        result = CloudTrailTrailManager(clients, REGION, account_id=ACCOUNT).disconnect_log_group(GROUP_ARN, keep_arns=[ARN])
    assert result["changed"] is True and result["trails"] == [users["TrailARN"]]
    assert result["changes"] == ["stop trail %s (not ours) sending its events to log group %s" % (users["TrailARN"], GROUP_ARN[:-2])]


# -- the bucket owner pinned (issue 19, bucket squatting) ------------------------------------------------
# The emulator ignores ExpectedBucketOwner and answers any account's bucket to anyone, so the refusals
# run here with S3 answers shaped as AWS's: a failed bucket owner condition is 403 AccessDenied, and
# HeadBucket's 403 has no body (botocore's code is then "403").
CENTRAL = "222222222222"


def stub_new_trail(clients):
    clients.stub["cloudtrail"].add_response("describe_trails", {"trailList": []}, {"trailNameList": [NAME], "includeShadowTrails": False})
    clients.stub["sts"].add_response("get_caller_identity", {"Account": ACCOUNT, "Arn": "arn:aws:iam::%s:root" % ACCOUNT, "UserId": "x"}, {})


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_403_from_head_bucket_without_policy_management_fails_and_no_trail_follows(check_mode):
    """manage_bucket_policy=false used to take HeadBucket's 403 as 'exists' and point the trail at the bucket."""
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3", "sts"])
        stub_new_trail(clients)
        clients.stub["s3"].add_client_error("head_bucket", "403", "Forbidden", http_status_code=403, expected_params=ON_OUR_BUCKET)
        with pytest.raises(BucketNotVerifiedError) as caught:
            CloudTrailTrailManager(clients, REGION, check_mode=check_mode).ensure(params(manage_bucket_policy=False))
    assert "S3 bucket %s is not proven to belong to account %s" % (BUCKET, ACCOUNT) in caught.value.message
    assert "set bucket_owner to the ID of the account that owns it" in caught.value.message
    assert clients.calls() == [("cloudtrail", "describe_trails"), ("s3", "head_bucket"), ("sts", "get_caller_identity")]


def test_bucket_squatting_is_refused_before_anything_is_made():
    """Another account created a bucket with the name this trail expects. S3 refuses our read with the
    bucket owner condition; no CreateTrail follows, and not even the CIS log group is made."""
    made = []
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3", "sts"])
        stub_new_trail(clients)
        clients.stub["s3"].add_client_error("get_bucket_policy", "AccessDenied", "Access Denied", http_status_code=403,
                                            expected_params=ON_OUR_BUCKET)
        with pytest.raises(BucketNotVerifiedError, match="GetBucketPolicy with ExpectedBucketOwner=%s answered 403" % ACCOUNT):
            CloudTrailTrailManager(clients, REGION).ensure(params(
                owner_tag=OWNED, tags=dict(OWNED), cloud_watch_logs=lambda arn: made.append(arn) or ("group", "role")))
    assert clients.writes() == [] and made == []


def test_our_trail_whose_bucket_was_taken_over_is_not_updated():
    """The bucket of a trail we made was deleted and re-created by another account: the run stops."""
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3"])
        clients.stub["cloudtrail"].add_response("describe_trails", {"trailList": [own_trail()]},
                                                {"trailNameList": [NAME], "includeShadowTrails": False})
        clients.stub["s3"].add_client_error("get_bucket_policy", "AccessDenied", "Access Denied", http_status_code=403,
                                            expected_params=ON_OUR_BUCKET)
        with pytest.raises(BucketNotVerifiedError):
            CloudTrailTrailManager(clients, REGION).ensure(params(management_events="WriteOnly"))
    assert clients.writes() == []


def test_a_central_bucket_of_the_named_owner_is_proven_then_used():
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3", "sts"])
        stub_new_trail(clients)
        clients.stub["s3"].add_response("head_bucket", {}, {"Bucket": BUCKET, "ExpectedBucketOwner": CENTRAL})
        clients.stub["cloudtrail"].add_response("create_trail", {"Name": NAME, "TrailARN": ARN}, {
            "Name": NAME, "S3BucketName": BUCKET, "IncludeGlobalServiceEvents": True, "IsMultiRegionTrail": True, "EnableLogFileValidation": True})
        clients.stub["cloudtrail"].add_response("start_logging", {}, {"Name": NAME})
        result = CloudTrailTrailManager(clients, REGION).ensure(params(create_bucket=False, manage_bucket_policy=False, bucket_owner=CENTRAL))
    assert result["created"] is True and result["bucket"]["owner"] == CENTRAL
    assert clients.writes() == [("cloudtrail", "create_trail"), ("cloudtrail", "start_logging")]


def test_a_central_bucket_of_another_owner_is_refused_and_no_trail_follows():
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3", "sts"])
        stub_new_trail(clients)
        clients.stub["s3"].add_client_error("head_bucket", "403", "Forbidden", http_status_code=403,
                                            expected_params={"Bucket": BUCKET, "ExpectedBucketOwner": CENTRAL})
        with pytest.raises(BucketNotVerifiedError, match="not proven to belong to account %s" % CENTRAL):
            CloudTrailTrailManager(clients, REGION).ensure(params(create_bucket=False, manage_bucket_policy=False, bucket_owner=CENTRAL))
    assert clients.writes() == []


@pytest.mark.parametrize("overrides", [{}, {"create_bucket": False}, {"manage_bucket_policy": False}])
def test_another_accounts_bucket_cannot_be_created_or_given_a_policy_here(overrides):
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "sts"])
        stub_new_trail(clients)
        with pytest.raises(ValueError, match="bucket_owner %s is another account than the trail's \\(%s\\): set create_bucket=false and "
                                             "manage_bucket_policy=false" % (CENTRAL, ACCOUNT)):
            CloudTrailTrailManager(clients, REGION).ensure(params(bucket_owner=CENTRAL, **overrides))
    assert clients.writes() == []


def test_the_own_account_named_as_owner_is_managed_as_usual():
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail", "s3"])
        stub_converged_reads(clients, own_trail(), {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]})
        result = CloudTrailTrailManager(clients, REGION).ensure(params(bucket_owner=ACCOUNT))
    assert result["changed"] is False and result["bucket"]["owner"] == ACCOUNT


def test_without_create_policy_or_owner_the_bucket_is_not_touched():
    """As documented: create_bucket=false and manage_bucket_policy=false without bucket_owner make no S3 call."""
    with ExitStack() as stack:
        clients = Clients(stack, ["cloudtrail"])
        ct = clients.stub["cloudtrail"]
        ct.add_response("describe_trails", {"trailList": [own_trail()]}, {"trailNameList": [NAME], "includeShadowTrails": False})
        ct.add_response("get_event_selectors", {"TrailARN": ARN, "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]},
                        {"TrailName": NAME})
        ct.add_response("get_trail_status", {"IsLogging": True}, {"Name": NAME})
        result = CloudTrailTrailManager(clients, REGION).ensure(params(create_bucket=False, manage_bucket_policy=False))
    assert result["changed"] is False and "bucket" not in result


# -- the role's stack: root_login_alerts_trail_bucket_owner -----------------------------------------------
SETTINGS = {
    "state": "present", "emails": ["security@example.com"], "region": REGION, "account_id": ACCOUNT, "use_controller_credentials": True,
    "topic_name": NAME, "rule_name": NAME, "trail": "create", "trail_name": NAME, "trail_bucket": BUCKET, "tags": {},
}


@pytest.mark.parametrize("overrides, words", [
    ({"trail_bucket_owner": "2222"},
     "root_login_alerts_trail_bucket_owner: value must be the 12-digit ID of the AWS account that owns the log bucket, got '2222'"),
    ({"trail_bucket_owner": CENTRAL, "trail_bucket": None},
     "root_login_alerts_trail_bucket_owner names the account that owns the bucket in root_login_alerts_trail_bucket, which is not set"),
])
def test_the_stack_refuses_a_bad_bucket_owner_naming_the_variable(overrides, words):
    with pytest.raises(ValueError) as caught:
        validate_settings(dict(SETTINGS, **overrides), prefix="root_login_alerts_")
    assert words in str(caught.value)


def test_the_stack_accepts_a_central_bucket_owner():
    assert validate_settings(dict(SETTINGS, trail_bucket_owner=CENTRAL))["trail_bucket_owner"] == CENTRAL


def stack_trail(clients, settings, check_mode=False):
    """The stack's trail step (``plan.trail_step``) run by its loop. A member's audit (hub_account_id of another
    account) fails at a bucket not proven ours; an audit of any other account reports it unknown."""
    where = {"account_id": ACCOUNT, "region": REGION, "partition": "aws"}
    trail_step = stack_plan.trail_step(settings, None, where, unverified_bucket=not settings.get("hub_account_id"))
    return RootLoginAlertsStack(clients, REGION, check_mode=check_mode, account_id=ACCOUNT).run([trail_step])["trail"]


def test_the_stack_neither_creates_nor_writes_a_central_bucket_of_another_account():
    with ExitStack() as exits:
        clients = Clients(exits, ["cloudtrail", "s3"])
        clients.stub["cloudtrail"].add_response("describe_trails", {"trailList": []}, {"trailNameList": [NAME], "includeShadowTrails": False})
        clients.stub["s3"].add_response("head_bucket", {}, {"Bucket": BUCKET, "ExpectedBucketOwner": CENTRAL})
        clients.stub["cloudtrail"].add_response("create_trail", {"Name": NAME, "TrailARN": ARN})
        clients.stub["cloudtrail"].add_response("start_logging", {}, {"Name": NAME})
        outcome = stack_trail(clients, dict(SETTINGS, trail_bucket_owner=CENTRAL))
    assert outcome["created"] is True and outcome["bucket"]["owner"] == CENTRAL
    assert clients.writes() == [("cloudtrail", "create_trail"), ("cloudtrail", "start_logging")]
    assert clients.client["cloudtrail"].kwargs("create_trail")["S3BucketName"] == BUCKET


def squatted_stack_trail(check_mode, **settings):
    with ExitStack() as exits:
        clients = Clients(exits, ["cloudtrail", "s3"])
        clients.stub["cloudtrail"].add_response("describe_trails", {"trailList": []}, {"trailNameList": [NAME], "includeShadowTrails": False})
        clients.stub["s3"].add_client_error("get_bucket_policy", "AccessDenied", "Access Denied", http_status_code=403,
                                            expected_params=ON_OUR_BUCKET)
        try:
            return stack_trail(clients, dict(SETTINGS, **settings), check_mode)
        finally:
            assert clients.writes() == []


def test_the_stack_stops_an_apply_at_a_squatted_bucket_naming_the_variable():
    with pytest.raises(BucketNotVerifiedError) as caught:
        squatted_stack_trail(False)
    assert "not proven to belong to account %s" % ACCOUNT in caught.value.message
    assert "set root_login_alerts_trail_bucket_owner to the ID of the account that owns it" in caught.value.message


def test_the_stacks_audit_reports_a_squatted_bucket_unknown():
    outcome = squatted_stack_trail(True)
    assert outcome["changed"] is False and outcome["created"] is False and outcome["changes"] == []
    assert len(outcome["unknown"]) == 1 and "S3 bucket %s is not proven to belong to account %s" % (BUCKET, ACCOUNT) in outcome["unknown"][0]
    # Even an account that already alerts is unknown: an apply would stop at this bucket.
    compliant = {"status": "compliant", "paths": [], "problems": [], "unknown": [], "event_source": None}
    verdict = stack_notices.with_unverified_bucket(compliant, outcome)
    assert verdict["status"] == "unknown" and verdict["unknown"] == outcome["unknown"]
    assert stack_notices.with_unverified_bucket(compliant, {"unknown": []}) is compliant


def test_a_members_audit_fails_at_a_squatted_bucket():
    """A member's verdict is judged in the report from its hub's facts, which this line cannot reach."""
    with pytest.raises(BucketNotVerifiedError):
        squatted_stack_trail(True, hub_account_id=CENTRAL)
