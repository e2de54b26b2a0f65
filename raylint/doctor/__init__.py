"""`raylint doctor`: read a running Ray cluster's state, report the playbook's symptoms (DOC001-DOC007)
and join them to the source. Importing this package does not import Ray; `run` does, when called."""
