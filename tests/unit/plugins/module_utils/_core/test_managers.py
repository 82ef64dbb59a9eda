# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""aws_pages and first_named: the one loop that follows an AWS call's page tokens."""

import pytest
from botocore.exceptions import ClientError

from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import AwsCallError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import aws_pages
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import first_named


class PagedCall(object):
    """A list call that answers the pages it was given, in order, and records each request."""

    def __init__(self, *pages, error=None):
        self.pages = list(pages)
        self.error = error
        self.requests = []

    def __call__(self, **kwargs):
        self.requests.append(kwargs)
        if self.error:
            raise ClientError({"Error": {"Code": self.error, "Message": "no"}}, "ListThings")
        return self.pages[len(self.requests) - 1]


def test_every_page_is_read_with_the_token_of_the_one_before():
    call = PagedCall({"Things": [1], "NextToken": "t2"}, {"Things": [2], "NextToken": "t3"}, {"Things": [3]})
    assert [page["Things"] for page in aws_pages("list things", call, Owner="me")] == [[1], [2], [3]]
    assert call.requests == [
        {"aws_retry": True, "Owner": "me"},
        {"aws_retry": True, "Owner": "me", "NextToken": "t2"},
        {"aws_retry": True, "Owner": "me", "NextToken": "t3"},
    ]


def test_the_api_spelling_of_the_token():
    call = PagedCall({"logGroups": [], "nextToken": "t2"}, {"logGroups": []})
    assert len(list(aws_pages("describe log groups", call, "nextToken"))) == 2
    assert call.requests[1]["nextToken"] == "t2"


def test_first_named_reads_no_page_after_the_match():
    call = PagedCall({"items": [{"name": "app-old"}], "NextToken": "t2"}, {"items": [{"name": "app"}], "NextToken": "t3"})
    assert first_named(aws_pages("list items", call), "items", "name", "app") == {"name": "app"}
    assert len(call.requests) == 2


def test_first_named_is_none_when_no_page_has_the_name():
    call = PagedCall({"items": [{"name": "app-old"}]})
    assert first_named(aws_pages("list items", call), "items", "name", "app") is None


def test_a_not_found_code_gives_no_page():
    call = PagedCall(error="ResourceNotFoundException")
    assert list(aws_pages("list items", call, not_found=("ResourceNotFoundException",))) == []


def test_another_error_is_an_aws_call_error():
    call = PagedCall(error="AccessDeniedException")
    with pytest.raises(AwsCallError, match="Failed to list items"):
        list(aws_pages("list items", call))
