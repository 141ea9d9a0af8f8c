"""`python -m mtl_studio` is the same as the `mtl-studio` entry point (torchrun uses this form)."""
import sys

from mtl_studio.cli import main

if __name__ == "__main__":
    sys.exit(main())
