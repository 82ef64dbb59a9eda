# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one retry policy and client factory that every rootwatch.aws module uses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.warnings import warn as core_warn

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# Throttling and transient faults are retried by AWSRetry itself; these are the
# eventual-consistency codes seen right after a resource is created.
EXTRA_RETRY_CODES = ["ResourceNotFoundException", "ConcurrentModificationException"]


def retry_decorator():
    """Jittered exponential backoff on throttling and transient faults."""
    return AWSRetry.jittered_backoff(retries=8, delay=1, max_delay=20)


def aws_client(module, service, region=None):
    """A boto3 client whose calls retry when made with ``aws_retry=True``."""
    extra = {"region": region} if region else {}
    return module.client(service, retry_decorator=retry_decorator(), **extra)


def client_cache(module, credentials=None):
    """``clients(service, region=None)``: retrying clients, made once per service and region.

    ``credentials`` (an sts:AssumeRole ``Credentials`` dict) replaces the module's
    own credentials; region, endpoint and the rest still come from the module.
    """
    cache = {}
    extra = {}
    if credentials:
        extra = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }

    def clients(service, region=None):
        key = (service, region or module.region)
        if key not in cache:
            cache[key] = module.client(service, retry_decorator=retry_decorator(), region=key[1], **extra)
        return cache[key]

    return clients


def module_warn(message):
    """The ``warn`` callable the modules give their managers.

    Not ``AnsibleAWSModule.warn``: amazon.aws 10.1 copies its warnings into the
    result's ``warnings`` key, which ansible-core 2.19 flags as deprecated in
    every result. ansible-core's own ``warn`` reports them without that noise.
    """
    core_warn(message)
