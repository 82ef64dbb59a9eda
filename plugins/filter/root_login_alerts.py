# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side helper of the root_login_alerts role: the sample alert email."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.rootwatch.aws.plugins.module_utils.alert_message import sample_email


def root_login_alerts_sample_email(region):
    """The alert email for a sample root sign-in in ``region``, as the recipients will read it."""
    if region is not None and not isinstance(region, str):
        raise AnsibleFilterError("root_login_alerts_sample_email expects a region name, got %r" % (region,))
    return sample_email(region or "us-east-1")


class FilterModule(object):
    def filters(self):
        return {"root_login_alerts_sample_email": root_login_alerts_sample_email}
