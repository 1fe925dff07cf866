"""The dashboard's simulation form: the options of `outreach simulate`, in Dutch.

The bounds are the command's (outreach.simulation.options), the signals further capped by
OUTREACH_SIMULATE_MAX_SIGNALS; the campaigns are those the municipality can run
(outreach.simulation.policy.known_campaigns, as `--municipality CODE` takes them). Every error
names its field and says what would be right.
"""

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings

from outreach.simulation import options
from outreach.simulation.policy import known_campaigns
from outreach.simulation.runs import Choice

MAX_SEED = 999_999_999
DEFAULT_DAYS = 120
DEFAULT_SIGNALS = 1_000


def dutch(number: int) -> str:
    """12000 -> '12.000'."""
    return f"{number:,}".replace(",", ".")


def max_signals() -> int:
    return min(int(settings.OUTREACH_SIMULATE_MAX_SIGNALS), options.MAX_SIGNALS)


def whole_number(label: str, low: int, high: int, required: bool = True) -> forms.IntegerField:
    """An integer field whose every error says which field and which numbers it takes."""
    wanted = f"{label}: vul een heel getal in van {dutch(low)} tot en met {dutch(high)}."
    messages = {"invalid": wanted, "min_value": wanted, "max_value": wanted}
    if required:
        messages["required"] = f"{label}: dit veld is verplicht; {wanted.split(': ', 1)[1]}"
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        required=required,
        error_messages=messages,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class SimulationForm(forms.Form):
    """What to simulate for `municipality_code`'s own campaigns."""

    campaigns = forms.MultipleChoiceField(
        label="Campagnes",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Campagnes: kies ten minste één campagne.",
            "invalid_choice": "Campagnes: %(value)s is geen campagne van deze gemeente.",
        },
    )

    def __init__(self, *args: Any, municipality_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = known_campaigns(Path(settings.CAMPAIGNS_DIR), municipality_code)
        campaigns = self.fields["campaigns"]
        assert isinstance(campaigns, forms.MultipleChoiceField)
        campaigns.choices = [(name, name) for name in names]
        self.fields["signals"] = whole_number("Aantal signalen", 1, max_signals())
        self.fields["days"] = whole_number("Aantal dagen", options.MIN_DAYS, options.MAX_DAYS)
        self.fields["calls"] = whole_number(
            "Telefoongesprekken per dag", 0, options.MAX_CAPACITY, required=False
        )
        self.fields["visits"] = whole_number(
            "Huisbezoeken per dag", 0, options.MAX_CAPACITY, required=False
        )
        self.fields["seed"] = whole_number("Startgetal", 0, MAX_SEED)
        for name, value in (("signals", DEFAULT_SIGNALS), ("days", DEFAULT_DAYS), ("seed", 1)):
            self.fields[name].initial = value

    def choice(self) -> Choice:
        """The valid form as the run's options."""
        data = self.cleaned_data
        capacity = {
            options.CAPACITY_WORDS[word]: data[word]
            for word in ("calls", "visits")
            if data.get(word) is not None
        }
        return Choice(
            campaigns=list(data["campaigns"]),
            signals=data["signals"],
            days=data["days"],
            seed=data["seed"],
            capacity=capacity,
        )
