# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every resource manager shares: one constructor and one return contract.

Every manager (trail, topic, topic policy, subscriptions, rule) is built as
``Manager(clients, region, check_mode=False, warn=None, account_id=None)``:

- ``clients(service, region=None)`` gives retrying boto3 clients in the
  account's credentials (``aws_calls.AwsClients``, or a test double);
- ``warn(message)`` receives warnings as text;
- ``account_id`` saves the sts:GetCallerIdentity call when the caller knows it.

``ensure(params, known=None)`` applies one resource's module options.
``known`` holds what a caller has already read from AWS in this run (see
``delivery_reader``), so a manager does not read it again. It returns
:func:`manager_result`: ``changed``, ``diff`` (``before``/``after``),
``changes`` (one line per change made, or that check mode would make) and
``facts`` (what the manager read), plus keys of its own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.rootwatch.aws.plugins.module_utils.arns import caller_account_id


class ResourceManager:
    """The constructor every manager shares (see the module docstring)."""

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        self.clients = clients
        self.region = region
        self.check_mode = check_mode
        self.warn = warn or (lambda message: None)
        self._account_id = account_id

    @property
    def account_id(self):
        """The account of the credentials; one sts:GetCallerIdentity when not given."""
        if self._account_id is None:
            self._account_id = caller_account_id(self.clients("sts", self.region))
        return self._account_id

    @account_id.setter
    def account_id(self, value):
        self._account_id = value

    @property
    def known_account_id(self):
        """The account ID if already known, else None (no call)."""
        return self._account_id

    def client(self, service, region=None):
        return self.clients(service, region or self.region)


def manager_result(changed, diff, changes, facts, **extra):
    """The return contract of ``ensure``: changed, diff, changes, facts, and extra keys."""
    result = dict(extra)
    result.update(
        changed=bool(changed),
        diff={"before": (diff or {}).get("before") or {}, "after": (diff or {}).get("after") or {}},
        changes=list(changes),
        facts=facts,
    )
    return result
