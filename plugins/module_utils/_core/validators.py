# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks made on input before any AWS call: each raises ValidationError naming the option, or returns the value."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.arn import validate_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import ACCOUNT_ID_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError

STATES = ("present", "absent")
# S3 bucket names and CloudTrail trail names "must not be formatted as an IP address (for example, 192.168.5.4)".
IP_ADDRESS_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
# Organizations: "o-" followed by from 10 to 32 lowercase letters or digits (Organization.Id).
ORGANIZATION_ID_RE = re.compile(r"^o-[a-z0-9]{10,32}$")
KMS_KEY_ARN_RE = re.compile(r"^arn:aws[a-z\-]*:kms:[a-z0-9\-]+:\d{12}:key/.+$")
KMS_KEY_ID_RE = re.compile(
    r"^(alias/[A-Za-z0-9/_\-]+"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|mrk-[0-9a-fA-F]{32}"
    r"|arn:aws[a-z\-]*:kms:[a-z0-9\-]+:\d{12}:(key|alias)/.+)$"
)


def validate_role_name(name, param):
    """An IAM role name: amazon.aws's check (at most 64 of ``[\\w+=,.@-]``), in ASCII, as IAM's API pattern means it
    (a Python ``\\w`` also takes non-ASCII letters, which IAM refuses)."""
    problem = "must be a string" if not isinstance(name, str) else validate_iam_identifiers("role", name=name)
    if problem is None and not name.isascii():
        problem = "role name must be ASCII"
    if problem:
        raise ValidationError("%s must be an IAM role name (1-64 letters, digits or +=,.@_-), got %r" % (param, name))
    return name


def validate_state(params):
    """A manager's ``state``: present (the default) or absent."""
    state = params.get("state", "present")
    if state not in STATES:
        raise ValidationError("state must be present or absent, got %r" % state)
    return state


def validate_match(value, regex, param, what):
    """``value``, a string that ``regex`` matches; ``what`` says what it must be."""
    if not isinstance(value, str) or not regex.match(value):
        raise ValidationError("%s must be %s, got %r" % (param, what, value))
    return value


def validate_account_id(account_id, what="account ID"):
    if not isinstance(account_id, str) or not ACCOUNT_ID_RE.match(account_id):
        raise ValidationError("%s must be a 12-digit AWS account ID (a string), got %r" % (what, account_id))
    return account_id


def validate_organization_id(organization_id):
    if not isinstance(organization_id, str) or not ORGANIZATION_ID_RE.match(organization_id):
        raise ValidationError("organization_id must be 'o-' and 10-32 lowercase letters or digits, got %r" % (organization_id,))
    return organization_id


def validate_kms_key_id(value, param="kms_key_id"):
    """None (leave as is), '' (no SSE-KMS) or a key ID, key ARN, alias name or alias ARN."""
    if value is None or value == "":
        return value
    if not isinstance(value, str) or not KMS_KEY_ID_RE.match(value):
        raise ValidationError("%s must be a KMS key ID, key ARN, alias name (alias/...) or alias ARN, got %r" % (param, value))
    return value


def is_aws_managed_key_alias(value):
    """An ``alias/aws/...`` key (name or ARN): AWS owns its key policy, so no other service can be let in."""
    return bool(value) and (value.startswith("alias/aws/") or ":alias/aws/" in value)


def validate_region(region):
    if not region:
        raise ValidationError("region is required: set the region option, AWS_REGION or a profile with a region")
    return region


def is_arn(value, service=None):
    """An ARN with a resource (amazon.aws's ``validate_aws_arn``, which does not anchor it at the start), of
    ``service`` when given."""
    return (isinstance(value, str) and value.startswith("arn:") and validate_aws_arn(value, service=service)
            and bool(parse_aws_arn(value)["resource"]))
