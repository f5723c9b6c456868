"""Interactive ipywidgets views (import a submodule explicitly; this package imports nothing)."""
