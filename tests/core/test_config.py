import json

import pytest

from vae_tutorial.core.config import ExperimentConfig, ModelConfig, TrainConfig
from vae_tutorial.errors import ConfigError


def example() -> ExperimentConfig:
    return ExperimentConfig(
        name="demo",
        data="frey-faces",
        model=ModelConfig(
            x_dim=560, z_dim=2, hidden=(200,), likelihood="gaussian", logvar_min=-8.0
        ),
        train=TrainConfig(optimizer="adagrad", lr=0.02, max_samples=1000, seed=3),
    )


def test_json_round_trip_is_exact():
    exp = example()
    again = ExperimentConfig.from_json(exp.to_json())
    assert again == exp
    assert json.loads(again.to_json()) == json.loads(exp.to_json())


def test_lists_become_tuples_and_decoder_mirrors_encoder():
    m = ModelConfig.from_dict({"hidden": [300, 100], "z_dim": 5})
    assert m.hidden == (300, 100) and m.decoder_widths == (100, 300)
    assert ModelConfig(hidden=(8,), decoder_hidden=[4, 2]).decoder_widths == (4, 2)


@pytest.mark.parametrize("section,key", [("model", "hiden"), ("train", "learning_rate")])
def test_unknown_key_is_named(section, key):
    d = example().to_dict()
    d[section][key] = 1
    with pytest.raises(ConfigError, match=f"unknown key '{key}' in {section} config"):
        ExperimentConfig.from_dict(d)


def test_unknown_top_level_key_is_named():
    d = example().to_dict()
    d["epochs"] = 3
    with pytest.raises(ConfigError, match="unknown key 'epochs'"):
        ExperimentConfig.from_dict(d)


@pytest.mark.parametrize(
    "section,key,value",
    [
        ("model", "z_dim", 0),
        ("model", "z_dim", 2.5),
        ("model", "z_dim", True),
        ("model", "hidden", [500, -1]),
        ("model", "activation", "swish"),
        ("model", "likelihood", "poisson2"),
        ("train", "lr", -1e-3),
        ("train", "lr", "fast"),
        ("train", "optimizer", "rmsprop"),
        ("train", "batch_size", 0),
        ("train", "kl", "exact"),
        ("train", "seed", -1),
        ("train", "threads", 0),
        ("train", "lr_halflife", 0),
    ],
)
def test_bad_value_is_named(section, key, value):
    d = example().to_dict()
    d[section][key] = value
    with pytest.raises(ConfigError, match=f"{section}.{key} = "):
        ExperimentConfig.from_dict(d)


def test_bad_dataset_and_missing_keys():
    d = example().to_dict()
    d["data"] = "imagenet"
    with pytest.raises(ConfigError, match="experiment.data = 'imagenet'"):
        ExperimentConfig.from_dict(d)
    with pytest.raises(ConfigError, match="missing the required key 'name'"):
        ExperimentConfig.from_dict({"data": "frey-faces"})


def test_file_errors(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config file"):
        ExperimentConfig.load(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="bad.json: config is not valid JSON"):
        ExperimentConfig.load(bad)


def test_shipped_configs_parse():
    from vae_tutorial.core import pretrained

    for name in pretrained.names():
        exp = pretrained.experiment(name)
        assert exp.name == name


def test_config_accepts_new_families_and_names_bad_values():
    cfg = ModelConfig(likelihood="poisson", latent="exponential")
    assert ModelConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ConfigError, match="latent"):
        ModelConfig(latent="gamma")
    with pytest.raises(ConfigError, match="likelihood"):
        ModelConfig(likelihood="student")
    with pytest.raises(ConfigError, match="image_shape"):
        ModelConfig(x_dim=3072, architecture="conv")
    with pytest.raises(ConfigError, match="image_shape"):
        ModelConfig(x_dim=3072, architecture="conv", image_shape=(3, 32, 31))
    with pytest.raises(ConfigError, match="shared_logvar"):
        ModelConfig(likelihood="gaussian_shared", shared_logvar="small")


def test_shipped_family_configs_load():
    from vae_tutorial.core.pretrained import experiment

    for name in ("mnist-grey-bernoulli", "mnist-grey-shared", "mnist-grey-hetero"):
        exp = experiment(name)
        assert isinstance(exp, ExperimentConfig) and exp.model.z_dim == 2


def _exp(model=None, train=None) -> str:
    import json

    return json.dumps(
        {"name": "x", "data": "mnist-binarized", "model": model or {}, "train": train or {}}
    )


@pytest.mark.parametrize(
    "text,match",
    [
        ('{"name": "x", "data": "mnist-binarized", "train": {"lr": NaN}}', "NaN is not a number"),
        ('{"name": "x", "data": "mnist-binarized", "train": {"lr": Infinity}}', "Infinity"),
        (
            '{"name": "x", "data": "mnist-binarized", "train": {"lr": 1e400}}',
            "1e400 is out of range",
        ),
        (_exp(train={"threads": 1_000_000}), r"train.threads .* from 1 to 256"),
        (_exp(train={"seed": 2**70}), r"train.seed .* from 0 to 9,223,372,036,854,775,807"),
        (_exp(train={"n_samples": 10_000_000}), r"train.n_samples .* from 1 to 10,000"),
        (_exp(train={"n_samples": 5000}), "one training step would decode 392,000,000 values"),
        (_exp(train={"lr": -1}), r"train.lr = -1 is invalid: expected a finite number > 0"),
        (_exp(train={"max_samples": 0}), r"train.max_samples = 0"),
        (_exp(model={"hidden": [3_000_000]}), r"model.hidden .* each from 1 to 100,000"),
        (_exp(model={"z_dim": 0}), r"model.z_dim = 0 is invalid"),
        (_exp(model={"logvar_min": 1e300}), r"model.logvar_min .* from -30 to 30"),
        (_exp(model={"hidden": [90_000, 90_000]}), "model is too large: about"),
        (_exp(model={"activation": "swish"}), "model.activation = 'swish'.*one of tanh"),
    ],
)
def test_every_value_has_a_range_and_the_error_names_key_and_range(text, match):
    with pytest.raises(ConfigError, match=match):
        ExperimentConfig.from_json(text)


def test_a_config_file_that_is_not_utf8_or_is_a_folder(tmp_path):
    p = tmp_path / "c.json"
    p.write_bytes(b'{"name": "caf\xe9"}')
    with pytest.raises(ConfigError, match="c.json is not UTF-8 text"):
        ExperimentConfig.load(p)
    with pytest.raises(ConfigError, match="is a directory, not a config file"):
        ExperimentConfig.load(tmp_path)
    with pytest.raises(ConfigError, match="cannot read config file"):
        ExperimentConfig.load(tmp_path / "absent.json")
