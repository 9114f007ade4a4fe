"""The support directory: who answers what, per ministry system and province."""
