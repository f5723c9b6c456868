"""Experiments of notebooks 05-08 and the study runner (joblib; Dask for clusters)."""
