from django.urls import path, register_converter

from outreach.messaging import editor, experiment_views


class ScopeConverter:
    """Whose texts: a municipality's four-digit code, or "gedeeld" for the shared ones."""

    regex = r"gedeeld|[0-9]{4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ScopeConverter, "scope")

TEXT = "<scope:scope>/<slug:name>/<slug:lang>/"
EXPERIMENT = "<scope:scope>/<slug:name>/experiment/"  # before TEXT: "experiment" is no language
app_name = "texts"
urlpatterns = [
    path("", editor.text_home, name="list"),
    path("voorstellen/", editor.proposals, name="proposals"),
    path("<scope:scope>/", editor.text_list, name="scope"),
    path(EXPERIMENT, experiment_views.experiment, name="experiment"),
    path(
        EXPERIMENT + "<slug:variant>/<slug:lang>/",
        experiment_views.variant,
        name="experiment_variant",
    ),
    path(TEXT, editor.edit, name="edit"),
    path(TEXT + "preview", editor.live_preview, name="preview"),
    path(TEXT + "pdf", editor.pdf_preview, name="pdf"),
    path(TEXT + "history/", editor.text_history, name="history"),
    path(TEXT + "rollback/<int:version>", editor.text_rollback, name="rollback"),
    path(TEXT + "approve/<int:version>", editor.text_approve, name="approve"),
    path(TEXT + "send-back/<int:version>", editor.text_send_back, name="send_back"),
]
