"""Translations: the ``tr`` helper every user-visible string goes through, and the translator.

``tr(text)`` uses the ``@default`` context because that is the context ``pylupdate5`` gives a
bare ``tr("...")`` call, whatever the formatter does to the call's layout (``pylupdate5`` drops
``translate(context, text)`` calls that end in a trailing comma). The catalogues are
``i18n/clvnet_<locale>.ts`` (``make transup``), compiled to ``.qm`` by ``make transcompile``.
"""

from pathlib import Path
from typing import Optional

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

CONTEXT = "@default"
I18N_DIR = Path(__file__).resolve().parents[1] / "i18n"


def tr(text: str) -> str:
    """``text`` in the user's language (unchanged when no translation is installed)."""
    return QCoreApplication.translate(CONTEXT, text)


def plural(count: int, one: str, many: str) -> str:
    """``one`` when ``count`` is 1, else ``many``: the two translated forms of a sentence
    about ``count`` things (``tr`` needs each written out for ``pylupdate5``)."""
    return one if count == 1 else many


def user_locale() -> str:
    """The locale QGIS shows its interface in, e.g. ``zh_CN`` or ``fr_FR``.

    Follows QGIS: the locale chosen in Options when its override flag is set, else the default
    locale (QGIS sets it to the system's at start).
    """
    settings = QgsSettings()
    if settings.value("locale/overrideFlag", False, type=bool):
        chosen = settings.value("locale/userLocale", "", type=str)
        if chosen:
            return chosen
    return QLocale().name()


def install_translator(locale: Optional[str] = None) -> Optional[QTranslator]:
    """Install the catalogue for ``locale`` (default: ``user_locale()``) and return it.

    Looks for ``clvnet_<ll_CC>.qm`` first, then ``clvnet_<ll>.qm``; returns None when neither
    exists (English needs none).
    """
    name = locale or user_locale()
    for candidate in (name, name.split("_")[0]):
        path = I18N_DIR / f"clvnet_{candidate}.qm"
        if path.is_file():
            translator = QTranslator()
            if translator.load(str(path)):
                QCoreApplication.installTranslator(translator)
                return translator
    return None


def remove_translator(translator: Optional[QTranslator]) -> None:
    """Uninstall a translator returned by ``install_translator`` (None is ignored)."""
    if translator is not None:
        QCoreApplication.removeTranslator(translator)
