# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ARN prediction for check mode: what AWS will name a resource before it exists."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn


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


def caller_account_id(sts_client):
    """The account of the caller's credentials (one sts:GetCallerIdentity call)."""
    return sts_client.get_caller_identity(aws_retry=True)["Account"]
