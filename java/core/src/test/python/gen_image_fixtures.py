"""Writes the small images and expected tensors that ImagesTest reads (java/core/src/test/resources/images):

- rgb_40x30.png: 40 wide, 30 high, RGB, smooth gradients plus seeded noise (lossless).
- rgba_9x7.png, gray_9x7.png: alpha and greyscale PNGs; conv4j must read them as RGB (alpha dropped, grey -> R=G=B).
- rgb_40x30.jpg: the same picture as a JPEG (decoders round the IDCT differently, so compared loosely).
- *_rgb.npy: the decoded [3, H, W] RGB in [0, 1] per PIL (what torchvision's ToTensor sees).
- resize_*.npy: torch's antialiased bilinear interpolation in float (F.interpolate(..., antialias=True)), which
  follows PIL's BILINEAR filter without PIL's 8-bit rounding: the exact reference for conv4j's float resize.
- pipeline_rgb_40x30.npy: torchvision's own PIL pipeline Resize(20), CenterCrop(16), ToTensor, Normalize(ImageNet),
  8-bit rounding included: conv4j's float pipeline must agree within that rounding.
- not_an_image.png (text), truncated.png (a PNG cut short): must be reported as unreadable.

Run with Debian's interpreter:  /usr/bin/python3 java/core/src/test/python/gen_image_fixtures.py
"""
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision import transforms

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "images")


def save(name, arr):
    np.save(os.path.join(OUT, name), np.ascontiguousarray(arr, dtype=np.float32))


def planes(img):
    """PIL image -> [3, H, W] float32 in [0, 1], as ToTensor."""
    return np.asarray(img.convert("RGB"), dtype=np.float32).transpose(2, 0, 1) / 255.0


def resize_float(chw, h, w):
    x = torch.from_numpy(chw).unsqueeze(0)
    return F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False, antialias=True)[0].numpy()


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240607)
    yy, xx = np.mgrid[0:30, 0:40]
    r = 255 * xx / 39
    g = 255 * yy / 29
    b = 127 + 100 * np.sin(xx / 4.0) * np.cos(yy / 3.0)
    rgb = np.stack([r, g, b], axis=-1) + rng.normal(0, 12, size=(30, 40, 3))
    rgb = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    img = Image.fromarray(rgb, "RGB")
    img.save(os.path.join(OUT, "rgb_40x30.png"))
    img.save(os.path.join(OUT, "rgb_40x30.jpg"), quality=95, subsampling=0)
    save("rgb_40x30_rgb.npy", planes(img))
    save("jpg_40x30_rgb.npy", planes(Image.open(os.path.join(OUT, "rgb_40x30.jpg"))))

    rgba = np.concatenate([rgb[:7, :9], rng.integers(0, 256, size=(7, 9, 1), dtype=np.uint8)], axis=-1)
    Image.fromarray(rgba, "RGBA").save(os.path.join(OUT, "rgba_9x7.png"))
    save("rgba_9x7_rgb.npy", planes(Image.fromarray(rgba[..., :3], "RGB")))
    gray = rgb[:7, :9, 0]
    Image.fromarray(gray, "L").save(os.path.join(OUT, "gray_9x7.png"))
    save("gray_9x7_rgb.npy", planes(Image.fromarray(gray, "L")))

    chw = planes(img)
    save("resize_down_15x20.npy", resize_float(chw, 15, 20))   # exactly halved
    save("resize_down_11x17.npy", resize_float(chw, 11, 17))   # odd factors, wide filters
    save("resize_up_47x61.npy", resize_float(chw, 47, 61))     # upscaling: plain bilinear
    save("resize_mixed_45x23.npy", resize_float(chw, 45, 23))  # taller, narrower

    t = transforms.Compose([
        transforms.Resize(20),
        transforms.CenterCrop(16),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    save("pipeline_rgb_40x30.npy", t(img).numpy())

    with open(os.path.join(OUT, "not_an_image.png"), "w") as f:
        f.write("this is text, not a PNG\n")
    with open(os.path.join(OUT, "rgb_40x30.png"), "rb") as f:
        png = f.read()
    with open(os.path.join(OUT, "truncated.png"), "wb") as f:
        f.write(png[: len(png) // 2])


if __name__ == "__main__":
    main()
