"""The contract's rules, one module each (the registry, in contract order, is solver/registry.py).

This package imports nothing on purpose: solver/contract.py reads solver/rules/settings.py,
and every rule module reads solver/contract.py.
"""
