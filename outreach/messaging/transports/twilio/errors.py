"""Twilio's error codes as the service reads them: what each means in a caseworker's words
(the step's note; never the number or the text), and which ones say something about the
number or the person rather than about this one message.

https://www.twilio.com/docs/api/errors
"""

INVALID_NUMBER = "21211"  # the 'To' number is not a valid phone number
NOT_MOBILE = "21614"  # 'To' is not a mobile number (a landline: still fine for a call)
UNSUBSCRIBED = "21610"  # the person sent STOP to our sender: an opt-out
OUTSIDE_SESSION = "63016"  # WhatsApp free text outside the 24-hour window
TOO_LONG = "21617"  # the body exceeds 1,600 characters

# Codes that make the number unusable for SMS and WhatsApp (PhoneNumber.unusable_reason).
UNUSABLE = {INVALID_NUMBER: "invalid", NOT_MOBILE: "not_mobile"}

DESCRIPTIONS = {
    INVALID_NUMBER: "ongeldig nummer",
    NOT_MOBILE: "geen mobiel nummer",
    UNSUBSCRIBED: "afgemeld voor berichten (STOP)",
    OUTSIDE_SESSION: "buiten het WhatsApp-venster van 24 uur",
    TOO_LONG: "bericht te lang (meer dan 1.600 tekens)",
    "21408": "geen toestemming om naar dit land te sturen",
    "21612": "nummer niet bereikbaar vanaf deze afzender",
    "20003": "Twilio-account of -sleutel onjuist",
    "20429": "te veel verzoeken tegelijk",
    "30001": "wachtrij bij Twilio vol",
    "30003": "toestel niet bereikbaar",
    "30004": "bericht geblokkeerd",
    "30005": "onbekend of niet meer bestaand nummer",
    "30006": "vaste lijn of onbereikbaar netwerk",
    "30007": "gefilterd door de provider",
    "30008": "onbekende fout bij de provider",
    "63003": "nummer heeft geen WhatsApp",
    "63024": "ongeldige ontvanger voor WhatsApp",
}


def describe(code: str, fallback: str = "geweigerd") -> str:
    """'Twilio 21211: ongeldig nummer'."""
    if not code:
        return f"Twilio: {fallback}"
    return f"Twilio {code}: {DESCRIPTIONS.get(code, fallback)}"
