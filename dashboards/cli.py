"""``floorboard grafana generate|push``."""

from __future__ import annotations

import argparse
import sys

from dashboards.grafana import generate


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("grafana", help="generate or upload the Grafana dashboards and alerting")
    actions = p.add_subparsers(dest="action", required=True)
    gen = actions.add_parser("generate", help="rewrite dashboards/grafana/generated/")
    gen.set_defaults(func=run_generate)
    push = actions.add_parser("push", help="upload dashboards, alert rules and contact points")
    push.add_argument("--url", required=True, help="Grafana base URL, e.g. https://grafana.example")
    push.add_argument("--token", required=True, help="service account token")
    push.set_defaults(func=run_push)


def run_generate(args: argparse.Namespace) -> int:
    for path in generate.write():
        print(path)
    return 0


def run_push(args: argparse.Namespace) -> int:
    from grafana_client.client import GrafanaException

    from dashboards.grafana.push import push

    try:
        report = push(args.url, args.token)
    except (GrafanaException, OSError) as exc:
        print(f"floorboard grafana push: {exc}", file=sys.stderr)
        return 1
    print(
        f"pushed {len(report.dashboards)} dashboards, {len(report.alert_rules)} alert rules, "
        f"{len(report.contact_points)} contact points and the notification policy"
    )
    return 0
