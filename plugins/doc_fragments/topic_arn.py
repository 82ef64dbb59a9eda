# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: the fragments may change with any release.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The topic of a module that works on an existing SNS topic (its policy, its subscriptions).
    DOCUMENTATION = r"""
options:
  topic_arn:
    description:
      - The ARN of the SNS topic, such as C(arn:aws:sns:us-east-1:123456789012:root-login-alerts).
      - It is checked before any AWS call; a value that is not an SNS topic ARN fails the task.
    type: str
    required: true
"""
