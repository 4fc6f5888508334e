"""Translations: the plugin under zh_CN and fr, and complete catalogues for every user string."""

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from qgis.core import QgsSettings

from clvnet_qgis.i18n import I18N_DIR, tr

REPO = Path(__file__).resolve().parents[1]
LANGUAGES = ("zh_CN", "fr")
PLACEHOLDER = re.compile(r"\{[^}]*\}")


@pytest.fixture()
def user_locale():
    """Set QGIS's user interface locale (as Options > General does); restore it afterwards."""
    settings = QgsSettings()
    saved = {k: settings.value(k) for k in ("locale/overrideFlag", "locale/userLocale")}

    def choose(locale: str) -> None:
        settings.setValue("locale/overrideFlag", True)
        settings.setValue("locale/userLocale", locale)

    yield choose
    for key, value in saved.items():
        if value is None:
            settings.remove(key)
        else:
            settings.setValue(key, value)


@pytest.mark.parametrize(
    ("locale", "box_text", "cancel"),
    [("zh_CN", "描述方框", "取消"), ("fr_FR", "Décrire une boîte", "Annuler")],
)
def test_the_plugin_speaks_the_user_language(
    plugin_package,
    qgis_iface,
    qgis_new_project,
    clean_settings,
    user_locale,
    locale,
    box_text,
    cancel,
):
    user_locale(locale)
    plugin = plugin_package.classFactory(qgis_iface)
    plugin.initGui()
    try:
        assert plugin.box_action.text() == box_text
        assert plugin.panel.cancel_button.text() == cancel
        assert tr("Cancel") == cancel
    finally:
        plugin.unload()
    assert tr("Cancel") == "Cancel"


def catalogue(path: Path):
    """{source: (translation, finished)} of a .ts file."""
    messages = {}
    for message in ET.parse(path).getroot().iter("message"):
        translation = message.find("translation")
        finished = translation.get("type") not in ("unfinished", "obsolete", "vanished")
        messages[message.find("source").text] = (translation.text or "", finished)
    return messages


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogues_are_complete_and_keep_placeholders(language):
    messages = catalogue(I18N_DIR / f"clvnet_{language}.ts")
    assert len(messages) > 100
    for source, (translation, finished) in messages.items():
        assert finished and translation.strip(), f"{language}: no translation for {source!r}"
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(translation)), (
            f"{language}: placeholders differ in {source!r}"
        )
    assert (I18N_DIR / f"clvnet_{language}.qm").is_file()


@pytest.mark.skipif(shutil.which("pylupdate5") is None, reason="pylupdate5 (pyqt5-dev-tools)")
def test_every_user_string_in_the_code_is_in_the_catalogues(tmp_path):
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (REPO / "clvnet_qgis").rglob("*.py"))
    subprocess.run(["pylupdate5", *sources, "-ts", str(fresh)], check=True, capture_output=True)
    in_code = set(catalogue(fresh))
    assert len(in_code) > 100
    for language in LANGUAGES:
        missing = in_code - set(catalogue(I18N_DIR / f"clvnet_{language}.ts"))
        assert not missing, f"run make transup and translate: {sorted(missing)}"
