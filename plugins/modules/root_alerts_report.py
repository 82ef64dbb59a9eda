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
  - Each account's entry carries its host name and account ID, its status from the delivery-path
    verdict (V(compliant), V(needs_action), V(unknown)), every delivery path found (rule, topic,
    recipients, ours or not ours, each link with its reason), the problems and the drift (what the
    run changed, or would change). Accounts that need attention come first, failed ones first of
    all, with the reason.
  - Each judged entry also has C(profiles), every enabled alert profile by name (console_sign_in from
    the delivery-path verdict, the others as their host judged them), each with C(status), C(problems)
    and C(regions) (per Region, C(status) and C(problems)). The account's C(status) is the worst of the
    sign-in path and every enabled profile. C(report.md) shows them in its Profiles column, with the
    Regions that are not compliant.
  - An account whose run failed (the role's variable C(root_login_alerts_failure) is set) is
    reported as V(failed); one with no result at all as V(not_run). Two hosts that reached the same
    account are both V(failed), because each account must be one inventory host.
  - With O(phase=start) it only gives the run an identity (RV(run)) and marks the report already in
    O(dest), if any, as possibly out of date, so a run killed before its report never leaves an
    older report that reads as current. The report of O(phase=finish) carries that identity; when
    another run wrote its report while this one worked, that report is kept beside as
    C(report-<run id>.json) and named in the summary, never overwritten unnoticed.
  - Runs on the controller only, in one step for all accounts, with no module process. The files
    are replaced atomically.
  - The files hold recipient addresses and each account's root posture, so they are written
    with O(mode) (V('0600') by default), whatever the umask, and a directory the action creates
    is V('0700') by default.
  - Nothing is read, written or moved through a symbolic link. A link in place of O(dest),
    C(report.json), C(report.md), a kept C(report-<run id>) file or a temporary file fails the
    task, naming the path, before anything is written. A run id read from C(report.json) becomes
    part of a file name only when it has the form O(phase=start) gives (12 lowercase hex digits);
    a report with any other id is treated as a report without a run, and replaced.
author:
  - rootwatch maintainers (@rootwatch)
options:
  phase:
    description: V(start) at the beginning of a run, V(finish) (the default) to write the report.
    type: str
    choices: [start, finish]
    default: finish
  accounts:
    description:
      - Inventory hosts (one per account) to report on, usually C(ansible_play_hosts_all), so a
        run under C(--limit) reports the accounts it ran. Required with O(phase=finish).
    type: list
    elements: str
  run:
    description:
      - The RV(run) that O(phase=start) returned; without it the report gets a new identity.
      - Its C(id) must be 12 lowercase hex digits and its C(started_at) a string, or the task fails
        before anything is written.
    type: dict
  dest:
    description:
      - Directory on the controller that receives C(report.json) and C(report.md).
      - It is created if missing, with any missing parent, with the directory mode that O(mode) gives.
      - An existing directory keeps its mode; the action never changes it. Check it yourself, for
        example that it is not readable by others, when it was made before.
      - It must not be a symbolic link (give its target).
    type: path
    required: true
  mode:
    description:
      - Permissions of the report files, as an octal string such as V('0640'), or a number. The
        playbook C(playbooks/root_alerts.yml) passes the variable C(root_alerts_report_mode).
      - Quote it in YAML. An unquoted C(0640) is the number 416, read as 0640 when it arrives as a
        number, but templating may turn it into the string V('416'), which is refused.
      - The owner must keep read and write, since each run reads and replaces its report.
        Execute bits are refused. Symbolic modes (C(u=rw)) are not accepted.
      - A directory the action creates gets this mode with C(x) added wherever C(r) is set
        (V('0600') gives 0700, V('0640') gives 0750). The files are set exactly to this mode,
        whatever the umask.
      - A bad value fails the task, naming C(root_alerts_report_mode), before anything is written.
    type: raw
    default: '0600'
extends_documentation_fragment:
  - rootwatch.aws.attributes
attributes:
  check_mode:
    description:
      - The report is the output of a check-mode audit, so it is written in check mode too. It
        says which mode produced it. The task never reports a change.
  diff_mode:
    support: none
    description: The report files are an output of the run, not configuration, so no diff is shown.
  platform:
    support: full
    description: Runs on the controller, whatever the play's connection.
notes:
  - The report of a check-mode run is a compliance audit. Each account's entry is what the run
    saw before any change it would make.
"""

EXAMPLES = r"""
- name: Mark the start of the run
  rootwatch.aws.root_alerts_report:
    phase: start
    dest: "{{ playbook_dir }}/reports"
  run_once: true
  register: root_alerts_run

- name: Let the owner's group read the report (the files 0640, a new directory 0750)
  rootwatch.aws.root_alerts_report:
    phase: start
    dest: /var/lib/rootwatch/reports
    mode: "0640"
  run_once: true

- name: Write the compliance report of every account of the play
  rootwatch.aws.root_alerts_report:
    accounts: "{{ ansible_play_hosts_all }}"
    dest: "{{ playbook_dir }}/reports"
    run: "{{ root_alerts_run.run }}"
  run_once: true
  register: root_alerts_report

- name: Print the summary
  ansible.builtin.debug:
    msg: "{{ root_alerts_report.summary }}"

- name: Fail each account that failed, so the recap counts it
  ansible.builtin.fail:
    msg: "Account {{ inventory_hostname }} failed; see the summary"
  when: inventory_hostname in root_alerts_report.failed_hosts
"""

RETURN = r"""
report:
  description: The report as written to C(report.json).
  returned: with O(phase=finish)
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
    run:
      description: The run's identity and time, its host count and C(--limit).
      type: dict
      sample: {"id": "3f2a9c1b7d4e", "started_at": "2026-11-24T08:58:02Z", "finished_at": "2026-11-24T09:00:00Z",
               "hosts": 3, "limit": null}
    counts:
      description: Number of accounts per status (compliant, needs_action, unknown, failed, not_run, removed) and in all (accounts).
      type: dict
      sample: {"accounts": 3, "compliant": 2, "needs_action": 1, "unknown": 0, "failed": 0, "not_run": 0, "removed": 0}
    accounts:
      description: One entry per account, those needing attention first.
      type: list
      elements: dict
      sample:
        - account: "111111111111"
          host: "111111111111"
          status: needs_action
          paths:
            - {rule: root-login-alerts, topic: "arn:aws:sns:us-east-1:111111111111:root-login-alerts", ours: true,
               complete: false, recipients: [], pending: ["security@example.com"]}
          problems: ["rule root-login-alerts -> arn:aws:sns:us-east-1:111111111111:root-login-alerts: topic
                      root-login-alerts has no confirmed subscription (pending: security@example.com)"]
          profiles:
            console_sign_in: {status: needs_action, problems: ["rule root-login-alerts -> ..."],
                              regions: {us-east-1: {status: needs_action, problems: ["rule root-login-alerts -> ..."]}}}
          drift: []
summary:
  description: One line with the counts, then one line per account that needs action, failed, was not run or was removed.
  returned: with O(phase=finish)
  type: list
  elements: str
  sample:
    - "3 accounts: 2 compliant, 1 need action, 0 unknown, 0 failed, 0 not run"
    - "111111111111 needs_action: rule root-login-alerts -> ...: topic root-login-alerts has no confirmed subscription"
failed_hosts:
  description: Hosts whose account failed (including two hosts in one account), for the playbook to fail them.
  returned: with O(phase=finish)
  type: list
  elements: str
  sample: ["222222222222"]
shared_account_hosts:
  description: Hosts that reached the same account as another host (each account must be one host).
  returned: with O(phase=finish)
  type: list
  elements: str
  sample: ["prod", "prod-admin"]
run:
  description: The run's identity (C(id), C(started_at)); pass it to the O(phase=finish) task.
  returned: always
  type: dict
  sample: {"id": "3f2a9c1b7d4e", "started_at": "2026-11-24T08:58:02Z"}
json_path:
  description: Path of C(report.json).
  returned: with O(phase=finish)
  type: str
  sample: /home/ops/reports/report.json
markdown_path:
  description: Path of C(report.md).
  returned: with O(phase=finish)
  type: str
  sample: /home/ops/reports/report.md
file_mode:
  description: The mode the report files were written with (O(mode)), as four octal digits.
  returned: always
  type: str
  sample: "0600"
"""
