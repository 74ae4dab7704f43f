#!/usr/bin/python3
"""Model fixtures for conv4j's model tests: random-weight networks saved as safetensors, an input .npy and the
PyTorch output .npy (eval mode), plus the state_dict names and shapes of every torchvision architecture conv4j
builds.

Run with the Debian PyTorch (torch 1.13, torchvision 0.14):

    /usr/bin/python3 java/core/src/test/python/gen_model_fixtures.py            # small, committed fixtures
    /usr/bin/python3 java/core/src/test/python/gen_model_fixtures.py --big      # + AlexNet, VGG-16, ResNet-18/50,
                                                                                 #   MobileNetV2 into fixtures-big/

Weights: the architecture's own initialisation (torch.manual_seed per model), BatchNorm gamma/beta randomised,
then BatchNorm running statistics calibrated on random batches in train mode (cumulative average) so activations
stay of order one through the depth in eval mode; otherwise deep random ResNets/VGGs overflow or vanish and the
comparison would test nothing. The reference output is computed in float64 from the float32 weights and input
(exactly representable), then rounded to float32 once, so its own error is negligible against conv4j's float32.

The safetensors writer is our own (the safetensors package is not installed): 8-byte little-endian header length,
JSON header {name: {dtype, shape, data_offsets}}, __metadata__, header padded with spaces to 8 bytes, then the data.
BatchNorm num_batches_tracked counters are kept as I64, as PyTorch saves them (the loader must skip them).
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision.models.mobilenetv2 import InvertedResidual
from torchvision.models.resnet import BasicBlock
from torchvision.models.squeezenet import Fire

HERE = os.path.dirname(os.path.abspath(__file__))
CORE = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
SMALL_DIR = os.path.join(CORE, "src", "test", "resources", "models")
BIG_DIR = os.path.normpath(os.path.join(CORE, "..", "..", "fixtures-big", "models"))

DTYPES = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}


def write_safetensors(path, state_dict, metadata):
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in state_dict.items():
        a = np.ascontiguousarray(t.detach().cpu().numpy())
        if a.dtype == np.float64:
            a = a.astype(np.float32)
        b = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DTYPES[a.dtype], "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


class LeNet5(nn.Module):
    """The common PyTorch LeNet-5 (ReLU, max pooling); pad=2 is the 28x28 MNIST form."""

    def __init__(self, pad=0, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=pad), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class TinyNet(nn.Module):
    """Every layer kind and container conv4j models: BN (folded and not), LeakyReLU/ReLU6/Sigmoid/Tanh epilogues,
    a ResNet BasicBlock with downsample, a MobileNetV2 InvertedResidual with its identity shortcut, SqueezeNet's
    Fire (concat), count_include_pad avg pooling, a transposed conv, reflect padding, ceil_mode max pooling,
    dropout, linear and log_softmax."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.LeakyReLU(0.1))
        down = nn.Sequential(nn.Conv2d(16, 32, 1, stride=2, bias=False), nn.BatchNorm2d(32))
        self.block1 = BasicBlock(16, 32, stride=2, downsample=down)
        self.block2 = InvertedResidual(32, 32, 1, 6)
        self.fire = Fire(32, 8, 16, 16)
        self.pool = nn.AvgPool2d(3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(32, 8, 2, stride=2)
        self.act = nn.Tanh()
        self.norm = nn.BatchNorm2d(8)  # after tanh: not foldable, runs on its own
        self.head = nn.Sequential(
            nn.Conv2d(8, 8, 3, padding=1, padding_mode="reflect"), nn.Sigmoid(), nn.MaxPool2d(3, 2, ceil_mode=True),
            nn.Flatten(), nn.Dropout(0.3), nn.Linear(8 * 5 * 5, 10), nn.LogSoftmax(1))

    def forward(self, x):
        x = self.fire(self.block2(self.block1(self.stem(x))))
        return self.head(self.norm(self.act(self.up(self.pool(x)))))


def randomise_and_calibrate(model, shape, seed):
    """BN gamma/beta random; running stats averaged over random batches in train mode; then eval."""
    g = torch.Generator().manual_seed(seed + 1)
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for m in bns:
            m.weight.copy_(torch.rand(m.weight.shape, generator=g) * 1.0 + 0.5)
            m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the calibration batches
        if bns:
            model.train()
            for _ in range(3):
                model(torch.randn(shape, generator=g))
    model.eval()


def save_case(out_dir, name, make, input_shape, seed, description):
    torch.manual_seed(seed)
    model = make()
    randomise_and_calibrate(model, (4,) + tuple(input_shape[1:]), seed)
    x = torch.randn(input_shape, generator=torch.Generator().manual_seed(seed + 2))
    with torch.no_grad():
        y = model.double()(x.double()).float()
    model.float()
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    write_safetensors(os.path.join(d, "weights.safetensors"), model.state_dict(),
                      {"format": "pt", "source": "conv4j gen_model_fixtures.py", "model": description})
    np.save(os.path.join(d, "input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(d, "output.npy"), y.numpy().astype(np.float32))
    print(f"{name}: input {tuple(x.shape)} output {tuple(y.shape)} max|y| {y.abs().max().item():.4g} "
          f"std(y) {y.std().item():.4g}", file=sys.stderr)


def state_dict_listing(path):
    """name<TAB>comma-separated shape for every torchvision architecture conv4j builds."""
    archs = {
        "alexnet": lambda: torchvision.models.alexnet(),
        "resnet18": lambda: torchvision.models.resnet18(),
        "resnet34": lambda: torchvision.models.resnet34(),
        "resnet50": lambda: torchvision.models.resnet50(),
        "mobilenet_v2": lambda: torchvision.models.mobilenet_v2(),
    }
    for depth in (11, 13, 16, 19):
        archs[f"vgg{depth}"] = getattr(torchvision.models, f"vgg{depth}")
        archs[f"vgg{depth}_bn"] = getattr(torchvision.models, f"vgg{depth}_bn")
    with open(path, "w") as f:
        f.write("# torchvision " + torchvision.__version__ + " state_dict names and shapes (gen_model_fixtures.py)\n")
        for name, make in archs.items():
            f.write(f"model {name}\n")
            for k, v in make().state_dict().items():
                f.write(f"{k}\t{','.join(str(s) for s in v.shape)}\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--big", action="store_true", help="also write the large torchvision models to --big-dir")
    p.add_argument("--big-dir", default=BIG_DIR)
    a = p.parse_args()
    torch.set_num_threads(2)
    os.makedirs(SMALL_DIR, exist_ok=True)
    save_case(SMALL_DIR, "lenet5", lambda: LeNet5(0), (2, 1, 32, 32), 1, "LeNet5 classic 1x32x32")
    save_case(SMALL_DIR, "lenet5_mnist", lambda: LeNet5(2), (2, 1, 28, 28), 2, "LeNet5 1x28x28 padding 2")
    save_case(SMALL_DIR, "tinynet", TinyNet, (2, 3, 20, 20), 3, "TinyNet")
    state_dict_listing(os.path.join(SMALL_DIR, "torchvision_state_dicts.txt"))
    if a.big:
        tv = torchvision.models
        for i, (name, make) in enumerate([("alexnet", tv.alexnet), ("vgg16", tv.vgg16), ("resnet18", tv.resnet18),
                                          ("resnet50", tv.resnet50), ("mobilenet_v2", tv.mobilenet_v2)]):
            save_case(a.big_dir, name, make, (1, 3, 224, 224), 100 + i, "torchvision " + name)


if __name__ == "__main__":
    main()
