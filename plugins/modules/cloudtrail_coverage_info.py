#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloudtrail_coverage_info
short_description: Tell whether an existing CloudTrail trail delivers a Region's console sign-in events
version_added: 0.1.0
description:
  - Answers whether a trail already records this account's write management events in the Region, which
    EventBridge needs to receive C(AWS Console Sign In via CloudTrail) events, and names the trail and the
    reason, or gives for every trail the reason it does not cover.
  - Considers trails whose home is the Region, multi-Region trails (shadow trails included) and organization
    trails visible from a member account.
  - A trail covers when it records the Region (multi-Region, or home Region), belongs to the account or is an
    organization trail, includes global service events (console sign-in is a global service), is logging, and
    has event selectors that keep write management events from C(signin.amazonaws.com) (basic selector with
    ReadWriteType V(All) or V(WriteOnly) and management events included; advanced selector on
    C(eventCategory=Management) without a filter that drops them, such as C(readOnly=true)).
  - Calls C(cloudtrail:DescribeTrails), then C(cloudtrail:GetTrailStatus) and C(cloudtrail:GetEventSelectors)
    for each trail that can cover by its description (the latter only when it is logging).
  - The same decision is made by M(rootwatch.aws.cloudtrail_trail) with O(rootwatch.aws.cloudtrail_trail#module:reuse_covering_trail=true).
author:
  - rootwatch maintainers (@rootwatch)
options:
  account_id:
    description:
      - The account whose coverage is asked about. Trails of another account that are not organization trails
        are then refused. When omitted, every visible trail is taken as the account's own or an organization
        trail (which is what C(DescribeTrails) returns).
    type: str
  stop_at_first:
    description:
      - Stop reading at the first covering trail; later trails are listed with C(covers=null).
    type: bool
    default: false
extends_documentation_fragment:
  - rootwatch.aws.attributes.info_module
  - rootwatch.aws.trail_coverage
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
"""

EXAMPLES = r"""
- name: Is us-east-1 covered?
  rootwatch.aws.cloudtrail_coverage_info:
    region: us-east-1
  register: coverage

- name: Explain
  ansible.builtin.debug:
    msg: "{{ coverage.covering_trail.reason if coverage.covered else coverage.trails | map(attribute='reason') | list }}"
"""

RETURN = r"""
region:
  description: The Region asked about.
  returned: always
  type: str
  sample: us-east-1
covered:
  description: Whether a trail delivers the Region's write management events.
  returned: always
  type: bool
covering_trail:
  description: The first covering trail (organization trails first, then multi-Region trails), null when none.
  returned: always
  type: dict
  contains:
    name:
      description: Trail name.
      type: str
    arn:
      description: Trail ARN.
      type: str
    home_region:
      description: Home Region of the trail.
      type: str
    s3_bucket_name:
      description: Log bucket of the trail.
      type: str
    is_multi_region_trail:
      description: Whether the trail records all Regions.
      type: bool
    is_organization_trail:
      description: Whether it is an organization trail.
      type: bool
    include_global_service_events:
      description: Whether it records global service events.
      type: bool
    is_logging:
      description: Logging status, null when not read or not readable.
      type: bool
    management_events:
      description: Management events recorded (V(All), V(WriteOnly), V(ReadOnly)), null when none or unknown.
      type: str
    covers:
      description: Whether the trail covers the Region; null when not evaluated.
      type: bool
    reason:
      description: Why it covers, or why not.
      type: str
      sample: multi-Region trail (home us-east-1); logging is turned off
trails:
  description:
    - Every visible trail, in the order examined, with the same fields as RV(covering_trail). C(covers) is
      null for a trail not evaluated (O(stop_at_first=true) and a covering trail came first).
  returned: always
  type: list
  elements: dict
"""
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_coverage import TrailCoverageChecker
from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import AwsClients
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_account_id
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_region
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import failing_cleanly


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            account_id=dict(type="str"),
            trust_organization_trails=dict(type="bool", default=True),
            stop_at_first=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    with failing_cleanly(module):
        validate_region(module.region)
        if module.params["account_id"] is not None:
            validate_account_id(module.params["account_id"], "account_id")
        checker = TrailCoverageChecker(
            AwsClients(module),
            module.region,
            account_id=module.params["account_id"],
            trust_organization_trails=module.params["trust_organization_trails"],
        )
        answer = checker.evaluate(stop_at_first=module.params["stop_at_first"])
    module.exit_json(changed=False, region=module.region, **answer)


if __name__ == "__main__":
    main()
