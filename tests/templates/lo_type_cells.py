"""UNO script (run with /usr/bin/python3): type into template cells as a person does in Calc.

Usage: lo_type_cells.py PROFILE_DIR JOB.json OUT.json

JOB.json: {"books": [{"src": path, "out": path, "sheet": name, "steps": [step, ...]}]}
Each step is one of:
  {"enter": "I8", "text": "92%"}         typed in the cell (the input path: Italian parsing)
  {"format": "I8", "code": "0%"}         the number format the GUI gives a cell typed as "92%"
  {"store": "I8", "number": 2500}        the value the GUI stores where its input path differs
                                         from the API's (typing "250.000" in a percent cell)
  {"reset": "I9"}                        Format > Clear Direct Formatting (Ctrl+M)
  {"paste": "K6", "to": "I10"}           a cell copied over another one (content and attributes)
  {"invalid": "tag"}                     Tools > Detective > Mark Invalid Data: how many cells fail
  {"show": "M8"}                         the text the cell displays
The book is recalculated and saved as .xlsx to "out". OUT.json: {"results": [{tag: value}]}.
"""

import json
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.lang import Locale


def pv(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(profile):
    pipe = f"barometro_type_{int(time.time() * 1000)}"
    proc = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
         "-env:UserInstallation=" + uno.systemPathToFileUrl(profile), f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            return proc, resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("LibreOffice did not start")


def run_book(ctx, desktop, book):
    smgr = ctx.ServiceManager
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(book["src"]), "_blank", 0, (pv("Hidden", True),))
    sheet = doc.Sheets.getByName(book["sheet"])
    controller = doc.CurrentController
    controller.setActiveSheet(sheet)
    dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    frame = controller.Frame
    italian = Locale("it", "IT", "")
    results = {}

    def select(ref):
        controller.select(sheet.getCellRangeByName(ref))

    for step in book["steps"]:
        if "enter" in step:
            select(step["enter"])
            dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, (pv("StringName", step["text"]),))
        elif "format" in step:
            formats = doc.NumberFormats
            key = formats.queryKey(step["code"], italian, False)
            if key < 0:
                key = formats.addNew(step["code"], italian)
            sheet.getCellRangeByName(step["format"]).NumberFormat = key
        elif "store" in step:
            sheet.getCellRangeByName(step["store"]).setValue(step["number"])
        elif "reset" in step:
            select(step["reset"])
            dispatcher.executeDispatch(frame, ".uno:ResetAttributes", "", 0, ())
        elif "paste" in step:
            source = sheet.getCellRangeByName(step["paste"]).getRangeAddress()
            target = sheet.getCellRangeByName(step["to"]).getCellAddress()
            sheet.copyRange(target, source)
        elif "invalid" in step:
            doc.calculateAll()
            sheet.clearArrows()
            marked = sheet.showInvalid()
            circles = sheet.DrawPage.Count
            sheet.clearArrows()
            results[step["invalid"]] = {"any": bool(marked), "circles": circles}
        elif "show" in step:
            doc.calculateAll()
            cell = sheet.getCellRangeByName(step["show"])
            results[step["show"]] = {"text": cell.getString(), "value": cell.getValue()}
    doc.calculateAll()
    doc.storeToURL(uno.systemPathToFileUrl(book["out"]), (pv("FilterName", "Calc MS Excel 2007 XML"),))
    doc.close(True)
    return results


def main():
    profile, job_path, out_path = sys.argv[1:4]
    job = json.load(open(job_path, encoding="utf-8"))
    proc, ctx = connect(profile)
    try:
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        results = [run_book(ctx, desktop, book) for book in job["books"]]
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    json.dump({"results": results}, open(out_path, "w", encoding="utf-8"))


if __name__ == "__main__":
    main()
