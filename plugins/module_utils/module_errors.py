# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every exception type a module's main() may meet, and one way to fail on each: cleanly, never a traceback.

The types stay where they are raised (a later refactor may give them one base class); this is
their one list. ``tests/unit/plugins/modules/test_error_paths.py`` finds every exception class the
plugins define and checks that :data:`MODULE_ERRORS` catches it, and raises each through every
module's entry point.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover - AnsibleAWSModule reports missing botocore
    BotoCoreError = ClientError = None

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.rootwatch.aws.plugins.module_utils.event_hub import EventHubError
from ansible_collections.rootwatch.aws.plugins.module_utils.event_pattern import PatternError
from ansible_collections.rootwatch.aws.plugins.module_utils.eventbridge_rule import TargetWriteError
from ansible_collections.rootwatch.aws.plugins.module_utils.managers import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils.organization_accounts import OrganizationAccountsError
from ansible_collections.rootwatch.aws.plugins.module_utils.root_login_alerts_stack import StackError
from ansible_collections.rootwatch.aws.plugins.module_utils.sns_common import SnsError

# The project's own types. PatternError is a ValueError; s3_log_bucket's BucketNotVerifiedError an AnsibleAWSError.
PROJECT_ERRORS = (SnsError, ForeignResourceError, TargetWriteError, EventHubError, PatternError, OrganizationAccountsError,
                  StackError)
AWS_ERRORS = tuple(error for error in (AnsibleAWSError, BotoCoreError, ClientError) if error is not None)
# ValueError: the managers' message for input they refuse, naming the option.
MODULE_ERRORS = (ValueError,) + PROJECT_ERRORS + AWS_ERRORS


def error_text(exc):
    """The message an error carries (SnsError's ``msg``, else its text), with the AWS error it wraps."""
    text = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
    cause = getattr(exc, "exception", None)
    if cause is not None and str(cause) not in text:
        text = "%s: %s" % (text, cause)
    return text


def aws_details(exc):
    """The AWS answer behind ``exc`` (itself or the ``exception`` it wraps) as result keys: ``error`` (code,
    message) and ``response_metadata``, as ``fail_json_aws`` gives them; {} without one."""
    for error in (exc, getattr(exc, "exception", None)):
        response = getattr(error, "response", None)
        if isinstance(response, dict):
            return camel_dict_to_snake_dict(response)
    return {}


def fail_cleanly(module, exc, where=None, note=None, **extra):
    """Fail the module on ``exc`` with its message (after ``where``, before ``note``), the AWS error's code and
    response when there is one, and ``extra`` keys such as the ``changes`` already made. No traceback: the
    message says what failed, and the error is one of :data:`MODULE_ERRORS`, not a bug."""
    msg = error_text(exc)
    if where:
        msg = "%s: %s" % (where, msg)
    if note:
        msg = "%s. %s" % (msg.rstrip("."), note)
    result = aws_details(exc)
    result.update(extra)
    module.fail_json(msg=msg, **result)
