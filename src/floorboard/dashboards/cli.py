"""``floorboard grafana generate|push`` and ``floorboard prometheus generate``."""

from __future__ import annotations

import argparse
import sys

from floorboard.dashboards.grafana import generate
from floorboard.dashboards.prometheus import generate as prometheus_generate


def configure_grafana(p: argparse.ArgumentParser) -> None:
    actions = p.add_subparsers(dest="action", required=True)
    gen = actions.add_parser("generate", help="rewrite floorboard/dashboards/grafana/generated/")
    gen.set_defaults(func=run_generate)
    push = actions.add_parser("push", help="upload dashboards, alert rules and contact points")
    push.add_argument("--url", required=True, help="Grafana base URL, e.g. https://grafana.example")
    push.add_argument("--token", required=True, help="service account token")
    push.add_argument(
        "--replace-notification-policy",
        action="store_true",
        help="also replace the organisation's whole notification policy tree with Floorboard's "
        "(off by default: the tree is shared with everything else alerting in that Grafana)",
    )
    push.set_defaults(func=run_push)


def configure_prometheus(p: argparse.ArgumentParser) -> None:
    prom_actions = p.add_subparsers(dest="action", required=True)
    prom_gen = prom_actions.add_parser(
        "generate", help="rewrite floorboard/dashboards/prometheus/recording.rules.yml"
    )
    prom_gen.set_defaults(func=run_prometheus_generate)
    rule = prom_actions.add_parser(
        "rule", help="print every rule as a PrometheusRule (> deploy/k8s/prometheusrule.yaml)"
    )
    rule.set_defaults(func=run_prometheus_rule)


def run_generate(args: argparse.Namespace) -> int:
    for path in generate.write():
        print(path)
    return 0


def run_prometheus_generate(args: argparse.Namespace) -> int:
    print(prometheus_generate.write())
    return 0


def run_prometheus_rule(args: argparse.Namespace) -> int:
    sys.stdout.write(prometheus_generate.prometheus_rule())
    return 0


def run_push(args: argparse.Namespace) -> int:
    from grafana_client.client import GrafanaException

    from floorboard.dashboards.grafana.push import push

    try:
        report = push(args.url, args.token, replace_policy=args.replace_notification_policy)
    except (GrafanaException, OSError) as exc:
        print(f"floorboard grafana push: {exc}", file=sys.stderr)
        return 1
    policy = "and the notification policy" if report.policy else "(notification policy untouched)"
    print(
        f"pushed {len(report.dashboards)} dashboards, {len(report.alert_rules)} alert rules, "
        f"{len(report.contact_points)} contact points {policy}"
    )
    return 0
