# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side helper of the root_login_alerts role: the sample alert email."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.samples import sample_email
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import GLOBAL_REGION
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import MODULE_ERRORS
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_text
from ansible_collections.rootwatch.aws.plugins.plugin_utils.report import hub_path_proof


def root_login_alerts_sample_email(region):
    """The alert email for a sample root sign-in in ``region``, as the recipients will read it."""
    if region is not None and not isinstance(region, str):
        raise AnsibleFilterError("root_login_alerts_sample_email expects a region name, got %r" % (region,))
    return sample_email(region or GLOBAL_REGION)


def root_login_alerts_hub_path_proof(result, hostvars, hosts):
    """A member's path through the hub, judged from ``result`` (its stack result) and the stack results of
    ``hosts`` (this run's hosts, the hub's among them): ``{"proven": bool, "reason": str}``."""
    if not isinstance(result, dict):
        raise AnsibleFilterError("hub_path_proof expects the stack task's result, got %r" % (type(result).__name__,))
    results = [hostvars[host].get("root_login_alerts_result") for host in hosts or []]
    try:
        return hub_path_proof(result, [r for r in results if isinstance(r, dict)])
    except MODULE_ERRORS as exc:
        raise AnsibleFilterError("hub_path_proof cannot judge these results: %s" % error_text(exc))


class FilterModule(object):
    def filters(self):
        return {"root_login_alerts_sample_email": root_login_alerts_sample_email,
                "hub_path_proof": root_login_alerts_hub_path_proof}
