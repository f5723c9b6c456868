"""Pure figures and image encoding: arrays in, Figure or PNG bytes out; no widgets."""
