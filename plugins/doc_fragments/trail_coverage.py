# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: the fragments may change with any release.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # How the trail coverage check (cloudtrail_coverage_info, and cloudtrail_trail's reuse_covering_trail)
    # judges an organization trail that a member account may not read.
    DOCUMENTATION = r"""
options:
  trust_organization_trails:
    description:
      - An organization trail seen from a member account may refuse C(GetTrailStatus) or
        C(GetEventSelectors). With V(true) such a trail is assumed to log management events (the reason says
        so); with V(false) it does not count as covering.
    type: bool
    default: true
"""
