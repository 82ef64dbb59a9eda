# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A CloudTrail trail that records management events: the manager.

Pure parts: the trail as the module returns it, the differences between current
and desired (the options are checked first, by ``trail_options.validate_params``).
:class:`CloudTrailTrailManager` is the AWS edge: read -> compare -> (write
unless check mode) -> report, optionally reusing another trail that already
covers the region (``reuse_covering_trail``), and creating or updating the
secure log bucket through :class:`s3_log_bucket.LogBucketManager` in the
same invocation.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import arn_account
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import log_group_base_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import trail_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import retry_decorator
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import AwsCallError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_code
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import RootwatchErrorHandler
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import RootwatchError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import WriteConflictError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import as_manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import foreign_resource_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import KMS_KEY_ARN_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import delivery_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import LogBucketManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import desired_selectors
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import management_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import put_arguments
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import selectors_equal
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import selectors_in_effect
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import selectors_result
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_coverage import is_foreign_organization_trail
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_coverage import trail_home_region
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_coverage import TrailCoverageChecker
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_options import validate_params

# The bucket policy, and a new role for CloudWatch Logs, may take a moment to be visible to CloudTrail.
POLICY_PROPAGATION_CODES = [
    "InsufficientS3BucketPolicyException",
    "InsufficientEncryptionPolicyException",
    "InvalidCloudWatchLogsRoleArnException",
    "InvalidCloudWatchLogsLogGroupArnException",
]
# CreateTrail / UpdateTrail fields (and DescribeTrails keys) that send the events to CloudWatch Logs.
CLOUDWATCH_LOGS_KEYS = ("CloudWatchLogsLogGroupArn", "CloudWatchLogsRoleArn")


# -- the trail as the module returns it ---------------------------------------
def trail_result(description, status=None, selectors=None, tags=None):
    """snake_case facts about a trail (selectors in their AWS form)."""
    if not description:
        return {}
    result = {
        "name": description.get("Name"),
        "arn": description.get("TrailARN"),
        "home_region": trail_home_region(description),
        "s3_bucket_name": description.get("S3BucketName"),
        "s3_key_prefix": description.get("S3KeyPrefix") or "",
        "kms_key_id": description.get("KmsKeyId") or "",
        "is_multi_region_trail": bool(description.get("IsMultiRegionTrail")),
        "include_global_service_events": bool(description.get("IncludeGlobalServiceEvents")),
        "log_file_validation_enabled": bool(description.get("LogFileValidationEnabled")),
        "is_organization_trail": bool(description.get("IsOrganizationTrail")),
        "cloud_watch_logs_log_group_arn": description.get("CloudWatchLogsLogGroupArn") or "",
    }
    if status is not None:
        result["is_logging"] = bool(status.get("IsLogging"))
    if selectors is not None:
        kind, in_effect = selectors
        result["management_events"] = management_mode(kind, in_effect)
        result.update(selectors_result(kind, in_effect))
    if tags is not None:
        result["tags"] = dict(tags)
    return result


def attribute_updates(current, params, kms_same):
    """update_trail arguments for what differs (``kms_same(current, desired)`` compares keys)."""
    updates = {}
    if params["s3_bucket_name"] != current.get("S3BucketName"):
        updates["S3BucketName"] = params["s3_bucket_name"]
    prefix = params.get("s3_key_prefix")
    if prefix is not None and prefix != (current.get("S3KeyPrefix") or ""):
        updates["S3KeyPrefix"] = prefix
    for param, key, update in (
        ("include_global_service_events", "IncludeGlobalServiceEvents", "IncludeGlobalServiceEvents"),
        ("is_multi_region_trail", "IsMultiRegionTrail", "IsMultiRegionTrail"),
        ("enable_log_file_validation", "LogFileValidationEnabled", "EnableLogFileValidation"),
    ):
        if params.get(param) is not None and bool(params[param]) != bool(current.get(key)):
            updates[update] = bool(params[param])
    kms = params.get("kms_key_id")
    if kms is not None and not kms_same(current.get("KmsKeyId") or "", kms):
        updates["KmsKeyId"] = kms
    for key in CLOUDWATCH_LOGS_KEYS:
        if params.get(key) is not None and params[key] != (current.get(key) or ""):
            updates[key] = params[key]
    return updates


def apply_updates(description, updates):
    """The description after update_trail(**updates) (for check mode and the result)."""
    after = copy.deepcopy(description)
    renames = {"EnableLogFileValidation": "LogFileValidationEnabled"}
    for key, value in updates.items():
        after[renames.get(key, key)] = value
    return after


class CloudTrailTrailManager(ResourceManager):
    """Ensures a trail recording management events, with its log bucket.

    ``clients(service, region=None)`` returns retrying boto3 clients (see
    ``aws_calls.AwsClients``); ``warn`` takes a message. ``ensure(params)`` takes
    the module's parameters and returns::

        {"changed": bool, "created": bool, "reused": bool,
         "trail": {...} or {}, "covering_trail": {...} or None,
         "coverage": [...] (when reuse_covering_trail evaluated other trails),
         "bucket": {...} (when the bucket is managed), "actions": [str],
         "diff": {"before": {...}, "after": {...}}}

    plus ``changes`` and ``facts`` (see ``managers``). ``known`` may hold
    ``trails`` (describe_trails with shadow trails), ``status`` and
    ``selectors`` ({trail ARN: response}) read by the caller in this run.

    With ``owner_tag`` ({key: value}) in the parameters, a trail called ``name``
    that lacks that tag is someone else's: it is never changed or deleted, it is
    reused when it covers the region, and otherwise the run stops with a message
    that names it.

    AWS failures are raised as AwsCallError naming the resource; invalid
    parameters as ValidationError before any call.
    """

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(CloudTrailTrailManager, self).__init__(clients, region, check_mode, warn, account_id)
        self._kms_arns = {}
        self._known = {}

    # -- AWS calls ----------------------------------------------------------
    @property
    def cloudtrail(self):
        return self.clients("cloudtrail", self.region)

    def _account(self):
        if not self.known_account_id:
            sts = self.clients("sts", self.region)
            self.account_id = aws_call("find the account of the credentials", sts.get_caller_identity)["Account"]
        return self.account_id

    def _kms_arn(self, key):
        if KMS_KEY_ARN_RE.match(key):
            return key
        if key not in self._kms_arns:
            region = key.split(":")[3] if key.startswith("arn:") else self.region
            response = aws_call("look up KMS key %s" % key, self.clients("kms", region).describe_key, KeyId=key)
            self._kms_arns[key] = response["KeyMetadata"]["Arn"]
        return self._kms_arns[key]

    def kms_same(self, current, desired):
        """Same key? Texts first; kms:DescribeKey only when they differ."""
        if current == desired:
            return True
        if not current or not desired:
            return False
        return self._kms_arn(current) == self._kms_arn(desired)

    def _describe(self, name, include_shadow):
        if "trails" in self._known:
            return self._known["trails"]
        kwargs = {"includeShadowTrails": True} if include_shadow else {"trailNameList": [name], "includeShadowTrails": False}
        described = aws_call("describe CloudTrail trail %s in %s" % (name, self.region), self.cloudtrail.describe_trails, **kwargs)
        return described.get("trailList", [])

    def find_own(self, trails, name):
        """The trail called ``name`` whose home is this region (not another account's organization trail).

        Filtered here because the emulator's describe_trails ignores trailNameList.
        """
        for trail in trails:
            if trail.get("Name") != name or trail_home_region(trail) != self.region:
                continue
            if trail.get("IsOrganizationTrail") and is_foreign_organization_trail(trail, self._account()):
                continue
            if not self.known_account_id and not trail.get("IsOrganizationTrail"):
                self.account_id = arn_account(trail.get("TrailARN"))
            return trail
        return None

    def _known_read(self, kind, arn, description, method, **kwargs):
        """A status or selectors response: the caller's read of this run, else one call."""
        known = self._known.get(kind) or {}
        if arn in known:
            return known[arn]
        return aws_call(description, getattr(self.cloudtrail, method), **kwargs)

    def _tags(self, arn, where):
        """The trail's tags, read once per run."""
        cache = self._known.setdefault("tags", {})
        if arn not in cache:
            listed = aws_call("read the tags of %s" % where, self.cloudtrail.list_tags, ResourceIdList=[arn])
            tag_list = (listed.get("ResourceTagList") or [{}])[0].get("TagsList") or []
            cache[arn] = boto3_tag_list_to_ansible_dict(tag_list)
        return dict(cache[arn])

    # -- entry points ------------------------------------------------------------
    def ensure(self, params, known=None):
        """Apply the module's options; the result follows ``managers.manager_result``."""
        params = validate_params(params)
        self._known = known or {}
        if params.get("state", "present") == "absent":
            result = self.ensure_absent(params["name"], params.get("owner_tag"))
            changes = ["delete trail %s (its log bucket and logs are kept)" % params["name"]] if result["changed"] else []
        else:
            result = self.ensure_present(params)
            bucket_changes = result.pop("bucket_changes", [])
            trail_actions = [action for action in result["actions"] if action.startswith("cloudtrail:")]
            if result["created"]:
                changes = ["create trail %s" % params["name"]]
            elif trail_actions:
                changes = ["update trail %s: %s" % (params["name"], "; ".join(trail_actions))]
            else:
                changes = []
            changes = bucket_changes + changes
        return as_manager_result(result, changes)

    def ensure_absent(self, name, owner_tag=None):
        result = self._result()
        own = self.find_own(self._describe(name, include_shadow=False), name)
        if own is None:
            return result
        if owner_tag and not is_owned(self._tags(own["TrailARN"], "CloudTrail trail %s" % name), owner_tag):
            self.warn("Trail %s was not created by rootwatch.aws (no %s tag), so it is kept" % (name, ", ".join(sorted(owner_tag))))
            result["kept"] = name
            return result
        before = trail_result(own)
        result.update(changed=True, actions=["cloudtrail:DeleteTrail %s" % name], diff={"before": {"trail": before}, "after": {"trail": {}}})
        if not self.check_mode:
            aws_call("delete CloudTrail trail %s" % name, self.cloudtrail.delete_trail, Name=name)
        return result

    def ensure_present(self, params):
        name = params["name"]
        result = self._result()
        if params.get("management_events") == "ReadOnly":
            self.warn(
                "management_events=ReadOnly: trail %s will not record console sign-in events (they are write "
                "management events), so EventBridge will not receive them through it" % name
            )
        reuse = params.get("reuse_covering_trail")
        trails = self._describe(name, include_shadow=reuse)
        own = self.find_own(trails, name)
        result["facts"] = {"trails": trails, "own": own}
        if own is None and reuse:
            self._check_name_free(trails, name)
            # Any visible trail that is not an organization trail is the caller's: no sts call needed.
            self.account_id = self.known_account_id or self._known_account(trails)
            checker = TrailCoverageChecker(
                self.clients,
                self.region,
                account_id=self.known_account_id,
                trust_organization_trails=params.get("trust_organization_trails", True),
                known=self._known,
            )
            coverage = checker.evaluate(trails, stop_at_first=True)
            result["coverage"] = coverage["trails"]
            if coverage["covered"]:
                return self._reused(coverage["covering_trail"], trails, params, result)
        if own is None:
            return self._create(params, result)
        owner_tag = params.get("owner_tag")
        if owner_tag and not is_owned(self._tags(own["TrailARN"], "CloudTrail trail %s" % name), owner_tag):
            return self._foreign(own, params, result)
        return self._update(own, params, result)

    def _foreign(self, own, params, result):
        """A trail with our name that we did not create: reused as it is when it covers, else a stop."""
        name, owner_tag = params["name"], params["owner_tag"]
        checker = TrailCoverageChecker(self.clients, self.region, account_id=self.known_account_id,
                                       trust_organization_trails=params.get("trust_organization_trails", True),
                                       known=self._known)
        coverage = checker.evaluate([own], stop_at_first=True)
        result["coverage"] = coverage["trails"]
        if coverage["covered"]:
            consent = callable(params.get("cloud_watch_logs")) and params.get("cloud_watch_logs_on_reused_trail")
            self.warn("Trail %s exists and was not created by rootwatch.aws; it covers this Region, so it is reused "
                      "and left %s" % (name, "as it is, except that it also sends its events to the CIS log group "
                                             "(cis_reused_trail)" if consent else "exactly as it is"))
            return self._reused(coverage["covering_trail"], [own], params, result)
        raise ForeignResourceError(foreign_resource_message(
            "CloudTrail trail", name, self.region, owner_tag,
            "; it does not deliver console sign-in events (%s), so it cannot be reused either"
            % (coverage["trails"][0]["reason"] if coverage["trails"] else "unknown"),
        ))

    # -- helpers -------------------------------------------------------------------
    @staticmethod
    def _result():
        return {
            "changed": False,
            "created": False,
            "reused": False,
            "trail": {},
            "covering_trail": None,
            "actions": [],
            "diff": {"before": {}, "after": {}},
        }

    @staticmethod
    def _known_account(trails):
        for trail in trails:
            if not trail.get("IsOrganizationTrail"):
                return arn_account(trail.get("TrailARN"))
        return None

    def _check_name_free(self, trails, name):
        for trail in trails:
            home = trail_home_region(trail)
            if trail.get("Name") == name and home != self.region and not trail.get("IsOrganizationTrail"):
                # Not a refusal of our settings: the account holds a trail we cannot manage from here.
                raise RootwatchError("CloudTrail trail %s already exists as a multi-Region trail with home Region %s; "
                                     "manage it from %s or choose another name" % (name, home, home))

    def _bucket(self, params, trail_arn, account, result):
        """Create the log bucket or merge its delivery statements, before the trail needs it.

        Its owner is proven first (ExpectedBucketOwner on every S3 call): ``account``, or
        ``bucket_owner`` for a central log bucket. The trail is never pointed at a bucket
        S3 did not prove to be that account's (``BucketNotVerifiedError`` stops the run).
        """
        bucket = params["s3_bucket_name"]
        owner = params.get("bucket_owner") or account
        create, manage = params.get("create_bucket", True), params.get("manage_bucket_policy", True)
        if owner != account and (create or manage):
            # CreateBucket makes a bucket of the caller's account, and Get/PutBucketPolicy answer 405
            # to any other account (S3 API reference): another account's bucket is its owner's to manage.
            raise ValidationError(
                "bucket_owner %s is another account than the trail's (%s): set create_bucket=false and "
                "manage_bucket_policy=false, because only the owner of S3 bucket %s can create it or change its policy"
                % (owner, account, bucket)
            )
        manager = LogBucketManager(self.clients, self.region, self.check_mode, self.warn, self.known_account_id)
        kms = params.get("kms_key_id")
        outcome = manager.ensure(
            {
                "bucket": bucket,
                "statements": delivery_statements(bucket, params["name"], trail_arn, account, self.region, params.get("s3_key_prefix")),
                "create": create,
                "manage_policy": manage,
                "kms_key_arn": (lambda: self._kms_arn(kms)) if kms else None,
                "tags": params.get("tags"),
                "owner_tag": params.get("owner_tag"),
                "expected_owner": owner,
                # A named owner is proven even when nothing else of the bucket is managed.
                "check_owner": bool(params.get("bucket_owner")),
                "owner_hint": params.get("bucket_owner_hint"),
            }
        )
        if outcome["bucket"]:
            result["bucket"] = outcome["bucket"]
            result["diff"]["before"]["bucket"] = outcome["diff"]["before"]
            result["diff"]["after"]["bucket"] = outcome["diff"]["after"]
        result["actions"].extend(outcome["actions"])
        result.setdefault("bucket_changes", []).extend(outcome["changes"])
        result["changed"] = result["changed"] or outcome["changed"]
        return outcome

    def _reused(self, covering, trails, params, result):
        """A trail of someone else's that covers the Region, reused. With the caller's consent
        (``cloud_watch_logs_on_reused_trail``) and ``cloud_watch_logs``, a trail of this account
        homed here that sends no events to CloudWatch Logs yet is pointed at our log group: its
        only change. A trail that already sends them elsewhere keeps its group."""
        result.update(reused=True, covering_trail=covering)
        if not (callable(params.get("cloud_watch_logs")) and params.get("cloud_watch_logs_on_reused_trail")):
            return result
        arn = covering["arn"]
        trail = next((t for t in trails if t.get("TrailARN") == arn), {})
        if arn_account(arn) != self._account() or covering["home_region"] != self.region:
            self.warn("Trail %s is reused, but CloudTrail sends a trail's events only to a log group in its own "
                      "account and home Region (%s), so the CIS log group in %s cannot receive them; CloudWatch.1 "
                      "is judged on the trail as it is" % (arn, covering["home_region"], self.region))
            return result
        current = trail.get("CloudWatchLogsLogGroupArn") or ""
        wanted = params.get("cloud_watch_logs_group_arn")
        if current and log_group_base_arn(current) != log_group_base_arn(wanted or ""):
            self.warn("Trail %s already sends its events to log group %s; it is kept, and CloudWatch.1 is judged on "
                      "that group" % (arn, current))
            return result
        group_arn, role_arn = params["cloud_watch_logs"](arn)
        if current and trail.get("CloudWatchLogsRoleArn") == role_arn:
            result["cloud_watch_logs_connected"] = arn
            return result
        result.update(changed=True, cloud_watch_logs_connected=arn)
        result["actions"].append("cloudtrail:UpdateTrail %s (CloudWatchLogsLogGroupArn, CloudWatchLogsRoleArn)" % arn)
        if not self.check_mode:
            self._write_after_policy("send the events of CloudTrail trail %s to log group %s" % (arn, group_arn),
                                     "update_trail", Name=arn, CloudWatchLogsLogGroupArn=group_arn, CloudWatchLogsRoleArn=role_arn)
        return result

    def disconnect_log_group(self, group_arn, keep_arns=()):
        """Turn CloudWatch Logs delivery off on every trail homed here that sends to ``group_arn``
        (a reused trail connected with consent), before the group is deleted. UpdateTrail with both
        ARNs empty turns the delivery off (the emulator accepts it; AWS's API reference does not say).
        Returns the manager contract, with the ARNs of the trails changed."""
        trails = aws_call("list the CloudTrail trails of %s" % self.region, self.cloudtrail.describe_trails,
                          includeShadowTrails=False).get("trailList", [])
        base = log_group_base_arn(group_arn)
        connected = [t["TrailARN"] for t in trails if log_group_base_arn(t.get("CloudWatchLogsLogGroupArn") or "") == base
                     and t.get("TrailARN") not in keep_arns and trail_home_region(t) == self.region]
        for arn in connected:
            if not self.check_mode:
                aws_call("stop trail %s sending its events to log group %s" % (arn, group_arn), self.cloudtrail.update_trail,
                         Name=arn, CloudWatchLogsLogGroupArn="", CloudWatchLogsRoleArn="")
        changes = ["stop trail %s (not ours) sending its events to log group %s" % (arn, base) for arn in connected]
        return manager_result(bool(connected), {"before": {"connected": connected}, "after": {"connected": []}}, changes, {},
                              trails=connected)

    def _write_after_policy(self, description, method, **kwargs):
        """A trail write that CloudTrail may refuse for a moment after the bucket policy changed."""
        retrying = retry_decorator(POLICY_PROPAGATION_CODES)(getattr(self.cloudtrail, method))
        return RootwatchErrorHandler.common_error_handler(description)(retrying)(**kwargs)

    @staticmethod
    def _with_cloudwatch_logs(params, trail_arn):
        """``cloud_watch_logs(trail_arn)``, when given, makes the log group and role and returns
        their ARNs; it is called only for a trail of ours, never for a reused one."""
        if not callable(params.get("cloud_watch_logs")):
            return params, False
        group_arn, role_arn = params["cloud_watch_logs"](trail_arn)
        return dict(params, CloudWatchLogsLogGroupArn=group_arn, CloudWatchLogsRoleArn=role_arn), True

    def _create(self, params, result):
        name = params["name"]
        account = self._account()
        arn = trail_arn(self.region, account, name)
        # The bucket first: nothing else is made for a trail whose bucket S3 did not prove ours to use.
        bucket_outcome = self._bucket(params, arn, account, result)
        params, logs = self._with_cloudwatch_logs(params, arn)
        kwargs = {
            "Name": name,
            "S3BucketName": params["s3_bucket_name"],
            "IncludeGlobalServiceEvents": params.get("include_global_service_events", True),
            "IsMultiRegionTrail": params.get("is_multi_region_trail", True),
            "EnableLogFileValidation": params.get("enable_log_file_validation", True),
        }
        if params.get("s3_key_prefix"):
            kwargs["S3KeyPrefix"] = params["s3_key_prefix"]
        if params.get("kms_key_id"):
            kwargs["KmsKeyId"] = params["kms_key_id"]
        if params.get("tags"):
            kwargs["TagsList"] = ansible_dict_to_boto3_tag_list(params["tags"])
        for key in CLOUDWATCH_LOGS_KEYS:
            if params.get(key):
                kwargs[key] = params[key]
        result.update(changed=True, created=True)
        result["actions"].append("cloudtrail:CreateTrail %s" % name)
        description = {
            "Name": name,
            "TrailARN": arn,
            "HomeRegion": self.region,
            "S3BucketName": kwargs["S3BucketName"],
            "S3KeyPrefix": kwargs.get("S3KeyPrefix", ""),
            "KmsKeyId": kwargs.get("KmsKeyId", ""),
            "IsMultiRegionTrail": kwargs["IsMultiRegionTrail"],
            "IncludeGlobalServiceEvents": kwargs["IncludeGlobalServiceEvents"],
            "LogFileValidationEnabled": kwargs["EnableLogFileValidation"],
            "IsOrganizationTrail": False,
        }
        description.update((key, kwargs[key]) for key in CLOUDWATCH_LOGS_KEYS if key in kwargs)
        if not self.check_mode:
            write = self._write_after_policy if bucket_outcome["changed"] or logs else self._plain_write
            try:
                created = write("create CloudTrail trail %s in %s" % (name, self.region), "create_trail", **kwargs)
            except AwsCallError as exc:
                # A retry after a lost answer, or a concurrent run, finds the trail made: read it and go on.
                # AWS answers TrailAlreadyExistsException (the emulator replaces the trail instead).
                if error_code(exc) != "TrailAlreadyExistsException":
                    raise
                return self._created_meanwhile(params, result)
            description["TrailARN"] = created.get("TrailARN") or arn
        default = ("basic", selectors_in_effect({})[1])
        wanted = desired_selectors({}, params.get("management_events", "All"))
        if not selectors_equal(default, wanted):
            result["actions"].append("cloudtrail:PutEventSelectors %s" % name)
            if not self.check_mode:
                aws_call("set the event selectors of CloudTrail trail %s" % name, self.cloudtrail.put_event_selectors, **put_arguments(name, *wanted))
        logging = bool(params.get("enable_logging", True))
        if logging:
            result["actions"].append("cloudtrail:StartLogging %s" % name)
            if not self.check_mode:
                aws_call("start logging of CloudTrail trail %s" % name, self.cloudtrail.start_logging, Name=name)
        tags = dict(params["tags"]) if params.get("tags") is not None else None
        after = trail_result(description, {"IsLogging": logging}, wanted, tags)
        result["trail"] = after
        result["diff"]["before"]["trail"] = {}
        result["diff"]["after"]["trail"] = after
        return result

    def _created_meanwhile(self, params, result):
        """CreateTrail said the trail exists: re-read it; ours (tagged) is updated, anyone else's is foreign."""
        self._known.pop("trails", None)
        own = self.find_own(self._describe(params["name"], include_shadow=False), params["name"])
        if own is None:
            raise WriteConflictError("CloudTrail answered that trail %s exists, but it cannot be found in %s" % (params["name"], self.region))
        self._known.get("tags", {}).pop(own["TrailARN"], None)
        owner_tag = params.get("owner_tag")
        if owner_tag and not is_owned(self._tags(own["TrailARN"], "CloudTrail trail %s" % params["name"]), owner_tag):
            return self._foreign(own, params, result)
        result.update(created=True, changed=True)
        return self._update(own, params, result)

    def _plain_write(self, description, method, **kwargs):
        return aws_call(description, getattr(self.cloudtrail, method), **kwargs)

    def _update(self, own, params, result):
        name = params["name"]
        arn = own["TrailARN"]
        account = arn_account(arn) or self._account()
        if params.get("s3_key_prefix") is None:
            # An omitted prefix keeps the trail's: the delivery statement must match it.
            params = dict(params, s3_key_prefix=own.get("S3KeyPrefix") or "")
        bucket_changed = self._bucket(params, arn, account, result)["changed"]
        params, logs = self._with_cloudwatch_logs(params, arn)
        where = "CloudTrail trail %s in %s" % (name, self.region)

        selector_response = self._known_read("selectors", arn, "read the event selectors of %s" % where, "get_event_selectors",
                                             TrailName=name)
        current_selectors = selectors_in_effect(selector_response)
        status = self._known_read("status", arn, "read the status of %s" % where, "get_trail_status", Name=name)
        tags = None
        if params.get("tags") is not None:
            tags = self._tags(arn, where)
        before = trail_result(own, status, current_selectors, tags)

        updates = attribute_updates(own, params, self.kms_same)
        if updates:
            result["actions"].append("cloudtrail:UpdateTrail %s (%s)" % (name, ", ".join(sorted(updates))))
            if not self.check_mode:
                write = self._write_after_policy if bucket_changed or (logs and set(updates) & set(CLOUDWATCH_LOGS_KEYS)) else self._plain_write
                write("update %s" % where, "update_trail", Name=name, **updates)
        description = apply_updates(own, updates)

        wanted = desired_selectors(selector_response, params.get("management_events", "All"))
        if not selectors_equal(current_selectors, wanted):
            result["actions"].append("cloudtrail:PutEventSelectors %s" % name)
            if not self.check_mode:
                aws_call("set the event selectors of %s" % where, self.cloudtrail.put_event_selectors, **put_arguments(name, *wanted))

        if tags is not None:
            to_set, to_unset = compare_aws_tags(tags, params["tags"], params.get("purge_tags", True))
            if to_unset:
                result["actions"].append("cloudtrail:RemoveTags %s" % name)
                if not self.check_mode:
                    aws_call("remove tags from %s" % where, self.cloudtrail.remove_tags, ResourceId=arn,
                             TagsList=[{"Key": key} for key in to_unset])
            if to_set:
                result["actions"].append("cloudtrail:AddTags %s" % name)
                if not self.check_mode:
                    aws_call("tag %s" % where, self.cloudtrail.add_tags, ResourceId=arn, TagsList=ansible_dict_to_boto3_tag_list(to_set))
            tags = dict((key, value) for key, value in tags.items() if key not in to_unset)
            tags.update(to_set)

        logging = bool(params.get("enable_logging", True))
        if bool(status.get("IsLogging")) != logging:
            action = "start_logging" if logging else "stop_logging"
            result["actions"].append("cloudtrail:%s %s" % ("StartLogging" if logging else "StopLogging", name))
            if not self.check_mode:
                aws_call("%s %s" % (action.replace("_", " "), where), getattr(self.cloudtrail, action), Name=name)

        after = trail_result(description, {"IsLogging": logging}, wanted, tags)
        result["trail"] = after
        result["diff"]["before"]["trail"] = before
        result["diff"]["after"]["trail"] = after
        result["changed"] = bool(result["actions"])
        return result
