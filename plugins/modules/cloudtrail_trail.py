#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloudtrail_trail
short_description: Manage a CloudTrail trail that records management events, with a secure log bucket
version_added: 0.1.0
description:
  - Creates, updates or deletes an AWS CloudTrail trail whose event selectors record management events,
    so that EventBridge receives console sign-in events (C(AWS Console Sign In via CloudTrail)).
  - Management events are set through the trail's event selectors. Basic selectors and advanced selectors
    are both handled; selectors for data events (or network activity events) that others configured are kept.
  - Optionally creates the S3 log bucket in the same invocation, with all four block-public-access settings,
    default encryption (SSE-S3, or SSE-KMS with O(kms_key_id)), C(BucketOwnerEnforced) object ownership and a
    bucket policy that lets C(cloudtrail.amazonaws.com) check the bucket ACL and write only under
    C(<prefix>/AWSLogs/<account>/), both scoped with C(aws:SourceArn) and C(aws:SourceAccount), plus a Deny of
    any request not sent over TLS. On an existing bucket those statements are merged into the policy by Sid;
    other statements are kept.
  - Every S3 call on the bucket except C(CreateBucket) sends C(ExpectedBucketOwner), the account of the trail or
    O(bucket_owner), so S3 refuses a bucket of any other account that has this name (bucket squatting). S3 answers
    that refusal with 403 Access Denied, as it answers a missing permission. A 403 is never taken to mean
    that the bucket exists. The module fails with a message that names the bucket and the expected owner,
    before the trail is created or pointed at the bucket (S3 user guide, Verifying bucket ownership with bucket
    owner condition, U(https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html)).
  - With O(reuse_covering_trail=true), when the named trail does not exist, another trail that already
    records this Region's write management events (an organization trail, a multi-Region trail or a trail in
    this Region, logging, with selectors that keep console sign-in events) is reused and no trail is
    created, so management events are not billed twice. The result names the covering trail and gives the
    reason for every trail considered.
  - Values are compared by meaning. A KMS alias and the key ARN it points to are the same key
    (C(kms:DescribeKey) is called only when the texts differ), a bucket name and its ARN are the same bucket,
    and selectors in another order are the same selectors.
  - A run that changes nothing calls C(cloudtrail:DescribeTrails), C(cloudtrail:GetEventSelectors),
    C(cloudtrail:GetTrailStatus) and C(s3:GetBucketPolicy), plus C(cloudtrail:ListTags) when O(tags) is given.
  - Parameters are validated locally before any AWS call, check mode included.
  - Check mode makes no write call and predicts the result, including a new trail's ARN and the bucket that
    would be created.
  - The log bucket is never deleted, not even with O(state=absent); it holds audit records.
author:
  - rootwatch maintainers (@rootwatch)
options:
  name:
    description:
      - Name of the trail, in the Region of the module.
      - 3 to 128 ASCII letters, digits, C(.), C(_) and C(-), beginning and ending with a letter or digit,
        with no two of C(.), C(_), C(-) next to each other, and not formatted as an IP address.
    type: str
    required: true
  state:
    description:
      - V(present) makes sure the trail exists as described. V(absent) deletes it (the log bucket is kept).
  s3_bucket_name:
    description:
      - The S3 bucket for the log files, by name or by ARN (C(arn:aws:s3:::name)). Required when O(state=present).
    type: str
  s3_key_prefix:
    description:
      - Key prefix for the log files, without leading or trailing C(/), at most 200 characters.
      - When omitted, an existing trail's prefix is kept. An empty string removes the prefix.
    type: str
  kms_key_id:
    description:
      - Customer managed KMS key that encrypts the log files, as key ID, key ARN, alias name (C(alias/...)) or
        alias ARN. Its key policy must let C(cloudtrail.amazonaws.com) use it.
      - AWS managed keys (C(alias/aws/...)) are refused.
      - When omitted, an existing trail's setting is kept. An empty string turns SSE-KMS off.
      - A bucket created by this module uses the key for its default encryption too.
    type: str
  is_multi_region_trail:
    description:
      - Record events in all Regions.
    type: bool
    default: true
  include_global_service_events:
    description:
      - Record events of global services (IAM, STS, CloudFront and AWS sign-in). Console sign-in events are
        global service events, so the alerts need this.
      - Must be V(true) for a multi-Region trail.
    type: bool
    default: true
  enable_log_file_validation:
    description:
      - Deliver signed digest files so that log files can be checked for tampering.
    type: bool
    default: true
  management_events:
    description:
      - Which management events the trail records. V(All) (read and write) or V(WriteOnly) deliver console
        sign-in events; V(ReadOnly) does not.
      - Set through the event selectors; selectors for data events are kept.
    type: str
    choices: [All, WriteOnly, ReadOnly]
    default: All
  enable_logging:
    description:
      - Whether the trail is logging (C(StartLogging) / C(StopLogging)).
    type: bool
    default: true
  create_bucket:
    description:
      - Create the log bucket with secure settings when it does not exist.
      - With V(false) a missing bucket is an error.
    type: bool
    default: true
  manage_bucket_policy:
    description:
      - Make sure the bucket policy holds the CloudTrail delivery statements and the Deny of insecure
        transport, merged by Sid; other statements are kept.
      - Set V(false) for a bucket that another account owns (a central log archive); its owner manages the
        policy. Then one C(s3:HeadBucket) proves the bucket exists and belongs to its expected owner when
        O(create_bucket=true) or O(bucket_owner) is set; otherwise no S3 call is made and the bucket is not checked.
    type: bool
    default: true
  bucket_owner:
    description:
      - The 12-digit ID of the account that owns the log bucket, for a central log bucket in another account.
        It is sent as C(ExpectedBucketOwner) on every S3 call, so the trail is never pointed at a bucket of
        any other account with that name.
      - When omitted, the bucket must belong to the trail's own account.
      - Another account's bucket needs O(create_bucket=false) and O(manage_bucket_policy=false), because only its
        owner can create it or change its policy. One C(s3:HeadBucket) then proves its owner, so its bucket
        policy must allow these credentials C(s3:ListBucket). CloudTrail's own delivery statements in that
        policy are its owner's to write.
    type: str
  reuse_covering_trail:
    description:
      - When the named trail does not exist, look for another trail that already delivers this Region's
        write management events and reuse it instead of creating one (RV(reused=true), RV(created=false),
        RV(covering_trail)).
      - When the named trail exists, it is managed as usual and other trails are not examined.
      - Cannot be combined with O(management_events=ReadOnly).
      - O(trust_organization_trails) is used only with this option.
    type: bool
    default: false
notes:
  - The bucket policy uses one pair of delivery statements per trail, with Sids
    C(RootwatchCloudTrailAclCheck<Trail><Region>) and C(RootwatchCloudTrailWrite<Trail><Region>), and the shared
    Sid C(RootwatchDenyInsecureTransport), so several trails can share a bucket.
  - The C(s3:x-amz-acl=bucket-owner-full-control) condition of AWS's documented policy is kept. It is harmless
    with C(BucketOwnerEnforced) and keeps an existing bucket without it owner-controlled.
attributes:
  check_mode:
    description: Runs in check mode with no write call and predicts the trail (with its ARN) and the log bucket.
  diff_mode:
    description: Returns the trail and the log bucket (with its policy) before and after.
extends_documentation_fragment:
  - rootwatch.aws.resource_module
  - rootwatch.aws.trail_coverage
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A multi-Region trail recording all management events, with its secure log bucket
  rootwatch.aws.cloudtrail_trail:
    name: root-login-alerts
    s3_bucket_name: root-login-alerts-trail-123456789012
    region: us-east-1

- name: Reuse a trail that already covers us-east-1 (organization trail, ...), else create one
  rootwatch.aws.cloudtrail_trail:
    name: root-login-alerts
    s3_bucket_name: root-login-alerts-trail-123456789012
    reuse_covering_trail: true
    region: us-east-1
  register: trail

- name: Report the trail in use
  ansible.builtin.debug:
    msg: "{{ trail.covering_trail.arn if trail.reused else trail.trail.arn }}"

- name: Write-only management events into a central log bucket owned by another account
  rootwatch.aws.cloudtrail_trail:
    name: audit
    s3_bucket_name: arn:aws:s3:::org-log-archive
    s3_key_prefix: audit
    kms_key_id: alias/cloudtrail
    management_events: WriteOnly
    create_bucket: false
    manage_bucket_policy: false
    bucket_owner: "222222222222"  # the log archive account; a bucket of any other account is refused
    tags:
      team: security

- name: Delete the trail (its bucket and log files stay)
  rootwatch.aws.cloudtrail_trail:
    name: root-login-alerts
    state: absent
"""

RETURN = r"""
changes:
  description:
    - What this run changed, or would change in check mode, one line each, the log bucket's first.
    - "C(create trail NAME), C(update trail NAME: CALLS) with the CloudTrail calls of RV(actions), or C(delete trail NAME (its log
      bucket and logs are kept)); for the bucket C(create S3 bucket NAME with secure settings and the delivery policy),
      C(merge the CloudTrail delivery statements into the policy of S3 bucket NAME), and one line for each secure setting put back."
  returned: always
  type: list
  elements: str
  sample: ["create trail root-login-alerts"]
changed:
  description: Whether anything was (or, in check mode, would be) changed.
  returned: always
  type: bool
created:
  description: Whether the named trail was (or would be) created by this run.
  returned: always
  type: bool
reused:
  description: Whether another trail covers the Region and was reused (no trail created).
  returned: always
  type: bool
trail:
  description: The named trail after the run (predicted in check mode); empty when it does not exist.
  returned: always
  type: dict
  contains:
    name:
      description: Trail name (O(name)).
      type: str
      sample: root-login-alerts
    arn:
      description: Trail ARN.
      type: str
      sample: arn:aws:cloudtrail:us-east-1:123456789012:trail/root-login-alerts
    home_region:
      description: The Region the trail was created in.
      type: str
      sample: us-east-1
    s3_bucket_name:
      description: The log bucket, by name (O(s3_bucket_name)).
      type: str
    s3_key_prefix:
      description: Key prefix of the log files (O(s3_key_prefix)), empty when none.
      type: str
    kms_key_id:
      description: KMS key of the log files (O(kms_key_id)), as CloudTrail stores it, empty when none.
      type: str
    is_multi_region_trail:
      description: Whether the trail records all Regions (O(is_multi_region_trail)).
      type: bool
    include_global_service_events:
      description: Whether global service events are recorded (O(include_global_service_events)).
      type: bool
    log_file_validation_enabled:
      description: Whether log file validation is on (O(enable_log_file_validation)).
      type: bool
    is_organization_trail:
      description: Whether this is an organization trail; only a trail made elsewhere can be, since this module creates none.
      type: bool
    cloud_watch_logs_log_group_arn:
      description: The CloudWatch Logs log group the trail also sends its events to, as CloudTrail stores it (empty when none).
      type: str
    is_logging:
      description: Whether the trail is logging (O(enable_logging)).
      type: bool
      returned: when the trail exists
    management_events:
      description: Management events recorded (O(management_events)), V(All), V(WriteOnly), V(ReadOnly), or null for none.
      type: str
      returned: when the trail exists
    event_selectors:
      description: Basic event selectors in effect (AWS form); empty when advanced selectors are used.
      type: list
      elements: dict
      returned: when the trail exists
    advanced_event_selectors:
      description: Advanced event selectors in effect (AWS form); empty when basic selectors are used.
      type: list
      elements: dict
      returned: when the trail exists
    tags:
      description: Tags of the trail (O(tags)).
      type: dict
      returned: when O(tags) is given
covering_trail:
  description:
    - The other trail that covers the Region, when RV(reused=true); null otherwise.
    - The same fields as RV(rootwatch.aws.cloudtrail_coverage_info#module:covering_trail), among them
      C(name), C(arn), C(home_region), C(is_organization_trail) and C(reason).
  returned: always
  type: dict
  sample:
    name: aws-controltower-BaselineCloudTrail
    arn: arn:aws:cloudtrail:us-east-1:999999999999:trail/aws-controltower-BaselineCloudTrail
    home_region: us-east-1
    is_organization_trail: true
    covers: true
    reason: organization trail multi-Region trail (home us-east-1), logging; a basic event selector records management events (ReadWriteType All)
coverage:
  description:
    - Every trail considered for reuse, in the order examined, each with the fields of RV(covering_trail),
      C(covers) (null when not evaluated because a covering trail came first) and C(reason).
  returned: when O(reuse_covering_trail=true) and the named trail does not exist
  type: list
  elements: dict
bucket:
  description: The log bucket, when it is managed or checked (O(create_bucket), O(manage_bucket_policy) or O(bucket_owner)).
  returned: when O(state=present) and the named trail is used
  type: dict
  contains:
    name:
      description: Bucket name.
      type: str
    arn:
      description: Bucket ARN.
      type: str
    exists:
      description: Always V(true) after the run (predicted in check mode).
      type: bool
    owner:
      description: The account S3 proved owns the bucket (C(ExpectedBucketOwner)), or that owns a bucket this run creates.
      type: str
      sample: "123456789012"
    region:
      description: The Region of a bucket created by this run.
      type: str
      returned: when the bucket is created
    policy:
      description: The bucket policy after the merge.
      type: dict
      returned: when O(manage_bucket_policy=true) or the bucket is created
    public_access_block:
      description: Block-public-access settings of a bucket created by this run.
      type: dict
      returned: when the bucket is created
    encryption:
      description: Default encryption of a bucket created by this run.
      type: dict
      returned: when the bucket is created
    object_ownership:
      description: Object ownership of a bucket created by this run.
      type: str
      returned: when the bucket is created
      sample: BucketOwnerEnforced
actions:
  description: The write calls made (in check mode, those that would be made), one per line.
  returned: always
  type: list
  elements: str
  sample: ["s3:CreateBucket logs-123", "cloudtrail:CreateTrail root-login-alerts", "cloudtrail:StartLogging root-login-alerts"]
"""

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import MANAGEMENT_EVENTS
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail import CloudTrailTrailManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_options import validate_params
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_region
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import run_manager_module


def argument_spec():
    return dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        s3_bucket_name=dict(type="str"),
        s3_key_prefix=dict(type="str", no_log=False),
        kms_key_id=dict(type="str", no_log=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        is_multi_region_trail=dict(type="bool", default=True),
        include_global_service_events=dict(type="bool", default=True),
        enable_log_file_validation=dict(type="bool", default=True),
        management_events=dict(type="str", choices=list(MANAGEMENT_EVENTS), default="All"),
        enable_logging=dict(type="bool", default=True),
        create_bucket=dict(type="bool", default=True),
        manage_bucket_policy=dict(type="bool", default=True),
        bucket_owner=dict(type="str"),
        reuse_covering_trail=dict(type="bool", default=False),
        trust_organization_trails=dict(type="bool", default=True),
    )


def prepare(module):
    validate_region(module.region)
    return validate_params(module.params)


def main():
    run_manager_module(CloudTrailTrailManager, argument_spec(), prepare, required_if=[("state", "present", ["s3_bucket_name"])])


if __name__ == "__main__":
    main()
