"""The `barometro` command line: a thin layer over the library."""
