#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done on the controller by the action plugin of the same name.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: root_alerts_report
short_description: Write the compliance report of a root sign-in alerts run
version_added: 0.1.0
description:
  - Builds the compliance report of every account in O(accounts) from what the role
    C(rootwatch.aws.root_login_alerts) left in each account's variables, and writes it into
    O(dest) as C(report.json) (for machines) and C(report.md) (a table for people).
  - Each account's entry says whether the rule is present, enabled and matching, whether the
    topic-policy statement is present, which subscriptions are confirmed, pending or missing,
    whether a trail covers the region and is logging, and every drift item. Accounts that need
    action come first, failed accounts first of all, with the reason.
  - An account whose run failed (the role's variable C(root_login_alerts_failure) is set) is
    reported as V(failed); one with no result at all as V(not_run).
  - Runs on the controller only, in one step for all accounts, with no module process. The files
    are replaced atomically.
author:
  - rootwatch maintainers (@rootwatch)
options:
  accounts:
    description: Inventory hosts (one per account) to report on, usually C(groups['aws_accounts']).
    type: list
    elements: str
    required: true
  dest:
    description: Directory on the controller that receives C(report.json) and C(report.md). It is created if missing.
    type: path
    required: true
attributes:
  check_mode:
    support: full
    description:
      - The report is the output of a check-mode audit, so it is written in check mode too. It
        says which mode produced it. The task never reports a change.
  diff_mode:
    support: none
    description: The report files are an output of the run, not configuration, so no diff is shown.
  platform:
    support: full
    platforms: all
    description: Runs on the controller, whatever the play's connection.
notes:
  - The report of a check-mode run is a compliance audit. Each account's entry is what the run
    saw before any change it would make.
"""

EXAMPLES = r"""
- name: Write the compliance report of every account of the play
  rootwatch.aws.root_alerts_report:
    accounts: "{{ groups['aws_accounts'] }}"
    dest: "{{ playbook_dir }}/reports"
  register: root_alerts_report

- name: Print the summary
  ansible.builtin.debug:
    msg: "{{ root_alerts_report.summary }}"

- name: Fail when an account failed
  ansible.builtin.fail:
    msg: "{{ root_alerts_report.report.counts.failed }} account(s) failed"
  when: root_alerts_report.report.counts.failed > 0
"""

RETURN = r"""
report:
  description: The report as written to C(report.json).
  returned: always
  type: dict
  contains:
    generated_at:
      description: When the report was built (UTC, ISO 8601).
      type: str
      sample: "2026-11-24T09:00:00Z"
    mode:
      description: V(check) for a check-mode run (an audit), V(apply) otherwise.
      type: str
      sample: check
    counts:
      description: Number of accounts per status (compliant, needs_action, failed, not_run, removed) and in all (accounts).
      type: dict
      sample: {"accounts": 3, "compliant": 2, "needs_action": 1, "failed": 0, "not_run": 0, "removed": 0}
    accounts:
      description: One entry per account, those needing action first.
      type: list
      elements: dict
      sample:
        - account: "111111111111"
          status: needs_action
          rule: {present: true, enabled: true, pattern_matches: true, targets_topic: true}
          topic_policy: {statement_present: true}
          subscriptions: {confirmed: [], pending: ["security@example.com"], missing: []}
          trail: {covered: true, name: root-login-alerts, logging: true, reason: "multi-region, logging"}
          problems: ["no confirmed subscription (pending: security@example.com)"]
          drift: []
summary:
  description: One line with the counts, then one line per account that needs action, failed, was not run or was removed.
  returned: always
  type: list
  elements: str
  sample:
    - "3 accounts: 2 compliant, 1 need action, 0 failed, 0 not run"
    - "111111111111 needs_action: no confirmed subscription (pending: security@example.com)"
json_path:
  description: Path of C(report.json).
  returned: always
  type: str
  sample: /home/ops/reports/report.json
markdown_path:
  description: Path of C(report.md).
  returned: always
  type: str
  sample: /home/ops/reports/report.md
"""
