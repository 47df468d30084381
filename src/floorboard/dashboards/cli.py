"""``floorboard grafana generate|push`` and ``floorboard prometheus generate|rule|alerts``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

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
    alerts = prom_actions.add_parser(
        "alerts", help="print the alert rules, linking to your runbooks and Grafana"
    )
    alerts.set_defaults(func=run_prometheus_alerts)
    for command in (rule, alerts):
        command.add_argument(
            "--runbook-url", type=base_url, default=None, metavar="URL",
            help="where docs/ is published: runbook_url becomes URL/runbooks.md#<alert> "
            f"(default: {prometheus_generate.RUNBOOK_PLACEHOLDER})",
        )  # fmt: skip
        command.add_argument(
            "--grafana-url", type=base_url, default=None, metavar="URL",
            help="your Grafana: dashboard_url becomes URL/d/<dashboard>?… "
            f"(default: {prometheus_generate.GRAFANA_PLACEHOLDER})",
        )  # fmt: skip


def base_url(value: str) -> str:
    """An http(s) URL without query or fragment, for the links in alerts."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(
            f"{value!r}: expected http(s)://host[/path], without query or fragment"
        )
    return value


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
    sys.stdout.write(prometheus_generate.prometheus_rule(args.runbook_url, args.grafana_url))
    return 0


def run_prometheus_alerts(args: argparse.Namespace) -> int:
    sys.stdout.write(prometheus_generate.alerts(args.runbook_url, args.grafana_url))
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
