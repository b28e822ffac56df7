"""The command ``bouche viz``: check the input, then start the app's server (uvicorn) and serve
:mod:`sim.viz.page` until interrupted.

Imports stay light (uvicorn and solara are loaded when the command runs), so ``bouche --help``
stays fast and works without the ``viz`` extra.
"""

from __future__ import annotations

import errno
import importlib.util
import ipaddress
import json
import os
import socket
import sys
import threading
import time

from sim import config
from sim.errors import ConfigError
from sim.viz.page import _ENV, _install_page_from_env

__all__ = ["NEEDS_EXTRA", "LIVE_MODELS", "add_arguments", "command"]

NEEDS_EXTRA = "bouche viz needs the viz extra: pip install 'bouche[viz]'"
LIVE_MODELS = ("adoption", "platform", "attention")  # the models the app has views for (sim.viz.views)


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


def check_address(host: str, port: int) -> tuple[int, str | None]:
    """The address family of ``--host`` and a warning if it reaches beyond this machine; ConfigError if bad.

    Checked before anything starts: ``--port`` in 0..65535 (0 = any free
    port), ``--host`` an address or a name this machine resolves.

    Examples
    --------
    >>> check_address("127.0.0.1", 8765)
    (<AddressFamily.AF_INET: 2>, None)
    >>> check_address("127.0.0.1", 70000)
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: --port must be an integer in 0..65535 (0 = any free port); got 70000
    """
    if not 0 <= port <= 65535:
        raise ConfigError("--port", f"must be an integer in 0..65535 (0 = any free port); got {port}")
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError("--host", f"must be an IP address or a host name of this machine; got {host!r} "
                                    f"({why})") from None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn will bind it
    addresses = {info[4][0] for info in found}
    if all(_loopback(a) for a in addresses):
        return family, None
    return family, (f"bouche viz: warning: --host {host} serves the app, without a password, to every machine "
                    f"that can reach this one; use --host 127.0.0.1 to keep it on this machine")


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def _free_port(host: str, port: int, family=socket.AF_INET) -> int:
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will (TIME_WAIT is fine)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:  # a real address, but none of this machine's
                raise ConfigError("--host", f"must be an address of this machine; got {host!r} "
                                            f"({exc.strerror})") from None
            raise ConfigError("--port", f"must be a free port on {host}; {port} is not ({exc.strerror})") from None
        return s.getsockname()[1]


def command(args) -> int:
    """Run ``bouche viz``: start the app on ``--host``:``--port`` and serve until interrupted."""
    family, warning = check_address(args.host, args.port)
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
    spec = config.load(args.scenario, overrides=dict(fixed), seed=args.seed)  # bad input: one line, exit 2
    if spec.model not in LIVE_MODELS:
        raise ConfigError("scenario", f"must have model = {' or '.join(LIVE_MODELS)} to run live; {spec.name} has "
                                      f"model = {spec.model} (bouche run {spec.name} draws its figures)")
    port = _free_port(args.host, args.port, family)
    if warning:
        print(warning, file=sys.stderr, flush=True)
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
    shown = "localhost" if args.host in ("127.0.0.1", "0.0.0.0", "::") else args.host
    url = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/"

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
