# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event selectors: what they record, merging management events in, comparison by meaning."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import canonical_management_advanced
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import desired_selectors
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import explain_signin
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import management_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import merge_advanced
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import merge_basic
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import put_arguments
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import response_management_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import selector_kind
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import selectors_equal
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import selectors_in_effect
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import validate_management_events

S3_DATA = {"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::bucket-b/", "arn:aws:s3:::bucket-a/"]}
LAMBDA_DATA = {"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}


def basic(rw="All", management=True, data=(), exclude=()):
    return {
        "ReadWriteType": rw,
        "IncludeManagementEvents": management,
        "DataResources": list(data),
        "ExcludeManagementEventSources": list(exclude),
    }


def field(name, **operators):
    return dict({"Field": name}, **operators)


def advanced(*fields, **kwargs):
    selector = {"FieldSelectors": list(fields)}
    if kwargs.get("name"):
        selector["Name"] = kwargs["name"]
    return selector


MGMT = field("eventCategory", Equals=["Management"])
S3_DATA_ADVANCED = advanced(
    field("eventCategory", Equals=["Data"]), field("resources.type", Equals=["AWS::S3::Object"]), name="S3 objects"
)


@pytest.mark.parametrize("value", ["All", "WriteOnly", "ReadOnly"])
def test_valid_management_events(value):
    assert validate_management_events(value) == value


@pytest.mark.parametrize("value", ["all", "Write", "", None, "ReadWrite"])
def test_unknown_management_events(value):
    with pytest.raises(ValueError, match="management_events must be one of All, WriteOnly, ReadOnly"):
        validate_management_events(value)


@pytest.mark.parametrize(
    "response, kind",
    [
        ({}, "basic"),
        (None, "basic"),
        ({"EventSelectors": [], "AdvancedEventSelectors": []}, "basic"),  # emulator: a trail never configured
        ({"EventSelectors": [basic()]}, "basic"),
        ({"AdvancedEventSelectors": [advanced(MGMT)]}, "advanced"),
        # Only the emulator keeps both; the basic ones were written last and are in effect.
        ({"EventSelectors": [basic()], "AdvancedEventSelectors": [advanced(MGMT)]}, "basic"),
    ],
)
def test_selector_kind(response, kind):
    assert selector_kind(response) == kind


def test_no_selectors_means_the_aws_default_all_management_events():
    kind, selectors = selectors_in_effect({"EventSelectors": [], "AdvancedEventSelectors": []})
    assert kind == "basic"
    assert selectors == [basic()]
    assert response_management_mode({}) == "All"


def test_missing_basic_fields_take_the_api_defaults():
    assert management_mode("basic", [{"DataResources": [S3_DATA]}]) == "All"
    assert selectors_equal(("basic", [{}]), ("basic", [basic("All")]))


@pytest.mark.parametrize(
    "kind, selectors, mode",
    [
        ("basic", [basic("All")], "All"),
        ("basic", [basic("WriteOnly")], "WriteOnly"),
        ("basic", [basic("ReadOnly")], "ReadOnly"),
        ("basic", [basic("ReadOnly"), basic("WriteOnly")], "All"),
        ("basic", [basic("All", management=False, data=[S3_DATA])], None),
        ("basic", [basic("WriteOnly", data=[S3_DATA]), basic("All", management=False, data=[LAMBDA_DATA])], "WriteOnly"),
        # Exclusions can only name KMS and RDS Data API; sign-in and IAM are still recorded.
        ("basic", [basic("All", exclude=["kms.amazonaws.com", "rdsdata.amazonaws.com"])], "All"),
        ("basic", [basic("All", exclude=["signin.amazonaws.com"])], "ReadOnly"),
        ("advanced", [advanced(MGMT)], "All"),
        ("advanced", [advanced(MGMT, field("readOnly", Equals=["false"]))], "WriteOnly"),
        ("advanced", [advanced(MGMT, field("readOnly", Equals=["true"]))], "ReadOnly"),
        ("advanced", [advanced(MGMT, field("readOnly", NotEquals=["true"]))], "WriteOnly"),
        ("advanced", [advanced(MGMT, field("readOnly", Equals=["true", "false"]))], "All"),
        ("advanced", [advanced(MGMT, field("readOnly", Equals=["true"])), advanced(MGMT, field("readOnly", Equals=["false"]))], "All"),
        ("advanced", [advanced(MGMT, field("eventSource", NotEquals=["kms.amazonaws.com"]))], "All"),
        ("advanced", [advanced(MGMT, field("eventSource", NotEquals=["signin.amazonaws.com"]))], "ReadOnly"),
        ("advanced", [advanced(MGMT, field("eventSource", Equals=["signin.amazonaws.com"]))], "WriteOnly"),
        ("advanced", [advanced(MGMT, field("eventSource", StartsWith=["sign"]))], "WriteOnly"),
        ("advanced", [advanced(MGMT, field("eventSource", NotStartsWith=["sign"]))], "ReadOnly"),
        ("advanced", [advanced(MGMT, field("eventSource", EndsWith=[".amazonaws.com"]))], "All"),
        ("advanced", [advanced(MGMT, field("eventSource", NotEndsWith=[".amazonaws.com"]))], None),
        # A field the probe event cannot answer is not proof of recording.
        ("advanced", [advanced(MGMT, field("userIdentity.arn", StartsWith=["arn:aws:iam::"]))], None),
        ("advanced", [S3_DATA_ADVANCED], None),
        ("advanced", [S3_DATA_ADVANCED, advanced(MGMT)], "All"),
    ],
)
def test_management_mode(kind, selectors, mode):
    assert management_mode(kind, selectors) == mode


@pytest.mark.parametrize(
    "kind, selectors, covered, words",
    [
        ("basic", [basic("All")], True, "ReadWriteType All"),
        ("basic", [basic("WriteOnly")], True, "ReadWriteType WriteOnly"),
        ("basic", [basic("ReadOnly")], False, "only ReadOnly management events"),
        ("basic", [basic("All", management=False, data=[S3_DATA])], False, "data events only"),
        ("advanced", [advanced(MGMT)], True, "advanced event selector records write"),
        ("advanced", [S3_DATA_ADVANCED], False, "no advanced event selector records management events"),
        ("advanced", [advanced(MGMT, field("readOnly", Equals=["true"]))], False, "exclude write events"),
        ("advanced", [advanced(MGMT, field("userIdentity.arn", Equals=["x"]))], False, "filter on userIdentity.arn"),
    ],
)
def test_explain_signin(kind, selectors, covered, words):
    answer, reason = explain_signin(kind, selectors)
    assert answer is covered
    assert words in reason


# -- merging -------------------------------------------------------------------
@pytest.mark.parametrize(
    "current, mode, expected",
    [
        # Already right: unchanged (order and defaults normalized only).
        ([basic("All")], "All", [basic("All")]),
        ([], "All", [basic("All")]),
        ([basic("ReadOnly"), basic("WriteOnly")], "All", [basic("ReadOnly"), basic("WriteOnly")]),
        # Plain switch.
        ([basic("All")], "WriteOnly", [basic("WriteOnly")]),
        ([], "WriteOnly", [basic("WriteOnly")]),
        ([basic("ReadOnly"), basic("WriteOnly")], "WriteOnly", [basic("WriteOnly")]),
        # Data-only selectors are kept untouched.
        (
            [basic("All", management=False, data=[S3_DATA])],
            "All",
            [basic("All"), basic("All", management=False, data=[S3_DATA])],
        ),
        (
            [basic("All"), basic("WriteOnly", management=False, data=[LAMBDA_DATA])],
            "WriteOnly",
            [basic("WriteOnly"), basic("WriteOnly", management=False, data=[LAMBDA_DATA])],
        ),
        # A selector logging both keeps its data events as a data-only selector.
        (
            [basic("All", data=[S3_DATA])],
            "WriteOnly",
            [basic("WriteOnly"), basic("All", management=False, data=[S3_DATA])],
        ),
        # The first management selector's exclusions are kept.
        ([basic("All", exclude=["kms.amazonaws.com"])], "WriteOnly", [basic("WriteOnly", exclude=["kms.amazonaws.com"])]),
    ],
)
def test_merge_basic(current, mode, expected):
    merged = merge_basic(current, mode)
    assert selectors_equal(("basic", merged), ("basic", expected))
    assert management_mode("basic", merged) == mode


def test_merge_basic_keeps_data_resources_as_written():
    merged = merge_basic([basic("All", data=[S3_DATA])], "WriteOnly")
    data = [s for s in merged if not s["IncludeManagementEvents"]][0]
    assert data["DataResources"] == [S3_DATA]


def test_merge_does_not_modify_its_input():
    current = [basic("All", data=[S3_DATA])]
    merge_basic(current, "WriteOnly")
    assert current == [basic("All", data=[S3_DATA])]


def test_merge_basic_refuses_more_than_five_selectors():
    current = [basic("All", management=False, data=[{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::b%d/" % i]}]) for i in range(5)]
    with pytest.raises(ValueError, match="CloudTrail allows 5"):
        merge_basic(current, "All")


@pytest.mark.parametrize(
    "current, mode, expected",
    [
        ([advanced(MGMT)], "All", [advanced(MGMT, name=None)]),
        ([advanced(MGMT, name="Mgmt")], "WriteOnly", [advanced(MGMT, field("readOnly", Equals=["false"]), name="Mgmt")]),
        ([advanced(MGMT, field("readOnly", Equals=["false"]))], "All", [canonical_management_advanced("All")]),
        ([advanced(MGMT, field("readOnly", Equals=["true"]))], "ReadOnly", [advanced(MGMT, field("readOnly", Equals=["true"]))]),
        # Non-management selectors are kept; the management one is added.
        ([S3_DATA_ADVANCED], "All", [S3_DATA_ADVANCED, canonical_management_advanced("All")]),
        (
            [S3_DATA_ADVANCED, advanced(MGMT, field("readOnly", Equals=["true"]), name="Mgmt")],
            "WriteOnly",
            [S3_DATA_ADVANCED, advanced(MGMT, field("readOnly", Equals=["false"]), name="Mgmt")],
        ),
        # An exclusion that keeps sign-in is kept...
        (
            [advanced(MGMT, field("eventSource", NotEquals=["kms.amazonaws.com"]))],
            "WriteOnly",
            [advanced(MGMT, field("readOnly", Equals=["false"]), field("eventSource", NotEquals=["kms.amazonaws.com"]), name="Management events")],
        ),
        # ...one that drops sign-in is not.
        (
            [advanced(MGMT, field("eventSource", NotEquals=["signin.amazonaws.com"]))],
            "WriteOnly",
            [canonical_management_advanced("WriteOnly")],
        ),
        # Two management selectors become one.
        (
            [advanced(MGMT, field("readOnly", Equals=["true"])), advanced(MGMT, field("eventSource", Equals=["ec2.amazonaws.com"]))],
            "All",
            [canonical_management_advanced("All")],
        ),
    ],
)
def test_merge_advanced(current, mode, expected):
    merged = merge_advanced(current, mode)
    assert selectors_equal(("advanced", merged), ("advanced", expected)), merged
    assert management_mode("advanced", merged) == mode


def test_desired_selectors_keep_the_kind_in_use():
    assert desired_selectors({"AdvancedEventSelectors": [S3_DATA_ADVANCED]}, "All")[0] == "advanced"
    assert desired_selectors({"EventSelectors": [basic()]}, "WriteOnly")[0] == "basic"
    assert desired_selectors({}, "WriteOnly") == ("basic", [basic("WriteOnly")])


# -- comparison ------------------------------------------------------------------
@pytest.mark.parametrize(
    "left, right, equal",
    [
        (("basic", [basic("All"), basic("All", False, [S3_DATA])]), ("basic", [basic("All", False, [S3_DATA]), basic("All")]), True),
        (
            ("basic", [basic("All", False, [{"Type": "AWS::S3::Object", "Values": ["b", "a"]}])]),
            ("basic", [basic("All", False, [{"Type": "AWS::S3::Object", "Values": ["a", "b"]}])]),
            True,
        ),
        (("basic", [{"ReadWriteType": "All"}]), ("basic", [basic("All")]), True),
        (("basic", [basic("All")]), ("basic", [basic("WriteOnly")]), False),
        (("basic", [basic("All")]), ("advanced", [advanced(MGMT)]), False),
        (
            ("advanced", [advanced(field("readOnly", Equals=["false"]), MGMT)]),
            ("advanced", [advanced(MGMT, field("readOnly", Equals=["false"]))]),
            True,
        ),
        (
            ("advanced", [advanced(MGMT, field("eventSource", NotEquals=["b", "a"], Equals=[]))]),
            ("advanced", [advanced(MGMT, field("eventSource", NotEquals=["a", "b"]))]),
            True,
        ),
        (("advanced", [S3_DATA_ADVANCED, advanced(MGMT)]), ("advanced", [advanced(MGMT), S3_DATA_ADVANCED]), True),
        (("advanced", [advanced(MGMT, name="a")]), ("advanced", [advanced(MGMT, name="b")]), False),
    ],
)
def test_selectors_equal(left, right, equal):
    assert selectors_equal(left, right) is equal


def test_put_arguments_name_one_list():
    assert put_arguments("t", "basic", [basic()]) == {"TrailName": "t", "EventSelectors": [basic()]}
    assert put_arguments("t", "advanced", [advanced(MGMT)]) == {"TrailName": "t", "AdvancedEventSelectors": [advanced(MGMT)]}
