"""Session fixtures of the extension tests: the .oxt built once, one LibreOffice with it installed.

The LibreOffice session gets a throwaway profile: the extension is installed
there through the ExtensionManager API (what Strumenti > Gestione estensioni
and unopkg use), then soffice is restarted, as the notes say the functions and
handlers need. Every test reuses that one office; documents are loaded hidden.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ext_books import Case, build_case
from template_plans import edge_plan, edge_values

from barometro.addin.extension_build import ExtensionBuild, build_extension

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def oxt(tmp_path_factory) -> ExtensionBuild:
    return build_extension(tmp_path_factory.mktemp("oxt") / "barometro.oxt")


@pytest.fixture(scope="session")
def office(tmp_path_factory, oxt, soffice):
    from ext_office import Office

    office = Office(tmp_path_factory.mktemp("lo") / "profile", soffice=soffice).start()
    try:
        office.install(oxt.path)
        office.restart()
        yield office
    finally:
        office.stop()


@pytest.fixture(scope="session")
def cremona_plan(cremona_txt):
    from barometro.legacy import import_report

    return import_report(cremona_txt).plan


@pytest.fixture(scope="session")
def cases(tmp_path_factory, cremona_plan) -> dict[str, Case]:
    """Filled masters: the edge-case plan with both profiles, the Cremona plan with its profile."""
    root = tmp_path_factory.mktemp("cases")
    cremona_values = {i.id: (i.actual, i.note or None) for i in cremona_plan.indicators}
    return {
        "edge-default": build_case("edge-default", edge_plan(), "default", edge_values(), root),
        "edge-cremona": build_case("edge-cremona", edge_plan(), "cremona", edge_values(), root),
        "cremona": build_case("cremona", cremona_plan, "cremona", cremona_values, root),
    }
