"""The role's controller-side filter."""

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.rootwatch.aws.plugins.filter import root_login_alerts as filters


def test_sample_email_names_the_region():
    message = json.loads(filters.root_login_alerts_sample_email("eu-west-1"))
    assert message["alert"] == ("Root user console sign-in to AWS account 111111111111 (recorded in eu-west-1). The other fields "
                                "are copied from the CloudTrail record.")
    assert message["event_history"] == "https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events"


def test_sample_email_default_region():
    assert filters.root_login_alerts_sample_email(None) == filters.root_login_alerts_sample_email("us-east-1")


def test_sample_email_refuses_a_non_region():
    with pytest.raises(AnsibleFilterError, match="region name"):
        filters.root_login_alerts_sample_email({"region": "us-east-1"})


def test_filters_are_registered():
    assert set(filters.FilterModule().filters()) == {"root_login_alerts_sample_email", "hub_path_proof"}
