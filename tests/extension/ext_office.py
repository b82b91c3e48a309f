"""A LibreOffice headless instance for the extension tests, driven over UNO from pytest.

PyUNO ships for the system Python (`python3-uno`); the tests' virtual
environment is the same interpreter version, so `uno.py`/`unohelper.py` are
made importable from a private folder of links (the rest of the system's
site-packages stays out of the tests' path).

`Office` starts `soffice` with a throwaway profile (and HOME) in its own
process group, connects through a named pipe, and is stopped by terminating
the desktop, then by killing the group: never the user's profile, never a
stray process.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from barometro.recalc import soffice_env

SYSTEM_PYUNO = Path("/usr/lib/python3/dist-packages")
EXTENSION_ID = "org.barometro.calc"
ADDIN_SERVICE = "org.barometro.calc.Functions"
XLSX_FILTER = "Calc MS Excel 2007 XML"


def ensure_pyuno() -> None:
    """Make `import uno` work in this interpreter (links to the system's uno.py/unohelper.py)."""
    try:
        import uno  # noqa: F401
        return
    except ImportError:
        pass
    links = Path(tempfile.gettempdir()) / f"barometro-pyuno-{os.getuid()}"
    links.mkdir(exist_ok=True)
    for name in ("uno.py", "unohelper.py"):
        link = links / name
        if not link.exists():
            with contextlib.suppress(FileExistsError):
                link.symlink_to(SYSTEM_PYUNO / name)
    sys.path.append(str(links))
    import uno  # noqa: F401


ensure_pyuno()

import uno  # noqa: E402
import unohelper  # noqa: E402

# uno.py replaces builtins.__import__ with a hook that turns a failed import into a plain
# ImportError; packages that catch ModuleNotFoundError (formulas, in tests/addin) then break
# in the same pytest process. The UNO types are taken with uno.getClass instead.
builtins.__import__ = uno._builtin_import

PropertyValue = uno.getClass("com.sun.star.beans.PropertyValue")
XInteractionHandler = uno.getClass("com.sun.star.task.XInteractionHandler")
XCommandEnvironment = uno.getClass("com.sun.star.ucb.XCommandEnvironment")
XProgressHandler = uno.getClass("com.sun.star.ucb.XProgressHandler")

_RUNNING: list[Office] = []


def pv(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def uno_constant(name: str) -> object:
    return uno.getConstantByName(name)


def url(path: str | Path) -> str:
    return uno.systemPathToFileUrl(str(Path(path).resolve()))


class _Approve(unohelper.Base, XInteractionHandler):
    """Approves what installing asks (the unattended equivalent of pressing OK)."""

    def handle(self, request):  # noqa: ANN001, ANN201
        for continuation in request.getContinuations():
            if continuation.queryInterface(uno.getTypeByName("com.sun.star.task.XInteractionApprove")):
                continuation.select()
                return


class _Quiet(unohelper.Base, XProgressHandler):
    def push(self, status):  # noqa: ANN001, ANN201
        pass

    def update(self, status):  # noqa: ANN001, ANN201
        pass

    def pop(self):  # noqa: ANN201
        pass


class _Environment(unohelper.Base, XCommandEnvironment):
    def getInteractionHandler(self):  # noqa: ANN201, N802 - UNO interface
        return _Approve()

    def getProgressHandler(self):  # noqa: ANN201, N802 - UNO interface
        return _Quiet()


class Office:
    """One soffice process with the profile in `profile` (created if missing)."""

    def __init__(self, profile: Path, *, soffice: str = "soffice") -> None:
        self.profile = Path(profile)
        self.soffice = soffice
        self.proc: subprocess.Popen[bytes] | None = None
        self.ctx = None
        self.desktop = None

    # ------------------------------------------------------------------ life cycle

    def start(self, timeout: float = 60) -> Office:
        self.profile.mkdir(parents=True, exist_ok=True)
        pipe = f"barometro_ext_{uuid.uuid4().hex[:12]}"
        home = self.profile.parent / "home"
        home.mkdir(exist_ok=True)
        env = soffice_env(home)  # no virtual environment's Python: the extension's is LibreOffice's
        self.proc = subprocess.Popen(
            [self.soffice, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
             "--nolockcheck", f"-env:UserInstallation={url(self.profile)}",
             f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        _RUNNING.append(self)
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:  # noqa: BLE001 - not listening yet
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError("LibreOffice did not start") from None
                time.sleep(0.1)
        self.desktop = self.create("com.sun.star.frame.Desktop")
        return self

    def stop(self, timeout: float = 20) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(Exception):
            for component in list(self.desktop.Components):
                with contextlib.suppress(Exception):
                    component.close(True)
        with contextlib.suppress(Exception):
            self.desktop.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def kill(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.proc.wait(10)
        if self in _RUNNING:
            _RUNNING.remove(self)
        self.proc = None
        self.ctx = self.desktop = None

    def restart(self) -> Office:
        self.stop()
        return self.start()

    # ------------------------------------------------------------------ services

    def create(self, service: str):  # noqa: ANN201
        return self.ctx.ServiceManager.createInstanceWithContext(service, self.ctx)

    def extension_manager(self):  # noqa: ANN201
        return self.ctx.getValueByName("/singletons/com.sun.star.deployment.ExtensionManager")

    def install(self, oxt: Path):  # noqa: ANN201 - the XPackage
        em = self.extension_manager()
        return em.addExtension(url(oxt), (), "user", em.createAbortChannel(), _Environment())

    def remove(self, identifier: str = EXTENSION_ID, file_name: str = "barometro.oxt") -> None:
        em = self.extension_manager()
        em.removeExtension(identifier, file_name, "user", em.createAbortChannel(), _Environment())

    def installed(self) -> list[str]:
        """Identifiers of the extensions in the user repository."""
        em = self.extension_manager()
        out = []
        for pkg in em.getDeployedExtensions("user", em.createAbortChannel(), _Environment()):
            if pkg is not None:
                out.append(pkg.getIdentifier().Value)
        return out

    def config(self, nodepath: str, locale: str | None = None):  # noqa: ANN201
        provider = self.create("com.sun.star.configuration.ConfigurationProvider")
        args = [pv("nodepath", nodepath)]
        if locale:
            args.append(pv("Locale", locale))
        return provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationAccess",
                                                    tuple(args))

    # ------------------------------------------------------------------ documents

    def load(self, path: Path):  # noqa: ANN201
        return self.desktop.loadComponentFromURL(url(path), "_blank", 0, (pv("Hidden", True),))

    def new_calc(self):  # noqa: ANN201
        return self.desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (pv("Hidden", True),))

    @staticmethod
    def store(doc, path: Path, filter_name: str = XLSX_FILTER) -> Path:  # noqa: ANN001
        doc.storeToURL(url(path), (pv("FilterName", filter_name), pv("Overwrite", True)))
        return path

    def dispatch(self, doc, command: str) -> dict:  # noqa: ANN001
        """Dispatch `barometro:<command>` on the document's frame; the command's JSON outcome."""
        helper = self.create("com.sun.star.frame.DispatchHelper")
        frame = doc.getCurrentController().getFrame()
        event = helper.executeDispatch(frame, f"barometro:{command}", "", 0, ())
        result = getattr(event, "Result", None)
        if not isinstance(result, str):
            return {"dispatched": False, "event": repr(event)}
        return {"dispatched": True, **json.loads(result)}


@atexit.register
def _kill_all() -> None:
    for office in list(_RUNNING):
        office.kill()
