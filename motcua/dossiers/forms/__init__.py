"""Django forms of the dossier pages, one module per face (``counter``, …)."""
