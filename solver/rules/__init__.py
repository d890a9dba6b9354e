"""The contract's rules, one module each (the registry, in contract order, is solver/registry.py).

This package imports nothing on purpose: every rule module reads solver/contract.py, which
reads the settings that are not rules of their own (solver/settings.py); a package import
here would make the two packages import each other.
"""
