# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""botocore's data (service models, endpoints.json, defaults) parsed once per process.

A botocore session makes its own data loader, whose cache is its own: two sessions in one
module run parse ``endpoints.json`` and every service model twice, and each lists every botocore
data folder once (about 400). The loader here is shared by every session this collection opens
in a process. It holds parsed JSON only, never credentials, clients or connections, so a worker
that Ansible forks after the preload (plugins/action/root_login_alerts_stack.py) reads its
parent's parsed models for free and still opens its own session and clients.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    import boto3.session
    import botocore.loaders
    import botocore.regions
    import botocore.session
except ImportError:  # pragma: no cover - AnsibleAWSModule reports missing boto3
    botocore = None

# AWS_DATA_PATH (botocore's ``data_path``) -> loader; one entry in practice.
_LOADERS = {}


def shared_loader(data_path=None):
    """The process's loader for ``data_path`` (botocore's ``create_loader`` argument)."""
    if data_path not in _LOADERS:
        _LOADERS[data_path] = botocore.loaders.create_loader(data_path)
    return _LOADERS[data_path]


def botocore_session(profile=None):
    """A new botocore session (its own credentials and config) over the shared loader."""
    session = botocore.session.Session(profile=profile)
    session.register_component("data_loader", shared_loader(session.get_config_variable("data_path")))
    return session


def boto3_session(botocore_core, profile_name=None):
    """A boto3 session over ``botocore_core``; boto3 adds its data folder to the loader's path once."""
    session = boto3.session.Session(botocore_session=botocore_core, profile_name=profile_name)
    paths = botocore_core.get_component("data_loader").search_paths
    unique = []
    for path in paths:
        if path not in unique:
            unique.append(path)
    paths[:] = unique
    return session


def available_regions(service):
    """Regions of every partition where endpoints.json lists ``service``, without a session."""
    loader = shared_loader()
    prefix = loader.load_service_model(service, "service-2")["metadata"].get("endpointPrefix", service)
    resolver = botocore.regions.EndpointResolver(loader.load_data("endpoints"))
    return frozenset(region for partition in resolver.get_available_partitions() for region in resolver.get_available_endpoints(prefix, partition))
