"""``python -m server [--config PATH]``: run 102 on the configured address."""

from __future__ import annotations

import argparse
import asyncio
import ssl
import sys
from pathlib import Path

from aiohttp import web

from domain.errors import ConfigError
from server.app import create_app
from server.log import SERVER, configure
from server.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server", description=__doc__)
    parser.add_argument("--config", type=Path, default=None, help="config file (config.yaml)")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    configure(args.log_level)
    try:
        settings = load_settings(args.config)
        missing = [
            p for p in (settings.server.static_dir, settings.server.node_modules) if not p.is_dir()
        ]
        if missing:
            raise ConfigError(f"missing {', '.join(map(str, missing))}: run `make setup` first")
        app = create_app(settings)
    except ConfigError as exc:
        print(f"102: configuration error: {exc.message}", file=sys.stderr)
        return 2
    ssl_context = None
    scheme = "http"
    if settings.server.tls_cert and settings.server.tls_key:
        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ssl_context.load_cert_chain(settings.server.tls_cert, settings.server.tls_key)
        scheme = "https"
    url = f"{scheme}://{settings.server.host}:{settings.server.port}"
    print(
        f"\n102 is starting on {url}\n"
        f"  citizen page:      {url}/\n"
        f"  operator console:  {url}/console\n"
        "  No account ships with a password. Create the first operator with:\n"
        "    .venv/bin/python -m records create-user NAME --role operator --centre almaty-city\n",
        flush=True,
    )
    serve = _serve(app, settings.server.host, settings.server.port, ssl_context)
    try:
        try:
            import uvloop
        except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
            asyncio.run(serve)
        else:
            uvloop.run(serve)
    except KeyboardInterrupt:
        SERVER.info("stopped")
    return 0


async def _serve(
    app: web.Application, host: str, port: int, ssl_context: ssl.SSLContext | None
) -> None:
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port, ssl_context=ssl_context).start()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    sys.exit(main())
