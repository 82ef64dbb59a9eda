# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ARN prediction for check mode (what AWS will name a resource before it exists), and region names."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn

from ansible_collections.rootwatch.aws.plugins.module_utils._core.botocore_data import available_regions
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call

_KNOWN_REGIONS = {}
ACCOUNT_ID_RE = re.compile(r"^\d{12}$")
# STS AssumeRole ExternalId: 2-1224 characters of [\w+=,.@:/-] (ASCII word characters); use fullmatch.
EXTERNAL_ID_RE = re.compile(r"[\w+=,.@:/\-]{2,1224}", re.ASCII)
# An IAM role ARN: path and name of [\w+=,.@/-], at most 512 characters (IAM API reference, Role.Arn).
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@/\-]{1,512}$")


def log_group_base_arn(arn):
    """A log group ARN without its ``:*`` (the form the tagging API takes; CloudTrail names a group with it)."""
    return arn[:-2] if arn and arn.endswith(":*") else arn


def known_regions(service="events"):
    """The regions of every partition where botocore's endpoint data lists ``service``.

    Once per process, from the shared loader: no second session, no second endpoints.json.
    """
    if service not in _KNOWN_REGIONS:
        _KNOWN_REGIONS[service] = available_regions(service)
    return _KNOWN_REGIONS[service]


def unknown_region_problem(region, service="events"):
    """Why ``region`` is not a region name, checked against botocore's own list; or None."""
    if isinstance(region, str) and region in known_regions(service):
        return None
    return "%r is not an AWS region where %s is available (botocore's endpoint data lists %d of them, such as us-east-1)" % (
        region, service, len(known_regions(service)))


def partition_for_region(region):
    """The partition a region belongs to (aws, aws-cn, aws-us-gov, ...)."""
    region = region or ""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def build_arn(service, region, account_id, resource):
    return "arn:%s:%s:%s:%s:%s" % (partition_for_region(region), service, region or "", account_id, resource)


def arn_account(arn):
    """The account ID in an ARN, or None when ``arn`` is not an ARN."""
    parsed = parse_aws_arn(arn) if arn and arn.startswith("arn:") else None
    return parsed["account_id"] if parsed else None


def iam_principal(arn):
    """What an IAM principal ARN names, as ``(kind, partition, account, role name)``: ``root`` (the account,
    no role name), ``role`` (a role by any path) or ``session`` (an STS session of a role); None for
    anything else, a user's ARN included."""
    parsed = parse_aws_arn(arn) if isinstance(arn, str) and arn.startswith("arn:") else None
    if not parsed or not ACCOUNT_ID_RE.match(parsed["account_id"] or ""):
        return None
    where = (parsed["partition"], parsed["account_id"])
    kind, unused, rest = parsed["resource"].partition("/")
    if parsed["service"] == "iam" and parsed["resource"] == "root":
        return ("root",) + where + (None,)
    if parsed["service"] == "iam" and kind == "role" and rest and not rest.endswith("/"):
        return ("role",) + where + (rest.rsplit("/", 1)[-1],)
    role, unused, session = rest.partition("/")
    if parsed["service"] == "sts" and kind == "assumed-role" and role and session and "/" not in session:
        return ("session",) + where + (role,)
    return None


def caller_account_id(sts_client):
    """The account of the caller's credentials (one sts:GetCallerIdentity call)."""
    return aws_call("find the account of the credentials", sts_client.get_caller_identity)["Account"]


def root_principal(partition, account_id):
    """An account as an IAM principal (``arn:PARTITION:iam::ACCOUNT:root``)."""
    return "arn:%s:iam::%s:root" % (partition, account_id)


def log_group_arn(region, account_id, name):
    """The log group ARN as CloudTrail's CloudWatchLogsLogGroupArn spells it (ending ``:*``)."""
    return build_arn("logs", region, account_id, "log-group:%s:*" % name)


def log_group_name_from_arn(arn):
    """``arn:aws:logs:R:A:log-group:NAME[:*]`` -> NAME (None when not a log group ARN)."""
    if not arn or ":log-group:" not in arn:
        return None
    name = arn.split(":log-group:", 1)[1]
    return name[:-2] if name.endswith(":*") else name


def trail_arn(region, account_id, trail_name):
    return build_arn("cloudtrail", region, account_id, "trail/%s" % trail_name)


def alarm_arn(region, account_id, name):
    return build_arn("cloudwatch", region, account_id, "alarm:%s" % name)


def is_sns_topic_arn(arn):
    parts = (arn or "").split(":")
    return len(parts) == 6 and parts[0] == "arn" and parts[2] == "sns" and bool(parts[5])
