# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Can a subscription's ``FilterPolicy`` pass the alerts EventBridge publishes to the topic?

Pure functions, no I/O. What AWS documents, and what follows for our messages:

- "If a subscription doesn't have a filter policy, the subscriber receives every message
  published to its topic" (SNS developer guide, "Amazon SNS message filtering",
  https://docs.aws.amazon.com/sns/latest/dg/message-filtering.html).
- ``FilterPolicyScope`` is ``MessageAttributes`` ("default setting") or ``MessageBody``; "If no
  filter policy scope is defined for an existing filter policy, the scope defaults to
  MessageAttributes" (https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering-scope.html).
- A subscription accepts a message when "each property name in the filter policy matches a
  message attribute name" (or "message body property name" for MessageBody), and for each "at
  least one property value matches" (https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html).
  A policy with no property names asks nothing, so it passes every message.
- EventBridge sets no message attributes: a rule's Target (PutTargets) has no SNS parameters, only
  ``Input``, ``InputPath`` or ``InputTransformer``, whose output is the message (EventBridge API
  reference, Target). So a MessageAttributes policy with any key drops every alert, even one of
  ``"exists": false`` only: it "only matches if at least one attribute is present. An empty
  attribute set results in the filter not matching" (key matching,
  https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html).
- With MessageBody, "Filter policies for the message body assume that the message payload is a
  well-formed JSON object"; our templates are JSON objects (``alert_message``). A field whose
  value the template writes (text) is fixed; a field whose value comes from the event (a
  placeholder outside a string) can be anything; an envelope placeholder inside a string
  (``<account>``, ``<region>``) makes that part of the text unknown here.
- ``"$or"`` joins sub-policies, any of which may match; within a property, the values are
  alternatives (any may match). Operators judged here: exact values, ``prefix``, ``suffix``,
  ``equals-ignore-case``, ``anything-but`` (a value, a list, ``prefix`` or ``suffix``),
  ``numeric`` and ``exists`` (SNS developer guide, "Filter policy constraints" and the operator
  pages: string value matching, numeric value matching, key matching, "OR logic").

A policy counts only when it passes every alert the topic gets from our rule: one that passes only
some (a condition on a value copied from the event, such as ``source_ip``) drops the others, so
it does not count, as a rule pattern that skips some sign-ins does not. An operator not judged
here, or a condition on text we cannot know here, makes the answer ``None``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import operator
import re

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.input_template import PLACEHOLDER_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.input_template import placeholder_name
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.input_template import quote_bare_placeholders

MESSAGE_ATTRIBUTES = "MessageAttributes"
MESSAGE_BODY = "MessageBody"
OR_KEY = "$or"

# How much of our messages a (part of a) policy passes.
ALL, SOME, NONE, UNKNOWN = "all", "some", "none", "unknown"


class Free:
    """A body field whose value is copied from the event (any JSON value)."""

    def __init__(self, name):
        self.name = name


class Text:
    """A string of the template with placeholders in it: ``parts`` are literal text or None (unknown here)."""

    def __init__(self, parts):
        self.parts = parts

    def lead(self):
        return self.parts[0] if self.parts and self.parts[0] is not None else ""

    def regex(self, flags=0):
        return re.compile("".join(".*" if part is None else re.escape(part) for part in self.parts) + r"\Z", flags | re.S)


_ABSENT = object()


def message_body(input_template, input_paths_map):
    """Our message body as the filter sees it: ``{key: fixed value, Free or Text}``, or None when the
    template is not a JSON object (then a MessageBody policy cannot be judged here)."""
    names = _Names(input_paths_map)
    try:
        parsed = json.loads(quote_bare_placeholders(input_template or "", names))
    except ValueError:
        return None
    return _model(parsed, names) if isinstance(parsed, dict) else None


class _Names:
    """The placeholders EventBridge fills: the paths map's, and its predefined ``aws.events.*`` variables."""

    def __init__(self, paths_map):
        self.names = set(paths_map or {})

    def __contains__(self, name):
        return name in self.names or name.startswith("aws.events.")


def _model(value, names):
    if isinstance(value, dict):
        return dict((key, _model(item, names)) for key, item in value.items())
    if isinstance(value, list):
        return [_model(item, names) for item in value]
    if not isinstance(value, str):
        return value
    bare = placeholder_name(value)
    if bare is not None:
        return Free(bare)
    parts, start = [], 0
    for match in PLACEHOLDER_RE.finditer(value):
        if match.group(1) in names:
            parts.extend([value[start:match.start()], None])
            start = match.end()
    if not parts:
        return value
    parts.append(value[start:])
    return Text([part for part in parts if part != ""])


def judge(policy_text, scope, body):
    """(True, False or None, reason): does the policy pass every message of ours? ``body``: :func:`message_body`."""
    if policy_text in (None, ""):
        return True, "no filter policy"
    try:
        policy = json.loads(policy_text) if isinstance(policy_text, str) else policy_text
    except ValueError:
        return None, "its filter policy is not JSON"
    if not isinstance(policy, dict):
        return None, "its filter policy is not a JSON object"
    if not policy:
        return True, "its filter policy asks for nothing"
    scope = scope or MESSAGE_ATTRIBUTES
    if scope == MESSAGE_ATTRIBUTES:
        return False, ("it filters on message attributes (%s) and EventBridge publishes with none; even "
                       "\"exists\": false does not match an empty attribute set" % ", ".join(sorted(policy)))
    if scope != MESSAGE_BODY:
        return None, "its filter policy scope %r is not one SNS documents" % scope
    if body is None:
        return None, "it filters on the message body, which is not a JSON object here"
    verdict, why = _policy(policy, body, "")
    if verdict == ALL:
        return True, "its filter policy (message body) passes every alert"
    if verdict == NONE:
        return False, "no alert passes it: %s" % "; ".join(why)
    if verdict == SOME:
        return False, "it passes only some alerts: %s" % "; ".join(why)
    return None, "whether it passes the alerts cannot be told here: %s" % "; ".join(why)


def _both(results):
    """AND: each property of one (sub-)policy must match."""
    verdicts = [verdict for verdict, unused in results]
    for wanted in (NONE, SOME, UNKNOWN):
        if wanted in verdicts:
            return wanted, [w for verdict, why in results if verdict == wanted for w in why]
    return ALL, []


def _either(results):
    """OR: any alternative may match. Two that each pass some alerts may together pass all: unknown."""
    verdicts = [verdict for verdict, unused in results]
    if ALL in verdicts or not results:
        return (ALL, []) if results else (NONE, ["no alternative"])
    why = [w for unused, reasons in results for w in reasons]
    if UNKNOWN in verdicts or verdicts.count(SOME) > 1:
        return UNKNOWN, why
    return (SOME if SOME in verdicts else NONE), why


def _policy(policy, node, where):
    results = []
    for key, condition in policy.items():
        if key == OR_KEY:
            if not isinstance(condition, list) or not all(isinstance(branch, dict) for branch in condition):
                results.append((UNKNOWN, ["%s$or is not a list of policies" % where]))
                continue
            results.append(_either([_policy(branch, node, where) for branch in condition]))
            continue
        if isinstance(node, Free):
            child = node
        elif isinstance(node, dict):
            child = node.get(key, _ABSENT)
        else:
            child = _ABSENT
        path = where + key
        if isinstance(condition, dict):
            results.append(_policy(condition, child, path + "."))
        elif isinstance(condition, list):
            results.append(_either([_condition(item, child, path) for item in condition]))
        else:
            results.append((UNKNOWN, ["%s: %r is not a list of values" % (path, condition)]))
    return _both(results)


def _condition(condition, value, path):
    """(verdict, [reason]) of one value of a property's list against a body field."""
    shown = json.dumps(condition, sort_keys=True)
    if value is _ABSENT:
        if isinstance(condition, dict) and condition == {"exists": False}:
            return ALL, []
        return NONE, ["our alerts have no field %s (%s)" % (path, shown)]
    if isinstance(value, Free):
        if isinstance(condition, dict) and (len(condition) != 1 or next(iter(condition)) not in _OPERATORS):
            return UNKNOWN, ["%s: operator %s is not judged here" % (path, shown)]
        if condition == {"exists": True}:
            return UNKNOWN, ["%s is copied from the event (%s), which may lack it" % (path, value.name)]
        return SOME, ["%s is copied from the event (%s), so only alerts whose value matches %s reach it" % (path, value.name, shown)]
    if isinstance(value, (dict, list)):
        return UNKNOWN, ["%s is an object or list in our alerts" % path]
    if not isinstance(condition, dict):
        return _exact(condition, value, path, shown)
    if len(condition) != 1 or next(iter(condition)) not in _OPERATORS:
        return UNKNOWN, ["%s: operator %s is not judged here" % (path, shown)]
    name, argument = next(iter(condition.items()))
    verdict = _OPERATORS[name](argument, value)
    if verdict == NONE:
        return NONE, ["%s is %s in our alerts, which %s does not match" % (path, _show(value), shown)]
    if verdict == UNKNOWN:
        return UNKNOWN, ["%s (%s) depends on text of our alerts not known here (%s)" % (path, shown, _show(value))]
    return verdict, []


def _show(value):
    if isinstance(value, Text):
        return json.dumps("".join("<...>" if part is None else part for part in value.parts))
    return json.dumps(value)


def _exact(condition, value, path, shown):
    if isinstance(value, Text):
        if not isinstance(condition, str) or not value.regex().match(condition):
            return NONE, ["%s is %s in our alerts, which %s does not match" % (path, _show(value), shown)]
        return UNKNOWN, ["%s (%s) depends on text of our alerts not known here (%s)" % (path, shown, _show(value))]
    if _same(condition, value):
        return ALL, []
    return NONE, ["%s is %s in our alerts, which %s does not match" % (path, _show(value), shown)]


def _same(one, other):
    """Exact match of two JSON scalars: numbers by value, anything else of the same kind only."""
    if _numbers(one, other):
        return float(one) == float(other)
    if isinstance(one, bool) or isinstance(other, bool):
        return one is other
    return (isinstance(one, str) and isinstance(other, str) and one == other) or (one is None and other is None)


def _numbers(*values):
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _yes(flag):
    return ALL if flag else NONE


def _prefix(argument, value):
    if not isinstance(argument, str):
        return UNKNOWN
    if isinstance(value, Text):
        lead = value.lead()
        return ALL if lead.startswith(argument) else UNKNOWN if argument.startswith(lead) else NONE
    return _yes(isinstance(value, str) and value.startswith(argument))


def _suffix(argument, value):
    """A suffix of the value is a prefix of the value read backwards."""
    if not isinstance(argument, str):
        return UNKNOWN
    return _prefix(argument[::-1], _backwards(value))


def _backwards(value):
    if isinstance(value, Text):
        return Text([None if part is None else part[::-1] for part in reversed(value.parts)])
    return value[::-1] if isinstance(value, str) else value


def _ignore_case(argument, value):
    if not isinstance(argument, str):
        return UNKNOWN
    if isinstance(value, Text):
        return UNKNOWN if value.regex(re.I).match(argument) else NONE
    return _yes(isinstance(value, str) and value.lower() == argument.lower())


def _anything_but(argument, value):
    if isinstance(argument, dict):
        if len(argument) != 1 or next(iter(argument)) not in ("prefix", "suffix"):
            return UNKNOWN
        inner = _OPERATORS[next(iter(argument))](next(iter(argument.values())), value)
    else:
        values = argument if isinstance(argument, list) else [argument]
        inner = _either([(_exact(item, value, "", "")[0], []) for item in values])[0]
    return {ALL: NONE, NONE: ALL}.get(inner, UNKNOWN)


def _exists(argument, value):
    if argument is True:
        return ALL if isinstance(value, Text) or value not in (None, "") else UNKNOWN
    if argument is False:
        return NONE if isinstance(value, Text) or value not in (None, "") else UNKNOWN
    return UNKNOWN


_COMPARE = {"=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _numeric(argument, value):
    if not isinstance(argument, list) or len(argument) % 2:
        return UNKNOWN
    if not _numbers(value):
        return NONE  # a string (or our Text) is not a number
    pairs = list(zip(argument[::2], argument[1::2]))
    if not all(name in _COMPARE and _numbers(limit) for name, limit in pairs):
        return UNKNOWN
    return _yes(all(_COMPARE[name](value, limit) for name, limit in pairs))


_OPERATORS = {
    "prefix": _prefix,
    "suffix": _suffix,
    "equals-ignore-case": _ignore_case,
    "anything-but": _anything_but,
    "exists": _exists,
    "numeric": _numeric,
}
