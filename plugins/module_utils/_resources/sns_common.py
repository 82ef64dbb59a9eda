# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the SNS managers share: their error type, AWS call wrapping, ARN checks.

The managers (``sns_topic``, ``sns_policy``, ``sns_subscription``) take boto3
clients made by ``aws_calls.aws_client`` and never an AnsibleAWSModule, so an
aggregate module can run several of them in one process. They raise
:class:`AwsCallError`; :func:`fail_module` turns it into ``fail_json(_aws)``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_code
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import AwsCallError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover - AnsibleAWSModule reports missing botocore
    BotoCoreError = ClientError = Exception

# Topic names: 1-256 letters, digits, hyphens and underscores (standard topics).
TOPIC_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
TOPIC_ARN_RE = re.compile(r"^arn:aws[a-z\-]*:sns:[a-z0-9\-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")
NOT_FOUND_CODES = ("NotFound", "NotFoundException", "ResourceNotFoundException")


def is_not_found(exception):
    return error_code(exception) in NOT_FOUND_CODES


def aws_call(what, method, **kwargs):
    """Call ``method(aws_retry=True, **kwargs)``; wrap AWS errors in AwsCallError(``what``)."""
    try:
        return method(aws_retry=True, **kwargs)
    except (BotoCoreError, ClientError) as exc:
        raise AwsCallError(what, exc)


def read_topic_attributes(client, topic_arn):
    """GetTopicAttributes (one call); None when the topic does not exist."""
    try:
        return aws_call(
            "Could not read the attributes of SNS topic %s" % topic_arn,
            client.get_topic_attributes,
            TopicArn=topic_arn,
        )["Attributes"]
    except AwsCallError as exc:
        if is_not_found(exc.exception):
            return None
        raise


def validate_topic_arn(topic_arn, param="topic_arn"):
    """Raise ValueError unless ``topic_arn`` is an SNS topic ARN."""
    if not isinstance(topic_arn, str) or not TOPIC_ARN_RE.match(topic_arn):
        raise ValidationError(
            "%s must be an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:my-topic, got %r" % (param, topic_arn)
        )
    return topic_arn


def topic_name_of(topic_arn):
    return topic_arn.rsplit(":", 1)[-1]


def topic_account_of(topic_arn):
    return topic_arn.split(":")[4]


def fail_module(module, error):
    """Report an AwsCallError (or a local ValueError) through the module."""
    exception = getattr(error, "exception", None)
    msg = getattr(error, "msg", None) or str(error)
    if exception is not None:
        module.fail_json_aws(exception, msg=msg)
    module.fail_json(msg=msg)
