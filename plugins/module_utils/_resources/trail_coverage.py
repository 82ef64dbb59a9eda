# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Does an existing trail already deliver a region's console sign-in events?

EventBridge receives ``AWS Console Sign In via CloudTrail`` events only when a
trail records write management events in that region. Many accounts already
have such a trail (a Control Tower or organization trail, a multi-Region
trail); a second trail recording management events is billed again.

:func:`trail_covers` is the pure decision, :class:`TrailCoverageChecker` reads
what it needs (``cloudtrail:GetTrailStatus`` and ``GetEventSelectors`` for the
trails that can cover at all) and applies it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover - AnsibleAWSModule reports missing botocore
    BotoCoreError = ClientError = Exception

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import arn_account
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_code
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import explain_signin
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import management_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.event_selectors import selectors_in_effect


# What a member account may be answered for the management account's organization trail.
REFUSED_READ_CODES = (
    "AccessDeniedException", "AccessDenied", "CloudTrailARNInvalidException", "TrailNotFoundException",
    "UnsupportedOperationException",
)


def trail_home_region(trail):
    """HomeRegion, or the region in the trail ARN."""
    if trail.get("HomeRegion"):
        return trail["HomeRegion"]
    parts = (trail.get("TrailARN") or "").split(":")
    return parts[3] if len(parts) > 3 else None


def is_foreign_organization_trail(trail, account=None):
    """An organization trail that another account (the management account) owns."""
    if not trail.get("IsOrganizationTrail"):
        return False
    owner = arn_account(trail.get("TrailARN"))
    return account is None or owner != account


def trail_may_cover(trail, region, account=None):
    """(bool, reason) from the trail description alone, before any read."""
    home = trail_home_region(trail)
    owner = arn_account(trail.get("TrailARN"))
    if not trail.get("IsMultiRegionTrail") and home != region:
        return False, "single-Region trail in %s; it does not record events in %s" % (home, region)
    if account and owner and owner != account and not trail.get("IsOrganizationTrail"):
        return False, "belongs to account %s and is not an organization trail" % owner
    if trail.get("IncludeGlobalServiceEvents") is False:
        return False, "does not include global service events; console sign-in (signin.amazonaws.com) is a global service"
    return True, _scope(trail, home, region)


def _scope(trail, home, region):
    words = []
    if trail.get("IsOrganizationTrail"):
        words.append("organization trail")
    words.append("multi-Region trail (home %s)" % home if trail.get("IsMultiRegionTrail") else "trail in %s" % region)
    return " ".join(words)


def trail_covers(trail, status, selectors, region, account=None, trust_organization_trails=True):
    """(bool, reason): does ``trail`` deliver ``region``'s console sign-in events for ``account``?

    ``trail`` is a describe_trails item; ``status`` a get_trail_status response
    and ``selectors`` a get_event_selectors response, either None when it could
    not be read (an organization trail seen from a member account may refuse
    them). With ``trust_organization_trails`` such an unreadable organization
    trail is assumed to log management events: it is centrally managed, and an
    organization trail (Control Tower's included) logs them unless its owner
    narrowed it.
    """
    eligible, scope = trail_may_cover(trail, region, account)
    if not eligible:
        return False, scope
    trusted = trust_organization_trails and trail.get("IsOrganizationTrail")
    assumed = []
    if status is None:
        if not trusted:
            return False, "%s; its logging status could not be read" % scope
        assumed.append("logging status")
    elif not status.get("IsLogging"):
        return False, "%s; logging is turned off" % scope
    if selectors is None:
        if not trusted:
            return False, "%s; its event selectors could not be read" % scope
        assumed.append("event selectors")
        covered, why = True, "records management events"
    else:
        covered, why = explain_signin(*selectors_in_effect(selectors))
    if not covered:
        return False, "%s; %s" % (scope, why)
    reason = "%s, logging; %s" % (scope, why)
    if assumed:
        reason += " (assumed: its %s are not readable from this account)" % " and ".join(assumed)
    return True, reason


def candidate_order(trail):
    """Organization trails first, then multi-Region, then the others; by ARN."""
    return (not trail.get("IsOrganizationTrail"), not trail.get("IsMultiRegionTrail"), trail.get("TrailARN") or "")


def trail_summary(trail, status=None, selectors=None):
    """A trail in the snake_case form the modules return."""
    summary = {
        "name": trail.get("Name"),
        "arn": trail.get("TrailARN"),
        "home_region": trail_home_region(trail),
        "s3_bucket_name": trail.get("S3BucketName"),
        "is_multi_region_trail": bool(trail.get("IsMultiRegionTrail")),
        "is_organization_trail": bool(trail.get("IsOrganizationTrail")),
        "include_global_service_events": trail.get("IncludeGlobalServiceEvents"),
        "is_logging": status.get("IsLogging") if status is not None else None,
        "management_events": None,
    }
    if selectors is not None:
        summary["management_events"] = management_mode(*selectors_in_effect(selectors))
    return summary


class TrailCoverageChecker:
    """Finds a trail that covers a region, reading as little as it can.

    ``clients(service, region)`` returns a retrying boto3 client (see
    ``aws_calls.aws_client``). Status and selectors of a trail are read in its
    home region, by ARN (required for shadow and organization trails).
    """

    def __init__(self, clients, region, account_id=None, trust_organization_trails=True, known=None):
        self.clients = clients
        self.region = region
        self.account_id = account_id
        self.trust_organization_trails = trust_organization_trails
        # Reads the caller made in this run: {"status": {arn: ...}, "selectors": {arn: ...}}.
        self.known = known or {}

    def list_trails(self):
        """Every trail visible in the region, shadow and organization trails included."""
        client = self.clients("cloudtrail", self.region)
        try:
            return client.describe_trails(includeShadowTrails=True, aws_retry=True).get("trailList", [])
        except (BotoCoreError, ClientError) as exc:
            raise AnsibleAWSError(message="Failed to list the CloudTrail trails of %s" % self.region, exception=exc)

    def _read(self, trail, method, **kwargs):
        """A response; None when another account's organization trail refuses the read.

        Any other failure is raised: a trail whose state could not be read is not
        known to be missing, and taking it for "does not cover" would create a
        second trail (billed again) on a transient fault.
        """
        kind = "status" if method == "get_trail_status" else "selectors"
        if trail.get("TrailARN") in (self.known.get(kind) or {}):
            return self.known[kind][trail["TrailARN"]]
        client = self.clients("cloudtrail", trail_home_region(trail) or self.region)
        try:
            return getattr(client, method)(aws_retry=True, **kwargs)
        except ClientError as exc:
            if is_foreign_organization_trail(trail, self.account_id) and error_code(exc) in REFUSED_READ_CODES:
                return None
            raise AnsibleAWSError(
                message="Failed to read the %s of CloudTrail trail %s" % (kind, trail.get("TrailARN")), exception=exc
            )

    def evaluate(self, trails=None, stop_at_first=True, skip_arns=()):
        """{"covered", "covering_trail", "trails": [{... "covers", "reason"}]}.

        With ``stop_at_first`` the remaining trails are listed unread, with
        reason "not evaluated".
        """
        if trails is None:
            trails = self.list_trails()
        report = []
        covering = None
        for trail in sorted(trails, key=candidate_order):
            if trail.get("TrailARN") in skip_arns:
                continue
            if covering is not None and stop_at_first:
                report.append(dict(trail_summary(trail), covers=None, reason="not evaluated: a covering trail was found first"))
                continue
            eligible, reason = trail_may_cover(trail, self.region, self.account_id)
            status = selectors = None
            if eligible:
                arn = trail["TrailARN"]
                status = self._read(trail, "get_trail_status", Name=arn)
                if status is None or status.get("IsLogging"):
                    selectors = self._read(trail, "get_event_selectors", TrailName=arn)
                covers, reason = trail_covers(
                    trail, status, selectors, self.region, self.account_id, self.trust_organization_trails
                )
            else:
                covers = False
            entry = dict(trail_summary(trail, status, selectors), covers=covers, reason=reason)
            report.append(entry)
            if covers and covering is None:
                covering = entry
        return {"covered": covering is not None, "covering_trail": covering, "trails": report}
