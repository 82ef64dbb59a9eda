# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stubbed boto3 clients for the manager unit tests (botocore Stubber).

Clients are wrapped like ``aws_calls.AwsClients`` makes them, one per service and
Region; a Stubber fails on any call not queued, which also proves the call counts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import boto3
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import retry_decorator

REGION = "us-east-1"
ACCOUNT = "123456789012"


class Stubs:
    """``factory(service, region=None)`` is the clients factory every manager is built with."""

    def __init__(self):
        self.stubbers = {}
        self.clients = {}
        self.warnings = []

    def factory(self, service, region=None, attempts=None):  # pylint: disable=unused-argument
        """``attempts`` as in AwsClients; a Stubber answers once either way."""
        key = (service, region or REGION)
        if key not in self.clients:
            raw = boto3.client(service, region_name=key[1], aws_access_key_id="k", aws_secret_access_key="s")
            self.stubbers[key] = Stubber(raw)
            self.stubbers[key].activate()
            self.clients[key] = RetryingBotoClientWrapper(raw, retry_decorator())
        return self.clients[key]

    def client(self, service, region=None):
        return self.factory(service, region)

    def stub(self, service, region=None):
        self.factory(service, region)
        return self.stubbers[(service, region or REGION)]

    def warn(self, message):
        self.warnings.append(message)

    def assert_done(self):
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


def manager(cls, stubs, check_mode=False, account=ACCOUNT):
    """A resource manager built as the stack builds one, on the stubbed clients; its warnings land in ``stubs.warnings``."""
    return cls(stubs.factory, REGION, check_mode=check_mode, warn=stubs.warn, account_id=account)


def client_error(stubber, method, code, status=400, expected=None):
    """Queue an AWS error answer to ``method``, with ``code`` as both its error code and its message."""
    stubber.add_client_error(method, service_error_code=code, service_message=code, http_status_code=status,
                             expected_params=expected)
