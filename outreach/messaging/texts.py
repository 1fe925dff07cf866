"""The words of each message until the template editor (letters and SMS per language) takes
over: short, plain, free and without obligation, with a way to answer."""

from dataclasses import dataclass

SMS = (
    "Beste {name}, wij zijn van de gemeente {town}. Het lukt veel mensen niet altijd om "
    "rekeningen op tijd te betalen. Wij helpen gratis, zonder verplichtingen. "
    "Stuur JA als we u mogen bellen."
)
EMAIL = SMS
LETTER = (
    "Beste {name},\n\n"
    "Wij zijn van de gemeente {town}. Het overkomt veel mensen: een rekening blijft liggen. "
    "Wij helpen u graag, gratis en zonder verplichtingen.\n\n"
    "Bel of app ons, of stuur JA per sms. Dan bellen wij u.\n"
)


@dataclass(frozen=True)
class Addressee:
    name: str
    town: str


def compose(channel: str, addressee: Addressee) -> str:
    text = {"sms": SMS, "whatsapp": SMS, "email": EMAIL, "letter": LETTER}[channel]
    return text.format(name=addressee.name, town=addressee.town or "")
