"""Batch validator for returned workbooks (installed as `barometro.validators`)."""
