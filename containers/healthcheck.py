"""Container health check: exit 0 when the service answers 200 on /health/ready, else 1.

Used by the Dockerfile's HEALTHCHECK and docker-compose.yml. Standard library only, so the image
needs no curl. It asks the server in the same container: HOST and PORT are the service's own
settings (a wildcard bind address is reached through the loopback).
"""

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    host = os.environ.get("HOST", "0.0.0.0")
    if host in ("", "0.0.0.0", "::", "[::]"):
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    port = os.environ.get("PORT", "8000")
    url = f"http://{host}:{port}/health/ready"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"not ready: {url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
