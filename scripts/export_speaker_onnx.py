"""Build models/speaker_encoder.onnx: Resemblyzer's encoder as an ONNX graph WITHOUT its weights.

The weights (5.7 MB) stay out of git: the graph points to an external-data file,
``speaker_encoder.weights``, that ``models.speaker_encoder`` writes into the model store at first use
from the Resemblyzer wheel (same tensors, same 64-byte-aligned layout as recorded here), or hands to
onnxruntime from memory when it is given no store folder. This script
is a one-time developer step; it needs the ``onnx`` package, and checks the result against torch
Resemblyzer when torch and resemblyzer are installed (pip install 'scribe[speakers-export]').

    python scripts/export_speaker_onnx.py [--check]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models import speaker_encoder as se  # noqa: E402

OPSET = 17


def build_graph(tensors: list[tuple[str, np.ndarray]]):  # type: ignore[no-untyped-def]
    from onnx import TensorProto, helper

    inits = []
    for (name, offset, length), (_, arr) in zip(se.onnx_layout(tensors), tensors):
        t = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=list(arr.shape))
        t.data_location = TensorProto.EXTERNAL
        for key, value in (("location", se.ONNX_WEIGHTS), ("offset", offset), ("length", length)):
            entry = t.external_data.add()
            entry.key, entry.value = key, str(value)
        inits.append(t)
    const = [
        helper.make_tensor("axis0", TensorProto.INT64, [1], [0]),
        helper.make_tensor("axis1", TensorProto.INT64, [1], [1]),
    ]
    nodes = [helper.make_node("Transpose", ["mels"], ["x0"], perm=[1, 0, 2])]  # (T, B, 40)
    for i in range(3):
        outs = [f"y{i}", f"h{i}"]
        nodes.append(
            helper.make_node(
                "LSTM", [f"x{i}", f"W{i}", f"R{i}", f"B{i}"], outs, hidden_size=se.HIDDEN
            )
        )
        if i < 2:
            nodes.append(helper.make_node("Squeeze", [f"y{i}", "axis1"], [f"x{i + 1}"]))
    nodes += [
        helper.make_node("Squeeze", ["h2", "axis0"], ["last"]),
        helper.make_node("MatMul", ["last", "linear_W"], ["lin"]),
        helper.make_node("Add", ["lin", "linear_b"], ["lin_b"]),
        helper.make_node("Relu", ["lin_b"], ["act"]),
        helper.make_node("LpNormalization", ["act"], ["embedding"], axis=-1, p=2),
    ]
    graph = helper.make_graph(
        nodes,
        "resemblyzer_voice_encoder",
        [helper.make_tensor_value_info("mels", TensorProto.FLOAT, ["batch", "frames", se.N_MELS])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 256])],
        initializer=inits + const,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="scribe"
    )
    model.ir_version = 8
    helper.set_model_props(model, {"source": "resemblyzer 0.1.4 pretrained.pt (Apache-2.0)"})
    return model


def check(folder: Path, n: int = 64) -> None:
    """Compare torch Resemblyzer, onnxruntime and numpy on the same random mel windows."""
    rng = np.random.default_rng(0)
    mels = rng.random((n, 160, se.N_MELS), dtype=np.float32)
    onnx_enc = se.VoiceEncoder(backend="onnx", folder=folder)
    numpy_enc = se.VoiceEncoder(backend="numpy", folder=folder)
    results = {}
    for name, fn in (("onnxruntime", onnx_enc.embed_mels), ("numpy", numpy_enc.embed_mels)):
        fn(mels[:2])
        t0 = time.perf_counter()
        results[name] = (fn(mels), time.perf_counter() - t0)
    try:
        import torch
        from resemblyzer import VoiceEncoder as TorchEncoder

        ref = TorchEncoder("cpu", verbose=False)
        with torch.no_grad():
            ref(torch.from_numpy(mels[:2]))
            t0 = time.perf_counter()
            results["torch"] = (ref(torch.from_numpy(mels)).numpy(), time.perf_counter() - t0)
    except ImportError:
        print("torch/resemblyzer not installed: comparing onnxruntime with numpy only")
    base = results.get("torch", results["numpy"])[0]
    for name, (emb, secs) in results.items():
        cos = float(np.min(np.sum(emb * base, axis=1)))
        print(f"{name:12} min cosine {cos:.7f}  {secs * 1000:7.1f} ms for {n} windows of 1.6 s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only compare the backends")
    args = ap.parse_args(argv)
    if not args.check:
        import onnx

        tensors = se.onnx_tensors(se.load_weights())
        model = build_graph(tensors)
        with tempfile.TemporaryDirectory() as tmp:  # the checker wants the weights beside it
            se.write_onnx_weights(tensors, Path(tmp) / se.ONNX_WEIGHTS)
            onnx.save_model(model, str(Path(tmp) / se.ONNX_GRAPH.name))
            onnx.checker.check_model(str(Path(tmp) / se.ONNX_GRAPH.name))
        onnx.save_model(model, str(se.ONNX_GRAPH))
        print(f"wrote {se.ONNX_GRAPH} ({se.ONNX_GRAPH.stat().st_size} bytes, weights external)")
    with tempfile.TemporaryDirectory() as tmp:
        check(Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
