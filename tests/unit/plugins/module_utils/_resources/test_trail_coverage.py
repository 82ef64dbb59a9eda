# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Coverage decisions: which existing trail delivers a Region's console sign-in events."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_coverage import TrailCoverageChecker
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_coverage import candidate_order
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_coverage import trail_covers
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_coverage import trail_home_region

from cloudtrail_fakes import ACCOUNT  # pylint: disable=import-error
from cloudtrail_fakes import MANAGEMENT_ACCOUNT  # pylint: disable=import-error
from cloudtrail_fakes import REGION  # pylint: disable=import-error
from cloudtrail_fakes import FakeCloudTrail  # pylint: disable=import-error
from cloudtrail_fakes import trail  # pylint: disable=import-error

ALL = {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]}
WRITE = {"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]}
READ = {"EventSelectors": [{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}]}
DATA_ONLY = {
    "EventSelectors": [
        {"ReadWriteType": "All", "IncludeManagementEvents": False, "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}
    ]
}
EMPTY = {"EventSelectors": [], "AdvancedEventSelectors": []}
ADV_ALL = {"AdvancedEventSelectors": [{"Name": "m", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]}
ADV_WRITE = {
    "AdvancedEventSelectors": [
        {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["false"]}]}
    ]
}
ADV_READ = {
    "AdvancedEventSelectors": [
        {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["true"]}]}
    ]
}
ADV_DATA = {
    "AdvancedEventSelectors": [
        {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}
    ]
}
LOGGING = {"IsLogging": True}
STOPPED = {"IsLogging": False}


@pytest.mark.parametrize(
    "shape, status, selectors, account, trust, covers, words",
    [
        # Region scope.
        (trail("here", multi=False), LOGGING, ALL, ACCOUNT, True, True, "trail in us-east-1, logging"),
        (trail("elsewhere", home="eu-west-1", multi=False), LOGGING, ALL, ACCOUNT, True, False, "single-Region trail in eu-west-1"),
        (trail("multi", home="eu-west-1"), LOGGING, ALL, ACCOUNT, True, True, "multi-Region trail (home eu-west-1)"),
        # Logging.
        (trail("off"), STOPPED, ALL, ACCOUNT, True, False, "logging is turned off"),
        (trail("unknown-status"), None, ALL, ACCOUNT, True, False, "logging status could not be read"),
        # Global service events (sign-in is one).
        (trail("noglobal", multi=False, global_events=False), LOGGING, ALL, ACCOUNT, True, False, "global service"),
        # Basic selectors.
        (trail("write"), LOGGING, WRITE, ACCOUNT, True, True, "ReadWriteType WriteOnly"),
        (trail("read"), LOGGING, READ, ACCOUNT, True, False, "only ReadOnly management events"),
        (trail("data"), LOGGING, DATA_ONLY, ACCOUNT, True, False, "data events only"),
        (trail("default"), LOGGING, EMPTY, ACCOUNT, True, True, "ReadWriteType All"),
        (trail("unknown-selectors"), LOGGING, None, ACCOUNT, True, False, "event selectors could not be read"),
        # Advanced selectors.
        (trail("adv"), LOGGING, ADV_ALL, ACCOUNT, True, True, "advanced event selector records write"),
        (trail("adv-write"), LOGGING, ADV_WRITE, ACCOUNT, True, True, "advanced"),
        (trail("adv-read"), LOGGING, ADV_READ, ACCOUNT, True, False, "exclude write events"),
        (trail("adv-data"), LOGGING, ADV_DATA, ACCOUNT, True, False, "no advanced event selector records management"),
        # Organization trails seen from a member account.
        (trail("org", owner=MANAGEMENT_ACCOUNT, org=True), LOGGING, ALL, ACCOUNT, True, True, "organization trail"),
        (trail("org-read", owner=MANAGEMENT_ACCOUNT, org=True), LOGGING, READ, ACCOUNT, True, False, "ReadOnly"),
        (trail("org-off", owner=MANAGEMENT_ACCOUNT, org=True), STOPPED, ALL, ACCOUNT, True, False, "logging is turned off"),
        (trail("org-hidden", owner=MANAGEMENT_ACCOUNT, org=True), None, None, ACCOUNT, True, True, "assumed: its logging status and event selectors"),
        (trail("org-hidden-sel", owner=MANAGEMENT_ACCOUNT, org=True), LOGGING, None, ACCOUNT, True, True, "assumed: its event selectors"),
        (trail("org-hidden", owner=MANAGEMENT_ACCOUNT, org=True), None, None, ACCOUNT, False, False, "could not be read"),
        (trail("org-single", owner=MANAGEMENT_ACCOUNT, org=True, multi=False, home="eu-west-1"), None, None, ACCOUNT, True, False, "single-Region"),
        # Another account's trail that is not an organization trail.
        (trail("foreign", owner=MANAGEMENT_ACCOUNT), LOGGING, ALL, ACCOUNT, True, False, "not an organization trail"),
        (trail("foreign", owner=MANAGEMENT_ACCOUNT), LOGGING, ALL, None, True, True, "logging"),
    ],
)
def test_trail_covers(shape, status, selectors, account, trust, covers, words):
    answer, reason = trail_covers(shape, status, selectors, REGION, account, trust_organization_trails=trust)
    assert answer is covers, reason
    assert words in reason


def test_home_region_from_the_arn_when_missing():
    shape = trail("t", home="eu-west-2")
    del shape["HomeRegion"]
    assert trail_home_region(shape) == "eu-west-2"


def test_candidates_organization_then_multi_region_first():
    shapes = [trail("b", multi=False), trail("a"), trail("z", owner=MANAGEMENT_ACCOUNT, org=True)]
    assert [t["Name"] for t in sorted(shapes, key=candidate_order)] == ["z", "a", "b"]


# -- the checker: reads only what it must -----------------------------------------
def test_checker_reads_only_eligible_trails_and_stops_at_the_first_cover():
    fake = FakeCloudTrail(
        trails=[
            trail("elsewhere", home="eu-west-1", multi=False),
            trail("stopped"),
            trail("org", owner=MANAGEMENT_ACCOUNT, org=True),
            trail("later", multi=False),
        ],
        status={"stopped": STOPPED, "org": LOGGING, "later": LOGGING},
        selectors={"org": ALL, "later": ALL},
    )
    answer = TrailCoverageChecker(fake.clients, REGION, account_id=ACCOUNT).evaluate(stop_at_first=True)
    assert answer["covered"] is True
    assert answer["covering_trail"]["name"] == "org"
    assert answer["covering_trail"]["management_events"] == "All"
    # The organization trail is examined first, and nothing after it is read.
    assert fake.calls == [("describe_trails", None), ("get_trail_status", "org"), ("get_event_selectors", "org")]
    assert [(t["name"], t["covers"]) for t in answer["trails"]] == [
        ("org", True),
        ("stopped", None),
        ("elsewhere", None),
        ("later", None),
    ]


def test_checker_reports_every_reason_when_nothing_covers():
    fake = FakeCloudTrail(
        trails=[trail("elsewhere", home="eu-west-1", multi=False), trail("stopped"), trail("reader")],
        status={"stopped": STOPPED, "reader": LOGGING},
        selectors={"reader": READ},
    )
    answer = TrailCoverageChecker(fake.clients, REGION, account_id=ACCOUNT).evaluate(stop_at_first=False)
    assert answer == {
        "covered": False,
        "covering_trail": None,
        "trails": answer["trails"],
    }
    reasons = {t["name"]: t["reason"] for t in answer["trails"]}
    assert "single-Region trail in eu-west-1" in reasons["elsewhere"]
    assert "logging is turned off" in reasons["stopped"]
    assert "only ReadOnly" in reasons["reader"]
    # A stopped trail's selectors are not read; a trail of another Region is not read at all.
    assert ("get_event_selectors", "stopped") not in fake.calls
    assert not [call for call in fake.calls if call[1] == "elsewhere"]


def test_checker_trusts_an_unreadable_organization_trail_from_a_member_account():
    # Real AWS: a member account may get CloudTrailARNInvalidException for the management account's trail.
    fake = FakeCloudTrail(trails=[trail("org", owner=MANAGEMENT_ACCOUNT, org=True)], status={}, selectors={})
    answer = TrailCoverageChecker(fake.clients, REGION, account_id=ACCOUNT).evaluate()
    assert answer["covered"] is True
    assert "assumed" in answer["covering_trail"]["reason"]
    assert answer["covering_trail"]["is_logging"] is None
    strict = TrailCoverageChecker(fake.clients, REGION, account_id=ACCOUNT, trust_organization_trails=False).evaluate()
    assert strict["covered"] is False


def test_checker_reads_a_shadow_trail_in_its_home_region():
    fake = FakeCloudTrail(trails=[trail("multi", home="eu-west-1")], status={"multi": LOGGING}, selectors={"multi": WRITE})
    answer = TrailCoverageChecker(fake.clients, REGION, account_id=ACCOUNT).evaluate()
    assert answer["covered"] is True
    assert fake.regions == [REGION, "eu-west-1", "eu-west-1"]
