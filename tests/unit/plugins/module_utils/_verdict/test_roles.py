# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A verdict with the checks of the roles it needs: never compliant with a role that is missing or cannot be judged."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.roles import with_role_checks


class TestWithRoleChecks:
    VERDICT = {"status": "compliant", "paths": [], "problems": [], "unknown": []}

    def test_a_missing_role_needs_action(self):
        check = {"usable": False, "problems": ["IAM role r (v) does not exist"]}
        verdict = with_role_checks(self.VERDICT, [check])
        assert verdict["status"] == "needs_action" and verdict["problems"] == ["IAM role r (v) does not exist"]
        assert self.VERDICT["problems"] == []  # not changed in place

    def test_an_undecidable_role_is_never_compliant(self):
        verdict = with_role_checks(self.VERDICT, [{"usable": None, "problems": ["boundary"]}])
        assert verdict["status"] == "unknown" and verdict["unknown"] == ["boundary"]

    def test_a_usable_role_changes_nothing(self):
        assert with_role_checks(self.VERDICT, [{"usable": True, "problems": []}]) == self.VERDICT

    def test_needs_action_stays_needs_action(self):
        verdict = with_role_checks(dict(self.VERDICT, status="needs_action"), [{"usable": None, "problems": ["x"]}])
        assert verdict["status"] == "needs_action"
