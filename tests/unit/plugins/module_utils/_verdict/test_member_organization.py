# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The member's own organization (organizations:DescribeOrganization), read against stubbed answers shaped like the
Organizations API reference, and what it does to the member's verdict through the hub (issue 21 table row 8)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import hub as hub_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import DeliveryPathReader


MEMBER = "111111111111"
# DescribeOrganization's response, as the API reference's example shows it (its values, another management account).
DESCRIBED = {"Organization": {
    "Id": "o-exampleorgid",
    "Arn": "arn:aws:organizations::111111111111:organization/o-exampleorgid",
    "FeatureSet": "ALL",
    "MasterAccountArn": "arn:aws:organizations::222222222222:account/o-exampleorgid/222222222222",
    "MasterAccountId": "222222222222",
    "MasterAccountEmail": "bill@example.com",
    "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
}}


def read(stubs):
    return DeliveryPathReader(stubs.factory, "us-east-1", check_mode=True, account_id=MEMBER).read_organization()


def test_a_member_of_an_organization(stubs):
    stubs.stub("organizations").add_response("describe_organization", DESCRIBED, {})
    found = read(stubs)
    assert found == {"id": "o-exampleorgid", "error": None}
    assert hub_mode.organization_summary(found) == {"id": "o-exampleorgid", "error": None}


def test_an_account_in_no_organization(stubs):
    stubs.stub("organizations").add_client_error(
        "describe_organization", service_error_code="AWSOrganizationsNotInUseException",
        service_message="Your account is not a member of an organization.", http_status_code=400)
    assert read(stubs) == {"id": None, "error": None}


def test_a_refused_read_is_an_error_never_no_organization(stubs):
    stubs.stub("organizations").add_client_error(
        "describe_organization", service_error_code="AccessDeniedException",
        service_message="You don't have permissions to access this resource.", http_status_code=400)
    found = read(stubs)
    assert found["id"] is None and found["error"] == "organizations:DescribeOrganization: AccessDeniedException"


def test_not_read_is_none():
    assert hub_mode.organization_summary(None) is None
