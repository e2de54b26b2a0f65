"""The files on disk: which ones are checked (discovery), the result cache, and atomic writes."""
