# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EventBridge rule targets: module options <-> API shape, meaning-based comparison, merge.

Pure functions, no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import DEFAULT_RETRY_POLICY
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import parse_json_text
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.input_template import canonical_template
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import is_arn

MAX_TARGETS_PER_RULE = 5
TARGET_ID_RE = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")


def validate_targets(targets, param="targets"):
    """Raise ValueError naming the target and the problem; return the list."""
    seen = set()
    for index, target in enumerate(targets or []):
        where = "%s[%d]" % (param, index)
        target_id = target.get("id")
        if not target_id or not TARGET_ID_RE.match(target_id):
            raise ValidationError("%s.id must be 1-64 characters of letters, digits, '.', '-' or '_', got %r" % (where, target_id))
        where = "%s (id %s)" % (where, target_id)
        if target_id in seen:
            raise ValidationError("%s: duplicate target id %r" % (where, target_id))
        seen.add(target_id)
        for key in ("arn", "role_arn"):
            if target.get(key) is not None and not is_arn(target[key]):
                raise ValidationError("%s.%s is not an ARN: %r" % (where, key, target[key]))
        given = [key for key in ("input", "input_path", "input_transformer") if target.get(key) is not None]
        if len(given) > 1:
            raise ValidationError("%s: input, input_path and input_transformer are mutually exclusive; got %s" % (where, ", ".join(given)))
        if target.get("input") is not None:
            parse_json_text(target["input"], "%s.input" % where)
        transformer = target.get("input_transformer")
        if transformer is not None:
            if not transformer.get("input_template"):
                raise ValidationError("%s.input_transformer.input_template is required" % where)
            paths = transformer.get("input_paths_map") or {}
            if len(paths) > 100:
                raise ValidationError("%s.input_transformer.input_paths_map has %d entries; the limit is 100" % (where, len(paths)))
            for name, path in paths.items():
                if not isinstance(path, str) or not path.startswith("$"):
                    raise ValidationError("%s.input_transformer.input_paths_map.%s must be a JSON path starting with '$', got %r" % (where, name, path))
        dead_letter = target.get("dead_letter_arn")
        if dead_letter is not None and not is_arn(dead_letter, service="sqs"):
            raise ValidationError("%s.dead_letter_arn must be the ARN of an SQS queue, got %r" % (where, dead_letter))
        retry = target.get("retry_policy") or {}
        attempts = retry.get("maximum_retry_attempts")
        if attempts is not None and not 0 <= attempts <= 185:
            raise ValidationError("%s.retry_policy.maximum_retry_attempts must be 0-185, got %s" % (where, attempts))
        age = retry.get("maximum_event_age_in_seconds")
        if age is not None and not 60 <= age <= 86400:
            raise ValidationError("%s.retry_policy.maximum_event_age_in_seconds must be 60-86400, got %s" % (where, age))
    return targets


# Module option -> API field, for the fields copied as they are when set.
_PLAIN_FIELDS = (("role_arn", "RoleArn"), ("input_path", "InputPath"))
_RETRY_FIELDS = (("maximum_retry_attempts", "MaximumRetryAttempts"), ("maximum_event_age_in_seconds", "MaximumEventAgeInSeconds"))


def retry_policy_to_api(retry):
    """A ``retry_policy`` option -> the API's RetryPolicy (only the fields given)."""
    return dict((api, (retry or {})[option]) for option, api in _RETRY_FIELDS if (retry or {}).get(option) is not None)


DEFAULT_API_RETRY_POLICY = retry_policy_to_api(DEFAULT_RETRY_POLICY)


def to_api(target):
    """Module option form (snake_case) -> the API's Target structure."""
    api = {"Id": target["id"], "Arn": target["arn"]}
    api.update((key, target[option]) for option, key in _PLAIN_FIELDS if target.get(option))
    if target.get("input") is not None:
        api["Input"] = json.dumps(parse_json_text(target["input"], "input"), sort_keys=True, separators=(",", ":"))
    transformer = target.get("input_transformer")
    if transformer:
        api["InputTransformer"] = {"InputTemplate": transformer["input_template"]}
        if transformer.get("input_paths_map"):
            api["InputTransformer"]["InputPathsMap"] = dict(transformer["input_paths_map"])
    if target.get("dead_letter_arn"):
        api["DeadLetterConfig"] = {"Arn": target["dead_letter_arn"]}
    policy = retry_policy_to_api(target.get("retry_policy"))
    if policy:
        api["RetryPolicy"] = policy
    return api


def from_api(target):
    """The API's Target structure -> the documented return shape (snake_case)."""
    result = {"id": target["Id"], "arn": target["Arn"]}
    result.update((option, target[key]) for option, key in _PLAIN_FIELDS if target.get(key))
    if target.get("Input") is not None:
        result["input"] = target["Input"]
    transformer = target.get("InputTransformer")
    if transformer:
        result["input_transformer"] = {
            "input_template": transformer.get("InputTemplate"),
            "input_paths_map": dict(transformer.get("InputPathsMap") or {}),
        }
    if (target.get("DeadLetterConfig") or {}).get("Arn"):
        result["dead_letter_arn"] = target["DeadLetterConfig"]["Arn"]
    if target.get("RetryPolicy"):
        result["retry_policy"] = dict((option, target["RetryPolicy"].get(key)) for option, key in _RETRY_FIELDS)
    return result


def canonical(api_target):
    """A comparable form of an API Target: equal for targets that behave the same."""
    result = {}
    for key, value in api_target.items():
        if key == "Input":
            try:
                value = json.dumps(json.loads(value), sort_keys=True, separators=(",", ":"))
            except (TypeError, ValueError):
                pass
        elif key == "InputTransformer":
            value = {
                "InputTemplate": canonical_template(value.get("InputTemplate")),
                "InputPathsMap": dict(sorted((value.get("InputPathsMap") or {}).items())),
            }
        elif key == "RetryPolicy" and value == DEFAULT_API_RETRY_POLICY:
            continue
        elif value in (None, "", {}, []):
            continue
        result[key] = value
    return json.dumps(result, sort_keys=True, separators=(",", ":"))


def targets_equal(left, right):
    return canonical(left) == canonical(right)


def plan_targets(current, desired, purge=False, remove_all=False):
    """Decide target writes.

    ``current`` and ``desired`` are API Target lists. Returns
    ``(to_put, to_remove_ids, final)``: targets to put (new or changed), Ids to
    remove, and the resulting target list. Targets not in ``desired`` stay unless
    ``purge``; ``remove_all`` removes every current target.
    """
    current_by_id = dict((t["Id"], t) for t in current)
    desired_by_id = dict((t["Id"], t) for t in desired)
    if remove_all:
        return [], sorted(current_by_id), []
    to_put = [t for t in desired if t["Id"] not in current_by_id or not targets_equal(current_by_id[t["Id"]], t)]
    to_remove = sorted(i for i in current_by_id if purge and i not in desired_by_id)
    final = [t for t in current if t["Id"] not in desired_by_id and t["Id"] not in to_remove]
    final.extend(desired)
    return to_put, to_remove, sorted(final, key=lambda t: t["Id"])
