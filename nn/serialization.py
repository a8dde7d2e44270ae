"""Layers, models and compile settings as Keras 3's serialized form: plain JSON-able dicts.

A layer is `{"module", "class_name", "config", "registered_name", "build_config"}`, as
Keras' `serialize_keras_object` writes it; `config` is the layer's `get_config()`. Reading it
back looks `class_name` up among nn's own layer classes and the names of the current
`custom_object_scope` (what `load_model(custom_objects=...)` sets) and nothing else: no
module is imported, so a config cannot run code.

>>> import nn
>>> spec = serialize_layer(nn.layers.Dense(3, activation="relu", name="hidden"))
>>> spec["class_name"], spec["config"]["units"], spec["config"]["activation"]
('Dense', 3, 'relu')
>>> deserialize_layer(spec)
<Dense name='hidden', built=False>
"""

from __future__ import annotations

import functools
from typing import Any

from nn import losses, metrics, optimizers
from nn.registry import Registry, custom_objects, get_registered_name


@functools.cache
def layer_registry() -> Registry[Any]:
    """Every layer class `nn.layers` exports, by its class name ('Dense', 'LSTM', ...).

    >>> layer_registry().lookup("Conv2D")
    <class 'nn.layers.conv.Conv2D'>
    """
    from nn import layers

    registry: Registry[Any] = Registry("layer")
    for name in layers.__all__:
        candidate = getattr(layers, name)
        if isinstance(candidate, type) and issubclass(candidate, layers.Layer):
            registry.register(candidate.__name__)(candidate)
    return registry


def _jsonable(value: Any) -> Any:
    """Tuples as lists, recursively: what the config becomes in JSON anyway."""
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def serialize_layer(layer: Any) -> dict[str, Any]:
    """Keras' serialized layer; `build_config` holds the input shape of a built layer.

    >>> import nn
    >>> serialize_layer(nn.layers.Dense(2, input_dim=3))["build_config"]
    {'input_shape': [None, 3]}
    """
    cls = type(layer)
    builtin = layer_registry().name_of(cls) is not None
    spec: dict[str, Any] = {
        "module": "nn.layers" if builtin else cls.__module__,  # information only: never imported
        "class_name": cls.__name__,
        "config": layer.get_config(),
        "registered_name": None if builtin else get_registered_name(cls),
    }
    if layer.built and layer._build_input_shape is not None:
        spec["build_config"] = {"input_shape": _jsonable(layer._build_input_shape)}
    return spec


def deserialize_layer(spec: Any, build: bool = True) -> Any:
    """The layer `serialize_layer` described, built from `build_config` when `build`.

    >>> import nn
    >>> layer = deserialize_layer(serialize_layer(nn.layers.Dense(2, input_dim=3)))
    >>> layer.built, layer.kernel.shape
    (True, (3, 2))
    >>> deserialize_layer({"class_name": "Dense3000", "config": {}})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Unknown layer class 'Dense3000' ... custom_objects={'Dense3000': Dense3000} ...
    """
    from nn.layers import Layer

    if not isinstance(spec, dict):
        raise ValueError(
            f"A serialized layer is a dict {{'class_name': ..., 'config': {{...}}}}, received "
            f"{spec!r}"
        )
    layer = layer_registry().deserialize(spec)
    if not isinstance(layer, Layer):
        raise ValueError(
            f"{spec.get('class_name')!r} names {layer!r}, not a Layer class (in {spec!r})"
        )
    shape = (spec.get("build_config") or {}).get("input_shape")
    if build and shape is not None and not layer.built:
        layer._build(tuple(shape))
    return layer


# ---------------------------------------------------------------------------------------
# Sequential models (the methods Sequential.get_config / from_config call)


def sequential_config(model: Any) -> dict[str, Any]:
    """`Sequential.get_config()`: the name, every layer serialized, and the input shape.

    Keras 3 lists an InputLayer first instead of `build_input_shape` alone; here an Input
    is not a layer of the model (it is not in `model.layers` either).

    >>> import nn
    >>> model = nn.Sequential([nn.layers.Dense(2, input_dim=3)], name="tiny")
    >>> config = sequential_config(model)
    >>> [spec["class_name"] for spec in config["layers"]], config["build_input_shape"]
    (['Dense'], [None, 3])
    """
    shape = model._batch_input_shape
    return {
        "name": model.name,
        "layers": [serialize_layer(layer) for layer in model.layers],
        "build_input_shape": None if shape is None else _jsonable(shape),
    }


def sequential_from_config(cls: Any, config: dict[str, Any]) -> Any:
    """`Sequential.from_config(config)`: new layers from their configs, built for the saved
    input shape (fresh weights: set them, or load a file, to get the saved ones).

    >>> import nn
    >>> model = nn.Sequential([nn.layers.Dense(2, input_dim=3), nn.layers.Dense(1)])
    >>> copy = sequential_from_config(nn.Sequential, sequential_config(model))
    >>> [layer.name for layer in copy.layers], copy.input_shape, copy.count_params()
    (['dense', 'dense_1'], (None, 3), 11)
    """
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ValueError(
            f"{cls.__name__}.from_config expects a dict with a list of 'layers', received "
            f"{_short(config)}"
        )
    model = cls(name=config.get("name"))
    for spec in config["layers"]:
        model.add(deserialize_layer(spec, build=False))
    shape = config.get("build_input_shape")
    if shape is not None and not model.built:
        model.build(tuple(shape))
    return model


def _layer_from_parts(class_name: str, config: dict[str, Any]) -> Any:
    return deserialize_layer({"class_name": class_name, "config": config}, build=False)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


# ---------------------------------------------------------------------------------------
# Whole models: the config, with the compile settings


def model_registry() -> dict[str, Any]:
    """The model classes a file may name, with the user's custom ones.

    >>> {"Functional", "Sequential"} <= set(model_registry())
    True
    """
    from nn import models
    from nn.functional import Functional

    return {"Sequential": models.Sequential, "Functional": Functional, **custom_objects()}


def serialize_model(model: Any) -> dict[str, Any]:
    """Keras' `serialize_keras_object(model)`: class, config, input shape, compile config.

    >>> import nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=2)])
    >>> model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    >>> spec = serialize_model(model)
    >>> spec["class_name"], spec["compile_config"]["loss"], spec["compile_config"]["metrics"]
    ('Sequential', 'mean_squared_error', ['mae'])
    """
    get_config = getattr(model, "get_config", None)
    if get_config is None:  # as Keras (keras/src/models/model.py): a subclass defines its own
        raise NotImplementedError(
            f"{type(model).__name__} (a subclassed model) has no get_config(): define "
            "get_config() (and from_config if its arguments are not plain values) to save the "
            "whole model, or use save_weights"
        )
    config = get_config()
    shape = getattr(model, "_batch_input_shape", None)
    builtin = type(model).__module__ in ("nn.models", "nn.functional")
    return {
        "module": type(model).__module__,
        "class_name": type(model).__name__,
        "config": config,
        "registered_name": None if builtin else get_registered_name(type(model)),
        "build_config": None if shape is None else {"input_shape": _jsonable(shape)},
        "compile_config": compile_config(model) if model.compiled else None,
    }


def deserialize_model(spec: Any, compile: bool = True) -> Any:
    """The model `serialize_model` described, built, and compiled when `compile` is true
    and it was (its weights are fresh: `load_model` sets the saved ones).

    >>> import nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=2)])
    >>> model.compile(optimizer=nn.optimizers.SGD(0.5), loss="mae")
    >>> copy = deserialize_model(serialize_model(model))
    >>> copy.optimizer, copy.loss.name, copy.count_params()
    (SGD(learning_rate=0.5, momentum=0.0, nesterov=False), 'mean_absolute_error', 3)
    """
    if not isinstance(spec, dict) or not isinstance(spec.get("class_name"), str):
        raise ValueError(
            f"A serialized model is a dict with a 'class_name', received {_short(spec)}"
        )
    known = model_registry()
    cls = known.get(spec.get("registered_name") or "") or known.get(spec["class_name"])
    if cls is None:
        raise ValueError(
            f"Unknown model class {spec['class_name']!r}: not one of {sorted(known)}; pass "
            f"custom_objects={{{spec['class_name']!r}: {spec['class_name']}}} for a model class "
            "of your own"
        )
    from nn.functional import Functional

    config = spec.get("config")
    if not isinstance(config, dict):
        raise ValueError(f"A serialized model's config is a dict, received {_short(config)}")
    if isinstance(cls, type) and issubclass(cls, Functional):
        # each layer of the graph from nn's classes and custom_objects, as a Sequential's
        model = cls.from_config(config, make_layer=_layer_from_parts)
    elif hasattr(cls, "from_config"):
        model = cls.from_config(config)
    else:
        raise ValueError(f"{spec['class_name']!r} has no from_config to rebuild it from its config")
    shape = (spec.get("build_config") or {}).get("input_shape")
    if shape is not None and not model.built:
        model.build(tuple(shape))
    settings = spec.get("compile_config")
    if compile and settings is not None:
        compile_from_config(model, settings)
    return model


# ---------------------------------------------------------------------------------------
# compile(): the optimizer, the loss and the metrics


def compile_config(model: Any) -> dict[str, Any]:
    """What `compile` was given, serialized (Keras' `model.get_compile_config()`).

    >>> import nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=2)])
    >>> model.compile(optimizer=nn.optimizers.Adam(0.01), loss=nn.losses.Huber(delta=2.0))
    >>> config = compile_config(model)
    >>> config["optimizer"]["config"]["learning_rate"], config["loss"]["config"]["delta"]
    (0.01, 2.0)
    """
    from nn.multi_output import MultiOutputLoss

    given = [_serialize_metric(m) for m in model._metric_ids]
    plain = model._plain_metrics  # compile keeps metrics, then weighted_metrics, in one list
    loss, loss_weights = model.loss, None
    if isinstance(loss, MultiOutputLoss):  # several outputs: a loss and a weight for each
        loss_weights = dict(zip(loss.names, loss.weights))
        loss = {n: _serialize_callable(losses.registry, one) for n, one in zip(loss.names,
                                                                               loss.losses)}
    elif loss is not None:
        loss = _serialize_callable(losses.registry, loss)
    config = {
        "optimizer": optimizers.registry.serialize(model.optimizer),
        "loss": loss,
        "metrics": given[:plain],
        "weighted_metrics": given[plain:] or None,
    }
    if loss_weights is not None:
        config["loss_weights"] = loss_weights
    return config


def compile_from_config(model: Any, config: Any) -> None:
    """`model.compile(...)` with the settings `compile_config` wrote.

    >>> import nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=2)])
    >>> compile_from_config(model, {"optimizer": "sgd", "loss": "mse", "metrics": ["mae"]})
    >>> model.optimizer, model.metrics_names
    (SGD(learning_rate=0.01, momentum=0.0, nesterov=False), ['loss', 'mae'])
    """
    if not isinstance(config, dict):
        raise ValueError(f"A compile config is a dict, received {_short(config)}")
    loss, loss_weights = config.get("loss"), config.get("loss_weights")
    if loss_weights is not None:  # a loss by output name (nn.multi_output)
        if not isinstance(loss, dict):
            raise ValueError(
                f"loss_weights {loss_weights!r} come with a loss per output, not {loss!r}"
            )
        loss = {name: losses.get(one) for name, one in loss.items()}
    elif loss is not None:
        loss = losses.get(loss)
    extra = {} if loss_weights is None else {"loss_weights": loss_weights}
    model.compile(
        optimizer=optimizers.get(config.get("optimizer")),
        loss=loss,
        metrics=[_deserialize_metric(m) for m in config.get("metrics") or []],
        weighted_metrics=[_deserialize_metric(m) for m in config.get("weighted_metrics") or []],
        **extra,
    )


def _serialize_callable(registry: Registry[Any], obj: Any) -> Any:
    """A name, a {"class_name", "config"}, or for a wrapped plain function its name."""
    if isinstance(obj, str):
        return obj
    fn = getattr(obj, "fn", None)
    if fn is not None and registry.name_of(type(obj)) is None:  # a wrapper of a user's function
        return _function_spec(fn)
    if getattr(obj, "get_config", None) is None:
        return _function_spec(obj)
    return registry.serialize(obj)


def _function_spec(fn: Any) -> Any:
    name = getattr(fn, "__name__", None)
    if not isinstance(name, str) or name == "<lambda>":
        raise ValueError(
            f"{fn!r} cannot be saved: a function is stored by its name (found again through "
            "custom_objects when loading), and a lambda has none; use a def"
        )
    # Keras' form for a function (serialization_lib.serialize_keras_object)
    return {"class_name": "function", "config": get_registered_name(fn)}


def _serialize_metric(item: Any) -> Any:
    if isinstance(item, dict):  # {output name: metric(s)} for a model with several outputs
        return {name: [_serialize_metric(m) for m in (one if isinstance(one, list) else [one])]
                for name, one in item.items()}
    return _serialize_callable(metrics.registry, item)


def _deserialize_metric(spec: Any) -> Any:
    if isinstance(spec, str):
        return spec  # compile resolves names itself ('acc' becomes the right accuracy)
    if isinstance(spec, dict) and "class_name" not in spec:  # by output name
        return {name: [_deserialize_metric(m) for m in one] for name, one in spec.items()}
    return metrics.registry.get(spec)
