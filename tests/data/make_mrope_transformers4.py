"""Write tests/data/mrope_transformers4.json: M-RoPE ids from transformers 4.x ``get_rope_index``.

transformers 4.x is not a dependency of rope_viz (the test extra has 5.x), so this script is run
once, by hand, in a throwaway environment, and its output is committed:

    python3 -m venv /tmp/tf4
    /tmp/tf4/bin/pip install "transformers<5" torch==2.13.0
    /tmp/tf4/bin/python tests/data/make_mrope_transformers4.py

It calls ``Qwen2VLModel``, ``Qwen2_5_VLModel`` and ``Qwen3VLModel.get_rope_index`` unbound, on a
stand-in ``self`` that carries the model's own config class (no weights, no downloads), with a
token sequence built from a rope_viz ``segments`` list: every text token is id 1, except that
the text token just before a vision block is the ``vision_start`` token (4.x finds blocks by it).

Qwen3-VL cases list one ``("video", (1, h, w))`` block per frame (its processor puts a timestamp
and a vision_start token before every frame); the script passes those per-frame grids as
``video_grid_thw``. Qwen2.5-VL cases use whole-number ``second_per_grid_t``: transformers 4.57
casts ``second_per_grid_t`` to the integer dtype of ``torch.arange`` before multiplying, so 0.5
becomes 0 there (5.x multiplies in floating point).
"""

from __future__ import annotations

import json
import pathlib
import sys

import torch
import transformers
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VLModel
from transformers.models.qwen2_vl.modeling_qwen2_vl import Qwen2VLModel
from transformers.models.qwen3_vl.modeling_qwen3_vl import Qwen3VLModel

CASES = [
    # (model, segments, spatial_merge_size, second_per_grid_t)
    ("qwen2_vl", [("text", 5)], 1, None),
    ("qwen2_vl", [("text", 4), ("image", (1, 4, 6)), ("text", 3)], 2, None),
    ("qwen2_vl", [("text", 1), ("image", (1, 2, 3)), ("text", 2), ("image", (1, 6, 2)), ("text", 1)], 1, None),
    ("qwen2_vl", [("text", 2), ("video", (2, 4, 4)), ("text", 2)], 2, None),
    ("qwen2_vl", [("text", 2), ("video", (5, 2, 2)), ("text", 3)], 1, None),  # T > max(h', w')
    ("qwen2_vl", [("text", 1), ("video", (6, 4, 4)), ("text", 2)], 2, None),  # T > max(h', w')
    ("qwen2_vl", [("text", 1), ("video", (4, 2, 6)), ("text", 1), ("image", (1, 2, 4)), ("text", 5)], 2, None),
    ("qwen2_vl", [("text", 3), ("image", (1, 2, 2)), ("text", 1), ("video", (7, 2, 4)), ("text", 2)], 1, None),
    ("qwen2_5_vl", [("text", 3), ("video", (3, 4, 4)), ("text", 2)], 2, 1.0),
    ("qwen2_5_vl", [("text", 2), ("video", (4, 2, 2)), ("text", 2)], 1, 2.0),
    ("qwen2_5_vl", [("text", 2), ("image", (1, 4, 4)), ("text", 1), ("video", (5, 4, 6)), ("text", 2)], 2, 1.0),
    ("qwen3_vl", [("text", 2), ("video", (1, 4, 4)), ("text", 1), ("video", (1, 4, 4)), ("text", 1),
                  ("video", (1, 4, 4)), ("text", 3)], 2, None),
    ("qwen3_vl", [("text", 1), ("image", (1, 2, 6)), ("text", 2)], 1, None),
]

MODELS = {
    "qwen2_vl": (Qwen2VLModel, transformers.Qwen2VLConfig),
    "qwen2_5_vl": (Qwen2_5_VLModel, transformers.Qwen2_5_VLConfig),
    "qwen3_vl": (Qwen3VLModel, transformers.Qwen3VLConfig),
}


def rope_index(model: str, segments: list, merge: int, second_per_grid_t):
    cls, config_cls = MODELS[model]
    config = config_cls(vision_config={"spatial_merge_size": merge})
    if model == "qwen2_5_vl":
        config.vision_config.tokens_per_second = 2  # released Qwen2.5-VL value
    stand_in = type("StandIn", (), {})()
    stand_in.config = config
    tokens, images, videos = [], [], []
    for kind, spec in segments:
        if kind == "text":
            tokens += [1] * spec
            continue
        t, h, w = spec
        tokens[-1] = config.vision_start_token_id
        token = config.image_token_id if kind == "image" else config.video_token_id
        tokens += [token] * (t * h * w // merge**2)
        (images if kind == "image" else videos).append(list(spec))
    kwargs = dict(
        input_ids=torch.tensor([tokens]),
        image_grid_thw=torch.tensor(images) if images else None,
        video_grid_thw=torch.tensor(videos) if videos else None,
    )
    if model == "qwen2_5_vl" and videos:
        kwargs["second_per_grid_ts"] = torch.tensor([second_per_grid_t] * len(videos))
    ids, _ = cls.get_rope_index(stand_in, **kwargs)
    return ids[:, 0].tolist()  # (3, n)


def main() -> None:
    out = pathlib.Path(__file__).with_name("mrope_transformers4.json")
    cases = []
    for model, segments, merge, spg in CASES:
        cases.append(dict(model=model, segments=segments, spatial_merge_size=merge,
                          second_per_grid_t=spg,
                          tokens_per_second=2.0 if model == "qwen2_5_vl" else None,
                          position_ids=rope_index(model, segments, merge, spg)))
    data = dict(
        transformers=transformers.__version__,
        torch=torch.__version__,
        python=sys.version.split()[0],
        made_by="/tmp/tf4/bin/python tests/data/make_mrope_transformers4.py "
                '(a venv with transformers<5 and torch==2.13.0; see the script docstring)',
        functions="Qwen2VLModel / Qwen2_5_VLModel / Qwen3VLModel.get_rope_index, called unbound on a "
                  "stand-in self holding the model's config class; text before each vision block ends "
                  "in the vision_start token",
        cases=cases,
    )
    header = json.dumps({k: v for k, v in data.items() if k != "cases"}, indent=1)[:-2]
    rows = ",\n".join("  " + json.dumps(case) for case in cases)
    out.write_text(header + ',\n "cases": [\n' + rows + "\n ]\n}\n")  # one case per line
    print(f"wrote {len(cases)} cases to {out} (transformers {transformers.__version__})")


if __name__ == "__main__":
    main()
