"""Logs into pandas DataFrames: readers, format detection, parsers, template mining and views.

Pure functions over files and DataFrames; nothing here touches the store or Jupyter.
"""

from .loader import FileInfo, iter_log_chunks, load_logs
from .notes import LoadNote
from .readers import file_fingerprint
from .views import new_templates, timeline, top_templates

__all__ = ["FileInfo", "LoadNote", "file_fingerprint", "iter_log_chunks", "load_logs", "new_templates",
           "timeline", "top_templates"]
