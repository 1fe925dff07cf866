"""The languages the texts are written in. Dutch is the default and the fallback: a text
missing in a language is sent in Dutch."""

DEFAULT_LANGUAGE = "nl"
LANGUAGES = ("nl", "en", "tr", "ar", "pl", "uk")

# How the pages name them (Dutch).
LANGUAGE_NAMES = {
    "nl": "Nederlands",
    "en": "Engels",
    "tr": "Turks",
    "ar": "Arabisch",
    "pl": "Pools",
    "uk": "Oekraïens",
}
