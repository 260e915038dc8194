"""``python -m soap_client codegen``: its arguments, and its exit codes.

0: the whole WSDL was generated; 1: a module was written but some parts could not be (each
named on stderr, and in the module's docstring; 0 with ``--allow-partial``); 2: the input is
unusable (unreadable, not a WSDL, nothing generatable, a bad catalog); 3: the WSDL's SOAP
operations are all rpc/encoded, which is not supported. Every error is one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

EXIT_PARTIAL, EXIT_UNUSABLE, EXIT_ENCODED = 1, 2, 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("wsdl", metavar="WSDL", help="a WSDL file or an http(s) URL (...?wsdl)")
    parser.add_argument("-o", "--output", type=Path, help="the module to write (stdout if absent)")
    parser.add_argument(
        "--catalog",
        type=Path,
        metavar="FILE",
        help="an XML catalog mapping imported URLs or namespaces to local files",
    )
    parser.add_argument(
        "--allow-partial",
        action="store_true",
        help="exit 0 even when some operations could not be generated",
    )
    parser.add_argument(
        "--line-length", type=int, default=100, help="the formatted module's line length (100)"
    )


def run(args: argparse.Namespace, out: TextIO) -> int:
    from soap_client.catalog import Catalog, CatalogError
    from soap_client.codegen import CodegenError, EncodedOnly, generate

    try:
        catalog = Catalog.read(args.catalog) if args.catalog is not None else None
        source, skipped = generate(args.wsdl, catalog=catalog, line_length=args.line_length)
    except EncodedOnly as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ENCODED
    except (CodegenError, CatalogError) as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_UNUSABLE
    except Exception as error:  # a bug in codegen on an unforeseen shape: still one line
        reason = " ".join(str(error).split())
        print(
            f"error: codegen failed on {args.wsdl}: {type(error).__name__}: {reason}"
            " (a bug in codegen; please report it with the WSDL)",
            file=sys.stderr,
        )
        return EXIT_UNUSABLE
    if args.output is None:
        out.write(source)
    else:
        try:
            args.output.write_text(source, "utf-8")
        except OSError as error:
            print(f"error: cannot write {args.output}: {error.strerror}", file=sys.stderr)
            return EXIT_UNUSABLE
        print(f"wrote {args.output} ({len(source.splitlines())} lines)", file=out)
    for item in skipped:
        print(f"error: not generated: {item}", file=sys.stderr)
    return EXIT_PARTIAL if skipped and not args.allow_partial else 0
