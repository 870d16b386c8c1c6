"""`interlock`: serve the gateway, or run the provider simulator."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="interlock", description="Interlock AI gateway")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="start the gateway")
    serve.add_argument("--config", required=True, help="path to the YAML configuration")
    serve.add_argument("--host", help="listen address (default: server.host in the config)")
    serve.add_argument("--port", type=int, help="listen port (default: server.port)")
    serve.add_argument("--workers", type=int, help="worker processes (default: server.workers)")

    sim = sub.add_parser("simulate", help="run the provider simulator (no provider keys needed)")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=9999)

    from interlock.cli.identity import add_identity_commands

    add_identity_commands(sub)
    from interlock.cli.spend import add_spend_command

    add_spend_command(sub)
    from interlock.cli.budgets import add_budget_commands

    add_budget_commands(sub)
    from interlock.cli.audit_cmd import add_audit_commands

    add_audit_commands(sub)
    from interlock.routing.explain import add_route_commands

    add_route_commands(sub)

    from interlock.dlp.scan_cli import add_scan_command

    add_scan_command(sub)

    args = parser.parse_args(argv)
    if args.command == "serve":
        from interlock.server.serve import serve_command

        return serve_command(args.config, args.host, args.port, args.workers)
    if args.command == "simulate":
        from interlock.simulator import SimulatorConfig, run_simulator

        run_simulator(SimulatorConfig(), args.host, args.port)
        return 0
    if args.command == "audit":
        from interlock.cli.audit_cmd import audit_command

        return audit_command(args)
    if args.command == "scan":
        from interlock.dlp.scan_cli import scan_command

        return scan_command(args)
    if args.command == "spend":
        from interlock.cli.spend import spend_command

        return spend_command(args)
    if args.command == "budgets":
        from interlock.cli.budgets import budgets_command

        return budgets_command(args)
    if args.command == "route":
        from interlock.routing.explain import route_command

        return route_command(args)
    if args.command in ("teams", "apps", "identities", "keys", "bindings"):
        from interlock.cli.identity import identity_command

        return identity_command(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
