"""Pure figures and images: arrays in, Figure, pixels or PNG bytes out; no widgets."""
