"""The Qt shell of MTL Studio: the only package that imports PySide6."""
