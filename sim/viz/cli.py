"""The command ``bouche viz``: check the input, then start the app's server (uvicorn) and serve
:mod:`sim.viz.page` until interrupted.

Imports stay light (uvicorn and solara are loaded when the command runs), so ``bouche --help``
stays fast and works without the ``viz`` extra.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import sys
import threading
import time

from sim import config
from sim.errors import ConfigError
from sim.viz.page import _ENV, _install_page_from_env

__all__ = ["NEEDS_EXTRA", "add_arguments", "command"]

NEEDS_EXTRA = "bouche viz needs the viz extra: pip install 'bouche[viz]'"


def add_arguments(p) -> None:
    """Arguments of ``bouche viz``."""
    p.add_argument("scenario", nargs="?", default="bass", help="a shipped scenario name or a .toml file (default bass)")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter before the app starts (repeatable)")
    p.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any free port)")
    p.add_argument("--interval", type=int, default=200, metavar="MS",
                   help="milliseconds between steps when playing (default 200; a slider in the app too)")
    p.add_argument("--max-drawn", type=int, default=3000, metavar="N",
                   help="draw a random sample of N people above this size (default 3000)")
    p.add_argument("--open", action="store_true", help="open the app in the default web browser")


def _have_viz() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("solara", "uvicorn", "altair"))


def _free_port(host: str, port: int) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will (TIME_WAIT is fine)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise ConfigError("--port", f"must be a free port on {host}; {port} is not ({exc.strerror})") from None
        return s.getsockname()[1]


def command(args) -> int:
    """Run ``bouche viz``: start the app on ``--host``:``--port`` and serve until interrupted."""
    if not _have_viz():
        print(NEEDS_EXTRA, file=sys.stderr)
        return 2
    if args.seed is not None and args.seed < 0:
        raise ConfigError("--seed", f"must be an integer >= 0; got {args.seed}")
    if args.interval < 1:
        raise ConfigError("--interval", f"must be an integer >= 1 (milliseconds); got {args.interval}")
    if args.max_drawn < 10:
        raise ConfigError("--max-drawn", f"must be an integer >= 10; got {args.max_drawn}")
    fixed = [list(config.parse_assignment(text)) for text in args.sets]
    config.load(args.scenario, overrides=dict(fixed), seed=args.seed)  # bad input: one line, exit 2
    port = _free_port(args.host, args.port)
    settings = {"source": str(args.scenario), "fixed": fixed, "seed": args.seed, "interval": args.interval,
                "max_drawn": args.max_drawn}
    os.environ[_ENV] = json.dumps(settings)
    os.environ["SOLARA_APP"] = "sim.viz.page"  # a plain module: one page at / (see sim.viz.page)
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_CHECK_HOOKS", "off")  # Mesa 3.3.1's hook warning is not for teachers
    os.environ.setdefault("MPLBACKEND", "Agg")
    import warnings

    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    _install_page_from_env()

    import uvicorn

    server = uvicorn.Server(uvicorn.Config("solara.server.starlette:app", host=args.host, port=port,
                                           log_level="warning", lifespan="on"))
    url = f"http://{'localhost' if args.host in ('127.0.0.1', '0.0.0.0') else args.host}:{port}/"

    def announce():
        while not server.started:
            if getattr(server, "should_exit", False):
                return
            time.sleep(0.05)
        print(f"bouche viz: {args.scenario} is live at {url} (Ctrl-C to stop)", flush=True)
        if args.open:
            import webbrowser

            webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    server.run()
    return 0
