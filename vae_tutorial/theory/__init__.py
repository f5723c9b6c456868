"""Helpers of notebooks 01-04 (conjugate and hard posteriors, mean field, SGVB on small
models); imports nothing from the VAE ``core``."""
