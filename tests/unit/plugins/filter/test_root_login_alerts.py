"""The role's controller-side filter."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.rootwatch.aws.plugins.filter import root_login_alerts as filters


def test_sample_email_names_the_region():
    text = filters.root_login_alerts_sample_email("eu-west-1")
    assert "eu-west-1" in text and "Root" in text


def test_sample_email_default_region():
    assert filters.root_login_alerts_sample_email(None) == filters.root_login_alerts_sample_email("us-east-1")


def test_sample_email_refuses_a_non_region():
    with pytest.raises(AnsibleFilterError, match="region name"):
        filters.root_login_alerts_sample_email({"region": "us-east-1"})


def test_filters_are_registered():
    assert set(filters.FilterModule().filters()) == {"root_login_alerts_sample_email"}
