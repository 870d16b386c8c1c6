"""The console: a web page under /console over the admin JSON APIs (see `routes.py`).

- `routes.py`: the static page and its assets; `GET /admin/usage` (the overview's data).
- `aggregate.py`: the usage rollup of the audit store (charts over time, incident panels).
- `static/console.js`: overview (charts over time, budget use, incidents), audit search and
  record detail, management of keys, teams, applications, bindings and budgets.
"""
