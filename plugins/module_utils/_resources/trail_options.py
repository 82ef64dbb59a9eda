# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of a CloudTrail trail, checked before any AWS call (``trail.CloudTrailTrailManager`` takes them)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import IP_ADDRESS_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import is_aws_managed_key_alias
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_kms_key_id
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import bucket_name_of
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import validate_bucket_owner
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bucket import validate_key_prefix
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import validate_management_events

TRAIL_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*[A-Za-z0-9]$")


def trail_name_problem(name):
    """Why ``name`` breaks the CloudTrail trail naming rules, or None."""
    if not isinstance(name, str) or not 3 <= len(name) <= 128:
        return "it must be 3 to 128 characters long"
    if not TRAIL_NAME_RE.match(name):
        return "use only ASCII letters, digits, '.', '_' and '-', and begin and end with a letter or digit"
    adjacent = re.search(r"[._\-]{2}", name)
    if adjacent:
        return "it must not have adjacent periods, underscores or dashes (found %r)" % adjacent.group(0)
    if IP_ADDRESS_RE.match(name):
        return "it must not be formatted as an IP address"
    return None


def validate_trail_name(name, param="name"):
    problem = trail_name_problem(name)
    if problem:
        raise ValidationError("%s %r is not a valid CloudTrail trail name: %s" % (param, name, problem))
    return name


def validate_trail_key(value, param="kms_key_id"):
    """A key :func:`validators.validate_kms_key_id` takes, and not an AWS managed one: CloudTrail needs a key whose
    policy lets it in."""
    validate_kms_key_id(value, param)
    if is_aws_managed_key_alias(value):
        raise ValidationError("%s %r is an AWS managed key; CloudTrail needs a customer managed key whose policy lets "
                              "cloudtrail.amazonaws.com use it" % (param, value))
    return value


def validate_params(params):
    """Check every parameter locally; raise ValueError naming the parameter. Returns normalized params."""
    params = dict(params)
    validate_trail_name(params.get("name"))
    if params.get("state", "present") == "absent":
        return params
    params["s3_bucket_name"] = bucket_name_of(params.get("s3_bucket_name"))
    validate_key_prefix(params.get("s3_key_prefix"))
    params["bucket_owner"] = validate_bucket_owner(params.get("bucket_owner"))
    validate_trail_key(params.get("kms_key_id"))
    validate_management_events(params.get("management_events", "All"))
    if params.get("is_multi_region_trail", True) and params.get("include_global_service_events") is False:
        raise ValidationError(
            "include_global_service_events must be true for a multi-Region trail (is_multi_region_trail=true)"
        )
    if params.get("reuse_covering_trail") and params.get("management_events") == "ReadOnly":
        raise ValidationError(
            "reuse_covering_trail looks for a trail recording write management events (console sign-in); "
            "it cannot be combined with management_events=ReadOnly"
        )
    for key, value in (params.get("tags") or {}).items():
        if not isinstance(value, str):
            raise ValidationError("tags.%s must be a string, got %s" % (key, type(value).__name__))
    return params
