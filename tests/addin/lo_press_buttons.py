"""UNO script (run with /usr/bin/python3): open office workbooks in LibreOffice and press buttons.

Usage: lo_press_buttons.py PROFILE_DIR OUT_JSON BOOK.xlsm [BOOK.xlsm ...]

For every book: the Basic libraries and their modules, every form button on
every sheet with its label and bound script, and, for each button, what the
stub `RunPython` recorded in Impostazioni!Z1 after the button was pressed
through its accessibility action (a real click on the control), plus the
recording after invoking the bound script URL directly.
"""

import json
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

RECORD_SHEET, RECORD_CELL = "Impostazioni", "Z1"


def pv(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(profile):
    pipe = f"barometro_addin_{int(time.time() * 1000)}"
    proc = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
         "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
         f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return proc, ctx
        except Exception:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("LibreOffice did not start")


def recorded(doc):
    return doc.Sheets.getByName(RECORD_SHEET).getCellRangeByName(RECORD_CELL).getString()


def clear(doc):
    doc.Sheets.getByName(RECORD_SHEET).getCellRangeByName(RECORD_CELL).setString("")


def inspect(desktop, path):
    from com.sun.star.document.MacroExecMode import ALWAYS_EXECUTE_NO_WARN

    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(path), "_blank", 0,
        (pv("Hidden", True), pv("MacroExecutionMode", ALWAYS_EXECUTE_NO_WARN)),
    )
    out = {"path": path, "libraries": {}, "buttons": [], "sheets": list(doc.Sheets.getElementNames())}
    libs = doc.BasicLibraries
    for name in libs.getElementNames():
        libs.loadLibrary(name)
        out["libraries"][name] = sorted(libs.getByName(name).getElementNames())
    controller = doc.CurrentController
    provider = doc.getScriptProvider()
    for sheet_name in doc.Sheets.getElementNames():
        sheet = doc.Sheets.getByName(sheet_name)
        forms = sheet.DrawPage.Forms
        if forms.Count:
            controller.setActiveSheet(sheet)
        for fi in range(forms.Count):
            form = forms.getByIndex(fi)
            for ci in range(form.Count):
                model = form.getByIndex(ci)
                events = [e.ScriptCode for e in form.getScriptEvents(ci)
                          if e.EventMethod == "actionPerformed"]
                entry = {"sheet": sheet_name, "label": getattr(model, "Label", None),
                         "scripts": events, "pressed": None, "invoked": None}
                if sheet_name == RECORD_SHEET:
                    clear(doc)
                    try:
                        control = controller.getControl(model)
                        control.getAccessibleContext().doAccessibleAction(0)
                        entry["pressed"] = recorded(doc)
                    except Exception as exc:  # report, the test decides
                        entry["pressed"] = f"ERROR: {exc}"
                    clear(doc)
                    for code in events:
                        try:
                            provider.getScript(code).invoke((), (), ())
                            entry["invoked"] = recorded(doc)
                        except Exception as exc:
                            entry["invoked"] = f"ERROR: {exc}"
                out["buttons"].append(entry)
    doc.close(True)
    return out


def main():
    profile, out_json, books = sys.argv[1], sys.argv[2], sys.argv[3:]
    proc, ctx = connect(profile)
    try:
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        results = [inspect(desktop, b) for b in books]
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=20)
        except Exception:
            proc.kill()
    with open(out_json, "w", encoding="utf-8") as fh:
        json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main()
