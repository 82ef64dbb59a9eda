# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Trail shapes and a recording fake CloudTrail for the coverage and trail unit tests.

The emulator cannot show an organization trail from a member account (its
describe_trails lists only the caller's own trails), so those shapes live here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from contextlib import contextmanager

import botocore.session
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import retry_decorator

REGION = "us-east-1"
ACCOUNT = "111111111111"
MANAGEMENT_ACCOUNT = "999999999999"


def trail(name, home=REGION, owner=ACCOUNT, multi=True, org=False, global_events=True, bucket="logs-bucket"):
    """A describe_trails item."""
    return {
        "Name": name,
        "TrailARN": "arn:aws:cloudtrail:%s:%s:trail/%s" % (home, owner, name),
        "HomeRegion": home,
        "S3BucketName": bucket,
        "IsMultiRegionTrail": multi,
        "IsOrganizationTrail": org,
        "IncludeGlobalServiceEvents": global_events,
        "LogFileValidationEnabled": True,
    }


def denied(operation):
    return ClientError(
        {"Error": {"Code": "CloudTrailARNInvalidException", "Message": "AccountID in ARN is wrong"}}, operation
    )


class FakeCloudTrail:
    """Answers describe_trails / get_trail_status / get_event_selectors and records the calls.

    A trail missing from ``status`` or ``selectors`` refuses the read, as an
    organization trail may from a member account.
    """

    def __init__(self, trails, status, selectors):
        self.trails = trails
        self.status = status
        self.selectors = selectors
        self.calls = []
        self.regions = []

    def clients(self, service, region=None):
        assert service == "cloudtrail"
        self.regions.append(region)
        return self

    @staticmethod
    def _name(arn):
        return arn.rsplit("/", 1)[-1]

    def describe_trails(self, aws_retry=False, **kwargs):
        assert aws_retry is True
        self.calls.append(("describe_trails", None))
        return {"trailList": list(self.trails)}

    def _answer(self, operation, table, arn):
        name = self._name(arn)
        self.calls.append((operation, name))
        if name not in table:
            raise denied(operation)
        return dict(table[name])

    def get_trail_status(self, Name, aws_retry=False):  # pylint: disable=invalid-name
        assert aws_retry is True
        return self._answer("get_trail_status", self.status, Name)

    def get_event_selectors(self, TrailName, aws_retry=False):  # pylint: disable=invalid-name
        assert aws_retry is True
        return self._answer("get_event_selectors", self.selectors, TrailName)


class Recorder:
    """Delegates to the retrying client and records (method, kwargs)."""

    def __init__(self, client):
        self.client = client
        self.calls = []

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def call(**kwargs):
            self.calls.append((name, {k: v for k, v in kwargs.items() if k != "aws_retry"}))
            return method(**kwargs)

        return call

    def names(self):
        return [name for name, unused in self.calls]

    def kwargs(self, name):
        return [kwargs for called, kwargs in self.calls if called == name][0]


_SESSIONS = []


def _session():
    """One botocore session for all tests: it loads each service model once."""
    if not _SESSIONS:
        _SESSIONS.append(botocore.session.get_session())
    return _SESSIONS[0]


@contextmanager
def stubbed_client(service, region=REGION):
    """(Stubber, Recorder): a retrying client as _core.clients.AwsClients makes it, with stubbed answers."""
    client = _session().create_client(
        service, region_name=region, aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stubber:
        yield stubber, Recorder(RetryingBotoClientWrapper(client, retry_decorator()))
        stubber.assert_no_pending_responses()
