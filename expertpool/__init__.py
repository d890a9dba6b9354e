"""expertpool: the review-expert pool (评审专家库) and panel draw for Dalian's 职称 reviews."""

__version__ = "0.1.0"
