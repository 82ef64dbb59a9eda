# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one retry policy, client factory and warning channel that every rootwatch.aws module uses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.warnings import warn as core_warn

from ansible_collections.amazon.aws.plugins.module_utils.botocore import HAS_BOTO3
from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

if HAS_BOTO3:
    import boto3
    import botocore

USER_AGENT_EXTRA = "rootwatch.aws"


def retry_decorator():
    """Jittered exponential backoff on throttling and transient faults."""
    return AWSRetry.jittered_backoff(retries=8, delay=1, max_delay=20)


def aws_client(module, service, region=None):
    """A boto3 client whose calls retry when made with ``aws_retry=True``."""
    extra = {"region": region} if region else {}
    return module.client(service, retry_decorator=retry_decorator(), **extra)


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
        self.config = botocore.config.Config(user_agent_extra=USER_AGENT_EXTRA)
        for key in ("config", "aws_config"):
            extra = self.params.pop(key, None)
            if extra:
                self.config = self.config.merge(extra if isinstance(extra, botocore.config.Config) else botocore.config.Config(**extra))
        self.session = boto3.session.Session(profile_name=profile)
        self._cache = {}

    def __call__(self, service, region=None):
        key = (service, region or self.region)
        if key not in self._cache:
            try:
                client = self.session.client(
                    service, config=self.config, region_name=key[1], endpoint_url=self.endpoint, **self.params
                )
            except botocore.exceptions.NoRegionError:
                self.module.fail_json(msg="A region is required: set region, AWS_REGION or a profile region")
            except (ValueError, botocore.exceptions.BotoCoreError) as exc:
                self.module.fail_json_aws(exc, msg="Couldn't connect to AWS")
            self._cache[key] = RetryingBotoClientWrapper(client, retry_decorator())
        return self._cache[key]

    def assume_role(self, role_arn, session_name):
        """sts:AssumeRole with the current credentials; later clients use the role's.

        Read-only, so check mode does it too. The credentials stay in this object.
        """
        credentials = self("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name, aws_retry=True)["Credentials"]
        self.params.update(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        self._cache = {}


def error_code(exception):
    """The AWS error code of a botocore ClientError ('' for anything else)."""
    return ((getattr(exception, "response", None) or {}).get("Error") or {}).get("Code", "")


def module_warn(message):
    """The ``warn`` callable the modules give their managers.

    Not ``AnsibleAWSModule.warn``: amazon.aws 10.1 copies its warnings into the
    result's ``warnings`` key, which ansible-core 2.19 flags as deprecated in
    every result. ansible-core's own ``warn`` reports them without that noise.
    """
    core_warn(message)
