# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side helpers of the root_login_alerts role: checks, sample email, report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible.errors import AnsibleFilterError

from ansible_collections.rootwatch.aws.plugins.module_utils import compliance
from ansible_collections.rootwatch.aws.plugins.module_utils.root_login_alerts_stack import sample_email
from ansible_collections.rootwatch.aws.plugins.module_utils.root_login_alerts_stack import validate_settings

ROLE_PREFIX = "root_login_alerts_"


def root_login_alerts_problems(settings):
    """[] when the role's variables are valid, else one message naming the variable."""
    if not isinstance(settings, dict):
        raise AnsibleFilterError("root_login_alerts_problems expects the role's settings as a dict")
    try:
        validate_settings(dict(settings), prefix=ROLE_PREFIX)
    except ValueError as exc:
        return [str(exc)]
    return []


def root_login_alerts_sample_email(settings):
    """The alert email for a sample root sign-in, as the recipients will read it."""
    region = (settings or {}).get("region") or "us-east-1"
    return sample_email(region)


def root_alerts_report(hosts, hostvars, check_mode=False):
    """The compliance report of every account in ``hosts`` from the role's results."""
    entries = []
    for host in hosts:
        facts = hostvars.get(host) or {}
        result = facts.get("root_login_alerts_result") or {}
        account = result.get("account_id") or str(host)
        if facts.get("root_login_alerts_failure"):
            entries.append(compliance.failed_entry(account, str(facts["root_login_alerts_failure"])))
        elif result.get("compliance"):
            entries.append(dict(result["compliance"], account=account))
        elif result.get("changes") is not None:
            # state=absent: nothing to judge, but say what was removed.
            entries.append({"account": account, "status": compliance.REMOVED, "problems": [], "drift": result["changes"]})
        else:
            entries.append(compliance.not_run_entry(account))
    generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return compliance.build_report(entries, bool(check_mode), generated)


class FilterModule(object):
    def filters(self):
        return {
            "root_login_alerts_problems": root_login_alerts_problems,
            "root_login_alerts_sample_email": root_login_alerts_sample_email,
            "root_alerts_report": root_alerts_report,
        }
