# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the SNS managers share: topic name and ARN checks, the not-found codes, the topic read.

The managers (``topic``, ``topic_policy``, ``subscriptions``) take retrying clients
(``_core.clients.AwsClients``) and never an AnsibleAWSModule, so an aggregate module
can run several of them in one process. Their AWS calls go through ``_core.errors.aws_call``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_code
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError

# Topic names: 1-256 letters, digits, hyphens and underscores (standard topics).
TOPIC_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
TOPIC_ARN_RE = re.compile(r"^arn:aws[a-z\-]*:sns:[a-z0-9\-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")
NOT_FOUND_CODES = ("NotFound", "NotFoundException", "ResourceNotFoundException")


def is_not_found(exception):
    """True for a botocore error (or an AwsCallError around one) that says the resource does not exist."""
    return error_code(exception) in NOT_FOUND_CODES


def read_topic_attributes(client, topic_arn):
    """GetTopicAttributes (one call); None when the topic does not exist."""
    answer = aws_call("read the attributes of SNS topic %s" % topic_arn, client.get_topic_attributes,
                      not_found=NOT_FOUND_CODES, TopicArn=topic_arn)
    return answer["Attributes"] if answer is not None else None


def validate_topic_arn(topic_arn, param="topic_arn"):
    """Raise ValidationError unless ``topic_arn`` is an SNS topic ARN."""
    if not isinstance(topic_arn, str) or not TOPIC_ARN_RE.match(topic_arn):
        raise ValidationError(
            "%s must be an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:my-topic, got %r" % (param, topic_arn)
        )
    return topic_arn
