"""The whole season: every meeting's panel drawn jointly (draw-format.md, section 3)."""
