# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure evaluation of one request against one IAM resource policy.

Answers questions such as "does this SNS topic policy let events.amazonaws.com
call sns:Publish for this rule?" or "does this KMS key policy let
events.amazonaws.com use kms:Decrypt and kms:GenerateDataKey?", following AWS's
policy evaluation logic for resource policies: an applicable explicit Deny wins,
then an applicable Allow, otherwise the request is implicitly denied.

The evaluator is conservative. Whatever it cannot evaluate (an unsupported
condition operator, a policy variable, a malformed element) is "unknown": an
Allow statement whose applicability is unknown does NOT allow, and a Deny
statement whose applicability is unknown DOES deny. Each such case is described
in the ``unevaluated`` list of the result.

Internally every match is three-valued: True, False or None (unknown), combined
with Kleene logic, so a statement with an element that definitely does not
match never applies, whatever else it contains.

Known keys (opt-in, ``known_keys``). By default a key absent from ``context`` is
absent from the request. A caller that cannot know every key the service sends
names the keys it knows (``known_keys``: those of ``context`` plus any known to be
absent); a condition on any other key is unknown, whatever its operator: with
``...IfExists`` or ``Null`` the key's presence is itself unknown. IAM's rules for
absent keys (``...IfExists`` true, ``Null`` true) apply to known keys only. The
result's ``outcome`` is then three-valued: True (allowed, no Deny undecided),
False (an explicit Deny applies, or nothing may allow) or None (an Allow that
might apply, or a Deny that might, could not be decided).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import ACCOUNT_ID_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import arn_account
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import iam_principal
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import POLICY_VERSION
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import parse_json_text
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError

ALLOW = "allow"
EXPLICIT_DENY = "explicit_deny"
IMPLICIT_DENY = "implicit_deny"

UNKNOWN = None

OPERATORS = {
    # base operator: (negated, compare(request_value, policy_value) -> True/False/None)
    "StringEquals": (False, "equals"),
    "StringNotEquals": (True, "equals"),
    "StringEqualsIgnoreCase": (False, "equals_ignore_case"),
    "StringNotEqualsIgnoreCase": (True, "equals_ignore_case"),
    "StringLike": (False, "like"),
    "StringNotLike": (True, "like"),
    "ArnEquals": (False, "arn"),
    "ArnLike": (False, "arn"),
    "ArnNotEquals": (True, "arn"),
    "ArnNotLike": (True, "arn"),
    "Bool": (False, "bool"),
    "NumericEquals": (False, "num_eq"),
    "NumericNotEquals": (True, "num_eq"),
    "NumericLessThan": (False, "num_lt"),
    "NumericLessThanEquals": (False, "num_le"),
    "NumericGreaterThan": (False, "num_gt"),
    "NumericGreaterThanEquals": (False, "num_ge"),
}
SET_PREFIXES = ("ForAnyValue:", "ForAllValues:")
IF_EXISTS = "IfExists"
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


# --------------------------------------------------------------------------- three-valued logic


def _decide(results, decisive):
    """``decisive`` if any result is it, else UNKNOWN if any is unknown, else the other value."""
    results = list(results)
    if decisive in results:
        return decisive
    if UNKNOWN in results:
        return UNKNOWN
    return not decisive


def _and(results):
    return _decide(results, False)


def _or(results):
    return _decide(results, True)


def _not(result):
    return UNKNOWN if result is UNKNOWN else not result


# --------------------------------------------------------------------------- small helpers


def _account_of(arn):
    """The 12-digit account of an ARN, or None (no account, ``aws`` or not an ARN)."""
    account = arn_account(arn) if isinstance(arn, str) else None
    return account if account and ACCOUNT_ID_RE.match(account) else None


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _text(value):
    """Policy/context scalar as text (booleans lower-cased); None for anything else."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    return None


def _glob(pattern, value, ignore_case=False):
    """``*`` matches any run of characters, ``?`` exactly one; everything else is literal."""
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.match("(?:%s)\\Z" % "".join(parts), value, flags) is not None


def _quote(ids):
    return ", ".join("'%s'" % sid for sid in ids)


def _describe_principal(pairs):
    return " / ".join("%s %s" % pair for pair in pairs)


# --------------------------------------------------------------------------- request validation


def _request_principal(principal):
    if not isinstance(principal, dict) or not principal:
        raise ValidationError(
            "principal must be a non-empty dict such as {'Service': 'events.amazonaws.com'}, got %r" % (principal,)
        )
    pairs = []
    for ptype, values in principal.items():
        for value in _as_list(values):
            if not isinstance(value, str) or not value:
                raise ValidationError("principal %s must be a non-empty string, got %r" % (ptype, value))
            pairs.append((ptype, value))
    if len(pairs) != 1:
        raise ValidationError("principal must name exactly one requesting principal, got %r" % (principal,))
    return pairs


def _request_context(context):
    if context is None:
        return {}
    if not isinstance(context, dict):
        raise ValidationError("context must be a dict of condition key -> value(s), got %r" % (context,))
    lowered = {}
    for key, value in context.items():
        if not isinstance(key, str):
            raise ValidationError("context key %r is not a string" % (key,))
        if key.lower() in lowered and lowered[key.lower()] != value:
            raise ValidationError("context names %r twice (condition keys are case-insensitive)" % key)
        lowered[key.lower()] = value
    return lowered


def _statements(policy):
    """The statements of a policy (dicts), or None when there is no policy."""
    if policy is None or (isinstance(policy, str) and not policy.strip()):
        return None, None
    document = parse_json_text(policy, "policy")
    if not isinstance(document, dict):
        raise ValidationError("policy must be a JSON object (dict), got %s" % type(document).__name__)
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise ValidationError("policy Statement must be an object or a list of objects, got %s" % type(statements).__name__)
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            raise ValidationError(
                "policy Statement[%d] must be an object (dict), got %s" % (index, type(statement).__name__)
            )
    return statements, document.get("Version")


# --------------------------------------------------------------------------- element matching


class _Statement(object):
    """One statement being evaluated: collects the reasons it could not be fully evaluated."""

    def __init__(self, statement, index, variables, resource_account=None, known_keys=None):
        self.statement = statement
        self.known_keys = known_keys
        sid = statement.get("Sid")
        self.id = str(sid) if sid not in (None, "") else "#%d" % index
        self.variables = variables
        self.resource_account = resource_account
        self.notes = []

    def unknown(self, note):
        self.notes.append(note)
        return UNKNOWN

    def has_variable(self, text):
        return self.variables and "${" in text


def _principal_entry(st, ptype, pvalue, rtype, rvalue):
    """Does one policy principal value name the requesting principal?"""
    if ptype.lower() == "aws" and pvalue == "*":
        if ptype == "AWS":
            return True
        return st.unknown("principal type %r differs in case from 'AWS'" % ptype)
    if ptype.lower() != rtype.lower():
        return False
    result = _same_type_entry(st, rtype, pvalue, rvalue)
    if ptype != rtype and result is not False:
        return st.unknown("principal type %r differs in case from %r" % (ptype, rtype))
    return result


def _same_type_entry(st, ptype, pvalue, rvalue):
    if pvalue == rvalue:
        return True
    if ptype == "Service":
        if pvalue.lower() == rvalue.lower():
            return st.unknown("service principal %r differs in case from %r" % (pvalue, rvalue))
        return False
    if ptype != "AWS":
        return False
    named, caller = iam_principal(pvalue) or (None,), iam_principal(rvalue) or (None,)
    if named[0] == "role" and caller[0] == "session":
        return named[1:] == caller[1:]  # a role names all of its sessions
    root = named[0] == "root"
    paccount = named[2] if root else (pvalue if ACCOUNT_ID_RE.match(pvalue) else None)
    if paccount is None:
        return False  # a user, role or other ARN matches only itself
    if rvalue == paccount or (not root and caller[0] == "root" and caller[2] == paccount):
        return True
    if _account_of(rvalue) == paccount:
        if st.resource_account and st.resource_account != paccount:
            # Across accounts the principal's own IAM policies must allow the request too, whatever this
            # policy says; naming its account is all this policy can grant (that other side is judged apart).
            return True
        return st.unknown(
            "principal %r names account %s, which grants %r access only through that account's own IAM policies"
            % (pvalue, paccount, rvalue)
        )
    return False


def _principal_matches(st, element, name, pairs):
    if element == "*":
        return True
    if not isinstance(element, dict) or not element:
        return st.unknown('%s %r is neither "*" nor an object of principal type -> value(s)' % (name, element))
    results = []
    for ptype, values in element.items():
        for value in _as_list(values):
            text = _text(value) if not isinstance(value, bool) else None
            if text is None:
                results.append(st.unknown("%s %s value %r is not a string" % (name, ptype, value)))
                continue
            for rtype, rvalue in pairs:
                results.append(_principal_entry(st, ptype, text, rtype, rvalue))
    return _or(results)


def _principal(st, pairs):
    has_p, has_np = "Principal" in st.statement, "NotPrincipal" in st.statement
    if has_p and has_np:
        return st.unknown("it has both Principal and NotPrincipal")
    if has_p:
        return _principal_matches(st, st.statement["Principal"], "Principal", pairs)
    if has_np:
        return _not(_principal_matches(st, st.statement["NotPrincipal"], "NotPrincipal", pairs))
    return False  # a resource-policy statement without a principal applies to no one


def _patterns_match(st, element, name, value, ignore_case, variables):
    results = []
    values = _as_list(element)
    if not values:
        return st.unknown("%s is an empty list" % name)
    for pattern in values:
        text = _text(pattern) if not isinstance(pattern, bool) else None
        if text is None:
            results.append(st.unknown("%s value %r is not a string" % (name, pattern)))
        elif variables and st.has_variable(text):
            results.append(st.unknown("%s %r uses a policy variable" % (name, text)))
        else:
            results.append(_glob(text, value, ignore_case))
    return _or(results)


def _element(st, positive, negative, value, ignore_case, variables, missing):
    has_pos, has_neg = positive in st.statement, negative in st.statement
    if has_pos and has_neg:
        return st.unknown("it has both %s and %s" % (positive, negative))
    if has_pos:
        return _patterns_match(st, st.statement[positive], positive, value, ignore_case, variables)
    if has_neg:
        return _not(_patterns_match(st, st.statement[negative], negative, value, ignore_case, variables))
    return missing(st)


def _action(st, action):
    return _element(
        st, "Action", "NotAction", action, True, False, lambda s: s.unknown("it has neither Action nor NotAction")
    )


def _resource(st, resource):
    return _element(st, "Resource", "NotResource", resource, False, True, lambda s: True)


# --------------------------------------------------------------------------- conditions


def _arn_match(st, pattern, value):
    if pattern == "*":
        return True
    pattern_parts = pattern.split(":", 5)
    if len(pattern_parts) != 6:
        return st.unknown("ARN condition value %r does not have the six parts of an ARN" % pattern)
    value_parts = value.split(":", 5)
    if len(value_parts) != 6:
        return False
    return all(_glob(p, v) for p, v in zip(pattern_parts, value_parts))


def _number(text):
    return float(text) if NUMBER.match(text.strip()) else None


def _compare(st, kind, value, pattern):
    """One request value against one policy value; True/False/None."""
    if kind == "equals":
        return value == pattern
    if kind == "equals_ignore_case":
        return value.lower() == pattern.lower()
    if kind == "like":
        return _glob(pattern, value)
    if kind == "arn":
        return _arn_match(st, pattern, value)
    if kind == "bool":
        return value.lower() == pattern.lower()
    left, right = _number(value), _number(pattern)
    if right is None:
        return st.unknown("numeric condition value %r is not a number" % pattern)
    if left is None:
        return st.unknown("request value %r is not a number" % value)
    return {
        "num_eq": left == right,
        "num_lt": left < right,
        "num_le": left <= right,
        "num_gt": left > right,
        "num_ge": left >= right,
    }[kind]


def _single(st, negated, kind, value, patterns):
    """One request value against the (OR-ed) policy values; negated operators are NOR."""
    matched = _or(_compare(st, kind, value, pattern) for pattern in patterns)
    return _not(matched) if negated else matched


def _condition_values(st, operator, key, values):
    values = _as_list(values)
    if not values:
        return st.unknown("condition %s on %s has no values" % (operator, key))
    texts = []
    for value in values:
        text = _text(value)
        if text is None:
            return st.unknown(
                "condition %s on %s has a value %r that is not a string, number or boolean" % (operator, key, value)
            )
        if st.has_variable(text):
            return st.unknown("condition %s on %s uses a policy variable in %r" % (operator, key, text))
        texts.append(text)
    return texts


def _request_values(st, key, context):
    """The request's values for a key as texts, [] when absent; None when not representable."""
    value = context.get(key.lower())
    if value is None:
        return []
    texts = []
    for item in _as_list(value):
        text = _text(item)
        if text is None:
            return st.unknown("context value %r for %s is not a string, number or boolean" % (item, key))
        texts.append(text)
    return texts


def _null(st, operator, key, patterns, present):
    results = []
    for pattern in patterns:
        if pattern.lower() == "true":
            results.append(not present)
        elif pattern.lower() == "false":
            results.append(present)
        else:
            results.append(st.unknown("condition %s on %s has value %r, not true or false" % (operator, key, pattern)))
    return _or(results)


def _condition_key(st, operator, key, raw_values, context):
    if st.known_keys is not None and key.lower() not in st.known_keys and key.lower() not in context:
        return st.unknown("condition %s on %s: this audit cannot know whether or with which value %s reaches the request"
                          % (operator, key, key))
    prefix = ""
    base = operator
    for candidate in SET_PREFIXES:
        if operator.startswith(candidate):
            prefix, base = candidate, operator[len(candidate) :]
    if_exists = base.endswith(IF_EXISTS) and base != IF_EXISTS
    if if_exists:
        base = base[: -len(IF_EXISTS)]
    if base == "Null" and not prefix and not if_exists:
        supported = True
    else:
        supported = base in OPERATORS
    if not supported:
        return st.unknown("condition operator %r cannot be evaluated" % operator)
    patterns = _condition_values(st, operator, key, raw_values)
    values = _request_values(st, key, context)
    if patterns is UNKNOWN or values is UNKNOWN:
        return UNKNOWN
    if base == "Null":
        return _null(st, operator, key, patterns, bool(values))
    negated, kind = OPERATORS[base]
    if not values:
        if if_exists:
            return True
        if prefix == "ForAllValues:":
            return True
        if prefix == "ForAnyValue:":
            return False
        return negated
    results = [_single(st, negated, kind, value, patterns) for value in values]
    if prefix == "ForAllValues:":
        return _and(results)
    if prefix == "ForAnyValue:" or len(results) == 1:
        return _or(results)
    any_result, all_result = _or(results), _and(results)
    if any_result == all_result:
        return any_result
    return st.unknown(
        "condition %s on %s gets several request values %r without ForAnyValue:/ForAllValues:" % (operator, key, values)
    )


def _condition(st, context):
    condition = st.statement.get("Condition")
    if condition is None:
        return True
    if not isinstance(condition, dict):
        return st.unknown("Condition %r is not an object of operator -> {key: value}" % (condition,))
    results = []
    for operator, block in condition.items():
        if not isinstance(block, dict) or not block:
            results.append(
                st.unknown("condition %s %r is not a non-empty object of key -> value(s)" % (operator, block))
            )
            continue
        for key, values in block.items():
            results.append(_condition_key(st, operator, key, values, context))
    return _and(results)


# --------------------------------------------------------------------------- decision


def _effect(st):
    effect = st.statement.get("Effect")
    if effect == "Allow":
        return "Allow"
    if effect == "Deny":
        return "Deny"
    st.notes.append("Effect %r is neither 'Allow' nor 'Deny'" % (effect,))
    return "Unknown"


def _known_keys(known_keys, lowered):
    if known_keys is None:
        return None
    if isinstance(known_keys, str) or not isinstance(known_keys, (list, tuple, set, frozenset)):
        raise ValidationError("known_keys must be a list of condition keys, got %r" % (known_keys,))
    for key in known_keys:
        if not isinstance(key, str) or not key:
            raise ValidationError("known_keys entry %r is not a condition key" % (key,))
    return frozenset(key.lower() for key in known_keys) | frozenset(lowered)


def evaluate(policy, principal, action, resource, context=None, known_keys=None):
    """Decide one request against one resource policy.

    policy: dict or JSON text (None/'' = no policy -> implicit deny).
    principal: dict such as {"Service": "events.amazonaws.com"} or {"AWS": "arn:aws:iam::111111111111:root"}.
    A principal of another account than the resource's is admitted by a statement naming its account
    (root ARN or account ID): that is this policy's part of a cross-account request, whose principal's
    own IAM policies must allow it as well (not judged here). In the resource's own account such a
    statement is unknown for a principal other than the account itself.
    action: "sns:Publish"; resource: an ARN; context: {condition key: value or list of values}
    (keys compared case-insensitively; a key absent from context is absent from the request).
    known_keys: None (every key is known: those of context present, all others absent), or the
    keys whose presence and value the caller knows (context's keys are added); a condition on any
    other key is unknown.
    Returns a dict: {"decision": ALLOW|EXPLICIT_DENY|IMPLICIT_DENY,
                     "allowed": bool (decision == ALLOW),
                     "outcome": True (allowed, no Deny undecided), False (denied, explicitly or because no
                                statement may allow) or None (an Allow or a Deny could not be decided),
                     "statements": [Sid (or "#<index>" when no Sid) of the statements that decided:
                                    the denying ones, else the allowing ones],
                     "reason": human-readable sentence naming those statements or saying no statement allows the action,
                     "unevaluated": [sentences about conditions it could not evaluate]}
    """
    pairs = _request_principal(principal)
    if not isinstance(action, str) or not action:
        raise ValidationError("action must be a non-empty string such as 'sns:Publish', got %r" % (action,))
    if not isinstance(resource, str) or not resource:
        raise ValidationError("resource must be a non-empty ARN string, got %r" % (resource,))
    lowered = _request_context(context)
    known = _known_keys(known_keys, lowered)
    resource_account = _account_of(resource)
    statements, version = _statements(policy)
    request = "%s on %s for %s" % (action, resource, _describe_principal(pairs))
    if statements is None:
        return _result(
            IMPLICIT_DENY, [], "There is no policy, so no statement allows %s (implicit deny)." % request, [], False
        )

    denied, maybe_denied, allowed, maybe_allowed, unevaluated = [], [], [], [], []
    for index, statement in enumerate(statements):
        st = _Statement(statement, index, version == POLICY_VERSION, resource_account, known)
        effect = _effect(st)
        applies = _and([_principal(st, pairs), _action(st, action), _resource(st, resource), _condition(st, lowered)])
        if applies is False:
            continue
        if effect == "Allow":
            (allowed if applies else maybe_allowed).append(st.id)
            treated = "this Allow statement was treated as not applying"
        else:
            (denied if applies and effect == "Deny" else maybe_denied).append(st.id)
            treated = "this statement was treated as a Deny that applies"
        if st.notes and (applies is UNKNOWN or effect == "Unknown"):
            unevaluated.append("Statement '%s': %s; %s." % (st.id, "; ".join(st.notes), treated))

    if denied or maybe_denied:
        if denied:
            reason = "%s is explicitly denied by statement(s) %s" % (request, _quote(denied))
            if maybe_denied:
                reason += "; statement(s) %s may also deny it" % _quote(maybe_denied)
        else:
            reason = "%s is treated as denied: statement(s) %s may deny it and could not be fully evaluated" % (
                request,
                _quote(maybe_denied),
            )
        # A Deny that might apply decides nothing unless some Allow might apply too: without one it is denied anyway.
        outcome = False if denied or not (allowed or maybe_allowed) else UNKNOWN
        return _result(EXPLICIT_DENY, denied + maybe_denied, reason + ".", unevaluated, outcome)
    if allowed:
        return _result(ALLOW, allowed, "%s is allowed by statement(s) %s." % (request, _quote(allowed)), unevaluated, True)
    reason = "No statement allows %s (implicit deny)" % request
    if maybe_allowed:
        reason += "; statement(s) %s might, but could not be fully evaluated and were not counted" % _quote(
            maybe_allowed
        )
    return _result(IMPLICIT_DENY, [], reason + ".", unevaluated, UNKNOWN if maybe_allowed else False)


def _result(decision, statements, reason, unevaluated, outcome):
    return {
        "decision": decision,
        "allowed": decision == ALLOW,
        "outcome": outcome,
        "statements": statements,
        "reason": reason,
        "unevaluated": unevaluated,
    }


def _actions(actions):
    if isinstance(actions, str):
        actions = [actions]
    if not isinstance(actions, (list, tuple)) or not actions:
        raise ValidationError("actions must be a non-empty list of actions, got %r" % (actions,))
    return actions


def decide(policy, principal, actions, resource, context=None, known_keys=None):
    """All actions allowed? -> (True, False or None, reason), from each action's ``outcome``.

    False as soon as one action is denied (explicitly, or with no statement that may allow it);
    otherwise None when one could not be decided (the reason names the conditions); True when
    every action is allowed."""
    reasons, undecided = [], []
    for action in _actions(actions):
        result = evaluate(policy, principal, action, resource, context, known_keys)
        if result["outcome"] is False:
            reason = "%s is not allowed: %s" % (action, result["reason"])
            if result["unevaluated"]:
                reason += " Not evaluated: %s" % " ".join(result["unevaluated"])
            return False, reason
        if result["outcome"] is UNKNOWN:
            undecided.append("%s cannot be decided: %s Not evaluated: %s" % (action, result["reason"], " ".join(result["unevaluated"])))
        else:
            reasons.append(result["reason"])
    if undecided:
        return UNKNOWN, " ".join(undecided)
    return True, " ".join(reasons)


def allows(policy, principal, actions, resource, context=None):
    """All actions allowed? -> (bool, reason). The reason names the first action not allowed and why."""
    reasons = []
    for action in _actions(actions):
        result = evaluate(policy, principal, action, resource, context)
        if not result["allowed"]:
            reason = "%s is not allowed: %s" % (action, result["reason"])
            if result["unevaluated"]:
                reason += " Not evaluated: %s" % " ".join(result["unevaluated"])
            return False, reason
        reasons.append(result["reason"])
    return True, " ".join(reasons)
