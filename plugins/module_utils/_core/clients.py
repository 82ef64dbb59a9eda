# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one retry policy, client factory and warning channel that every rootwatch.aws module uses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.common.warnings import warn as core_warn

from ansible_collections.amazon.aws.plugins.module_utils.botocore import HAS_BOTO3
from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.rootwatch.aws.plugins.module_utils._core.botocore_data import boto3_session
from ansible_collections.rootwatch.aws.plugins.module_utils._core.botocore_data import botocore_session
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call

if HAS_BOTO3:
    import botocore
    import botocore.config
    import botocore.session

USER_AGENT_EXTRA = "rootwatch.aws"

# Error codes that mean "try again", beyond AWSRetry's own list (RequestLimitExceeded,
# Unavailable, ServiceUnavailable, InternalFailure, InternalError, TooManyRequestsException,
# Throttling). The SDKs' standard retry mode classifies these (the AWS SDKs and Tools
# reference guide, "Retry behavior":
# https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html; the list is in
# Boto3's guide, https://docs.aws.amazon.com/boto3/latest/guide/retries.html): throttling codes,
# the transient codes, and any HTTP 500, 502, 503 or 504 (AWSRetry matches codes only, and
# botocore names a 5xx without a parsable body after its status, as for S3 HEAD requests).
# Service-specific ones are from each service's API reference (botocore's models agree).
RETRY_ERROR_CODES = (
    # Throttling.
    "ThrottlingException",  # EventBridge, CloudTrail, KMS, CloudWatch Logs; AWS common errors
    "ThrottledException",
    "Throttled",  # SNS ThrottledException, HTTP 429
    "KMSThrottling",  # SNS, when KMS throttles it for an encrypted topic
    "RequestThrottled",
    "RequestThrottledException",
    "ProvisionedThroughputExceededException",
    "BandwidthLimitExceeded",
    "SlowDown",  # S3, HTTP 503 ("Amazon S3 error best practices")
    "429",
    # Transient faults.
    "RequestTimeout",  # S3: the socket was not read from or written to in time
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    "InternalException",  # EventBridge, HTTP 500
    "InternalServerException",  # CloudWatch Logs
    "InternalServiceError",  # CloudWatch
    "KMSInternalException",
    "DependencyTimeoutException",  # KMS: "You can retry the request"
    "ServiceFailure",  # IAM, HTTP 500
    "ServiceException",  # Organizations, HTTP 500
    "ServiceUnavailableException",  # CloudWatch Logs
    "500",
    "502",
    "503",
    "504",
)
# Not retried although the SDKs' standard mode lists it: LimitExceededException, which
# EventBridge, KMS and IAM answer for a service quota (too many rules, keys...), not a rate.

# botocore's own attempts per call, the first included (``retries={"mode": "standard",
# "total_max_attempts": N}`` in the client Config). Only botocore retries connection errors
# (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError): AWSRetry catches
# ClientError alone, so a call fails when botocore's last attempt loses its connection.
# Standard mode makes 3 attempts by default ("Retry behavior", above): at a 20 % fault rate
# with 2 % dropped connections that is about 1 call in 1,000, one failed account in a few runs
# of ten accounts. With 6 attempts it is 0.2**5 * 0.02, about 1 call in 150,000. Throttling and
# 5xx answers are retried by both layers: AWSRetry starts a new round when botocore gives up.
SDK_MAX_ATTEMPTS = 6


def retry_decorator(extra_codes=()):
    """Jittered exponential backoff on throttling and transient faults.

    The one retry policy. ``extra_codes`` adds codes that mean "not yet" for one
    call only, such as S3's ``NoSuchBucket`` right after CreateBucket.
    """
    return AWSRetry.jittered_backoff(
        retries=8, delay=1, max_delay=20, catch_extra_error_codes=list(RETRY_ERROR_CODES) + list(extra_codes)
    )


def sdk_retry_config(session=None):
    """botocore Config: standard retry mode with SDK_MAX_ATTEMPTS attempts.

    Whatever the environment or the profile sets (AWS_RETRY_MODE, AWS_MAX_ATTEMPTS,
    retry_mode, max_attempts) wins, and so does a Config from the module's
    parameters (merged after this one).
    """
    session = session or botocore.session.Session()
    try:
        attempts = session.get_config_variable("max_attempts")
        mode = os.environ.get("AWS_RETRY_MODE") or session.get_scoped_config().get("retry_mode")
    except botocore.exceptions.ProfileNotFound:
        attempts = mode = None  # client creation reports it
    retries = {}
    if attempts is None:
        retries["total_max_attempts"] = SDK_MAX_ATTEMPTS
    if not mode:
        retries["mode"] = "standard"
    return botocore.config.Config(retries=retries) if retries else botocore.config.Config()


class AwsClients:
    """``clients(service, region=None)``: retrying clients, made once per service and region.

    Region, endpoint (``AWS_ENDPOINT_URL`` included), credentials, profile and
    botocore config come from amazon.aws's ``get_aws_connection_info``. Unlike
    ``module.client``, every client shares one boto3 session, so the SDK's
    endpoint and service data are parsed once per process, not once per client:
    that halves the time of a module that needs five services.
    """

    def __init__(self, module):
        self.module = module
        self.region, self.endpoint, params = get_aws_connection_info(module)
        self.params = dict(params)
        profile = self.params.pop("profile_name", None)
        # One session per module run, over the process's parsed botocore data (botocore_data).
        core = botocore_session()
        self.session = boto3_session(core, profile_name=profile)
        self.config = botocore.config.Config(user_agent_extra=USER_AGENT_EXTRA).merge(sdk_retry_config(core))
        for key in ("config", "aws_config"):  # the user's settings win
            extra = self.params.pop(key, None)
            if extra:
                self.config = self.config.merge(extra if isinstance(extra, botocore.config.Config) else botocore.config.Config(**extra))
        self._cache = {}

    def __call__(self, service, region=None, attempts=None):
        """``attempts``: botocore's attempts per call for this client, instead of SDK_MAX_ATTEMPTS
        (1 for a probe whose failure is an answer, not a fault to wait out)."""
        key = (service, region or self.region, attempts)
        if key not in self._cache:
            config = self.config.merge(botocore.config.Config(retries={"total_max_attempts": attempts})) if attempts else self.config
            try:
                client = self.session.client(
                    service, config=config, region_name=key[1], endpoint_url=self.endpoint, **self.params
                )
            except botocore.exceptions.NoRegionError:
                self.module.fail_json(msg="A region is required: set region, AWS_REGION or a profile region")
            except (ValueError, botocore.exceptions.BotoCoreError) as exc:
                self.module.fail_json_aws(exc, msg="Couldn't connect to AWS")
            self._cache[key] = RetryingBotoClientWrapper(client, retry_decorator())
        return self._cache[key]

    def assume_role(self, role_arn, session_name, external_id=None):
        """sts:AssumeRole with the current credentials; later clients use the role's.

        Read-only, so check mode does it too. The credentials stay in this object.
        ``external_id`` is sent as ExternalId when the role's trust requires ``sts:ExternalId``.
        """
        kwargs = {"ExternalId": external_id} if external_id else {}
        answer = aws_call("assume %s" % role_arn, self("sts").assume_role, RoleArn=role_arn, RoleSessionName=session_name, **kwargs)
        credentials = answer["Credentials"]
        self.params.update(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        self._cache = {}


def module_warn(message):
    """The ``warn`` callable the modules give their managers.

    Not ``AnsibleAWSModule.warn``: amazon.aws 10.1 copies its warnings into the
    result's ``warnings`` key, which ansible-core 2.19 flags as deprecated in
    every result. ansible-core's own ``warn`` reports them without that noise.
    """
    core_warn(message)
