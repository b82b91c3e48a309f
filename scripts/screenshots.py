"""Pictures of a sector workbook for the README, taken from LibreOffice itself.

    /usr/bin/python3 scripts/screenshots.py RETURN.xlsx OUT_DIR [--sheet NAME]

`scripts/screenshots.sh` installs what this needs and runs it on the demo's
returns. Two pictures:

* `sector-first-screen.png`: the workbook opened in LibreOffice Calc (the GUI,
  on a virtual 1366x768 screen, Xvfb), on its first strategic-line sheet, as a
  person sees it on opening: no scrolling, no clicking (the view, the frozen
  panes and the cursor are the ones stored in the file);
* `sector-printed.png`: the first printed page of that sheet (PDF exported by
  LibreOffice, rendered by pdftoppm at 110 dpi).

Runs with Debian's python3 (python3-uno); needs libreoffice-calc (not the
-nogui variant), xvfb, imagemagick (`import`) and poppler-utils.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue

WIDTH, HEIGHT = 1366, 768


def pv(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def start(display, profile):
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    pipe = f"barometro_shot_{os.getpid()}"
    env = dict(os.environ, DISPLAY=display, SAL_USE_VCLPLUGIN="gen")
    office = subprocess.Popen(
        ["soffice", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
         "-env:UserInstallation=" + uno.systemPathToFileUrl(profile), f"--accept=pipe,name={pipe};urp;"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return xvfb, office, ctx
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.1)
    office.kill()
    xvfb.kill()
    raise SystemExit("LibreOffice did not start")


def line_sheet(doc, wanted):
    names = list(doc.Sheets.ElementNames)
    if wanted:
        return wanted
    skip = {"Istruzioni", "Riepilogo", "_barometro"}
    return next(n for n in names if n not in skip)


def first_screen(ctx, src, out_png, wanted):
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, ())
    name = line_sheet(doc, wanted)
    controller = doc.CurrentController
    controller.setActiveSheet(doc.Sheets.getByName(name))  # a click on the sheet's tab
    window = controller.Frame.ContainerWindow
    window.setPosSize(0, 0, WIDTH, HEIGHT, 15)
    time.sleep(4.0)  # let Calc lay out and paint
    subprocess.run(["import", "-window", "root", out_png], check=True,
                   env=dict(os.environ, DISPLAY=os.environ["SHOT_DISPLAY"]))
    doc.close(True)
    return name


def printed_page(src, sheet, out_png, work):
    """The sheet's first page as LibreOffice prints it (every sheet is exported; the
    sheet's page is found by its title in the PDF's text)."""
    profile = os.path.join(work, "pdfprofile")
    subprocess.run(["soffice", "--headless", "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
                    "--convert-to", "pdf", "--outdir", work, src],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pdf = os.path.join(work, os.path.splitext(os.path.basename(src))[0] + ".pdf")
    pages = int(next(line.split()[1] for line in subprocess.run(["pdfinfo", pdf], capture_output=True, text=True,
                                                                 check=True).stdout.splitlines()
                     if line.startswith("Pages:")))
    page = 1
    for n in range(1, pages + 1):
        txt = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", pdf, "-"],
                             capture_output=True, text=True, check=True).stdout
        if "% Raggiungimento obiettivi per area strategica" in txt:  # row 2 of a line sheet only
            page = n
            break
    base = os.path.join(work, "page")
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", str(page), "-l", str(page), "-singlefile", pdf, base],
                   check=True)
    shutil.copy(base + ".png", out_png)
    return page


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source")
    ap.add_argument("out_dir")
    ap.add_argument("--sheet", default=None)
    args = ap.parse_args()
    src = os.path.abspath(args.source)
    os.makedirs(args.out_dir, exist_ok=True)
    display = ":97"
    os.environ["SHOT_DISPLAY"] = display
    with tempfile.TemporaryDirectory(prefix="barometro_shots_") as work:
        xvfb, office, ctx = start(display, os.path.join(work, "profile"))
        try:
            sheet = first_screen(ctx, src, os.path.join(args.out_dir, "sector-first-screen.png"), args.sheet)
        finally:
            try:
                ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx).terminate()
            except Exception:  # noqa: BLE001 - the bridge closes as the office quits
                pass
            office.wait(timeout=30)
            xvfb.terminate()
        page = printed_page(src, sheet, os.path.join(args.out_dir, "sector-printed.png"), work)
    print(f"{args.out_dir}/sector-first-screen.png: sheet {sheet!r} on opening ({WIDTH}x{HEIGHT})")
    print(f"{args.out_dir}/sector-printed.png: page {page} of the PDF")
    return 0


if __name__ == "__main__":
    sys.exit(main())
