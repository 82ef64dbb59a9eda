# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A verdict with the checks of the IAM roles its paths need (``iam_role.RoleVerifier`` results). Pure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import COMPLIANT
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import NEEDS_ACTION
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import UNKNOWN


def with_role_checks(verdict, checks):
    """The verdict with each role check that did not pass (a ``RoleVerifier`` result): ``needs_action``
    and a problem for a role that is missing or lacks a permission, ``unknown`` (never compliant) for one that
    cannot be judged."""
    verdict = dict(verdict, problems=list(verdict.get("problems") or []), unknown=list(verdict.get("unknown") or []))
    for check in checks:
        if check["usable"] is False:
            verdict["problems"].extend(p for p in check["problems"] if p not in verdict["problems"])
            verdict["status"] = NEEDS_ACTION
        elif check["usable"] is None:
            verdict["unknown"].extend(p for p in check["problems"] if p not in verdict["unknown"])
            if verdict["status"] == COMPLIANT:
                verdict["status"] = UNKNOWN
    return verdict
