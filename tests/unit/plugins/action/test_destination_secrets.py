"""Webhook secrets through the in-process engine: Ansible's no_log masking holds (results, diffs, failures).

The stack module declares every secret sub-option of ``webhooks`` ``no_log`` (the URL, the routing key and the
auth values), and ``webhook_fingerprint_key``. The engine runs the module's own ``AnsibleModule`` in the worker,
so its ``remove_values`` masks those strings wherever they appear; a PagerDuty routing key inside a target's
input template is also redacted by the stack (an older key read back from AWS is not this run's no_log value).
Runs use the emulator; the webhook role does not exist there, so the audit names it (and never fails for the new
API destination, whose ARN check mode cannot know).
"""

import pytest

from emulator import Emulator  # pylint: disable=import-error

from action_task import make_action  # pylint: disable=import-error
from action_task import run  # pylint: disable=import-error
from action_task import stack_args  # pylint: disable=import-error

ROUTING_KEY = "R0uT1nGkEy0123456789abcdefABCDEF"  # 32 letters and digits, as PagerDuty issues
URL_SECRET = "T000/B000/Zm9vYmFyc2VjcmV0"
API_KEY = "GenieKey 5ecret-0psgenie-Value"
FINGERPRINT_KEY = "fingerprint-key-of-ours-42"
SECRETS = (ROUTING_KEY, URL_SECRET, API_KEY, FINGERPRINT_KEY)


@pytest.fixture(scope="module")
def aws():
    with Emulator() as server:
        yield server


def webhooks():
    return [
        {"name": "pagerduty", "url": "https://events.pagerduty.com/v2/enqueue", "format": "pagerduty_v2", "routing_key": ROUTING_KEY},
        {"name": "opsgenie", "url": "https://api.opsgenie.com/v2/alerts", "format": "opsgenie",
         "auth": {"type": "api_key", "header": "Authorization", "value": API_KEY}},
        {"name": "slack", "url": "https://hooks.slack.com/services/" + URL_SECRET, "format": "slack_webhook"},
    ]


def test_a_preview_with_webhooks_shows_no_secret_even_in_the_diff(aws):
    aws.reset()
    result = run(make_action(stack_args(webhooks=webhooks(), webhook_fingerprint_key=FINGERPRINT_KEY), check_mode=True, diff=True,
                             environment=aws.environ()))
    assert result.get("failed") is not True, result.get("msg")
    text = repr(result)
    assert not [secret for secret in SECRETS if secret in text]
    # The invocation (shown at -vvv) keeps the webhooks, their secrets masked by no_log, their names readable.
    invoked = result["invocation"]["module_args"]["webhooks"]
    assert [w["name"] for w in invoked] == ["pagerduty", "opsgenie", "slack"]
    assert invoked[0]["routing_key"] != ROUTING_KEY and invoked[1]["auth"]["value"] != API_KEY and invoked[2]["url"] != webhooks()[2]["url"]
    assert result["invocation"]["module_args"]["webhook_fingerprint_key"] != FINGERPRINT_KEY
    # The PagerDuty target carries the key in its template: shown redacted (and Ansible masks this run's key anyway).
    targets = dict((t["id"], t) for t in result["diff"]["after"]["rule"]["targets"])
    assert '"routing_key": "(secret, not shown)"' in targets["rootwatch-webhook-pagerduty"]["input_transformer"]["input_template"]
    assert aws.write_requests() == []
    # The new API destinations have no ARN yet: the targets are predicted, the audit does not fail for them.
    assert sorted(result["webhooks"]) == ["opsgenie", "pagerduty", "slack"]
    assert result["webhooks"]["pagerduty"]["api_destination_arn"] is None
    assert result["webhooks"]["slack"]["api_destination"]["endpoint"] == "https://hooks.slack.com/..."
    assert "create connection root-login-alerts-pagerduty (API_KEY)" in result["changes"]
    # The emulator has no role of the template: the audit names it and the parameter that creates it.
    assert result["webhook_role"]["usable"] is False
    assert "CreateWebhookRole" in result["webhook_role"]["problems"][0]


def test_a_refused_webhook_names_the_variable_and_no_secret(aws):
    aws.reset()
    bad = webhooks()
    bad[0] = dict(bad[0], routing_key=ROUTING_KEY[:-1])  # 31 characters
    result = run(make_action(stack_args(webhooks=bad, variable_prefix="root_login_alerts_"), check_mode=True, environment=aws.environ()))
    assert result["failed"] is True
    assert result["msg"].startswith("root_login_alerts_webhooks[0].routing_key must be the 32-character PagerDuty integration key"), result["msg"]
    assert not [secret for secret in SECRETS if secret in repr(result)]
    assert aws.requests() == []  # refused before any AWS call


def test_an_apply_stops_before_its_first_write_without_the_webhook_role(aws):
    aws.reset()
    result = run(make_action(stack_args(webhooks=webhooks()[:1]), environment=aws.environ()))
    assert result["failed"] is True
    assert "nothing was changed, because IAM role root-login-alerts-webhooks (root_login_alerts_webhook_role_name" in result["msg"], result["msg"]
    assert "parameter CreateWebhookRole" in result["msg"]
    assert aws.write_requests() == []
    assert ROUTING_KEY not in repr(result)
