from django.urls import path

from outreach.messaging import editor

app_name = "texts"
urlpatterns = [
    path("", editor.text_list, name="list"),
    path("<slug:name>/<slug:lang>/", editor.edit, name="edit"),
    path("<slug:name>/<slug:lang>/preview", editor.live_preview, name="preview"),
    path("<slug:name>/<slug:lang>/pdf", editor.pdf_preview, name="pdf"),
    path("<slug:name>/<slug:lang>/history/", editor.text_history, name="history"),
    path("<slug:name>/<slug:lang>/rollback/<int:version>", editor.text_rollback, name="rollback"),
]
