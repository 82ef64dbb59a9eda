# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A secure S3 bucket for CloudTrail log files, and its delivery policy.

Pure parts: bucket name rules, the policy statements CloudTrail needs, the
secure settings and whether a bucket's encryption meets them.
:class:`LogBucketManager` is the AWS edge: it reads the bucket policy (one
``s3:GetBucketPolicy``, which also tells whether the bucket exists), creates a
missing bucket with secure settings, merges the delivery statements into an
existing policy by Sid, keeping every other statement, and repairs the settings
of a bucket it can prove it created (four more reads).

Every call but CreateBucket carries ``ExpectedBucketOwner``, so S3 itself refuses
a bucket of another account that has the name we expect (bucket squatting).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import functools
import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import ACCOUNT_ID_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import partition_for_region
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import GLOBAL_REGION
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import AwsCallError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import RootwatchErrorHandler
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_code
from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import retry_decorator
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import parse_json_text
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import as_manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import merge_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import policies_differ
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import BucketNotVerifiedError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import IP_ADDRESS_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_match

BUCKET_ARN_RE = re.compile(r"^arn:aws[a-z\-]*:s3:::(?P<name>[^/]+)$")
BUCKET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
MAX_KEY_PREFIX = 200
CLOUDTRAIL_PRINCIPAL = {"Service": "cloudtrail.amazonaws.com"}
DENY_INSECURE_SID = "RootwatchDenyInsecureTransport"
MISSING_BUCKET_CODES = ("NoSuchBucket", "404", "NotFound")
# A failed bucket owner condition answers 403 Access Denied ("Verifying bucket ownership with bucket owner
# condition", S3 user guide, https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html),
# the same answer as a missing permission, and HeadBucket's 403 has no body at all: a 403 never proves
# that a bucket exists and may be used.
DENIED_CODES = ("AccessDenied", "403", "Forbidden")
# Get/PutBucketPolicy by an identity outside the bucket owner's account (S3 API reference, GetBucketPolicy).
NOT_OWNER_ACCOUNT_CODES = ("MethodNotAllowed", "405")
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
        raise ValidationError("%s is required: the name of the S3 bucket for the log files" % param)
    match = BUCKET_ARN_RE.match(value)
    name = match.group("name") if match else value
    problem = bucket_name_problem(name)
    if problem:
        raise ValidationError("%s %r is not a valid S3 bucket name: %s" % (param, value, problem))
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
        raise ValidationError("%s must be at most %d characters, got %d" % (param, MAX_KEY_PREFIX, len(prefix)))
    if prefix.startswith("/") or prefix.endswith("/"):
        raise ValidationError("%s must not begin or end with '/', got %r (CloudTrail adds '/AWSLogs/...')" % (param, prefix))
    if "//" in prefix:
        raise ValidationError("%s must not contain '//', got %r" % (param, prefix))
    return prefix


def validate_bucket_owner(value, param="bucket_owner"):
    """None (the bucket is the account's own) or the 12-digit ID of the account that owns the log bucket."""
    if value is None or value == "":
        return None
    return validate_match(value, ACCOUNT_ID_RE, param, "the 12-digit ID of the AWS account that owns the log bucket")


# How a caller of the cloudtrail_trail module names the owner of a central log bucket (messages only).
DEFAULT_OWNER_HINT = (
    "set bucket_owner to the ID of the account that owns it, with create_bucket=false and manage_bucket_policy=false "
    "(only its owner can create it or change its policy)"
)


def not_verified_message(bucket, owner, operation, owner_hint=DEFAULT_OWNER_HINT):
    """Why a 403 to ``operation`` (sent with ExpectedBucketOwner=``owner``) stops the run, and what to do."""
    needs = "s3:ListBucket" if operation == "HeadBucket" else "s3:" + operation
    if owner:
        found = "is not proven to belong to account %s: %s with ExpectedBucketOwner=%s" % (owner, operation, owner)
    else:
        found = "is not proven to be usable: %s" % operation
    return (
        "S3 bucket %s %s answered 403 Access Denied, which S3 answers both when another account owns the bucket and "
        "when these credentials lack %s on it. The bucket is not used, and no trail is pointed at it. A bucket of "
        "another account with this name can be someone squatting it: choose another bucket name. If it is a central "
        "log bucket, %s, and let its bucket policy allow these credentials s3:ListBucket (the one call made on it is "
        "HeadBucket)" % (bucket, found, needs, owner_hint)
    )


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


def encryption_satisfies(configuration, kms_key_arn=None):
    """Does a bucket's default encryption meet what was asked?

    With a key asked, SSE-KMS with that key, compared as ARNs (``kms_key_arn`` may be a
    callable returning the ARN). Without one, any default encryption: a bucket with SSE-KMS
    is never weakened to SSE-S3.
    """
    rules = (configuration or {}).get("Rules") or []
    defaults = [rule.get("ApplyServerSideEncryptionByDefault") or {} for rule in rules]
    if not kms_key_arn:
        return any(default.get("SSEAlgorithm") for default in defaults)
    keys = [default.get("KMSMasterKeyID") for default in defaults if default.get("SSEAlgorithm") == "aws:kms"]
    return bool(keys) and keys[0] == (kms_key_arn() if callable(kms_key_arn) else kms_key_arn)


def new_bucket_settings(kms_key_arn=None):
    return {
        "public_access_block": dict(PUBLIC_ACCESS_BLOCK),
        "encryption": encryption_configuration(kms_key_arn),
        "object_ownership": OWNERSHIP,
    }


class LogBucketManager(ResourceManager):
    """Ensures a CloudTrail log bucket: created if missing, delivery policy merged, settings kept.

    Built like every manager (see ``managers``). ``ensure(params, known=None)``
    takes ``bucket``, ``statements`` (the delivery statements), ``create``,
    ``manage_policy``, ``kms_key_arn`` (a key ARN, or a callable returning one;
    SSE-KMS instead of SSE-S3), ``tags``, ``owner_tag``, ``expected_owner`` (the
    account that must own the bucket; default the manager's ``account_id``),
    ``check_owner`` (prove the owner with one HeadBucket even when neither
    ``create`` nor ``manage_policy``) and ``owner_hint`` (how the caller names a
    central bucket's owner, for messages). It returns the manager contract plus
    ``created``, ``bucket`` and ``actions``, and raises AwsCallError naming the
    bucket; :class:`BucketNotVerifiedError` when S3 does not prove the owner.

    Every call but CreateBucket sends ``ExpectedBucketOwner`` once the owner is
    known (callers pass it; without it and without ``account_id`` the calls go
    without the condition). A 403 is never taken as "the bucket exists".

    A bucket created here is tagged with ``tags`` (which hold ``owner_tag``)
    first of all, so a run killed later leaves a bucket that proves it is ours.
    On every run the public access block, default encryption and object
    ownership of a bucket carrying ``owner_tag`` are read and repaired, so
    drift and a bucket a failed run left half-configured converge. Any other
    bucket only gets the delivery statements merged into its policy.
    """

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(LogBucketManager, self).__init__(clients, region, check_mode, warn, account_id)
        self.expected_owner = account_id
        self.owner_hint = DEFAULT_OWNER_HINT

    @property
    def s3(self):
        return self.client("s3")

    def _args(self, bucket, **kwargs):
        """The arguments of a call on ``bucket``, with the bucket owner condition."""
        kwargs["Bucket"] = bucket
        if self.expected_owner:
            kwargs["ExpectedBucketOwner"] = self.expected_owner
        return kwargs

    def _call_new_bucket(self, description, method, **kwargs):
        """A call that sets up a bucket: the one retry policy, plus NEW_BUCKET_RETRY_CODES.

        It replaces the client's own retry for this call (``aws_retry=False``), so the
        attempts do not multiply.
        """
        call = retry_decorator(NEW_BUCKET_RETRY_CODES)(functools.partial(getattr(self.s3, method), aws_retry=False))
        return RootwatchErrorHandler.common_error_handler(description)(call)(**kwargs)

    def _refuse_if_denied(self, exc, bucket, operation):
        if error_code(exc) in DENIED_CODES:
            raise BucketNotVerifiedError(
                message=not_verified_message(bucket, self.expected_owner, operation, self.owner_hint), exception=exc)

    def _read_or_missing(self, what, method, missing_code, bucket):
        """A bucket configuration, or None when S3 answers ``missing_code`` (never configured)."""
        return aws_call("read the %s of S3 bucket %s" % (what, bucket), getattr(self.s3, method), not_found=(missing_code,), **self._args(bucket))

    def read(self, bucket, manage_policy=True):
        """(exists, policy or None). One GetBucketPolicy, or one HeadBucket without policy management.

        Only 404 means missing and only 200 (or NoSuchBucketPolicy) means it exists and is the
        expected owner's; a 403 raises :class:`BucketNotVerifiedError`.
        """
        if not manage_policy:
            try:
                aws_call("look up S3 bucket %s" % bucket, self.s3.head_bucket, **self._args(bucket))
            except AwsCallError as exc:
                if error_code(exc) in MISSING_BUCKET_CODES:
                    return False, None
                self._refuse_if_denied(exc.exception, bucket, "HeadBucket")
                raise
            return True, None
        try:
            text = aws_call("read the policy of S3 bucket %s" % bucket, self.s3.get_bucket_policy, **self._args(bucket))["Policy"]
        except AwsCallError as failed:
            exc, code = failed.exception, error_code(failed)
            if code in MISSING_BUCKET_CODES:
                return False, None
            if code == "NoSuchBucketPolicy":
                return True, None
            self._refuse_if_denied(exc, bucket, "GetBucketPolicy")
            if code in NOT_OWNER_ACCOUNT_CODES:
                raise BucketNotVerifiedError(
                    message="S3 bucket %s belongs to another account than these credentials (GetBucketPolicy answered 405 "
                    "Method Not Allowed): only its owner can read or change its policy, so it is not used. If it is a "
                    "central log bucket, %s" % (bucket, self.owner_hint),
                    exception=exc,
                )
            raise
        return True, parse_json_text(text, "the policy of S3 bucket %s" % bucket)

    def read_tags(self, bucket):
        tagging = self._read_or_missing("tags", "get_bucket_tagging", "NoSuchTagSet", bucket)
        return boto3_tag_list_to_ansible_dict((tagging or {}).get("TagSet") or [])

    def read_settings(self, bucket):
        """The bucket's public access block, default encryption and object ownership; None where unset."""
        block = self._read_or_missing("public access block", "get_public_access_block", "NoSuchPublicAccessBlockConfiguration", bucket)
        encryption = self._read_or_missing(
            "default encryption", "get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError", bucket)
        ownership = self._read_or_missing("object ownership", "get_bucket_ownership_controls", "OwnershipControlsNotFoundError", bucket)
        rules = ((ownership or {}).get("OwnershipControls") or {}).get("Rules") or [{}]
        return {
            "public_access_block": (block or {}).get("PublicAccessBlockConfiguration"),
            "encryption": (encryption or {}).get("ServerSideEncryptionConfiguration"),
            "object_ownership": rules[0].get("ObjectOwnership"),
        }

    def ensure(self, params, known=None):
        """Make sure the bucket exists (when ``create``), holds the statements and, when ours, its settings."""
        bucket, statements = params["bucket"], params["statements"]
        create, manage_policy = params.get("create", True), params.get("manage_policy", True)
        self.expected_owner = params.get("expected_owner") or self.known_account_id
        self.owner_hint = params.get("owner_hint") or DEFAULT_OWNER_HINT
        result = {"changed": False, "created": False, "actions": [], "bucket": {}, "diff": {"before": {}, "after": {}}}
        if not create and not manage_policy and not params.get("check_owner"):
            return as_manager_result(result, [])
        exists, policy = self.read(bucket, manage_policy)
        arn = bucket_arn(bucket, self.region)
        if not exists:
            if not create:
                raise ValidationError("S3 bucket %s does not exist; create it first or set create_bucket=true" % bucket)
            self._create(bucket, arn, params, result)
            return as_manager_result(result, ["create S3 bucket %s with secure settings and the delivery policy" % bucket])
        before = {"name": bucket, "arn": arn, "exists": True}
        if self.expected_owner:
            before["owner"] = self.expected_owner  # proven by S3's bucket owner condition
        if manage_policy:
            before["policy"] = copy.deepcopy(policy)
        after = copy.deepcopy(before)
        changes = []
        if manage_policy:
            desired = merge_statements(policy, statements)
            if policies_differ(policy, desired):
                result["actions"].append("s3:PutBucketPolicy %s" % bucket)
                changes.append("merge the CloudTrail delivery statements into the policy of S3 bucket %s" % bucket)
                if not self.check_mode:
                    aws_call("update the policy of S3 bucket %s" % bucket, self.s3.put_bucket_policy,
                             **self._args(bucket, Policy=json.dumps(desired)))
                after["policy"] = desired
        # A bucket whose policy is its owner's alone (a central log bucket) is never ours to repair.
        if manage_policy and params.get("owner_tag") and is_owned(self.read_tags(bucket), params["owner_tag"]):
            changes.extend(self._repair_settings(bucket, params.get("kms_key_arn"), before, after, result))
        result.update(changed=bool(changes), bucket=after, diff={"before": before, "after": after})
        return as_manager_result(result, changes)

    def _repair_settings(self, bucket, kms_key_arn, before, after, result):
        """Put back each secure setting of our bucket that drifted, or that a failed run never set."""
        current = self.read_settings(bucket)
        before.update(current)
        after.update(current)
        changes = []
        block = current["public_access_block"] or {}
        if any(block.get(key) is not value for key, value in PUBLIC_ACCESS_BLOCK.items()):
            after["public_access_block"] = dict(PUBLIC_ACCESS_BLOCK)
            changes.append("block all public access to S3 bucket %s" % bucket)
            self._put(result, bucket, "put_public_access_block", "block public access to",
                      PublicAccessBlockConfiguration=after["public_access_block"])
        if not encryption_satisfies(current["encryption"], kms_key_arn):
            after["encryption"] = encryption_configuration(kms_key_arn() if callable(kms_key_arn) else kms_key_arn)
            changes.append("set the default encryption of S3 bucket %s" % bucket)
            self._put(result, bucket, "put_bucket_encryption", "set default encryption of",
                      ServerSideEncryptionConfiguration=after["encryption"])
        if current["object_ownership"] != OWNERSHIP:
            after["object_ownership"] = OWNERSHIP
            changes.append("set object ownership of S3 bucket %s to %s (ACLs off)" % (bucket, OWNERSHIP))
            self._put(result, bucket, "put_bucket_ownership_controls", "set object ownership of",
                      OwnershipControls={"Rules": [{"ObjectOwnership": OWNERSHIP}]})
        return changes

    def _put(self, result, bucket, method, what, **kwargs):
        """One setting of our bucket; retried like a new bucket's, since a half-done one may be new."""
        operation = "".join(word.capitalize() for word in method.split("_"))
        result["actions"].append("s3:%s %s" % (operation, bucket))
        if not self.check_mode:
            self._call_new_bucket("%s S3 bucket %s" % (what, bucket), method, **self._args(bucket, **kwargs))

    def _create(self, bucket, arn, params, result):
        kms_key_arn = params.get("kms_key_arn")
        if callable(kms_key_arn):
            # Resolved only now: an existing bucket without SSE-KMS drift needs no kms:DescribeKey.
            kms_key_arn = kms_key_arn()
        statements = params["statements"]
        tags = dict(params.get("tags") or {}, **(params.get("owner_tag") or {}))
        policy = merge_statements(None, statements)
        after = dict({"name": bucket, "arn": arn, "exists": True, "region": self.region, "policy": policy}, **new_bucket_settings(kms_key_arn))
        if self.expected_owner:
            after["owner"] = self.expected_owner
        if tags:
            after["tags"] = tags
        result.update(
            changed=True,
            created=True,
            bucket=after,
            diff={"before": {"name": bucket, "exists": False}, "after": after},
            actions=["s3:CreateBucket %s" % bucket] + (["s3:PutBucketTagging %s" % bucket] if tags else []) + [
                "s3:PutPublicAccessBlock %s" % bucket,
                "s3:PutBucketEncryption %s" % bucket,
                "s3:PutBucketPolicy %s" % bucket,
            ],
        )
        if self.check_mode:
            return
        # The one call without ExpectedBucketOwner: CreateBucket does not take it (botocore's S3 model).
        create = {"Bucket": bucket, "ObjectOwnership": OWNERSHIP}
        if self.region and self.region != GLOBAL_REGION:
            create["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            self._call_new_bucket("create S3 bucket %s" % bucket, "create_bucket", **create)
        except AwsCallError as exc:
            code = error_code(exc.exception)
            if code == "BucketAlreadyExists":
                # Bucket names are global: another account took this one since our read found it missing.
                raise BucketNotVerifiedError(
                    message="Failed to create S3 bucket %s: it was missing when read, and CreateBucket answered "
                    "BucketAlreadyExists, so another account owns that name now. It is not used and no trail is "
                    "pointed at it; choose another bucket name" % bucket,
                    exception=exc.exception,
                )
            # A retry after a lost response (botocore retries a dropped connection): the first
            # attempt created the bucket. Outside us-east-1 AWS answers BucketAlreadyOwnedByYou
            # (in us-east-1, 200 OK); either way the bucket is ours and the set-up goes on.
            if code != "BucketAlreadyOwnedByYou":
                raise
            # The bucket may also have been made by someone else in this account since our read:
            # its policy is read again and ours merged in, never written over.
            unused, current = self.read(bucket)
            policy = merge_statements(current, statements)
            after["policy"] = policy
        # The proof of ownership first: a run killed after it leaves a bucket the next run completes.
        # Separate from CreateBucket because the emulator ignores CreateBucketConfiguration.Tags.
        if tags:
            self._call_new_bucket("tag S3 bucket %s" % bucket, "put_bucket_tagging",
                                  **self._args(bucket, Tagging={"TagSet": ansible_dict_to_boto3_tag_list(tags)}))
        self._call_new_bucket(
            "block public access to S3 bucket %s" % bucket,
            "put_public_access_block",
            **self._args(bucket, PublicAccessBlockConfiguration=after["public_access_block"])
        )
        self._call_new_bucket(
            "set default encryption of S3 bucket %s" % bucket,
            "put_bucket_encryption",
            **self._args(bucket, ServerSideEncryptionConfiguration=after["encryption"])
        )
        self._call_new_bucket(
            "set the policy of S3 bucket %s" % bucket, "put_bucket_policy", **self._args(bucket, Policy=json.dumps(policy))
        )
