"""The bundled example data `buysignal run` uses when no config is given (see README.md here)."""
