"""The `attribution` parameters (conf/base/parameters_attribution.yml), validated once.

Errors name the key and the file, and list every problem found, so a user fixes them in one go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roi_ml.attribution import MODEL_PARAMS, MODELS

CONF = "conf/base/parameters_attribution.yml"
LEVELS = ("post", "creator")  # where markov and shapley put their players / states
_KEYS = {"models", "max_path_length", "model_params", "comparison", "evaluation", "data_driven"}
PIPELINE_MODELS = (*MODELS, "data_driven")  # data_driven is built in the pipeline, not the path API
_OWN = {"markov": {"level"}, "shapley": {"level"}}  # pipeline options, not library parameters


@dataclass(frozen=True)
class AttributionConfig:
    models: tuple[str, ...] = PIPELINE_MODELS
    max_path_length: int | None = None
    model_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    top_n: int = 10
    reference_model: str | None = "last_touch"
    top_k: int = 10
    bootstrap_resamples: int = 5
    random_state: int = 0

    @classmethod
    def from_params(cls, params: dict | None) -> AttributionConfig:
        """Validate the `attribution` parameters; raise ValueError naming every bad key."""
        params = dict(params or {})
        problems = [f"attribution.{k}: unknown key (known: {sorted(_KEYS)})"
                    for k in sorted(set(params) - _KEYS)]
        models = params.get("models", list(PIPELINE_MODELS))
        if isinstance(models, str):
            models = [models]
        models = tuple(models or ())
        unknown = [m for m in models if m not in PIPELINE_MODELS]
        if unknown:
            problems.append(f"attribution.models: unknown model(s) {unknown}; choose from "
                            f"{list(PIPELINE_MODELS)}")
        if len(set(models)) != len(models):
            problems.append(f"attribution.models: a model is listed twice in {list(models)}")
        cap = params.get("max_path_length")
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
            problems.append(f"attribution.max_path_length: a positive integer or null; found {cap!r}")
        model_params = {m: dict(v or {}) for m, v in (params.get("model_params") or {}).items()}
        for m, opts in model_params.items():
            if m not in MODELS:
                problems.append(f"attribution.model_params.{m}: unknown model; choose from {list(MODELS)}")
                continue
            bad = sorted(set(opts) - set(MODEL_PARAMS[m]) - _OWN.get(m, set()) - {"group_map"})
            if "group_map" in opts:
                bad.append("group_map")  # built from the journeys (markov.level), never configured
            if bad:
                allowed = sorted((set(MODEL_PARAMS[m]) - {"group_map"}) | _OWN.get(m, set()))
                problems.append(f"attribution.model_params.{m}: unknown parameter(s) {sorted(bad)}; "
                                f"{m} takes {allowed or 'none'}")
            level = opts.get("level", "post")
            if m in _OWN and level not in LEVELS:
                problems.append(f"attribution.model_params.{m}.level: one of {list(LEVELS)}; "
                                f"found {level!r}")
        comparison = params.get("comparison") or {}
        evaluation = params.get("evaluation") or {}
        ints = {"comparison.top_n": comparison.get("top_n", 10),
                "evaluation.top_k": evaluation.get("top_k", 10),
                "evaluation.bootstrap_resamples": evaluation.get("bootstrap_resamples", 5),
                "evaluation.random_state": evaluation.get("random_state", 0)}
        for key, x in ints.items():
            if isinstance(x, bool) or not isinstance(x, int) or x < 0:
                problems.append(f"attribution.{key}: an integer >= 0; found {x!r}")
        reference = comparison.get("reference_model", "last_touch")
        if reference is not None and reference not in MODELS:
            problems.append(f"attribution.comparison.reference_model: one of {list(MODELS)} or null; "
                            f"found {reference!r}")
        if problems:
            raise ValueError(f"{CONF}:\n  " + "\n  ".join(problems))
        return cls(models=models, max_path_length=cap, model_params=model_params,
                   top_n=ints["comparison.top_n"], reference_model=reference,
                   top_k=ints["evaluation.top_k"],
                   bootstrap_resamples=ints["evaluation.bootstrap_resamples"],
                   random_state=ints["evaluation.random_state"])

    def options(self, model: str) -> dict[str, Any]:
        """The library parameters of `model` (without the pipeline's own `level`)."""
        return {k: v for k, v in self.model_params.get(model, {}).items() if k not in _OWN.get(model, ())}

    def level(self, model: str) -> str:
        """Where `model` forms its states or players: "post" or "creator" (markov, shapley)."""
        return self.model_params.get(model, {}).get("level", "post") if model in _OWN else "post"
