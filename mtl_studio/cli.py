"""The `mtl-studio` command: no arguments opens the studio, `mtl-studio PROJECT.mtl` opens it on that
project; a subcommand works headless.

Each group of subcommands lives in mtl_studio/commands/ and registers itself on the parser; heavy
imports (torch, transformers, Qt) happen inside the command that needs them so `--help` stays fast.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys

from mtl_studio import __version__
from mtl_studio.commands import data as data_commands
from mtl_studio.commands import engine as engine_commands
from mtl_studio.commands import loop as loop_commands
from mtl_studio.commands import maintenance as maintenance_commands
from mtl_studio.commands import sweep as sweep_commands
from mtl_studio.core.errors import MtlStudioError

# Errors the user can act on, printed as one line: the project's own family (core.errors, caught by its
# base so this path imports no torch); OSError: a folder where a file was expected, no permission, disk
# full; sqlite3.Error: a project that is locked or read-only; KeyError / ValueError: an unknown run or
# document id, a bad option value.
USER_ERRORS: tuple[type[BaseException], ...] = (MtlStudioError, OSError, sqlite3.Error, KeyError, ValueError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mtl-studio",
        description="Annotate text for NER and sentiment, train one shared encoder with two heads, "
                    "evaluate and export. With no command, opens the desktop studio; `mtl-studio PROJECT.mtl` "
                    "opens it on that project.")
    parser.add_argument("--version", action="version", version=f"mtl-studio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = sub.add_parser("gui", help="open the desktop studio (the default with no command)")
    gui.add_argument("project", nargs="?", help="project file to open")
    gui.set_defaults(func=_run_gui)
    data_commands.register(sub)
    maintenance_commands.register(sub)
    engine_commands.register(sub)
    sweep_commands.register(sub)
    loop_commands.register(sub)
    return parser


def _run_gui(args: argparse.Namespace) -> int:
    from mtl_studio.gui.app import main as gui_main

    return gui_main([args.project] if getattr(args, "project", None) else [])


def is_project_to_open(argv: list[str]) -> bool:
    """One argument naming a *.mtl file (no subcommand is named so): open the studio on it."""
    return len(argv) == 1 and argv[0].lower().endswith(".mtl")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    if not argv:
        return _run_gui(argparse.Namespace(project=None))
    if is_project_to_open(argv):  # `mtl-studio news.mtl`: what a file manager or a user typing runs
        if not os.path.isfile(argv[0]):
            print(f"mtl-studio: error: no project at {argv[0]} (create one with `mtl-studio new {argv[0]}`)",
                  file=sys.stderr)
            return 1
        return _run_gui(argparse.Namespace(project=argv[0]))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except USER_ERRORS as e:  # one clear line, no traceback
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"mtl-studio {args.command}: error: {msg}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
