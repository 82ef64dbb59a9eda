# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The alert email: the sample sign-in events against the default pattern, and how EventBridge renders the template."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import messages as alert_message
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import samples as alert_samples
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import event_pattern


def test_sample_email_reads_like_the_documented_alert():
    text = alert_samples.sample_email("us-east-1", "222222222222")
    assert text.startswith('{\n  "alert": "Root user console sign-in to AWS account 222222222222 (recorded in us-east-1).')
    assert '"result": "Success",\n  "mfa_used": "No",\n  "time": "2026-11-24T06:35:38Z",\n  "source_ip": "203.0.113.7",' in text
    assert '"event_id": "3b7a9f1c-0000-4000-8000-000000000002",' in text
    assert '"event_history": "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events"' in text


@pytest.mark.parametrize("name", ["root_sign_in", "failed_root_sign_in", "iam_user_sign_in"])
def test_sample_events_against_the_default_pattern(name):
    event, expected = alert_samples.sign_in_samples("111111111111")[name]
    assert event_pattern.matches(alert_message.ROOT_SIGN_IN_PATTERN, event) is expected


RENDER = [
    ("string template", '"from <ip> at <time>"', "from 203.0.113.7 at 2026-11-24T06:35:38Z"),
    ("json template", '{"ip": <ip>, "text": "ip <ip>"}', '{"ip": "203.0.113.7", "text": "ip 203.0.113.7"}'),
    ("missing path", '"x <nothere>"', "x <nothere>"),
    # EventBridge does not escape a value inside a string: the quote ends it (why our templates keep detail values out of strings).
    ("quote in value", '"agent <agent>"', '"agent say "hi""'),
    ("quote in a json value", '{"agent": <agent>}', '{"agent": "say \\"hi\\""}'),
]


@pytest.mark.parametrize("label,template,expected", RENDER, ids=[r[0] for r in RENDER])
def test_render(label, template, expected):
    event = alert_samples.sign_in_samples()["root_sign_in"][0]
    event["detail"]["userAgent"] = 'say "hi"'
    paths = dict(alert_message.INPUT_PATHS)
    assert alert_message.render(template, paths, event) == expected, label


def test_failed_sign_in_reads_failure():
    event = alert_samples.sign_in_samples()["failed_root_sign_in"][0]
    text = alert_message.render(alert_message.INPUT_TEMPLATE, alert_message.INPUT_PATHS, event)
    assert '"result": "Failure",' in text
