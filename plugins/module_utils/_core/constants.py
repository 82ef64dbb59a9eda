# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS facts that several packages use, each in one place."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# The IAM policy language version; policy variables (``${aws:username}``) need it (IAM user guide,
# "IAM JSON policy elements: Version").
POLICY_VERSION = "2012-10-17"

# The event bus every account has, where AWS services deliver their events.
DEFAULT_BUS = "default"

# The aws partition's Region of the global services: root console sign-ins are recorded there ("If you sign in
# as the root user, CloudTrail records the event in us-east-1", CloudTrail user guide, "AWS Management Console
# sign-in events"), so they reach EventBridge there only; IAM and Organizations answer there; S3 creates a bucket
# there when CreateBucket has no LocationConstraint.
GLOBAL_REGION = "us-east-1"

# The retry policy AWS reports for an EventBridge target given none (module option form).
DEFAULT_RETRY_POLICY = {"maximum_retry_attempts": 185, "maximum_event_age_in_seconds": 86400}
