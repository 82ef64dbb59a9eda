# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EventBridge event patterns: validation, canonical form and local matching.

Pure functions, no I/O. ``canonicalize`` gives equal output for patterns that
mean the same (key order, value order, duplicates, formatting); ``validate``
names the path and the problem; ``matches`` evaluates a pattern against an
event the way EventBridge does, for endpoints without TestEventPattern.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import re

from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import PatternError


OR_KEY = "$or"
NUMERIC_OPERATORS = ("<", "<=", "=", ">", ">=")
LOWER_BOUNDS = (">", ">=")
UPPER_BOUNDS = ("<", "<=")
STRING_OPERATORS = ("prefix", "suffix", "equals-ignore-case", "wildcard")
OPERATORS = STRING_OPERATORS + ("anything-but", "numeric", "exists", "cidr")
ANYTHING_BUT_OPERATORS = ("prefix", "suffix", "equals-ignore-case", "wildcard")


def parse(pattern):
    """A pattern as a dict, from a dict or JSON text; raise PatternError otherwise."""
    if isinstance(pattern, str):
        try:
            pattern = json.loads(pattern)
        except ValueError as exc:
            raise PatternError("", "not valid JSON (%s)" % exc)
    if not isinstance(pattern, dict):
        raise PatternError("", "must be a JSON object, got %s" % _type_name(pattern))
    return pattern


def validate(pattern):
    """Parse and validate; return the pattern as a dict or raise PatternError."""
    pattern = parse(pattern)
    if not pattern:
        raise PatternError("", "must not be an empty object")
    _validate_object(pattern, "")
    return pattern


def canonicalize(pattern):
    """The canonical form of a valid pattern: sorted keys, sorted de-duplicated values."""
    return _canonical_object(validate(pattern))


def canonical_text(pattern):
    """Canonical JSON text: equal for every equivalent spelling of a pattern."""
    return json.dumps(canonicalize(pattern), sort_keys=True, separators=(",", ":"))


def equivalent(left, right):
    return canonical_text(left) == canonical_text(right)


# -- validation ---------------------------------------------------------------
def _type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string (%r)" % value
    if isinstance(value, list):
        return "an array"
    return "an object"


def _join(path, key):
    return "%s.%s" % (path, key) if path else key


def _validate_object(pattern, path):
    for key, value in pattern.items():
        where = _join(path, key)
        if key == OR_KEY:
            _validate_or(value, where)
        elif isinstance(value, dict):
            if not value:
                raise PatternError(where, "an empty object matches nothing; give fields or remove the key")
            if len(value) == 1 and next(iter(value)) in OPERATORS:
                raise PatternError(
                    where, "operator %r must be inside an array, e.g. [%s]" % (next(iter(value)), json.dumps(value))
                )
            _validate_object(value, where)
        elif isinstance(value, list):
            _validate_values(value, where)
        else:
            raise PatternError(
                where,
                "leaf values must be inside an array: write [%s] instead of %s" % (json.dumps(value), json.dumps(value)),
            )


def _validate_or(value, where):
    if not isinstance(value, list) or len(value) < 2:
        raise PatternError(where, "$or needs an array of at least two pattern objects")
    for index, branch in enumerate(value):
        branch_path = "%s[%d]" % (where, index)
        if not isinstance(branch, dict) or not branch:
            raise PatternError(branch_path, "each $or branch must be a non-empty object")
        _validate_object(branch, branch_path)


def _validate_values(values, where):
    if not values:
        raise PatternError(where, "an empty array matches nothing; give at least one value")
    for index, value in enumerate(values):
        item = "%s[%d]" % (where, index)
        if isinstance(value, dict):
            _validate_operator(value, item)
        elif isinstance(value, list):
            raise PatternError(item, "nested arrays are not allowed")


def _validate_operator(matcher, where):
    if len(matcher) != 1:
        raise PatternError(where, "an operator object has exactly one key, got %s" % sorted(matcher))
    name, arg = next(iter(matcher.items()))
    where = "%s.%s" % (where, name)
    if name not in OPERATORS:
        raise PatternError(where, "unknown operator %r; expected one of %s" % (name, ", ".join(OPERATORS)))
    if name == "numeric":
        _validate_numeric(arg, where)
    elif name == "cidr":
        _validate_cidr(arg, where)
    elif name == "exists":
        if not isinstance(arg, bool):
            raise PatternError(where, "exists takes true or false, got %s" % _type_name(arg))
    elif name == "anything-but":
        _validate_anything_but(arg, where)
    elif name in ("prefix", "suffix"):
        if isinstance(arg, dict):
            if list(arg) != ["equals-ignore-case"] or not isinstance(arg["equals-ignore-case"], str):
                raise PatternError(where, "%s takes a string or {\"equals-ignore-case\": string}" % name)
        elif not isinstance(arg, str):
            raise PatternError(where, "%s takes a string, got %s" % (name, _type_name(arg)))
    elif not isinstance(arg, str):
        raise PatternError(where, "%s takes a string, got %s" % (name, _type_name(arg)))
    elif name == "wildcard" and "**" in arg:
        raise PatternError(where, "wildcard must not contain consecutive '*' characters")


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _validate_numeric(arg, where):
    usage = "numeric takes [op, number] or [lower-op, number, upper-op, number] with ops %s" % (
        ", ".join(NUMERIC_OPERATORS)
    )
    if not isinstance(arg, list) or len(arg) not in (2, 4):
        raise PatternError(where, usage)
    ops = arg[0::2]
    numbers = arg[1::2]
    for op in ops:
        if op not in NUMERIC_OPERATORS:
            raise PatternError(where, "unknown numeric operator %r; %s" % (op, usage))
    for number in numbers:
        if not _is_number(number):
            raise PatternError(where, "numeric bound %s is not a number" % json.dumps(number))
    if len(arg) == 4:
        if ops[0] not in LOWER_BOUNDS or ops[1] not in UPPER_BOUNDS:
            raise PatternError(where, "a numeric range is [\">\" or \">=\", low, \"<\" or \"<=\", high]")
        if numbers[0] >= numbers[1]:
            raise PatternError(where, "numeric range is empty: %s is not below %s" % (numbers[0], numbers[1]))


def _validate_cidr(arg, where):
    if not isinstance(arg, str) or "/" not in arg:
        raise PatternError(where, "cidr takes a CIDR block such as \"10.0.0.0/24\", got %s" % json.dumps(arg))
    try:
        ipaddress.ip_network(arg, strict=False)
    except ValueError as exc:
        raise PatternError(where, "cidr %r is not a valid CIDR block (%s)" % (arg, exc))


def _validate_anything_but(arg, where):
    if isinstance(arg, dict):
        if len(arg) != 1 or next(iter(arg)) not in ANYTHING_BUT_OPERATORS:
            raise PatternError(
                where, "anything-but takes a value, a list, or one of {%s: ...}" % ", ".join(ANYTHING_BUT_OPERATORS)
            )
        name, inner = next(iter(arg.items()))
        if name in ("equals-ignore-case", "wildcard") and isinstance(inner, list):
            if not inner or not all(isinstance(v, str) for v in inner):
                raise PatternError(where, "anything-but %s takes a string or a non-empty list of strings" % name)
        elif not isinstance(inner, str):
            raise PatternError(where, "anything-but %s takes a string, got %s" % (name, _type_name(inner)))
    elif isinstance(arg, list):
        if not arg:
            raise PatternError(where, "anything-but with an empty list excludes nothing; give values")
        if not all(isinstance(v, str) for v in arg) and not all(_is_number(v) for v in arg):
            raise PatternError(where, "anything-but list must hold only strings or only numbers")
    elif not (isinstance(arg, str) or _is_number(arg)):
        raise PatternError(where, "anything-but takes a string, a number, a list or an operator object")


# -- canonical form -----------------------------------------------------------
def _sort_unique(values):
    unique = {}
    for value in values:
        unique.setdefault(json.dumps(value, sort_keys=True, separators=(",", ":")), value)
    return [unique[key] for key in sorted(unique)]


def _canonical_number(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _canonical_value(value):
    if _is_number(value):
        return _canonical_number(value)
    if isinstance(value, dict):
        name, arg = next(iter(value.items()))
        if name == "numeric":
            return {name: [_canonical_number(v) if _is_number(v) else v for v in arg]}
        if name == "anything-but":
            if isinstance(arg, list):
                arg = _sort_unique([_canonical_number(v) for v in arg])
                arg = arg[0] if len(arg) == 1 else arg
            elif isinstance(arg, dict):
                inner_name, inner = next(iter(arg.items()))
                if isinstance(inner, list):
                    inner = _sort_unique(inner)
                    inner = inner[0] if len(inner) == 1 else inner
                arg = {inner_name: inner}
            else:
                arg = _canonical_number(arg)
            return {name: arg}
        if name == "cidr":
            return {name: str(ipaddress.ip_network(arg, strict=False))}
        return {name: arg}
    return value


def _canonical_object(pattern):
    result = {}
    for key, value in pattern.items():
        if key == OR_KEY:
            result[key] = _sort_unique([_canonical_object(branch) for branch in value])
        elif isinstance(value, dict):
            result[key] = _canonical_object(value)
        else:
            result[key] = _sort_unique([_canonical_value(v) for v in value])
    return result


# -- local evaluation -----------------------------------------------------------
_MISSING = object()


MISSING = _MISSING  # the value of a field an event does not have, for ``leaf_matches``


def matches(pattern, event):
    """True when ``event`` (a dict) matches ``pattern``, with EventBridge semantics."""
    return _match_object(validate(pattern), event)


def leaf_matches(matchers, value):
    """True when one field's ``value`` (``MISSING`` when absent) satisfies a validated leaf array of a pattern."""
    return _match_leaf(matchers, value)


def _match_object(pattern, event):
    for key, expected in pattern.items():
        if key == OR_KEY:
            if not any(_match_object(branch, event) for branch in expected):
                return False
            continue
        actual = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(expected, dict):
            candidates = actual if isinstance(actual, list) else [actual]
            if not any(isinstance(c, dict) and _match_object(expected, c) for c in candidates):
                return False
        elif not _match_leaf(expected, actual):
            return False
    return True


def _match_leaf(matchers, actual):
    if actual is _MISSING:
        return any(isinstance(m, dict) and m.get("exists") is False for m in matchers)
    values = actual if isinstance(actual, list) else [actual]
    if any(isinstance(v, dict) for v in values):
        # A pattern leaf never matches an object in the event.
        return any(isinstance(m, dict) and m.get("exists") is True for m in matchers)
    for matcher in matchers:
        if isinstance(matcher, dict) and "exists" in matcher:
            if matcher["exists"]:
                return True
            continue
        if any(_match_value(matcher, v) for v in values):
            return True
    return False


def _wildcard_regex(text):
    return re.compile("^" + ".*".join(re.escape(part) for part in text.split("*")) + "$", re.DOTALL)


def _match_string_op(name, arg, value):
    if not isinstance(value, str):
        return False
    if name in ("prefix", "suffix"):
        if isinstance(arg, dict):
            arg, value = arg["equals-ignore-case"].lower(), value.lower()
        return value.startswith(arg) if name == "prefix" else value.endswith(arg)
    if name == "equals-ignore-case":
        return value.lower() == arg.lower()
    return bool(_wildcard_regex(arg).match(value))  # wildcard


def _numbers_equal(left, right):
    return _is_number(left) and _is_number(right) and float(left) == float(right)


def _match_value(matcher, value):
    if not isinstance(matcher, dict):
        if _is_number(matcher):
            return _numbers_equal(matcher, value)
        return matcher == value and type(matcher) is type(value)
    name, arg = next(iter(matcher.items()))
    if name in STRING_OPERATORS:
        return _match_string_op(name, arg, value)
    if name == "numeric":
        if not _is_number(value):
            return False
        checks = {
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            "=": lambda a, b: a == b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }
        return all(checks[op](float(value), float(bound)) for op, bound in zip(arg[0::2], arg[1::2]))
    if name == "cidr":
        try:
            return ipaddress.ip_address(value) in ipaddress.ip_network(arg, strict=False)
        except (TypeError, ValueError):
            return False
    if name == "anything-but":
        if isinstance(arg, dict):
            inner_name, inner = next(iter(arg.items()))
            inner = inner if isinstance(inner, list) else [inner]
            return isinstance(value, str) and not any(
                _match_string_op(inner_name, i, value) for i in inner
            )
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(_match_value(e, value) for e in excluded)
    return False
