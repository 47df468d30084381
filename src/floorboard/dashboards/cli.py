"""``floorboard grafana generate|push`` and ``floorboard prometheus generate``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pydantic import SecretStr

from floorboard.config import ConfigError, read_secret
from floorboard.dashboards.grafana import generate
from floorboard.dashboards.prometheus import generate as prometheus_generate


def configure_grafana(p: argparse.ArgumentParser) -> None:
    actions = p.add_subparsers(dest="action", required=True)
    gen = actions.add_parser("generate", help="rewrite floorboard/dashboards/grafana/generated/")
    gen.set_defaults(func=run_generate)
    push = actions.add_parser("push", help="upload dashboards, alert rules and contact points")
    push.add_argument(
        "--url", default=os.environ.get("GRAFANA_URL"),
        help="Grafana base URL, e.g. https://grafana.example (default: GRAFANA_URL)",
    )  # fmt: skip
    push.add_argument(
        "--token-file", type=Path, default=None,
        help="file holding the service account token (default: the GRAFANA_TOKEN variable); "
        "never on the command line, where ps and shell history show it",
    )  # fmt: skip
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


def push_token(token_file: Path | None) -> SecretStr:
    """The service account token: from ``--token-file``, else Grafana's own GRAFANA_TOKEN."""
    if token_file is not None:
        return read_secret(token_file, "--token-file")
    token = os.environ.get("GRAFANA_TOKEN", "").strip()
    if not token:
        raise ConfigError("--token-file: not given and GRAFANA_TOKEN is not set")
    return SecretStr(token)


def run_prometheus_rule(args: argparse.Namespace) -> int:
    sys.stdout.write(prometheus_generate.prometheus_rule())
    return 0


def run_push(args: argparse.Namespace) -> int:
    from grafana_client.client import GrafanaException

    from floorboard.dashboards.grafana.push import push

    if not args.url:
        print("floorboard grafana push: --url: not given and GRAFANA_URL is not set",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        token = push_token(args.token_file)
    except ConfigError as exc:
        print(f"floorboard grafana push: {exc}", file=sys.stderr)
        return 2
    try:
        report = push(args.url, token, replace_policy=args.replace_notification_policy)
    except (GrafanaException, OSError) as exc:
        print(f"floorboard grafana push: {exc}", file=sys.stderr)
        return 1
    policy = "and the notification policy" if report.policy else "(notification policy untouched)"
    print(
        f"pushed {len(report.dashboards)} dashboards, {len(report.alert_rules)} alert rules, "
        f"{len(report.contact_points)} contact points {policy}"
    )
    return 0
