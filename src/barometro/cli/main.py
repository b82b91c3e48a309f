"""Entry point of the `barometro` command.

Each command lives in its own module (`barometro.cli.<name>_cmd`) that imports
only click at module level; heavy libraries are imported inside the command
body, so `barometro --help` answers fast.
"""

from __future__ import annotations

import importlib
import sys

import click

from barometro import __version__

# command name -> module defining a click command named `command`
COMMANDS: dict[str, str] = {
    "import": "barometro.cli.import_cmd",
    "template": "barometro.cli.template_cmd",
    "demo": "barometro.cli.demo_cmd",
    "validate": "barometro.cli.validate_cmd",
    "checks": "barometro.cli.checks_cmd",
    "consolidate": "barometro.cli.consolidate_cmd",
    "office": "barometro.cli.office_cmd",
    "settings": "barometro.cli.settings_cmd",
    "serve": "barometro.cli.serve_cmd",  # portal
    "users": "barometro.cli.users_cmd",  # portal
    "extension": "barometro.cli.extension_cmd",  # LibreOffice extension
    "rollover": "barometro.cli.rollover_cmd",
}


class LazyGroup(click.Group):
    """A group whose commands are loaded from their modules on demand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._load(name) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        module_name = COMMANDS.get(name)
        if module_name is None:
            return None
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None  # command not built yet
            raise
        return getattr(module, "command", None)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="barometro")
@click.option(
    "--lang",
    type=click.Choice(["it", "en"]),
    default=None,
    help="Language of messages and generated files (default: it, or $BAROMETRO_LANG).",
)
def cli(lang: str | None) -> None:
    """Barometro: the Relazione sulla Performance in the spreadsheets staff already use.

    \b
    Typical year:
      barometro import relazione_2021.txt -o piano.xlsx
      barometro template piano.xlsx -o modelli/
      barometro validate ritorni/ --master modelli/master.xlsx
      barometro consolidate ritorni/ --master modelli/master.xlsx -o relazione.xlsx
    """
    if lang:
        from barometro.messages import set_language

        set_language(lang)


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="barometro", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
