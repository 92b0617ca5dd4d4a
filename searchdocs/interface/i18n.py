"""Interface language: English msgids, Vietnamese from searchdocs/locale (standard gettext).

The library below the CLI never translates: its errors carry an English template and parameters
(``SearchdocsError.template`` / ``.params``) and the CLI shows them with :func:`error_text`.
The language is ``--lang`` when given (:func:`set_language`), else the locale: the first of
LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is set; one beginning with ``vi`` means Vietnamese.
"""
from __future__ import annotations

import gettext as _gettext
import os
from pathlib import Path

LOCALEDIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "vi")
_chosen: str | None = None
_catalogs: dict[str, _gettext.NullTranslations] = {}


def detect(environ=None) -> str:
    """The language the locale asks for: "vi" or "en"."""
    environ = os.environ if environ is None else environ
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var)
        if value:
            return "vi" if value.split(":")[0].lower().startswith("vi") else "en"
    return "en"


def set_language(lang: str | None) -> None:
    """Use ``lang`` from now on; None: follow the locale again."""
    global _chosen
    _chosen = lang


def language() -> str:
    return _chosen or detect()


def catalog(lang: str | None = None) -> _gettext.NullTranslations:
    lang = lang or language()
    if lang not in _catalogs:
        _catalogs[lang] = _gettext.translation("searchdocs", localedir=str(LOCALEDIR), languages=[lang],
                                               fallback=True)
    return _catalogs[lang]


def _(message: str) -> str:
    return catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalog().ngettext(singular, plural, n)


def route_click_messages() -> None:
    """Send click's own texts (the Usage:/Options headings, "Show this message and exit.", its usage
    errors) through this catalog too, so they follow --lang and the locale like ours.

    Click marks them with the standard library's ``gettext``/``ngettext``, imported into each of its
    modules as ``_`` and ``ngettext``; pointing those names here is the one place that knows it.
    """
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.types

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser,
                   click.types):
        if hasattr(module, "_"):
            module._ = _
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext


def error_text(error: Exception) -> str:
    """An error's message in the interface language (English text when it has no template)."""
    template = getattr(error, "template", None)
    if not template:
        return str(error)
    params = getattr(error, "params", {}) or {}
    # a reason inside a reason ("not a PDF: {what}", what="looks like HTML") is translated too
    params = {k: error_text(v) if getattr(v, "template", None) else v for k, v in params.items()}
    translated = _(template)
    try:
        return translated.format(**params) if params else translated
    except (KeyError, IndexError, ValueError):  # a broken translation must not hide the error
        return str(error)


def help_paragraphs(text: str) -> list[str]:
    """A help text's paragraphs: the unit of translation, so one changed paragraph costs one msgid."""
    import inspect

    return inspect.cleandoc(text).split("\n\n")


def translate_help(text: str | None) -> str | None:
    if not text:
        return text
    return "\n\n".join(_(p) for p in help_paragraphs(text))


def localize(command) -> None:
    """Put the current language's help texts on a click command tree (idempotent: keeps the English)."""
    import click

    if "_en_help" not in command.__dict__:
        command._en_help = command.help
    command.help = translate_help(command._en_help)
    for param in command.params:
        if isinstance(param, click.Option) and param.help:
            if "_en_help" not in param.__dict__:
                param._en_help = param.help
            param.help = _(param._en_help)
    for sub in getattr(command, "commands", {}).values():
        localize(sub)
