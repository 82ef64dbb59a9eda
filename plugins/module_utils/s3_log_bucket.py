# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A secure S3 bucket for CloudTrail log files, and its delivery policy.

Pure parts: bucket name rules, the policy statements CloudTrail needs, the
settings of a new bucket. :class:`LogBucketManager` is the AWS edge: it reads
the bucket policy (one ``s3:GetBucketPolicy``, which also tells whether the
bucket exists), creates a missing bucket with secure settings, and merges the
delivery statements into an existing policy by Sid, keeping every other
statement.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import functools
import json
import re

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover - AnsibleAWSModule reports missing botocore
    BotoCoreError = ClientError = Exception

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.rootwatch.aws.plugins.module_utils.arns import partition_for_region
from ansible_collections.rootwatch.aws.plugins.module_utils.aws_calls import error_code
from ansible_collections.rootwatch.aws.plugins.module_utils.aws_calls import retry_decorator
from ansible_collections.rootwatch.aws.plugins.module_utils.diffs import parse_json_text
from ansible_collections.rootwatch.aws.plugins.module_utils.policy_statements import merge_statements
from ansible_collections.rootwatch.aws.plugins.module_utils.policy_statements import policies_differ

BUCKET_ARN_RE = re.compile(r"^arn:aws[a-z\-]*:s3:::(?P<name>[^/]+)$")
BUCKET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
IP_ADDRESS_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
MAX_KEY_PREFIX = 200
CLOUDTRAIL_PRINCIPAL = {"Service": "cloudtrail.amazonaws.com"}
DENY_INSECURE_SID = "RootwatchDenyInsecureTransport"
MISSING_BUCKET_CODES = ("NoSuchBucket", "404", "NotFound")
# Bucket configurations are eventually consistent ("Amazon S3 data consistency model",
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel): right
# after CreateBucket, calls on the new bucket may answer NoSuchBucket, or OperationAborted (409,
# "A conflicting conditional operation is currently in progress against this resource").
# Retried for the calls that set up a bucket just created, and for those only.
NEW_BUCKET_RETRY_CODES = ("NoSuchBucket", "OperationAborted")
PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
OWNERSHIP = "BucketOwnerEnforced"


def bucket_name_of(value, param="s3_bucket_name"):
    """The bucket name of a name or ``arn:aws:s3:::name``; ValueError on a bad name."""
    if not isinstance(value, str) or not value:
        raise ValueError("%s is required: the name of the S3 bucket for the log files" % param)
    match = BUCKET_ARN_RE.match(value)
    name = match.group("name") if match else value
    problem = bucket_name_problem(name)
    if problem:
        raise ValueError("%s %r is not a valid S3 bucket name: %s" % (param, value, problem))
    return name


def bucket_name_problem(name):
    """Why ``name`` breaks the S3 general purpose bucket naming rules, or None."""
    if not 3 <= len(name) <= 63:
        return "it must be 3 to 63 characters long"
    if name != name.lower() or not BUCKET_NAME_RE.match(name):
        return "use only lowercase letters, digits, '.' and '-', and begin and end with a letter or digit"
    if ".." in name:
        return "it must not contain two adjacent periods"
    if IP_ADDRESS_RE.match(name):
        return "it must not be formatted as an IP address"
    for prefix in RESERVED_PREFIXES:
        if name.startswith(prefix):
            return "the prefix %r is reserved" % prefix
    for suffix in RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return "the suffix %r is reserved" % suffix
    return None


def validate_key_prefix(prefix, param="s3_key_prefix"):
    """None, '' (no prefix) or a prefix without leading or trailing '/'."""
    if prefix is None or prefix == "":
        return prefix
    if len(prefix) > MAX_KEY_PREFIX:
        raise ValueError("%s must be at most %d characters, got %d" % (param, MAX_KEY_PREFIX, len(prefix)))
    if prefix.startswith("/") or prefix.endswith("/"):
        raise ValueError("%s must not begin or end with '/', got %r (CloudTrail adds '/AWSLogs/...')" % (param, prefix))
    if "//" in prefix:
        raise ValueError("%s must not contain '//', got %r" % (param, prefix))
    return prefix


def bucket_arn(bucket, region):
    return "arn:%s:s3:::%s" % (partition_for_region(region), bucket)


def sid_suffix(trail_name, region):
    """'root-login-alerts', 'us-east-1' -> 'RootLoginAlertsUsEast1' (Sids take letters and digits)."""
    words = re.split(r"[^A-Za-z0-9]+", "%s-%s" % (trail_name, region))
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def delivery_statements(bucket, trail_name, trail_arn, account_id, region, key_prefix=None):
    """The bucket policy statements CloudTrail needs to deliver ``trail_arn``'s logs.

    Scoped with aws:SourceArn and aws:SourceAccount (confused-deputy
    protection), PutObject limited to ``<prefix>/AWSLogs/<account>/*``, and a
    Deny of any request not sent over TLS. The ``s3:x-amz-acl`` condition is
    the one AWS documents: with BucketOwnerEnforced ownership ACLs are off and
    CloudTrail's ``bucket-owner-full-control`` still matches it, while an
    existing bucket without BucketOwnerEnforced stays owner-controlled.
    """
    arn = bucket_arn(bucket, region)
    logs = "%s/%sAWSLogs/%s/*" % (arn, (key_prefix + "/") if key_prefix else "", account_id)
    scope = {"aws:SourceArn": trail_arn, "aws:SourceAccount": account_id}
    suffix = sid_suffix(trail_name, region)
    return [
        {
            "Sid": "RootwatchCloudTrailAclCheck" + suffix,
            "Effect": "Allow",
            "Principal": CLOUDTRAIL_PRINCIPAL,
            "Action": "s3:GetBucketAcl",
            "Resource": arn,
            "Condition": {"StringEquals": dict(scope)},
        },
        {
            "Sid": "RootwatchCloudTrailWrite" + suffix,
            "Effect": "Allow",
            "Principal": CLOUDTRAIL_PRINCIPAL,
            "Action": "s3:PutObject",
            "Resource": logs,
            "Condition": {"StringEquals": dict(scope, **{"s3:x-amz-acl": "bucket-owner-full-control"})},
        },
        {
            "Sid": DENY_INSECURE_SID,
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [arn, arn + "/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ]


def encryption_configuration(kms_key_arn=None):
    """Default encryption: SSE-KMS with a bucket key when a key is given, else SSE-S3."""
    if kms_key_arn:
        default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kms_key_arn}
        return {"Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": True}]}
    return {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}


def new_bucket_settings(kms_key_arn=None):
    return {
        "public_access_block": dict(PUBLIC_ACCESS_BLOCK),
        "encryption": encryption_configuration(kms_key_arn),
        "object_ownership": OWNERSHIP,
    }


class LogBucketManager:
    """Ensures a CloudTrail log bucket: created if missing, delivery policy merged.

    ``s3`` is a retrying boto3 S3 client (``aws_calls.aws_client``); nothing
    else from Ansible is needed, so an aggregate module can run it too.
    ``ensure`` returns ``{"changed", "created", "bucket", "actions",
    "diff": {"before", "after"}}`` and raises AnsibleAWSError naming the bucket.
    """

    def __init__(self, s3, region, check_mode=False, warn=None):
        self.s3 = s3
        self.region = region
        self.check_mode = check_mode
        self.warn = warn or (lambda message: None)

    def _call(self, what, method, **kwargs):
        try:
            return getattr(self.s3, method)(aws_retry=True, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise AnsibleAWSError(message=what, exception=exc)

    def _call_new_bucket(self, what, method, **kwargs):
        """A call on a bucket just created: the one retry policy, plus NEW_BUCKET_RETRY_CODES.

        It replaces the client's own retry for this call (``aws_retry=False``), so the
        attempts do not multiply.
        """
        call = retry_decorator(NEW_BUCKET_RETRY_CODES)(functools.partial(getattr(self.s3, method), aws_retry=False))
        try:
            return call(**kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise AnsibleAWSError(message=what, exception=exc)

    def read(self, bucket, manage_policy=True):
        """(exists, policy or None). One GetBucketPolicy, or one HeadBucket without policy management."""
        if not manage_policy:
            try:
                self.s3.head_bucket(Bucket=bucket, aws_retry=True)
            except (BotoCoreError, ClientError) as exc:
                code = error_code(exc)
                if code in MISSING_BUCKET_CODES:
                    return False, None
                if code not in ("403", "AccessDenied"):  # another account's bucket exists
                    raise AnsibleAWSError(message="Failed to look up S3 bucket %s" % bucket, exception=exc)
            return True, None
        try:
            text = self.s3.get_bucket_policy(Bucket=bucket, aws_retry=True)["Policy"]
        except (BotoCoreError, ClientError) as exc:
            code = error_code(exc)
            if code in MISSING_BUCKET_CODES:
                return False, None
            if code == "NoSuchBucketPolicy":
                return True, None
            if code in ("AccessDenied", "403"):
                raise AnsibleAWSError(
                    message="Cannot read the policy of S3 bucket %s (owned by another account?); set "
                    "manage_bucket_policy=false when its owner manages the policy" % bucket,
                    exception=exc,
                )
            raise AnsibleAWSError(message="Failed to read the policy of S3 bucket %s" % bucket, exception=exc)
        return True, parse_json_text(text, "the policy of S3 bucket %s" % bucket)

    def ensure(self, bucket, statements, create=True, manage_policy=True, kms_key_arn=None):
        """Make sure ``bucket`` exists (when ``create``) and its policy holds ``statements``.

        ``kms_key_arn`` (a key ARN, or a callable returning one) selects SSE-KMS
        default encryption for a bucket created here; otherwise SSE-S3.
        """
        result = {"changed": False, "created": False, "actions": [], "bucket": {}, "diff": {"before": {}, "after": {}}}
        if not create and not manage_policy:
            return result
        exists, policy = self.read(bucket, manage_policy)
        arn = bucket_arn(bucket, self.region)
        if not exists:
            if not create:
                raise AnsibleAWSError(
                    message="S3 bucket %s does not exist; create it first or set create_bucket=true" % bucket
                )
            return self._create(bucket, arn, statements, kms_key_arn, result)
        before = {"name": bucket, "arn": arn, "exists": True}
        if manage_policy:
            before["policy"] = copy.deepcopy(policy)
        after = copy.deepcopy(before)
        if manage_policy:
            desired = merge_statements(policy, statements)
            if policies_differ(policy, desired):
                result["changed"] = True
                result["actions"].append("s3:PutBucketPolicy %s" % bucket)
                if not self.check_mode:
                    self._call(
                        "Failed to update the policy of S3 bucket %s" % bucket,
                        "put_bucket_policy",
                        Bucket=bucket,
                        Policy=json.dumps(desired),
                    )
                after["policy"] = desired
        result.update(bucket=after, diff={"before": before, "after": after})
        return result

    def _create(self, bucket, arn, statements, kms_key_arn, result):
        if callable(kms_key_arn):
            # Resolved only now: an existing bucket needs no kms:DescribeKey.
            kms_key_arn = kms_key_arn()
        policy = merge_statements(None, statements)
        after = dict({"name": bucket, "arn": arn, "exists": True, "region": self.region, "policy": policy}, **new_bucket_settings(kms_key_arn))
        result.update(
            changed=True,
            created=True,
            bucket=after,
            diff={"before": {"name": bucket, "exists": False}, "after": after},
            actions=[
                "s3:CreateBucket %s" % bucket,
                "s3:PutPublicAccessBlock %s" % bucket,
                "s3:PutBucketEncryption %s" % bucket,
                "s3:PutBucketPolicy %s" % bucket,
            ],
        )
        if self.check_mode:
            return result
        create = {"Bucket": bucket, "ObjectOwnership": OWNERSHIP}
        if self.region and self.region != "us-east-1":
            create["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            self._call_new_bucket("Failed to create S3 bucket %s" % bucket, "create_bucket", **create)
        except AnsibleAWSError as exc:
            # A retry after a lost response (botocore retries a dropped connection): the first
            # attempt created the bucket. Outside us-east-1 AWS answers BucketAlreadyOwnedByYou
            # (in us-east-1, 200 OK); either way the bucket is ours and the set-up goes on.
            if error_code(exc.exception) != "BucketAlreadyOwnedByYou":
                raise
            # The bucket may also have been made by someone else in this account since our read:
            # its policy is read again and ours merged in, never written over.
            unused, current = self.read(bucket)
            policy = merge_statements(current, statements)
            after["policy"] = policy
        self._call_new_bucket(
            "Failed to block public access to S3 bucket %s" % bucket,
            "put_public_access_block",
            Bucket=bucket,
            PublicAccessBlockConfiguration=after["public_access_block"],
        )
        self._call_new_bucket(
            "Failed to set default encryption of S3 bucket %s" % bucket,
            "put_bucket_encryption",
            Bucket=bucket,
            ServerSideEncryptionConfiguration=after["encryption"],
        )
        self._call_new_bucket(
            "Failed to set the policy of S3 bucket %s" % bucket, "put_bucket_policy", Bucket=bucket, Policy=json.dumps(policy)
        )
        return result
