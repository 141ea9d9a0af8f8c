"""Subcommands: filled in by the data work (see cli.py for how groups register)."""
import argparse


def register(sub: "argparse._SubParsersAction") -> None:
    pass
