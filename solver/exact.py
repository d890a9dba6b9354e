"""Exact arithmetic for the contract's fractions: `need(f) = ceil(f × n)`."""

from __future__ import annotations

from fractions import Fraction


def need(share: Fraction, n: int) -> int:
    """Smallest integer at least `share × n` (rounding is always upward)."""
    product = share * n
    return -((-product.numerator) // product.denominator)


def parse_fraction(text: object) -> Fraction | None:
    """Parse a contract fraction string "a/b" with 0 ≤ a/b ≤ 1 and b > 0; None when invalid."""
    if not isinstance(text, str):
        return None
    parts = text.strip().split("/")
    if len(parts) != 2:
        return None
    a, b = (p.strip() for p in parts)
    if not (a.isdigit() and b.isdigit() and a.isascii() and b.isascii()):
        return None
    num, den = int(a), int(b)
    if den == 0 or num > den:
        return None
    return Fraction(num, den)
