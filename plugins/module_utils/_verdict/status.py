# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The statuses a verdict or a report entry can have, and which needs attention first."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

COMPLIANT = "compliant"
NEEDS_ACTION = "needs_action"
UNKNOWN = "unknown"
FAILED = "failed"
NOT_RUN = "not_run"
REMOVED = "removed"
# Accounts needing attention come first in the report.
STATUS_ORDER = {FAILED: 0, UNKNOWN: 1, NOT_RUN: 2, NEEDS_ACTION: 3, COMPLIANT: 4, REMOVED: 5}


def worst(statuses):
    """The status that needs attention first (``STATUS_ORDER``); compliant when there is none."""
    return min(list(statuses) or [COMPLIANT], key=lambda status: STATUS_ORDER.get(status, -1))
