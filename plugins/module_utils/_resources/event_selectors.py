# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudTrail event selectors: what a trail records, compared and merged by meaning.

Pure functions, no I/O. A trail uses either basic ``EventSelectors`` or
``AdvancedEventSelectors`` (never both on AWS). Management events are set by
this collection; data-event selectors that others configured are kept.

"What a trail records" is decided by evaluating its selectors against probe
events: a root console sign-in (a write management event, the one the alerts
need) and a read-only management API call. That keeps the semantics of the
selector language (operators, exclusions, several selectors ORed) in one place.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import canonical_json
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError

MANAGEMENT_EVENTS = ("All", "WriteOnly", "ReadOnly")
MAX_BASIC_SELECTORS = 5

# The event the alerts depend on: a root sign-in is a write management event
# of the global service signin.amazonaws.com.
SIGNIN_EVENT = {
    "eventCategory": "Management",
    "eventSource": "signin.amazonaws.com",
    "eventName": "ConsoleLogin",
    "eventType": "AwsConsoleSignIn",
    "readOnly": "false",
}
# A read-only management event, to tell All from WriteOnly.
READ_EVENT = {
    "eventCategory": "Management",
    "eventSource": "iam.amazonaws.com",
    "eventName": "GetAccountSummary",
    "eventType": "AwsApiCall",
    "readOnly": "true",
}
# What each management_events value must record (the probes above).
MODE_PROBES = {
    "All": (True, True),  # (write, read)
    "WriteOnly": (True, False),
    "ReadOnly": (False, True),
}
DEFAULT_BASIC_SELECTOR = {
    "ReadWriteType": "All",
    "IncludeManagementEvents": True,
    "DataResources": [],
    "ExcludeManagementEventSources": [],
}
ADVANCED_OPERATORS = ("Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith")
MANAGEMENT_SELECTOR_NAME = "Management events"


def validate_management_events(value, param="management_events"):
    if value not in MANAGEMENT_EVENTS:
        raise ValidationError("%s must be one of %s, got %r" % (param, ", ".join(MANAGEMENT_EVENTS), value))
    return value


# -- reading a get_event_selectors response ---------------------------------
def selector_kind(response):
    """``basic`` or ``advanced``: which selector type is in effect.

    AWS returns one or the other. A trail that never had selectors set records
    all management events (the AWS default); the emulator returns two empty
    lists for it, which is read as that default. When both lists are non-empty
    (only the emulator does that: putting basic selectors there keeps the
    advanced ones), the basic selectors were written last and are in effect.
    """
    response = response or {}
    if response.get("EventSelectors"):
        return "basic"
    if response.get("AdvancedEventSelectors"):
        return "advanced"
    return "basic"


def selectors_in_effect(response):
    """(kind, selectors) in effect, as AWS returned them; the AWS default when none is set.

    Selectors are kept in their own spelling (what is written back keeps the
    order others chose); normalized copies are used only to compare.
    """
    kind = selector_kind(response)
    if kind == "advanced":
        return kind, copy.deepcopy(response["AdvancedEventSelectors"])
    return kind, copy.deepcopy((response or {}).get("EventSelectors") or [DEFAULT_BASIC_SELECTOR])


# -- basic selectors ---------------------------------------------------------
def normalize_basic(selector):
    """A basic selector with the API defaults filled in and its lists sorted."""
    resources = []
    for resource in selector.get("DataResources") or []:
        resources.append({"Type": resource.get("Type"), "Values": sorted(set(resource.get("Values") or []))})
    resources.sort(key=canonical_json)
    return {
        "ReadWriteType": selector.get("ReadWriteType") or "All",
        "IncludeManagementEvents": bool(selector.get("IncludeManagementEvents", True)),
        "DataResources": resources,
        "ExcludeManagementEventSources": sorted(set(selector.get("ExcludeManagementEventSources") or [])),
    }


def basic_matches(selector, event):
    """Does one basic selector record this management event?"""
    selector = normalize_basic(selector)
    if not selector["IncludeManagementEvents"]:
        return False
    if event.get("eventSource") in selector["ExcludeManagementEventSources"]:
        return False
    read_only = event.get("readOnly") == "true"
    kind = selector["ReadWriteType"]
    return kind == "All" or (kind == "ReadOnly" and read_only) or (kind == "WriteOnly" and not read_only)


# -- advanced selectors ------------------------------------------------------
def normalize_advanced(selector):
    """An advanced selector with empty operators dropped and values sorted."""
    fields = []
    for field in selector.get("FieldSelectors") or []:
        item = {"Field": field.get("Field")}
        for operator in ADVANCED_OPERATORS:
            if field.get(operator):
                item[operator] = sorted(set(field[operator]))
        fields.append(item)
    fields.sort(key=canonical_json)
    result = {"FieldSelectors": fields}
    if selector.get("Name"):
        result["Name"] = selector["Name"]
    return result


def field_matches(field, event):
    """True/False, or None when the event has no value for the field (unknown)."""
    name = field.get("Field")
    if name not in event:
        return None
    value = event[name]
    checks = (
        ("Equals", lambda values: value in values),
        ("StartsWith", lambda values: any(value.startswith(v) for v in values)),
        ("EndsWith", lambda values: any(value.endswith(v) for v in values)),
        ("NotEquals", lambda values: value not in values),
        ("NotStartsWith", lambda values: not any(value.startswith(v) for v in values)),
        ("NotEndsWith", lambda values: not any(value.endswith(v) for v in values)),
    )
    # Several operators on one field must all hold: the conservative reading.
    return all(check(field[operator]) for operator, check in checks if field.get(operator))


def advanced_matches(selector, event):
    """Field selectors are ANDed; an unknown field makes the answer None."""
    answer = True
    for field in selector.get("FieldSelectors") or []:
        matched = field_matches(field, event)
        if matched is False:
            return False
        if matched is None:
            answer = None
    return answer


def is_management_advanced(selector):
    for field in selector.get("FieldSelectors") or []:
        if field.get("Field") == "eventCategory" and "Management" in (field.get("Equals") or []):
            return True
    return False


def unknown_fields(selector, event):
    return sorted(f.get("Field") for f in selector.get("FieldSelectors") or [] if f.get("Field") not in event)


# -- what a set of selectors records -----------------------------------------
def records(kind, selectors, event):
    """Do these selectors (ORed) record ``event``? An unknown answer counts as no."""
    if kind == "advanced":
        return any(advanced_matches(s, event) is True for s in selectors)
    return any(basic_matches(s, event) for s in selectors)


def management_mode(kind, selectors):
    """All, WriteOnly, ReadOnly or None: which management events are recorded."""
    write = records(kind, selectors, SIGNIN_EVENT)
    read = records(kind, selectors, READ_EVENT)
    for mode, probes in MODE_PROBES.items():
        if probes == (write, read):
            return mode
    return None


def response_management_mode(response):
    kind, selectors = selectors_in_effect(response)
    return management_mode(kind, selectors)


def explain_signin(kind, selectors):
    """(bool, reason): do the selectors record write management events such as ConsoleLogin?"""
    if records(kind, selectors, SIGNIN_EVENT):
        if kind == "advanced":
            return True, "an advanced event selector records write management events"
        modes = sorted({normalize_basic(s)["ReadWriteType"] for s in selectors if basic_matches(s, SIGNIN_EVENT)})
        return True, "a basic event selector records management events (ReadWriteType %s)" % "/".join(modes)
    if kind == "advanced":
        management = [s for s in selectors if is_management_advanced(s)]
        if not management:
            return False, "no advanced event selector records management events"
        unknown = sorted({f for s in management for f in unknown_fields(s, SIGNIN_EVENT)})
        if unknown:
            return False, "the management event selectors filter on %s, which cannot be proven to keep console sign-in events" % (
                ", ".join(unknown)
            )
        return False, "the management event selectors exclude write events (readOnly) or the signin.amazonaws.com source"
    management = [s for s in (normalize_basic(s) for s in selectors) if s["IncludeManagementEvents"]]
    if not management:
        return False, "no basic event selector includes management events (data events only)"
    return False, "the basic event selectors record only %s management events" % "/".join(
        sorted({s["ReadWriteType"] for s in management})
    )


# -- desired selectors -------------------------------------------------------
def canonical_management_advanced(mode, name=None):
    fields = [{"Field": "eventCategory", "Equals": ["Management"]}]
    if mode == "WriteOnly":
        fields.append({"Field": "readOnly", "Equals": ["false"]})
    elif mode == "ReadOnly":
        fields.append({"Field": "readOnly", "Equals": ["true"]})
    return {"Name": name or MANAGEMENT_SELECTOR_NAME, "FieldSelectors": fields}


def merge_basic(selectors, mode):
    """Basic selectors recording ``mode`` management events; data selectors kept.

    Unchanged when the management events recorded already equal ``mode``.
    Otherwise every management selector is replaced by one ``mode`` selector
    (keeping the first one's ExcludeManagementEventSources, which can only name
    KMS and RDS Data API sources, never sign-in), and a selector that also
    logged data events keeps them as a data-only selector.
    """
    selectors = copy.deepcopy(selectors or [DEFAULT_BASIC_SELECTOR])
    if management_mode("basic", selectors) == mode:
        return selectors
    kept = []
    excludes = None
    for selector in selectors:
        normal = normalize_basic(selector)
        if not normal["IncludeManagementEvents"]:
            kept.append(selector)
            continue
        if excludes is None:
            excludes = normal["ExcludeManagementEventSources"]
        if normal["DataResources"]:
            kept.append(dict(selector, IncludeManagementEvents=False, ExcludeManagementEventSources=[]))
    management = copy.deepcopy(DEFAULT_BASIC_SELECTOR)
    management.update(ReadWriteType=mode, ExcludeManagementEventSources=list(excludes or []))
    merged = [management] + kept
    if len(merged) > MAX_BASIC_SELECTORS:
        raise ValidationError(
            "the trail would need %d basic event selectors to keep its data-event selectors and record %s management "
            "events; CloudTrail allows %d. Convert the trail to advanced event selectors." % (len(merged), mode, MAX_BASIC_SELECTORS)
        )
    return merged


def merge_advanced(selectors, mode):
    """Advanced selectors recording ``mode`` management events; others kept.

    Unchanged when the management events recorded already equal ``mode``.
    Otherwise the management selectors are replaced by one; the first one's
    name and extra filters (e.g. an eventSource exclusion) are kept when the
    result still records exactly ``mode``.
    """
    selectors = copy.deepcopy(selectors or [])
    if management_mode("advanced", selectors) == mode:
        return selectors
    management = [s for s in selectors if is_management_advanced(s)]
    kept = [s for s in selectors if not is_management_advanced(s)]
    replacement = canonical_management_advanced(mode)
    if management:
        first = management[0]
        replacement = canonical_management_advanced(mode, first.get("Name"))
        extras = [f for f in first.get("FieldSelectors") or [] if f.get("Field") not in ("eventCategory", "readOnly")]
        candidate = dict(replacement, FieldSelectors=replacement["FieldSelectors"] + extras)
        if extras and management_mode("advanced", [candidate]) == mode:
            replacement = candidate
    return [replacement] + kept


def desired_selectors(response, mode):
    """(kind, selectors) that record ``mode`` management events and keep the rest."""
    kind, current = selectors_in_effect(response)
    if kind == "advanced":
        return kind, merge_advanced(current, mode)
    return kind, merge_basic(current, mode)


def canonical_selectors(kind, selectors):
    """An order-independent form for comparison."""
    normalize = normalize_advanced if kind == "advanced" else normalize_basic
    return sorted((normalize(s) for s in selectors), key=canonical_json)


def selectors_equal(left, right):
    """Equal in meaning: both (kind, selectors) pairs, order ignored."""
    return left[0] == right[0] and canonical_selectors(*left) == canonical_selectors(*right)


def put_arguments(trail_name, kind, selectors):
    """Keyword arguments for put_event_selectors."""
    key = "AdvancedEventSelectors" if kind == "advanced" else "EventSelectors"
    return {"TrailName": trail_name, key: copy.deepcopy(selectors)}


def selectors_result(kind, selectors):
    """The two lists as the module returns them."""
    if kind == "advanced":
        return {"event_selectors": [], "advanced_event_selectors": copy.deepcopy(selectors)}
    return {"event_selectors": copy.deepcopy(selectors), "advanced_event_selectors": []}
