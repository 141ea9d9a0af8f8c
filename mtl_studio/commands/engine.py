"""Subcommands: filled in by the engine work (see cli.py for how groups register)."""
import argparse


def register(sub: "argparse._SubParsersAction") -> None:
    register_export(sub)


def register_export(sub: "argparse._SubParsersAction") -> None:
    """export-model, predict, pseudo-label (implemented in commands/model_io.py)."""
    from mtl_studio.commands import model_io

    model_io.register(sub)
