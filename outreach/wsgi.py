import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")
application = get_wsgi_application()

# The text editor lints as staff type: load the word lists and hyphenation dictionaries now,
# not on the first keystroke.
from outreach.messaging.lint import warm_up  # noqa: E402

warm_up()
