"""The meeting record's checks, one module each (see base.py); the order is in registry.py."""
