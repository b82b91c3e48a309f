"""The office add-in: xlwings UDFs and macros (installed as `barometro.addin`)."""
