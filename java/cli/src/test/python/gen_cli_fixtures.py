"""Writes the fixtures of the CLI's error-path tests (java/cli/src/test/resources/cli):

- tiny_cnn.onnx: Conv(1->2, 3x3, pad 1) + ReLU + MaxPool(2) + Flatten + Linear(32->3), input [1, 1, 8, 8],
  exported by torch.onnx (opset 13), with its seeded input and torch's output (tiny_cnn_x.npy, tiny_cnn_y.npy).
- tiny_cnn_x_f64.npy: the same input as float64 (conv4j reads float32 only).
- tiny_cnn_x_2ch.npy: [1, 2, 8, 8], a shape the model's input [1, 1, 8, 8] does not take.
- tiny_cnn_x_nhwc.npy: the input as [1, 8, 8, 1], for --layout nhwc.
- truncated.onnx: tiny_cnn.onnx cut inside its weights.
- det.onnx: a valid ONNX model whose only node is Det (matrix determinant), an operator no CNN runtime supports.

Run with Debian's interpreter:  /usr/bin/python3 java/cli/src/test/python/gen_cli_fixtures.py
"""
import io
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "cli")


class TinyCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 3, padding=1)
        self.pool = torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(2 * 4 * 4, 3)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(torch.relu(self.conv(x))), 1))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(7)
    model = TinyCnn().eval()
    x = torch.randn(1, 1, 8, 8)
    with torch.no_grad():
        y = model(x)
    buf = io.BytesIO()
    torch.onnx.export(model, x, buf, opset_version=13, input_names=["x"], output_names=["y"])
    data = buf.getvalue()
    onnx.checker.check_model(onnx.load_from_string(data))
    with open(os.path.join(OUT, "tiny_cnn.onnx"), "wb") as f:
        f.write(data)
    np.save(os.path.join(OUT, "tiny_cnn_x.npy"), x.numpy())
    np.save(os.path.join(OUT, "tiny_cnn_y.npy"), y.numpy())
    np.save(os.path.join(OUT, "tiny_cnn_x_f64.npy"), x.numpy().astype(np.float64))
    np.save(os.path.join(OUT, "tiny_cnn_x_2ch.npy"), np.concatenate([x.numpy(), x.numpy()], axis=1))
    np.save(os.path.join(OUT, "tiny_cnn_x_nhwc.npy"), np.ascontiguousarray(x.numpy().transpose(0, 2, 3, 1)))
    with open(os.path.join(OUT, "truncated.onnx"), "wb") as f:
        f.write(data[: len(data) * 2 // 3])

    det = helper.make_graph(
        [helper.make_node("Det", ["a"], ["d"])], "det",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [3, 3])],
        [helper.make_tensor_value_info("d", TensorProto.FLOAT, [])])
    m = helper.make_model(det, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(OUT, "det.onnx"))
    np.save(os.path.join(OUT, "det_x.npy"), np.eye(3, dtype=np.float32))


if __name__ == "__main__":
    main()
