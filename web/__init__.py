"""The Flask admin. Only this package imports Flask (see the import contracts in pyproject).

- `web.app`: the factory; it imports and registers the blueprints.
- `web.auth`, `web.unit`, `web.bureau`, `web.office`, `web.regulator`, `web.season`: one
  blueprint per role; they import none of each other and not `web.app`.
- `web.context`: the request's database session, the clock `now()`, `working_year()`.
- `web.extensions`: CSRF protection, the login manager and its `LoginUser`.
- `web.panels`: the panel pages office and regulator share (panel view, JSON downloads).
- `web.actions`: `attempt()`, commit-and-flash or roll-back-and-flash around a service call.
- `web.downloads`: `send_xlsx`, `send_json` (every file download).
- `web.access`, `web.forms`, `web.params`, `web.security`, `web.formatting`: role checks,
  forms, bounded integers, headers and input guards, Chinese date formats.

Views call `expertpool.services` only, never `solver`.
"""
