import json

import pytest

from vae_tutorial.config import ExperimentConfig, ModelConfig, TrainConfig
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
    from vae_tutorial import pretrained

    for name in pretrained.names():
        exp = pretrained.experiment(name)
        assert exp.name == name
