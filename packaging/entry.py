"""Entry script of the PyInstaller build: the same `mtl-studio` command as the pip install.

One extra, internal form: `mtl-studio --torchrun TORCHRUN_ARGS...` runs PyTorch's own launcher
(torch.distributed.run) inside the frozen app, because a frozen app has no `python -m`. The launcher
(mtl_studio.core.launcher) uses it with `--no-python` so the workers are this same executable.
"""
import multiprocessing
import sys


def _main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--torchrun":
        from torch.distributed.run import main as torchrun_main

        torchrun_main(sys.argv[2:])
        return 0
    from mtl_studio.cli import main

    return main()


if __name__ == "__main__":
    multiprocessing.freeze_support()  # torch.multiprocessing / DataLoader workers in a frozen app
    sys.exit(_main())
