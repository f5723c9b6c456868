"""The paper's VAE: config, networks, likelihoods, latents, model, estimators, training,
checkpoints and the shipped models. Imports nothing from ``studies``, ``viz`` or ``widgets``."""
