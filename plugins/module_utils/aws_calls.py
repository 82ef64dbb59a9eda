# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one retry policy and client factory that every rootwatch.aws module uses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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
