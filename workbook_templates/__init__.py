"""Workbook templates: the one template specification and the builder that writes it.

Installed as `barometro.workbook_templates` (this folder is mapped into the
`barometro` namespace by pyproject.toml).
"""
