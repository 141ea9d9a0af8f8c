"""Subcommands of `mtl-studio`, one module per group; each has register(subparsers).

User errors are raised as mtl_studio.core.schema.ValidationError (printed as one line by cli.main).
"""
