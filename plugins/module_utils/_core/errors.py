# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The project's one exception family, the one AWS error handler, and the one way a module fails.

Every error the plugins raise is a :class:`RootwatchError` (an amazon.aws ``AnsibleAWSError``: a message and,
when AWS answered, the botocore ``exception``). The subclasses are the kinds a caller tells apart.
``tests/unit/plugins/modules/test_error_paths.py`` raises each through every module's entry point.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover - AnsibleAWSModule reports missing botocore
    BotoCoreError = ClientError = None

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError


class RootwatchError(AnsibleAWSError):
    """The root: a message naming what failed, and the AWS error behind it if any (``exception``)."""

    @property
    def msg(self):
        return self.message


class ValidationError(RootwatchError, ValueError):
    """Input we refuse before any change; the message names the option."""


class PatternError(ValidationError):
    """An invalid event pattern; the message names the path (``detail.userIdentity.type``)."""

    def __init__(self, path, problem):
        self.path = path
        self.problem = problem
        super(PatternError, self).__init__("event_pattern at %s: %s" % (path or "<top>", problem))


class AwsCallError(RootwatchError):
    """An AWS call failed; ``exception`` is botocore's error."""


class ForeignResourceError(RootwatchError):
    """A resource has our name but not our proof of ownership: it is someone else's, and left alone."""


class WriteConflictError(RootwatchError):
    """A write did not take as planned: failed entries, another writer at the same time, or the resource vanished."""


class UnsafeChangeError(RootwatchError):
    """The account cannot be changed safely; the message says why and what to do."""


class BucketNotVerifiedError(RootwatchError):
    """S3 did not prove that the bucket belongs to the expected owner, so it is not used."""


class OrganizationAccountsError(RootwatchError):
    """The organization inventory cannot be built; the message says what to fix and where."""


class RootwatchErrorHandler(AWSErrorHandler):
    """amazon.aws's handler, raising :class:`AwsCallError` (``Failed to <description>: <AWS error>``)."""

    _CUSTOM_EXCEPTION = AwsCallError


def error_code(exception):
    """The AWS error code of a botocore ClientError, or of the one an AwsCallError wraps ('' for anything else)."""
    exception = getattr(exception, "exception", None) or exception
    return ((getattr(exception, "response", None) or {}).get("Error") or {}).get("Code", "")


def error_summary(what, exception):
    """``what: CODE`` (the error's class when AWS gave no code): how a verdict names a read that failed."""
    return "%s: %s" % (what, error_code(exception) or type(getattr(exception, "exception", None) or exception).__name__)


def aws_call(description, method, not_found=(), **kwargs):
    """``method(aws_retry=True, **kwargs)`` through :class:`RootwatchErrorHandler`: an AWS error raises
    ``AwsCallError("Failed to <description>")`` with botocore's error as ``exception``. An error whose code is in
    ``not_found`` returns None instead: the read of something that is not there."""

    @RootwatchErrorHandler.common_error_handler(description)
    def call():
        try:
            return method(aws_retry=True, **kwargs)
        except ClientError as exc:
            if error_code(exc) in not_found:
                return None
            raise

    return call()


AWS_ERRORS = tuple(error for error in (BotoCoreError, ClientError) if error is not None)
# What a module's main() catches: ours, and (a bug's safety net) a raw botocore error or a ValueError.
MODULE_ERRORS = (RootwatchError, AnsibleAWSError, ValueError) + AWS_ERRORS
# Errors raised before the write they concern, whose message names what to fix: bad input, a change that is not safe,
# a resource that is not ours.
REFUSALS = (ValueError, UnsafeChangeError, ForeignResourceError)


def error_text(exc):
    """The message an error carries (a RootwatchError's ``msg``, else its text), with the AWS error it wraps."""
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


@contextlib.contextmanager
def failing_cleanly(module, where=None):
    """Run the block; an error of :data:`MODULE_ERRORS` in it fails the module with :func:`fail_cleanly`."""
    try:
        yield
    except MODULE_ERRORS as exc:
        fail_cleanly(module, exc, where=where)
