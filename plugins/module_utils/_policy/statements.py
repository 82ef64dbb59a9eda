# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resource policies managed statement by statement (by ``Sid``), never clobbered.

Pure functions: validate statements, merge them into a policy that other owners
also write to, remove exactly ours, compare with amazon.aws semantics, and plan
a write (:func:`plan_statements`: what to add, replace and remove).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import POLICY_VERSION
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import parse_json_text

EFFECTS = ("Allow", "Deny")
# "The Sid element supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers (0-9)."
# (IAM User Guide, IAM JSON policy elements: Sid). Services cap the length; the caller says how long.
SID_CHARACTERS_RE = re.compile(r"^[A-Za-z0-9]+$")


def validate_sid(sid, param, max_length):
    """A Sid of this collection's own statements: letters and digits, 1 to ``max_length`` of them."""
    if not isinstance(sid, str) or not 0 < len(sid) <= max_length or not SID_CHARACTERS_RE.match(sid):
        raise ValidationError("%s must be 1-%d letters or digits, got %r" % (param, max_length, sid))
    return sid


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _checked_sids(statements, param):
    """Yield (where, statement) after checking each is a dict with a unique Sid."""
    if not isinstance(statements, list):
        raise ValidationError("%s must be a list of IAM statements" % param)
    seen = set()
    for index, statement in enumerate(statements):
        where = "%s[%d]" % (param, index)
        if not isinstance(statement, dict):
            raise ValidationError("%s must be an object (dict), got %s" % (where, type(statement).__name__))
        sid = statement.get("Sid")
        if not sid or not isinstance(sid, str):
            raise ValidationError("%s has no Sid; every managed statement needs a unique Sid" % where)
        where = "%s (Sid %s)" % (where, sid)
        if sid in seen:
            raise ValidationError("%s: duplicate Sid %r" % (where, sid))
        seen.add(sid)
        yield where, statement


def validate_sids(statements, param="statements"):
    """For removal: each statement needs only a unique Sid. Return the Sids."""
    return [statement["Sid"] for unused, statement in _checked_sids(statements, param)]


def validate_statements(statements, param="statements"):
    """Raise ValueError naming the statement and the problem; return the list."""
    for where, statement in _checked_sids(statements, param):
        if statement.get("Effect") not in EFFECTS:
            raise ValidationError("%s: Effect must be 'Allow' or 'Deny', got %r" % (where, statement.get("Effect")))
        if not (statement.get("Action") or statement.get("NotAction")):
            raise ValidationError("%s: Action (or NotAction) is required" % where)
        if not (statement.get("Principal") or statement.get("NotPrincipal")):
            raise ValidationError("%s: Principal (or NotPrincipal) is required in a resource policy" % where)
        if not (statement.get("Resource") or statement.get("NotResource")):
            raise ValidationError("%s: Resource (or NotResource) is required" % where)
        condition = statement.get("Condition")
        if condition is not None:
            if not isinstance(condition, dict) or not all(isinstance(v, dict) for v in condition.values()):
                raise ValidationError(
                    "%s: Condition must be an object of operator -> {key: value}, got %r" % (where, condition)
                )
    return statements


def statements_of(policy):
    """The statements of a policy document (a missing policy has none)."""
    if not policy:
        return []
    return [copy.deepcopy(s) for s in _as_list(policy.get("Statement", []))]


def statements_equal(left, right):
    """Same meaning with compare_policies semantics (order, str vs list, principals)."""
    return not compare_policies({"Statement": [left]}, {"Statement": [right]})


def merge_statements(policy, statements, purge=False, keep_sids=()):
    """Add or replace ``statements`` by Sid in ``policy``; keep every other statement.

    With ``purge``, statements whose Sid is not given and not in ``keep_sids`` go.
    Returns a new policy document; ``policy`` is not modified.
    """
    wanted = {s["Sid"]: s for s in statements}
    kept = set(keep_sids)
    merged = []
    for current in statements_of(policy):
        sid = current.get("Sid")
        if sid in wanted:
            continue
        if purge and sid not in kept:
            continue
        merged.append(current)
    merged.extend(copy.deepcopy(s) for s in statements)
    return _document(policy, merged)


def remove_statements(policy, sids):
    """Remove exactly the statements with these Sids; return a new document."""
    drop = set(sids)
    return _document(policy, [s for s in statements_of(policy) if s.get("Sid") not in drop])


def _document(policy, statements):
    document = {key: copy.deepcopy(value) for key, value in (policy or {}).items() if key != "Statement"}
    document.setdefault("Version", POLICY_VERSION)
    document["Statement"] = statements
    return document


def policies_differ(current, desired):
    """True when the documents differ in meaning (amazon.aws compare_policies)."""
    if not current and not desired:
        return False
    if not current or not desired:
        return True
    return compare_policies(current, desired)


def one_or_list(values):
    """One value as itself, several as a list: how IAM documents spell a principal or a condition value."""
    return values[0] if len(values) == 1 else list(values)


def parse_policy(text, what):
    """A resource policy as AWS returns it (JSON text) -> the document; None when it is empty or has no statement."""
    if not text:
        return None
    document = parse_json_text(text, what)
    return document if statements_of(document) else None


def plan_statements(current, statements, managed_sids):
    """Put ``statements`` (by Sid) into ``current``; drop the ``managed_sids`` not among them; keep all else.

    Returns a dict: changed, before, after (None when no statement is left),
    added, replaced, removed (Sid lists).
    """
    wanted = [s["Sid"] for s in statements]
    before_by_sid = dict((s.get("Sid"), s) for s in statements_of(current))
    stale = [sid for sid in managed_sids if sid not in wanted]
    after = remove_statements(merge_statements(current, statements), stale)
    added = [sid for sid in wanted if sid not in before_by_sid]
    replaced = [s["Sid"] for s in statements if s["Sid"] in before_by_sid and not statements_equal(before_by_sid[s["Sid"]], s)]
    removed = [sid for sid in stale if sid in before_by_sid]
    after = after if statements_of(after) else None
    changed = bool(added or replaced or removed) and policies_differ(current, after)
    if not changed:
        after, added, replaced, removed = copy.deepcopy(current), [], [], []
    return {"changed": changed, "before": current, "after": after, "added": added, "replaced": replaced, "removed": removed}


def statement_changes(plan, what):
    """The ``changes`` lines of a :func:`plan_statements` plan: ``add <what> statement <Sid>``, ..."""
    return ["%s %s statement %s" % (verb, what, sid)
            for verb, key in (("add", "added"), ("replace", "replaced"), ("remove", "removed")) for sid in plan[key]]
