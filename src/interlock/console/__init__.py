"""The console: a web page under /console over the admin JSON APIs (see `routes.py`)."""
