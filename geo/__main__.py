"""Command line: ``python -m geo locate LAT LON [--accuracy M] [--config PATH]``.

Prints one JSON object (region, centre, address, flags, nearest units). Exit status 2 for bad
input (argparse's convention), 1 for bad configuration or data.

``python -m geo build-settlements`` regenerates geo/data/settlements.tsv from GeoNames.
``python -m geo outlines [--tolerance DEG]`` prints the simplified region outlines.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from domain.errors import ConfigError, InvalidInput


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    locate = commands.add_parser("locate", help="route and describe one position")
    locate.add_argument("lat", type=float, help="latitude, WGS84 degrees")
    locate.add_argument("lon", type=float, help="longitude, WGS84 degrees")
    locate.add_argument("--accuracy", type=float, default=None, metavar="M", help="metres")
    locate.add_argument("--config", type=Path, default=None, help="config.yaml to use")
    build = commands.add_parser("build-settlements", help="regenerate the settlements table")
    build.add_argument("--out", type=Path, default=None)
    build.add_argument("--config", type=Path, default=None)
    outlines = commands.add_parser("outlines", help="print simplified region outlines")
    outlines.add_argument("--tolerance", type=float, default=0.01, metavar="DEG")
    outlines.add_argument("--config", type=Path, default=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Imported here: settings pulls in yaml, which the library part of geo does not need.
    from server.settings import load_settings

    try:
        settings = load_settings(args.config)
        if args.command == "locate":
            from geo.location import Location
            from geo.service import GeoService

            # The same checks as a fix from a browser: NaN, ranges, accuracy bounds.
            fix = Location(args.lat, args.lon, args.accuracy, fixed_at=time.time())
            service = GeoService.from_settings(settings.geo, settings.centres)
            answer = service.locate(fix.lat, fix.lon, fix.accuracy_m)
            print(json.dumps(answer.to_dict(), ensure_ascii=False))
        elif args.command == "build-settlements":
            from geo.geocoder import DEFAULT_SETTLEMENTS
            from geo.settlements_build import main as build

            return build(args.out or DEFAULT_SETTLEMENTS, settings.geo.boundary_file)
        else:
            from geo.regions import RegionIndex

            index = RegionIndex.load(settings.geo.boundary_file)
            print(json.dumps(index.outlines_geojson(args.tolerance), ensure_ascii=False))
    except InvalidInput as exc:
        print(f"python -m geo: {exc.message}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"python -m geo: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
