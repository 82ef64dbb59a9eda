"""Event patterns: canonical form, validation and local matching."""

import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import event_pattern as ep
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import PatternError

SEED = {"detail-type": ["AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}

EQUIVALENT_SPELLINGS = [
    ("same dict", SEED),
    ("keys reordered", {"detail": {"userIdentity": {"type": ["Root"]}}, "detail-type": ["AWS Console Sign In via CloudTrail"]}),
    ("JSON text", json.dumps(SEED)),
    ("JSON text, indented", json.dumps(SEED, indent=4)),
    ("JSON text, odd spacing", '{ "detail-type" :[ "AWS Console Sign In via CloudTrail" ] ,\n"detail":{"userIdentity":{"type":["Root"]}} }'),
    ("duplicate value", {"detail-type": ["AWS Console Sign In via CloudTrail", "AWS Console Sign In via CloudTrail"],
                         "detail": {"userIdentity": {"type": ["Root", "Root"]}}}),
]


@pytest.mark.parametrize("label,spelling", EQUIVALENT_SPELLINGS, ids=[s[0] for s in EQUIVALENT_SPELLINGS])
def test_equivalent_spellings_have_one_canonical_form(label, spelling):
    assert ep.canonical_text(spelling) == ep.canonical_text(SEED), label
    assert ep.equivalent(spelling, SEED)


MORE_EQUIVALENT = [
    ({"source": ["a", "b"]}, {"source": ["b", "a"]}),
    ({"source": ["a", {"prefix": "x"}]}, {"source": [{"prefix": "x"}, "a", "a"]}),
    ({"n": [1]}, {"n": [1.0]}),
    ({"n": [{"numeric": [">", 0, "<=", 5]}]}, {"n": [{"numeric": [">", 0.0, "<=", 5.0]}]}),
    ({"s": [{"anything-but": ["b", "a"]}]}, {"s": [{"anything-but": ["a", "b", "a"]}]}),
    ({"s": [{"anything-but": ["a"]}]}, {"s": [{"anything-but": "a"}]}),
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": [{"cidr": "10.0.0.7/24"}]}),
    ({"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"$or": [{"b": ["2"]}, {"a": ["1"]}]}),
]


@pytest.mark.parametrize("left,right", MORE_EQUIVALENT)
def test_more_equivalent_patterns(left, right):
    assert ep.equivalent(left, right)


DIFFERENT = [
    ({"source": ["a"]}, {"source": ["A"]}),
    ({"source": ["a"]}, {"source": ["a", "b"]}),
    ({"n": [{"numeric": [">", 0]}]}, {"n": [{"numeric": [">=", 0]}]}),
    ({"n": [1]}, {"n": ["1"]}),
    ({"a": {"b": ["x"]}}, {"a": {"c": ["x"]}}),
    ({"flag": [True]}, {"flag": [1]}),
]


@pytest.mark.parametrize("left,right", DIFFERENT)
def test_different_patterns(left, right):
    assert not ep.equivalent(left, right)


INVALID = [
    ("not JSON", '{"detail-type": [', "", "not valid JSON"),
    ("array at top", "[1, 2]", "", "must be a JSON object"),
    ("string at top", '"Root"', "", "must be a JSON object"),
    ("empty object", {}, "", "must not be an empty object"),
    ("empty array", {"source": []}, "source", "empty array"),
    ("leaf not in array", {"detail": {"userIdentity": {"type": "Root"}}}, "detail.userIdentity.type",
     "must be inside an array"),
    ("number leaf", {"n": 5}, "n", "must be inside an array"),
    ("operator not in array", {"s": {"prefix": "a"}}, "s", "must be inside an array"),
    ("unknown operator", {"s": [{"prefx": "a"}]}, "s[0].prefx", "unknown operator"),
    ("misspelled anything-but", {"s": [{"anything_but": "a"}]}, "s[0].anything_but", "unknown operator"),
    ("two keys in operator", {"s": [{"prefix": "a", "suffix": "b"}]}, "s[0]", "exactly one key"),
    ("numeric not a list", {"n": [{"numeric": 5}]}, "s", "numeric takes"),
    ("numeric bad op", {"n": [{"numeric": ["=>", 5]}]}, "n[0].numeric", "unknown numeric operator"),
    ("numeric bad number", {"n": [{"numeric": [">", "5"]}]}, "n[0].numeric", "is not a number"),
    ("numeric odd length", {"n": [{"numeric": [">", 5, "<"]}]}, "n[0].numeric", "numeric takes"),
    ("numeric range order", {"n": [{"numeric": ["<", 5, ">", 1]}]}, "n[0].numeric", "numeric range"),
    ("numeric empty range", {"n": [{"numeric": [">", 5, "<", 1]}]}, "n[0].numeric", "is empty"),
    ("cidr garbage", {"ip": [{"cidr": "10.0.0/33"}]}, "ip[0].cidr", "not a valid CIDR"),
    ("cidr no mask", {"ip": [{"cidr": "10.0.0.1"}]}, "ip[0].cidr", "takes a CIDR block"),
    ("cidr number", {"ip": [{"cidr": 10}]}, "ip[0].cidr", "takes a CIDR block"),
    ("anything-but empty list", {"s": [{"anything-but": []}]}, "s[0].anything-but", "empty list"),
    ("anything-but mixed list", {"s": [{"anything-but": ["a", 1]}]}, "s[0].anything-but", "only strings or only numbers"),
    ("anything-but bad operator", {"s": [{"anything-but": {"numeric": [">", 1]}}]}, "s[0].anything-but", "anything-but takes"),
    ("anything-but object", {"s": [{"anything-but": {"a": 1}}]}, "s[0].anything-but", "anything-but takes"),
    ("exists not bool", {"s": [{"exists": "true"}]}, "s[0].exists", "true or false"),
    ("prefix number", {"s": [{"prefix": 1}]}, "s[0].prefix", "takes a string"),
    ("nested array", {"s": [["a"]]}, "s[0]", "nested arrays"),
    ("$or one branch", {"$or": [{"a": ["1"]}]}, "$or", "at least two"),
    ("$or branch not object", {"$or": [{"a": ["1"]}, "b"]}, "$or[1]", "non-empty object"),
    ("empty nested object", {"detail": {}}, "detail", "empty object"),
]


@pytest.mark.parametrize("label,pattern,path,problem", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_patterns_name_path_and_problem(label, pattern, path, problem):
    with pytest.raises(PatternError) as err:
        ep.validate(pattern)
    message = str(err.value)
    assert problem in message, label
    if path and path != "s":
        assert err.value.path == path
        assert path in message


def test_unbracketed_root_error_suggests_the_fix():
    with pytest.raises(PatternError) as err:
        ep.validate({"detail": {"userIdentity": {"type": "Root"}}})
    assert '["Root"]' in str(err.value)


def sign_in(identity="Root", result="Success", mfa="No"):
    return {
        "detail-type": "AWS Console Sign In via CloudTrail",
        "source": "aws.signin",
        "account": "111111111111",
        "detail": {
            "userIdentity": {"type": identity, "arn": "arn:aws:iam::111111111111:root"},
            "sourceIPAddress": "203.0.113.7",
            "responseElements": {"ConsoleLogin": result},
            "additionalEventData": {"MFAUsed": mfa},
        },
    }


MATCHES = [
    ("root success", SEED, sign_in(), True),
    ("root failure", SEED, sign_in(result="Failure"), True),
    ("IAM user", SEED, sign_in(identity="IAMUser"), False),
    ("API call", SEED, dict(sign_in(), **{"detail-type": "AWS API Call via CloudTrail"}), False),
    ("prefix", {"source": [{"prefix": "aws."}]}, sign_in(), True),
    ("prefix ignore case", {"source": [{"prefix": {"equals-ignore-case": "AWS."}}]}, sign_in(), True),
    # A custom source never begins with "aws.": what the pinned sources keep out.
    ("prefix, custom source", {"source": [{"prefix": "aws."}]}, dict(sign_in(), source="com.example.forged"), False),
    ("prefix, no dot", {"source": [{"prefix": "aws."}]}, dict(sign_in(), source="awsome.app"), False),
    ("pinned source, custom event", {"source": ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"]},
     dict(sign_in(), source="com.example.forged"), False),
    ("no source, custom event", SEED, dict(sign_in(), source="com.example.forged"), True),
    ("suffix", {"source": [{"suffix": ".signin"}]}, sign_in(), True),
    ("equals-ignore-case", {"detail": {"userIdentity": {"type": [{"equals-ignore-case": "root"}]}}}, sign_in(), True),
    ("wildcard", {"detail-type": [{"wildcard": "AWS Console*CloudTrail"}]}, sign_in(), True),
    ("wildcard miss", {"detail-type": [{"wildcard": "AWS API*"}]}, sign_in(), False),
    ("anything-but", {"detail": {"userIdentity": {"type": [{"anything-but": "IAMUser"}]}}}, sign_in(), True),
    ("anything-but miss", {"detail": {"userIdentity": {"type": [{"anything-but": ["Root"]}]}}}, sign_in(), False),
    ("anything-but prefix", {"source": [{"anything-but": {"prefix": "aws."}}]}, sign_in(), False),
    ("exists true", {"detail": {"sourceIPAddress": [{"exists": True}]}}, sign_in(), True),
    ("exists false", {"detail": {"errorMessage": [{"exists": False}]}}, sign_in(), True),
    ("exists false present", {"detail": {"sourceIPAddress": [{"exists": False}]}}, sign_in(), False),
    ("missing field", {"detail": {"errorMessage": ["x"]}}, sign_in(), False),
    ("cidr", {"detail": {"sourceIPAddress": [{"cidr": "203.0.113.0/24"}]}}, sign_in(), True),
    ("cidr miss", {"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/8"}]}}, sign_in(), False),
    ("numeric", {"n": [{"numeric": [">", 0, "<=", 5]}]}, {"n": 5}, True),
    ("numeric miss", {"n": [{"numeric": [">", 0, "<", 5]}]}, {"n": 5}, False),
    ("number equals", {"n": [5]}, {"n": 5.0}, True),
    ("string is not number", {"n": ["5"]}, {"n": 5}, False),
    ("event array", {"tags": ["b"]}, {"tags": ["a", "b"]}, True),
    ("$or", {"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "2"}, True),
    ("$or miss", {"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "3"}, False),
    ("null", {"v": [None]}, {"v": None}, True),
    ("MFA", {"detail": {"additionalEventData": {"MFAUsed": ["No"]}}}, sign_in(mfa="Yes"), False),
]


@pytest.mark.parametrize("label,pattern,event,expected", MATCHES, ids=[c[0] for c in MATCHES])
def test_local_matching(label, pattern, event, expected):
    assert ep.matches(pattern, event) is expected, label
