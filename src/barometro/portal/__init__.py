"""The collection portal (`barometro serve`): the office and every sector, in a browser.

A thin adapter over the library: campaigns are created with `barometro.legacy` /
`barometro.plan_io` and `build_templates`, uploads are checked by
`barometro.validators.validate_file` in worker processes, returns are merged by
`barometro.consolidation.consolidate`. Everything it keeps lives under one data
folder (`PortalConfig.data_dir`): the database and the content-addressed files.
"""

from __future__ import annotations

from .config import PortalConfig

__all__ = ["PortalConfig"]
