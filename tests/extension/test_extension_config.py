"""What the installed extension adds to LibreOffice's configuration: menu, toolbar, handler, wizard.

Read back through LibreOffice's own ConfigurationProvider (Italian and English
locales) and its FunctionDescriptions service (what the Function Wizard lists),
and compared with the message catalogue and `functions.FUNCTIONS`.
"""

from __future__ import annotations

import pytest
from ext_office import uno_constant

from barometro.addin import functions
from barometro.addin.extension_build import CELL_RANGE, idl_methods
from barometro.messages import text

pytestmark = pytest.mark.libreoffice

LOCALES = (("it", "it"), ("en", "en-US"))  # catalogue language, LibreOffice locale
COMMANDS = (("barometro:Ricalcola", "addin.button.ricalcola"), ("barometro:Valida", "addin.button.valida"),
            ("barometro:Consolida", "addin.button.consolida"))
SPREADSHEET = "com.sun.star.sheet.SpreadsheetDocument"


def _items(node) -> list:
    return [node.getByName(n) for n in node.ElementNames]


@pytest.mark.parametrize("lang,locale", LOCALES)
def test_the_barometro_menu_and_toolbar(office, lang, locale):
    menu = office.config("/org.openoffice.Office.Addons/AddonUI/OfficeMenuBar/org.barometro.menu", locale)
    assert menu.Title == text("addin.ext.menu", lang)
    assert menu.Context == SPREADSHEET
    entries = [(m.URL, m.Title, m.Target, m.Context) for m in _items(menu.Submenu)]
    assert entries == [(u, text(k, lang), "_self", SPREADSHEET) for u, k in COMMANDS]
    toolbar = office.config("/org.openoffice.Office.Addons/AddonUI/OfficeToolBar/org.barometro.toolbar", locale)
    assert [(t.URL, t.Title, t.Context) for t in _items(toolbar)] == [(u, text(k, lang), SPREADSHEET)
                                                                      for u, k in COMMANDS]
    state = office.config("/org.openoffice.Office.UI.CalcWindowState/UIElements/States", locale)
    toolbar_state = state.getByName("private:resource/toolbar/addon_org.barometro.toolbar")
    assert toolbar_state.UIName == text("addin.ext.toolbar", lang)
    assert (toolbar_state.Visible, toolbar_state.Style) == (True, 1)  # shown, buttons with their titles


def test_the_commands_have_a_protocol_handler_and_the_load_job(office):
    handlers = office.config("/org.openoffice.Office.ProtocolHandler/HandlerSet")
    assert tuple(handlers.getByName("org.barometro.calc.Commands").Protocols) == ("barometro:*",)
    jobs = office.config("/org.openoffice.Office.Jobs")
    assert jobs.Jobs.getByName("org.barometro.calc.ReparseJob").Context == SPREADSHEET
    assert "org.barometro.calc.ReparseJob" in jobs.Events.getByName("OnLoadFinished").JobList.ElementNames


@pytest.mark.parametrize("lang,locale", LOCALES)
def test_function_wizard_texts_in_the_configuration(office, lang, locale):
    root = office.config("/org.openoffice.Office.CalcAddIns/AddInInfo/org.barometro.calc.Functions/AddInFunctions",
                         locale)
    # configuration sets have no order: Calc matches arguments by name (the wizard's order is the IDL's)
    assert sorted(root.ElementNames) == sorted(name for name, _, _ in functions.FUNCTIONS)
    for name, params in idl_methods():
        node = root.getByName(name)
        assert node.DisplayName == name
        assert node.Description == functions.description(name, lang)
        assert sorted(node.Parameters.ElementNames) == sorted(arg for _, arg in params)
        for uno_type, arg in params:
            p = node.Parameters.getByName(arg)
            help_text = functions.argument_description(name, arg, lang)
            if uno_type == CELL_RANGE:
                help_text = text("addin.ext.fn.cell_argument", lang, description=help_text)
            assert (p.DisplayName, p.Description) == (arg, help_text)


def test_function_wizard_lists_the_functions(office):
    """FunctionDescriptions: what the wizard shows, in this LibreOffice's UI language (en-US here)."""
    ui = office.config("/org.openoffice.Setup/L10N").ooLocale or "en-US"
    lang = "it" if ui.startswith("it") else "en"
    found = {}
    descriptions = office.create("com.sun.star.sheet.FunctionDescriptions")
    for i in range(descriptions.Count):
        props = {p.Name: p.Value for p in descriptions.getByIndex(i)}
        if str(props.get("Name", "")).startswith("BAR_"):
            found[props["Name"]] = props
    assert set(found) == {name for name, _, _ in functions.FUNCTIONS}
    for name, params in idl_methods():
        props = found[name]
        assert props["Category"] == uno_constant("com.sun.star.sheet.FunctionCategory.ADDIN")
        assert props["Description"] == functions.description(name, lang)
        args = [(a.Name, a.IsOptional) for a in props["Arguments"]]
        assert args == [(arg, uno_type != CELL_RANGE) for uno_type, arg in params]
