"""Engine side of the §6 certificates: named rows from the rule registry, proof search."""
