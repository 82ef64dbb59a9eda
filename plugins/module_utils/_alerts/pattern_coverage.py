# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Does an EventBridge pattern match every event of a set? Judged by meaning, not from samples.

Pure functions, no I/O. An event set (``alert_profiles.event_set``) lists, per
kind of event, the fields whose value is ``fixed``, the ``enumerable`` fields
(each value must be admitted), the ``free`` fields (present, any text; a
``prefixed`` one always begins with a known prefix), the ``optional`` fields
(present only when enumerable fields have given values) and the ``absent``
ones. Any other field is unknown: it may be missing or hold anything.

:func:`judge` splits the set into classes (the product of the enumerable
values) and evaluates the pattern on each class with EventBridge's operators
("Content filtering in Amazon EventBridge event patterns", EventBridge user
guide, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html;
``$or`` from the same page): on a known value exactly
(``event_pattern.leaf_matches``), on a free field by what the operators admit
of every possible value. A class is matched by all, some or none of its
events, or cannot be decided; alternatives (``$or``, several values in one
array) that jointly constrain the same free field cannot be decided here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools
import json

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import event_pattern

ALL, SOME, NONE, UNDECIDED = "all", "some", "none", "undecided"


def _result(status, why=(), fields=()):
    return {"status": status, "why": list(why), "fields": set(fields)}


def _unique(reasons):
    """The reasons (text) once each, in order."""
    return list(dict.fromkeys(reasons))


def _show(value):
    return value if isinstance(value, str) else json.dumps(value)


def _name(path):
    """How a field is named in a gap: without the ``detail.`` every CloudTrail field has."""
    return path[len("detail."):] if path.startswith("detail.") else path


# -- one field ------------------------------------------------------------------
def _field(kind, values, path):
    """What the events of one class hold at ``path``: (what, value)."""
    if path in kind.get("fixed", {}):
        return "fixed", kind["fixed"][path]
    if path in values:
        return "enumerated", values[path]
    if path in kind.get("optional", {}):
        present = all(values.get(key) == value for key, value in kind["optional"][path].items())
        return ("free", "") if present else ("absent", None)
    if path in kind.get("prefixed", {}):
        return "free", kind["prefixed"][path]
    if path in kind.get("free", ()):
        return "free", ""
    if path in kind.get("absent", ()):
        return "absent", None
    described = list(kind.get("fixed", {})) + list(kind.get("enumerable", {})) + list(kind.get("optional", {})) \
        + list(kind.get("prefixed", {})) + list(kind.get("free", ())) + list(kind.get("absent", ()))
    if any(other.startswith(path + ".") for other in described):
        return "object", None
    return "unknown", None


def _operator(matcher):
    return next(iter(matcher.items())) if isinstance(matcher, dict) else (None, matcher)


def _on_text(matcher, prefix):
    """ALL, SOME or NONE of the strings that begin with ``prefix`` satisfy ``matcher`` (UNDECIDED if not known here)."""
    name, arg = _operator(matcher)
    if name is None:
        return SOME if isinstance(arg, str) and arg.startswith(prefix) else NONE
    if name == "exists":
        return ALL if arg else NONE
    if name == "prefix":
        text, start = (arg["equals-ignore-case"].lower(), prefix.lower()) if isinstance(arg, dict) else (arg, prefix)
        if start.startswith(text):
            return ALL
        return SOME if text.startswith(start) else NONE
    if name == "suffix":
        return ALL if (arg["equals-ignore-case"] if isinstance(arg, dict) else arg) == "" else SOME
    if name == "wildcard":
        if arg == "*" or (arg.count("*") == 1 and arg.endswith("*") and prefix.startswith(arg[:-1])):
            return ALL
        return SOME
    if name in ("equals-ignore-case", "cidr"):
        return SOME
    if name == "numeric":
        return NONE  # numeric matches JSON numbers only; these values are strings
    return _on_text_anything_but(arg, prefix)


def _on_text_anything_but(arg, prefix):
    if not isinstance(arg, dict):
        excluded = arg if isinstance(arg, list) else [arg]
        return SOME if any(isinstance(v, str) and v.startswith(prefix) for v in excluded) else ALL
    name, inner = next(iter(arg.items()))
    inner = inner if isinstance(inner, list) else [inner]
    if name == "prefix":
        if any(prefix.startswith(text) for text in inner):
            return NONE
        return SOME if any(text.startswith(prefix) for text in inner) else ALL
    if name == "suffix":
        return NONE if "" in inner else SOME
    if name == "equals-ignore-case":
        return SOME if any(text.lower().startswith(prefix.lower()) for text in inner) else ALL
    if "*" in inner:  # wildcard
        return NONE
    return SOME if not prefix else UNDECIDED


def _negation(matcher):
    """What a skipped event's field holds, for one matcher it fails: "is not X", "begins with Y"."""
    name, arg = _operator(matcher)
    if name is None:
        return "is not %s" % _show(arg)
    if name == "exists":
        return "is missing" if arg else "is present"
    if name in ("prefix", "suffix"):
        verb = "begin" if name == "prefix" else "end"
        if isinstance(arg, dict):
            return 'does not %s with "%s" (in any case)' % (verb, arg["equals-ignore-case"])
        return 'does not %s with "%s"' % (verb, arg)
    if name == "equals-ignore-case":
        return 'is not "%s" in any case' % arg
    if name == "wildcard":
        return 'does not match "%s"' % arg
    if name == "numeric":
        return "is not a number %s" % " ".join(_show(part) for part in arg)
    if name == "cidr":
        return "is not an address in %s" % arg
    if not isinstance(arg, dict):  # anything-but
        excluded = arg if isinstance(arg, list) else [arg]
        return ("is %s" if len(excluded) == 1 else "is one of %s") % ", ".join(_show(v) for v in excluded)
    inner_name, inner = next(iter(arg.items()))
    inner = ", ".join('"%s"' % text for text in (inner if isinstance(inner, list) else [inner]))
    return {"prefix": "begins with %s", "suffix": "ends with %s", "equals-ignore-case": "is %s in any case",
            "wildcard": "matches %s"}[inner_name] % inner


def _skips(matchers, path, many):
    exact = [m for m in matchers if not isinstance(m, dict)]
    phrases = ["is %s" % ("not %s" % _show(exact[0]) if len(exact) == 1 else "none of %s" % ", ".join(_show(v) for v in exact))] if exact else []
    phrases.extend(_negation(m) for m in matchers if isinstance(m, dict))
    return "skips %s whose %s %s" % (many, _name(path), " and ".join(phrases))


def _leaf(matchers, path, ctx):
    what, value = _field(ctx["kind"], ctx["values"], path)
    name, one, many = _name(path), ctx["one"], ctx["many"]
    if what in ("fixed", "enumerated"):
        if event_pattern.leaf_matches(matchers, value):
            return _result(ALL)
        return _result(NONE, ["%s must %s %s" % (name, "be" if what == "fixed" else "admit", _show(value))])
    if what == "absent":
        if event_pattern.leaf_matches(matchers, event_pattern.MISSING):
            return _result(ALL)
        return _result(NONE, ["%s is not present in a %s" % (name, one)])
    if what == "object":
        if event_pattern.leaf_matches(matchers, {}):
            return _result(ALL)
        return _result(NONE, ["%s is an object, which a list of values never matches" % name])
    if what == "unknown":
        existence = set(m["exists"] for m in matchers if isinstance(m, dict) and "exists" in m)
        if existence == {True, False}:
            return _result(ALL)
        return _result(SOME, [_skips(matchers, path, many) + " (a field a %s need not have)" % one], [path])
    verdicts = [(m, _on_text(m, value)) for m in matchers]
    if any(v == ALL for _m, v in verdicts):
        return _result(ALL)
    admitting = [m for m, v in verdicts if v != NONE]
    if not admitting:
        if all(isinstance(m, dict) and m.get("exists") is False for m in matchers):
            return _result(NONE, ["%s is present in every %s" % (name, one)])
        return _result(NONE, ["%s is text in every %s, which its conditions never match" % (name, one)])
    negative = [m for m in admitting if _operator(m)[0] == "anything-but"]
    if any(v == UNDECIDED for _m, v in verdicts) or (negative and len(admitting) > 1):
        return _result(UNDECIDED, ["cannot decide whether the conditions on %s together admit every value" % name], [path])
    return _result(SOME, [_skips(admitting, path, many)], [path])


# -- objects, $or ------------------------------------------------------------------
def _all_of(results):
    for status in (NONE, SOME, UNDECIDED):
        chosen = [r for r in results if r["status"] == status]
        if chosen:
            return _result(status, _unique(w for r in chosen for w in r["why"]), set().union(*[r["fields"] for r in chosen]))
    return _result(ALL)


def _any_of(results, ctx):
    if any(r["status"] == ALL for r in results):
        return _result(ALL)
    alive = [r for r in results if r["status"] != NONE]
    if not alive:
        return _result(NONE, _unique(w for r in results for w in r["why"]))
    if len(alive) == 1:
        return alive[0]
    if any(r["status"] == UNDECIDED for r in alive):
        return _result(UNDECIDED, _unique(w for r in alive if r["status"] == UNDECIDED for w in r["why"]))
    shared = sorted(set(f for a, b in itertools.combinations(alive, 2) for f in a["fields"] & b["fields"]))
    if shared:
        return _result(UNDECIDED, ["$or alternatives jointly constrain %s: whether together they admit every value "
                                   "cannot be decided here" % ", ".join(_name(f) for f in shared)])
    # Constraints on different fields: some event fails one constraint of each alternative.
    why = "skips %s that every $or alternative skips (%s)" % (ctx["many"], "; ".join("; ".join(r["why"]) for r in alive))
    return _result(SOME, [why], set().union(*[r["fields"] for r in alive]))


def _object(pattern, prefix, ctx):
    results = []
    for key, expected in pattern.items():
        if key == event_pattern.OR_KEY:
            results.append(_any_of([_object(branch, prefix, ctx) for branch in expected], ctx))
            continue
        path = "%s.%s" % (prefix, key) if prefix else key
        if isinstance(expected, dict):
            what = _field(ctx["kind"], ctx["values"], path)[0]
            if what in ("object", "unknown"):
                results.append(_object(expected, path, ctx))
            else:
                results.append(_result(NONE, ["%s is not an object in a %s" % (_name(path), ctx["one"])]))
        else:
            results.append(_leaf(expected, path, ctx))
    return _all_of(results)


# -- the set ------------------------------------------------------------------------
def _classes(kind):
    fields = list(kind.get("enumerable", {}))
    choices = [[value for value, _label in kind["enumerable"][f]] for f in fields]
    return [dict(zip(fields, combo)) for combo in itertools.product(*choices)]


def _label(kind, path, value, many):
    for candidate, label in kind["enumerable"][path]:
        if candidate == value and label:
            return label
    return "%s whose %s is %s" % (many, _name(path), _show(value))


def _explain_missed(judged, event_set):
    """Gaps naming the classes no event of which matches: by kind, then by enumerable value."""
    many = event_set["many"]
    missed = [(k, v) for k, v, r in judged if r["status"] == NONE]
    explained, gaps = [], []
    kinds = event_set["kinds"]
    for index, kind in enumerate(kinds):
        classes = [(k, v) for k, v, _r in judged if k is kind]
        if len(kinds) > 1 and all(c in missed for c in classes):
            whys = [r["why"] for k, _v, r in judged if k is kind]
            why = [w for w in whys[0] if all(w in other for other in whys)]  # what misses the whole kind
            gaps.append("skips %s%s" % (kind["label"], " (%s)" % "; ".join(why) if why else ""))
            explained.extend(classes)
            continue
        for path in kind.get("enumerable", {}):
            for value, _label_text in kind["enumerable"][path]:
                having = [c for c in classes if c[1][path] == value]
                if all(c in missed for c in having) and [c for c in having if c not in explained]:
                    gaps.append("skips %s" % _label(kind, path, value, many))
                    explained.extend(having)
    for kind, values in missed:
        if (kind, values) not in explained:
            gaps.append("skips %s whose %s" % (many, " and ".join(
                "%s is %s" % (_name(p), _show(v)) for p, v in sorted(values.items()))))
    return gaps


def judge(pattern, event_set):
    """``{"covers": True|False|None, "gaps": [text]}``: True when ``pattern`` matches every event of
    ``event_set``; False when it provably misses some, each gap named; None when that cannot be decided
    (``gaps`` then says why). Raises ``PatternError`` for an invalid pattern."""
    pattern = event_pattern.validate(pattern)
    judged = []
    for kind in event_set["kinds"]:
        for values in _classes(kind):
            ctx = {"kind": kind, "values": values, "one": event_set["one"], "many": event_set["many"]}
            judged.append((kind, values, _object(pattern, "", ctx)))
    statuses = [r["status"] for _k, _v, r in judged]
    if all(s == NONE for s in statuses):
        why = _unique(w for _k, _v, r in judged for w in r["why"])
        return {"covers": False, "gaps": ["matches no %s%s" % (event_set["one"], ": %s" % "; ".join(why) if why else "")]}
    gaps = _explain_missed(judged, event_set) if NONE in statuses else []
    gaps.extend(w for _k, _v, r in judged if r["status"] == SOME for w in r["why"])
    if gaps:
        return {"covers": False, "gaps": _unique(gaps)}
    if UNDECIDED in statuses:
        return {"covers": None, "gaps": _unique(w for _k, _v, r in judged if r["status"] == UNDECIDED for w in r["why"])}
    return {"covers": True, "gaps": []}
