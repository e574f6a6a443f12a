"""Make an int8 cross-encoder's activation quantisation per pair, so pairs can be batched.

``onnxruntime.quantization.quantize_dynamic`` quantises each activation tensor with one
scale and zero point over the whole input (DynamicQuantizeLinear). In a batch a pair's
scores would then move with its neighbours and with the padding, so argmap ran one pair per
call (~50 ms each). This rewrites every DynamicQuantizeLinear feeding a MatMulInteger into
the same arithmetic taken per pair over that pair's real tokens (padding masked out), so a
pair's logits are the same alone or in any batch. The weights are untouched; only the
activation rounding changes, by at most one quantisation step where float division rounds
differently. MatMulInteger takes only a scalar activation zero point, so the per-pair zero
point is subtracted after the integer product: (q - z) W = qW - z * colsum(W).

  python train/rowquant.py argmap/models/stance_int8.onnx   (rewrites it in place)
Run after train/export of a new stance model (train/finetune_stance.py lists the chain).
"""

from __future__ import annotations

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

PER_PAIR = "argmap.per_pair_quantisation"  # argmap.cross_encoder batches only models marked so


def rewrite(model: onnx.ModelProto) -> onnx.ModelProto:
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    users: dict[str, list[onnx.NodeProto]] = {}
    for n in g.node:
        for i in n.input:
            users.setdefault(i, []).append(n)
    rank = {v.name: len(v.type.tensor_type.shape.dim)
            for v in shape_inference.infer_shapes(model).graph.value_info}
    new: list[onnx.NodeProto] = [
        helper.make_node("Cast", ["attention_mask"], ["rq_mask_b"], to=TensorProto.BOOL),
        helper.make_node("Unsqueeze", ["rq_mask_b", "rq_axis2"], ["rq_mask3"])]
    g.initializer.extend([numpy_helper.from_array(np.array([2], np.int64), "rq_axis2"),
                          numpy_helper.from_array(np.array(0.0, np.float32), "rq_zero"),
                          numpy_helper.from_array(np.array(255.0, np.float32), "rq_255"),
                          numpy_helper.from_array(np.array(0, np.uint8), "rq_zero_u8"),
                          numpy_helper.from_array(np.array([-1], np.int64), "rq_flat")])
    for n in g.node:
        if n.op_type != "DynamicQuantizeLinear":
            new.append(n)
            continue
        a, (aq, ascale, azp), p = n.input[0], n.output, n.output[0] + "_rq"
        three = rank.get(a, 3) == 3
        axes = [1, 2] if three else [1]  # opset 13: reduce axes are an attribute
        src = a
        if three:  # padding is left out of the range (0 is always in it, as in the original)
            new.append(helper.make_node("Where", ["rq_mask3", a, "rq_zero"], [p + "_m"]))
            src = p + "_m"
        new += [
            helper.make_node("ReduceMax", [src], [p + "_mx0"], axes=axes, keepdims=1),
            helper.make_node("ReduceMin", [src], [p + "_mn0"], axes=axes, keepdims=1),
            helper.make_node("Max", [p + "_mx0", "rq_zero"], [p + "_mx"]),
            helper.make_node("Min", [p + "_mn0", "rq_zero"], [p + "_mn"]),
            helper.make_node("Sub", [p + "_mx", p + "_mn"], [p + "_rng"]),
            helper.make_node("Div", [p + "_rng", "rq_255"], [ascale]),
            helper.make_node("Div", [p + "_mn", ascale], [p + "_mns"]),
            helper.make_node("Neg", [p + "_mns"], [p + "_zr"]),
            helper.make_node("Round", [p + "_zr"], [p + "_zrr"]),
            helper.make_node("Clip", [p + "_zrr", "rq_zero", "rq_255"], [azp + "_f"]),
            helper.make_node("Reshape", [ascale, "rq_flat"], [p + "_s1"]),
            helper.make_node("Cast", [azp + "_f"], [p + "_z8"], to=TensorProto.UINT8),
            helper.make_node("Reshape", [p + "_z8", "rq_flat"], [p + "_z1"]),
            # one scale and zero point per pair (axis 0): the same rounding as the original
            helper.make_node("QuantizeLinear", [a, p + "_s1", p + "_z1"], [aq], axis=0)]
        for mm in users[aq]:
            assert mm.op_type == "MatMulInteger", mm.op_type
            w = numpy_helper.to_array(inits[mm.input[1]]).astype(np.float32)
            wz = numpy_helper.to_array(inits[mm.input[3]]).astype(np.float32)
            colsum = (w - wz).sum(axis=0).astype(np.float32)
            cs = mm.name + "_rq_colsum"
            g.initializer.append(numpy_helper.from_array(colsum, cs))
            mm.input[2] = "rq_zero_u8"
            (cast,) = users[mm.output[0]]
            (mul,) = users[cast.output[0]]
            fixed = cast.output[0] + "_rq"
            new_nodes = [helper.make_node("Mul", [azp + "_f", cs], [fixed + "_zc"]),
                         helper.make_node("Sub", [cast.output[0], fixed + "_zc"], [fixed])]
            mul.input[0] = fixed
            new.extend(new_nodes)
    # the Sub nodes were appended before their Cast inputs exist: sort topologically
    del g.node[:]
    g.node.extend(_toposort(new, {i.name for i in g.input} | {i.name for i in g.initializer}))
    onnx.helper.set_model_props(model, {**{p.key: p.value for p in model.metadata_props},
                                         PER_PAIR: "1"})
    onnx.checker.check_model(model)
    return model


def _toposort(nodes: list[onnx.NodeProto], ready: set[str]) -> list[onnx.NodeProto]:
    out: list[onnx.NodeProto] = []
    pending = list(nodes)
    have = set(ready) | {""}
    while pending:
        rest = []
        for n in pending:
            if all(i in have for i in n.input):
                out.append(n)
                have.update(n.output)
            else:
                rest.append(n)
        if len(rest) == len(pending):
            raise ValueError("graph has a cycle or a missing input")
        pending = rest
    return out


if __name__ == "__main__":
    path = sys.argv[1]
    if any(p.key == PER_PAIR for p in onnx.load(path).metadata_props):
        raise SystemExit(f"{path} is already per-pair")
    onnx.save(rewrite(onnx.load(path)), path)
    print(f"rewrote {path}: per-pair activation quantisation")
