"""python -m deploy.nginx: print the nginx configuration for a set of replicas."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deploy.nginx import Balancer, render


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m deploy.nginx",
        description="Print an nginx configuration that balances the given replicas of "
                    "`python -m service` (passive health checks, retries of predictions, "
                    "keep-alive upstream connections).")
    p.add_argument("--listen", default="8080", help="nginx listen value (default 8080)")
    p.add_argument("--replica", action="append", required=True, metavar="HOST:PORT",
                   help="a replica's address; repeat for each replica")
    p.add_argument("--state-dir", type=Path, required=True,
                   help="absolute directory for nginx's pid file, logs and temporary files")
    p.add_argument("--worker-processes", default="auto", help="nginx worker processes "
                                                              "(default auto: one per core)")
    p.add_argument("--max-fails", type=int, default=1,
                   help="failed attempts that take a replica out (default 1)")
    p.add_argument("--fail-timeout", type=int, default=2, metavar="SECONDS",
                   help="how long a failed replica stays out (default 2)")
    return p


def main(argv: list[str] | None = None) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    balancer = Balancer(listen=args.listen, replicas=tuple(args.replica),
                        state_dir=args.state_dir, worker_processes=args.worker_processes,
                        max_fails=args.max_fails, fail_timeout_s=args.fail_timeout)
    try:
        sys.stdout.write(render(balancer))
    except ValueError as exc:
        cli.error(str(exc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
