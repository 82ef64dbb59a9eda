# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the stack reads beyond the delivery facts (``delivery_reader``): before it plans, the pieces its steps
take as ``known`` (rules of the profiles, the hub bus, queues, Regions, roles, chat and webhooks); during a removal,
what the plan's read steps ask for; after it applied, what the verdicts of the profiles and the hub need. Never a
write."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import partition_for_region
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import DEFAULT_BUS
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import GLOBAL_REGION
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import UnsafeChangeError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as alert_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import webhook_formats
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.samples import sample_events
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.samples import sign_in_samples
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import iam_role as iam_roles
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.api_destinations import WebhookManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bus import EventBusManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.chat_channels import ChatChannelManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import DeliveryPathReader
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import known_rule
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.log_group import LogGroupManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.queue import DeadLetterQueueManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import EventBridgeRuleManager
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import hub as hub_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import profiles as profile_verdict
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import root_credentials
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.root_credentials import RootCredentialsReader
from ansible_collections.rootwatch.aws.plugins.module_utils._stack import notices
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import DESTINATION_ROLES
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import chat_params
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import destination_role_name
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import extra_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import profile_rule_name
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import regional_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import sign_in_pattern


class StackReader(ResourceManager):
    """Built like every manager (``managers``); it only reads."""

    def manager(self, cls, region=None):
        return cls(self.clients, region or self.region, self.check_mode, self.warn, self.account_id)

    # -- the root user ------------------------------------------------------------------
    def start_credential_report(self, settings):
        """With ``report_last_used``, ask IAM for the credential report before the other reads (None otherwise)."""
        return self.manager(RootCredentialsReader).start_credential_report() if settings.get("report_last_used") else None

    def root_credentials(self, settings, credential_report=None):
        """The root user's credential posture, a second dimension beside the verdict. ``root_credentials_read`` and
        ``organization_features`` go to the report, which judges every account with the features its run read in the
        management account."""
        reader = self.manager(RootCredentialsReader)
        read = reader.read()
        features = reader.read_organization_features() if settings.get("management_account") else None
        out = {"root_credentials_read": read, "root_credentials": root_credentials.evaluate(read, features)}
        if features is not None:
            out["organization_features"] = features
        if credential_report is not None:
            out["root_last_used"] = root_credentials.last_used(
                reader.read_credential_report(credential_report), datetime.datetime.now(datetime.timezone.utc))
        return out

    # -- rules ------------------------------------------------------------------------------
    def rule(self, name, bus, region=None, tags=True):
        """``known`` of one rule for the rule manager: the rule, its targets and (``tags``) its tags."""
        rules = self.manager(EventBridgeRuleManager, region)
        current = rules.describe(name, bus)
        known = {"rule": current, "targets": rules.list_targets(name, bus) if current else []}
        if current and tags:
            known["tags"] = rules.list_tags(current["Arn"])
        return known

    def profile_rules(self, settings, bus_rules, bus=DEFAULT_BUS):
        """Each extra profile's rule: ``{"profile", "name", "arn", "wanted", "known"}``. A rule a wanted profile needs
        is read (rule, targets, tags); ``bus_rules`` has every rule name of ``bus`` (one ListRules)."""
        names = set((bus_rules or {}).get("names") or [])
        rules = self.manager(EventBridgeRuleManager)
        wanted = extra_profiles(settings)
        entries = []
        for profile in alert_profiles.PROFILE_NAMES:
            if profile == alert_profiles.SIGN_IN_PROFILE:
                continue
            name = profile_rule_name(settings["rule_name"], profile)
            entry = {"profile": profile, "name": name, "wanted": profile in wanted, "bus": bus, "arn": rules.predicted_arn(name, bus), "known": None}
            if name not in names:
                entry["known"] = {"rule": None, "targets": []}
            elif entry["wanted"]:
                entry["known"] = self.rule(name, bus)
            if entry["wanted"] or name in names:
                entries.append(entry)
        return entries

    def hub_pieces(self, settings, reader):
        """The hub's bus, the rules on it and theirs (profile rules)."""
        names = hub_mode.hub_names(settings)
        buses = self.manager(EventBusManager)
        bus = buses.describe(names["hub_bus_name"])
        bus_known = {"bus": bus, "tags": buses.list_tags(bus["Arn"]) if bus else None}
        main_arn = self.manager(EventBridgeRuleManager).predicted_arn(settings["rule_name"], names["hub_bus_name"])
        bus_rules = reader.read_rules(main_arn, bus=names["hub_bus_name"]) if bus else {"error": None, "rules": [], "names": [], "exists": False}
        if bus_rules.get("error"):
            raise UnsafeChangeError(notices.hub_rules_unreadable(self.account_id, names["hub_bus_name"], bus_rules["error"]))
        main = {"profile": alert_profiles.SIGN_IN_PROFILE, "name": settings["rule_name"], "wanted": True, "bus": names["hub_bus_name"],
                "arn": main_arn, "known": known_rule(bus_rules, main_arn)}
        return {"bus": bus_known, "bus_rules": bus_rules, "rules": [main] + self.profile_rules(settings, bus_rules, bus=names["hub_bus_name"])}

    # -- queues, Regions, roles ------------------------------------------------------------------
    def queue(self, settings, region=None):
        queues = self.manager(DeadLetterQueueManager, region)
        url = queues.get_url(hub_mode.hub_names(settings)["dead_letter_queue_name"])
        return {"queue_url": url, "attributes": queues.get_attributes(url) if url else None, "tags": queues.list_tags(url) if url else None}

    def enabled_regions(self):
        """The regions enabled in the account, us-east-1 first. ec2:DescribeRegions "Describes the Regions that
        are enabled for your account" (EC2 API reference), so an opt-in region not opted in is left out."""
        regions = self.clients("ec2", GLOBAL_REGION).describe_regions(aws_retry=True).get("Regions", [])
        names = sorted(region["RegionName"] for region in regions)
        return [GLOBAL_REGION] + [name for name in names if name != GLOBAL_REGION]

    def regions(self, settings, names):
        """The rules of the regional profiles outside us-east-1, and their regions' dead-letter queues. None when no
        regional profile is wanted and none has its rule in us-east-1 (``names``: the rule names of the us-east-1
        default bus), so per-account runs without one make no regional call."""
        wanted = regional_profiles(settings.get("profiles") or [alert_profiles.SIGN_IN_PROFILE])
        present = [p for p in regional_profiles() if profile_rule_name(settings["rule_name"], p) in names]
        if not wanted and not present:
            return None
        enabled = self.enabled_regions()
        listed = settings.get("regions") or enabled
        missing = [region for region in listed if region not in enabled]
        if missing:
            raise UnsafeChangeError(notices.regions_not_enabled(self.account_id, missing))
        regions_read = {"listed": listed, "enabled": enabled, "rules": [], "queues": {}, "wanted": wanted}
        for region in enabled[1:]:
            rules = self.manager(EventBridgeRuleManager, region)
            entries = []
            for profile in regional_profiles():
                name = profile_rule_name(settings["rule_name"], profile)
                entry = {"profile": profile, "name": name, "region": region, "bus": DEFAULT_BUS,
                         "wanted": profile in wanted and region in listed, "arn": rules.predicted_arn(name, DEFAULT_BUS)}
                entry["known"] = self.rule(name, DEFAULT_BUS, region)
                if entry["wanted"] or entry["known"]["rule"]:
                    entries.append(entry)
            regions_read["rules"].extend(entries)
            if entries:
                regions_read["queues"][region] = self.queue(settings, region)
        return regions_read

    def forwarding_role(self, settings):
        """``known`` of the forwarding role (GetRole and its inline policy)."""
        name = hub_mode.hub_names(settings)["forwarding_role_name"]
        return {"role": self.manager(iam_roles.RoleVerifier).read(name, iam_roles.ROLES[iam_roles.FORWARDING]["policy_name"])}

    def destination_role(self, settings, kind, rule_arns):
        """A role of docs/member-role.yml, read (GetRole: its trust; its permissions are the template's and are not read)
        and judged: ``{"name", "arn", "usable", "problems"}`` as ``with_role_checks`` takes it."""
        spec = DESTINATION_ROLES[kind]
        name = destination_role_name(settings, kind)
        reference = self.manager(iam_roles.RoleVerifier).read(name)
        arn = (reference or {}).get("Arn") or iam_roles.role_arn(self.region, self.account_id, name)
        if kind == "chat":
            # Whether the chat service sends aws:SourceAccount when it assumes the role is not documented: may lack it.
            trust = [{"context": {"aws:SourceAccount": self.account_id}, "for": "the channel configurations", "may_lack": ("aws:SourceAccount",)}]
        else:
            trust = [{"context": {"aws:SourceAccount": self.account_id, "aws:SourceArn": rule}, "for": "rule %s" % rule} for rule in rule_arns]
        usable, reasons = iam_roles.judge_role(reference, spec["service"], {"trust": trust, "permissions": []})
        problem = "IAM role %s (%s, %s) %s" % (name, spec["variable"], spec["what"], "; ".join(reasons))
        if reference is None:
            problem += ": create it with %s (parameter %s)" % (iam_roles.TEMPLATE, spec["parameter"])
        return {"kind": kind, "name": name, "arn": arn, "usable": usable, "problems": [] if usable else [problem], "reason": "; ".join(reasons)}

    # -- chat and webhooks -----------------------------------------------------------------------
    def destinations(self, settings, hub, verdict_only=False):
        """The chat channel configurations, each webhook's connection and API destination, and the roles they use; what
        the verdict judges (``destination_verdict``) in ``facts``. Nothing is read without chat channels or webhooks."""
        out = {"facts": {}, "roles": [], "chat": None, "webhooks": []}
        if not settings["chat_channels"] and not settings["webhooks"]:
            return out
        # Our alert rules in us-east-1 (in the hub, those on its bus too): they may publish to the chat topic and assume the webhook role.
        rules = self.manager(EventBridgeRuleManager)
        buses = [DEFAULT_BUS] + ([hub_mode.hub_names(settings)["hub_bus_name"]] if hub else [])
        names = [settings["rule_name"]] + [profile_rule_name(settings["rule_name"], p) for p in extra_profiles(settings)]
        rule_arns = [rules.predicted_arn(name, bus) for bus in buses for name in names]
        if settings["chat_channels"]:
            params = chat_params(settings, account_id=self.account_id, region=self.region)
            manager = self.manager(ChatChannelManager)
            configurations = manager.read(params)
            out["facts"]["chat"] = {"error": None, "configurations": manager.inventory(params, configurations)}
            out["chat"] = {"params": params, "configurations": configurations}
            if not verdict_only:
                out["roles"].append(self.destination_role(settings, "chat", rule_arns))
        if settings["webhooks"]:
            manager = self.manager(WebhookManager)
            webhook_reads = out["facts"]["webhooks"] = {}
            for webhook in settings["webhooks"]:
                name = webhook_formats.resource_name(settings["rule_name"], webhook["name"])
                known = {"connection": manager.describe_connection(name), "api_destination": manager.describe_api_destination(name)}
                out["webhooks"].append({"webhook": webhook, "name": name, "known": known})
                if known["api_destination"]:
                    webhook_reads[known["api_destination"]["ApiDestinationArn"]] = {"name": webhook["name"], "read": manager.read(name, known)}
            if not verdict_only:
                webhook_role = self.destination_role(settings, "webhooks", rule_arns)
                out["roles"].append(webhook_role)
                out["facts"]["roles"] = {webhook_role["arn"]: {"ok": webhook_role["usable"], "reason": webhook_role["reason"]}}
        return out

    def log_group(self, name):
        """``known`` of the CIS log group: the group (None when absent) and its tags."""
        groups = self.manager(LogGroupManager)
        group = groups.describe(name)
        return {"log_group": group, "tags": groups.list_tags(group) if group else None}

    # -- after the steps ----------------------------------------------------------------------------
    def pattern_tests(self, settings, rule, profile_outcomes):
        """``pattern_tests`` of the sign-in rule and ``profile_pattern_tests`` of each extra profile's rule, against
        real-shaped samples (those it must match, and an IAM user's, an assumed role's and a service event it must
        not): EventBridge's TestEventPattern for a pattern this run wrote, the local evaluation otherwise."""
        sign_in = self.manager(EventBridgeRuleManager).test_pattern(
            sign_in_pattern(settings), sign_in_samples(self.account_id, self.region), ask_aws=rule["changed"] and not self.check_mode)
        tests = {}
        for profile, outcome in profile_outcomes:
            if not (outcome.get("rule") or {}).get("event_pattern"):
                continue  # removed
            tests[profile] = self.manager(EventBridgeRuleManager).test_pattern(
                outcome["rule"]["event_pattern"], sample_events(profile, self.account_id, self.region),
                ask_aws=outcome["changed"] and not self.check_mode)
        return {"pattern_tests": sign_in, "profile_pattern_tests": tests}

    def profile_verdicts(self, settings, facts, profile_rules, regions, done):
        """Each enabled profile beyond console_sign_in, per Region (``profile_verdict``), from what this run read: the
        rules as found (check mode) or as this run left them. A Region that no trail read in us-east-1 covers has its
        own trails read (a single-Region trail is listed only in its Region), so a covered account reads nothing more."""
        if not extra_profiles(settings):
            return {}

        def rule_facts(entry, key):
            return entry["known"] if self.check_mode or key not in done else profile_verdict.rule_facts(done[key].get("rule"))

        rules = {}
        for entry in profile_rules:
            if entry["wanted"]:
                rules.setdefault(entry["profile"], {})[GLOBAL_REGION] = rule_facts(entry, "rule_" + entry["profile"])
        for entry in (regions or {}).get("rules") or []:
            if entry["wanted"]:
                rules.setdefault(entry["profile"], {})[entry["region"]] = rule_facts(entry, "rule_%s_%s" % (entry["region"], entry["profile"]))
        listed = [r for r in (regions or {}).get("listed") or [] if r in regions["enabled"]]
        trails = {GLOBAL_REGION: facts["trails"]}
        for region in listed:
            if region != GLOBAL_REGION and delivery_path.event_source_link(facts["trails"], self.account_id, region)["ok"] is False:
                trails[region] = self.manager(DeliveryPathReader, region).read_trails()
        partition = partition_for_region(self.region)
        return profile_verdict.evaluate({
            "account_id": self.account_id, "partition": partition, "profiles": extra_profiles(settings), "regions": listed, "rules": rules,
            "trails": trails, "topics": facts["topics"], "keys": facts["keys"], "topic_arn": facts["ours"]["topic_arn"],
            "bus_arn": hub_mode.own_default_bus_arn(self.account_id, partition), "role": (done.get("forwarding_role") or {}).get("role")})

    def hub_summary(self, settings, reader, facts, hub_known, done, changed):
        """What the report judges members with: the bus as it now stands and the paths from it."""
        names = hub_mode.hub_names(settings)
        if changed and not self.check_mode:
            bus_read = reader.read_bus(names["hub_bus_name"])
            bus_rules = reader.read_rules(done["hub_rule"]["rule"]["arn"], bus=names["hub_bus_name"])
        else:
            bus_read = {"bus": hub_known["bus"]["bus"], "error": None}
            bus_rules = hub_known["bus_rules"]
        ours = dict(facts["ours"], rule_arn=hub_known["rules"][0]["arn"])
        verdict = delivery_path.evaluate(dict(facts, bus=names["hub_bus_name"], rules=bus_rules, ours=ours))
        queue = notices.queue_summary(done["dead_letter_queue"], facts, not self.check_mode, hub_known=hub_known)
        return hub_mode.hub_summary(bus_read, verdict, settings, queue, partition_for_region(self.region), bus_rules=bus_rules)


def forwarding_roles(facts, bus_arn, our_role_arn):
    """The execution roles of the targets that are the hub bus, other than ours (read with the role manager)."""
    return sorted(set(t["RoleArn"] for r in (facts["rules"].get("rules") or []) for t in r.get("targets") or []
                      if t.get("Arn") == bus_arn and t.get("RoleArn") and t["RoleArn"] != our_role_arn))
