"""The solver-free certificate checker of draw-format.md §6 (`expertpool.certificate/1`).

Standard library only: it imports neither OR-Tools, numpy nor any engine module (an
import-linter contract in pyproject.toml keeps it so), and runs in a bare virtual
environment:

    python -m solver.certcheck PACKAGE.json PANEL.json CERT.json

exit 0 when the certificate proves the panel is the first compliant panel in the seed's
order (and the alternates are exactly the defined ones), 1 when it does not, 2 on bad input.
"""

from __future__ import annotations

from solver.certcheck.check import CertVerdict, check_certificate

__all__ = ["CertVerdict", "check_certificate"]
