"""Entry point of a demo app's server process: uvicorn on a socket the parent already bound.

The parent binds 127.0.0.1:PORT itself (so a port in use is its clear error, and port 0
gives an ephemeral port known before the child starts) and passes the descriptor here.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import time

APPS = {
    "vulnerable": "dynaguard.demo.vulnerable.app:app",
    "hardened": "dynaguard.demo.hardened.app:app",
}


def _exit_with_parent(parent: int) -> None:
    """Stop when the parent is gone, even if it was killed without cleaning up."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    """Serve one demo app on the inherited socket until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m dynaguard.demo.child")
    parser.add_argument("app", choices=sorted(APPS))
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    _exit_with_parent(args.parent)
    import uvicorn

    sock = socket.socket(fileno=args.fd)
    config = uvicorn.Config(APPS[args.app], log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
