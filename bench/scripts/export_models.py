"""Exports the side-by-side benchmark's model zoo to ONNX (random weights; speed does not depend on their values).

Run with Debian's interpreter (torch 1.13, torchvision 0.14, onnx 1.12):
    /usr/bin/python3 bench/scripts/export_models.py [--out bench/models] [name ...]

For each model writes <out>/<name>.onnx (opset 13, input "x" with a symbolic batch dimension, output "y") and
<out>/<name>.properties: display name, per-image input shape, and the multiply-adds of one image counted by forward
hooks on every Conv2d and Linear (FLOPs = 2 x macs), so the Java runner can report GFLOP/s without re-deriving
shapes. LeNet-5 is the one of the ONNX import fixtures (java/core/src/test/python/gen_onnx_fixtures.py), flattened
with torch.flatten as torchvision's models are (an ONNX Flatten node) instead of x.view(x.size(0), -1), whose
Shape/Gather/Concat/Reshape chain conv4j's importer cannot fold while the batch dimension is symbolic.
"""
import argparse
import os
import sys
import warnings
import zlib

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.models as tv

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "java", "core", "src", "test", "python"))
from gen_onnx_fixtures import LeNet5  # noqa: E402

warnings.filterwarnings("ignore")


class LeNet5Flatten(LeNet5):
    """The fixtures' LeNet-5, flattened by torch.flatten(x, 1): the same function, a batch-agnostic ONNX graph."""

    def forward(self, x):
        x = self.p1(torch.tanh(self.c1(x)))
        x = self.p2(F.relu(self.c2(x)))
        x = torch.flatten(x, 1)
        return self.f3(F.relu(self.f2(torch.sigmoid(self.f1(x)))))


# file name -> (display name, constructor, per-image input shape)
MODELS = {
    "lenet5": ("LeNet-5", LeNet5Flatten, (1, 28, 28)),
    "mobilenet_v2": ("MobileNetV2", tv.mobilenet_v2, (3, 224, 224)),
    "resnet18": ("ResNet-18", tv.resnet18, (3, 224, 224)),
    "resnet50": ("ResNet-50", tv.resnet50, (3, 224, 224)),
    "vgg16": ("VGG-16", tv.vgg16, (3, 224, 224)),
}


def count_macs(model, x):
    """Multiply-adds of one forward pass of x, over Conv2d and Linear layers."""
    total = [0]

    def conv_hook(m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        total[0] += out.numel() * k

    def linear_hook(m, inp, out):
        total[0] += out.numel() * m.in_features

    handles = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return total[0] // x.shape[0]


def export(out_dir, name):
    display, ctor, shape = MODELS[name]
    torch.manual_seed(zlib.crc32(name.encode()))
    model = ctor().eval()
    x = torch.rand((1,) + shape) * 2 - 1
    path = os.path.join(out_dir, name + ".onnx")
    tmp = path + ".tmp"
    with torch.no_grad():
        torch.onnx.export(model, x, tmp, opset_version=13, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    onnx.checker.check_model(onnx.load(tmp))
    macs = count_macs(model, x)
    with open(os.path.join(out_dir, name + ".properties"), "w", encoding="utf-8") as f:
        f.write("# written by bench/scripts/export_models.py; do not edit\n")
        f.write("name=%s\n" % display)
        f.write("input=%s\n" % ",".join(str(d) for d in shape))
        f.write("macs=%d\n" % macs)
        f.write("opset=13\n")
    os.replace(tmp, path)  # the .onnx appears last: its presence means the pair is complete
    print("wrote %s (%d bytes, %.1f M multiply-adds per image)" % (path, os.path.getsize(path), macs / 1e6))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=os.path.join(HERE, "..", "models"))
    p.add_argument("names", nargs="*", help="models to export (default: all of %s)" % ", ".join(MODELS))
    a = p.parse_args()
    unknown = [n for n in a.names if n not in MODELS]
    if unknown:
        p.error("unknown model(s) %s; known: %s" % (", ".join(unknown), ", ".join(MODELS)))
    os.makedirs(a.out, exist_ok=True)
    for name in a.names or MODELS:
        export(a.out, name)


if __name__ == "__main__":
    main()
