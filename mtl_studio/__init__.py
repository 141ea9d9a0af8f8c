"""MTL Studio: annotate text for NER and sentiment, train one shared encoder with two heads.

Importing this package loads neither torch nor Qt; `mtl_studio.core` is the headless engine,
`mtl_studio.gui` the Qt shell, `mtl_studio.cli` the command line over the same engine.
"""
__version__ = "0.1.0"
