# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""botocore's data is parsed once per process; sessions, credentials and clients are not shared."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from unittest import mock

import botocore.credentials
import botocore.loaders
import botocore.session

from ansible_collections.rootwatch.aws.plugins.module_utils._core import arns
from ansible_collections.rootwatch.aws.plugins.module_utils._core import botocore_data


def test_each_session_is_new_with_its_own_credentials_over_one_loader():
    first, second = botocore_data.botocore_session(), botocore_data.botocore_session()
    assert first is not second
    assert first.get_component("data_loader") is second.get_component("data_loader")
    first.set_credentials("AKIAFIRST", "first-secret")
    assert second.get_credentials() is None or second.get_credentials().access_key != "AKIAFIRST"


def test_clients_of_two_sessions_are_distinct_and_the_models_are_parsed_once():
    loads = []
    original = botocore.loaders.JSONFileLoader.load_file

    def counting(self, file_path):
        loads.append(file_path)
        return original(self, file_path)

    sessions = [botocore_data.boto3_session(botocore_data.botocore_session()) for unused in range(2)]
    sessions[0].client("sqs", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")  # warm
    with mock.patch.object(botocore.loaders.JSONFileLoader, "load_file", counting):
        clients = [s.client("sqs", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b") for s in sessions]
    assert clients[0] is not clients[1]
    assert loads == []  # no JSON file read again: service model, endpoints, rule set all cached


def test_boto3_adds_its_data_folder_to_the_shared_loader_once():
    for unused in range(3):
        session = botocore_data.boto3_session(botocore_data.botocore_session())
    paths = session._session.get_component("data_loader").search_paths
    assert len(paths) == len(set(paths))


def test_the_region_list_opens_no_session_and_matches_botocores():
    reference = botocore.session.Session()
    expected = frozenset(r for p in reference.get_available_partitions() for r in reference.get_available_regions("events", p))
    with mock.patch.dict(arns._KNOWN_REGIONS, clear=True):
        with mock.patch.object(botocore.session.Session, "__init__", side_effect=AssertionError("a second session")):
            regions = arns.known_regions("events")
    assert regions == expected and "us-east-1" in regions


def test_no_credentials_are_read_to_load_data():
    with mock.patch.object(botocore.credentials.CredentialResolver, "load_credentials", side_effect=AssertionError("credentials read")):
        loader = botocore_data.shared_loader()
        loader.load_service_model("events", "service-2")
        botocore_data.available_regions("sns")
