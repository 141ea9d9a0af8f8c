"""Subcommands of `mtl-studio`, one module per group; each has register(subparsers).

A command raises what the user can fix and cli.main prints it as one line (cli.USER_ERRORS): the
project's own errors (mtl_studio.core.errors.MtlStudioError: ValidationError, ExportError,
TrainingError, ...) as the core raised them; ValueError for a bad option value or input record;
FileNotFoundError for a missing project or input; KeyError for an unknown run or document id.
"""
