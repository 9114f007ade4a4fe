"""The catalogue: provinces, ministries' systems and issue categories shipped in reference/."""
