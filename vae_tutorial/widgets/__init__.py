"""Thin ipywidgets views; every one renders through :class:`.base.View`."""
