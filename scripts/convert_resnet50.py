#!/usr/bin/env python3
"""Convert torchvision ResNet-50 weights to the safetensors folder i2v's optional image
classifier reads (Models/resnet50/), and make the small parity fixture for its test.

Usage:
  convert_resnet50.py --weights resnet50-11ad3fa6.pth --out Models/resnet50
      Converts a torchvision state_dict (.pth, e.g. ResNet50_Weights.IMAGENET1K_V2 downloaded on a
      host with internet) to Models/resnet50/model.safetensors + config.json + labels.json.
  convert_resnet50.py --pretrained --out Models/resnet50
      Same, letting torchvision download IMAGENET1K_V2 (needs internet).
  convert_resnet50.py --fixture Tests/MotionTests/Fixtures/resnet_tiny
      Writes a tiny-width ResNet with ResNet-50's structure (Bottleneck blocks [3, 4, 6, 3],
      expansion 4, v1.5 stride on the 3x3 conv) and random weights and random batch-norm
      statistics, a random input and torchvision's eval-mode output, for the Swift parity test.
  convert_resnet50.py --fixture /tmp/resnet50_random --full
      The same for the full-width ResNet-50 (about 100 MB: not for committing); the Swift test
      `ResNetTests.testFullResNet50MatchesTorchvision` runs on it when I2V_RESNET50_FIXTURE names
      the folder.

Keys are torchvision's state_dict keys unchanged (conv1.weight, bn1.running_mean,
layer1.0.downsample.1.weight, fc.bias, ...); only the integer `num_batches_tracked` buffers are
dropped. Batch norm is folded into the convolutions when the Swift model loads.
Requires torch, torchvision and safetensors (the /work/pyref environment); never needed by CI.
"""
import argparse
import json
import os

import torch
from safetensors.torch import save_file
from torchvision.models import resnet50, ResNet50_Weights
from torchvision.models.resnet import Bottleneck, ResNet


def state_to_tensors(model, dtype):
    out = {}
    for k, v in model.state_dict().items():
        if k.endswith("num_batches_tracked"):
            continue
        out[k] = v.detach().to(dtype).contiguous()
    return out


def config_for(stem, planes, blocks, num_classes):
    return {"architecture": "resnet-bottleneck", "stem_width": stem, "planes": planes, "blocks": blocks,
            "expansion": 4, "num_classes": num_classes, "bn_eps": 1e-5,
            "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "resize": 256, "crop": 224}


def convert(args):
    if args.pretrained:
        weights = ResNet50_Weights.IMAGENET1K_V2
        model = resnet50(weights=weights)
    else:
        model = resnet50()
        model.load_state_dict(torch.load(args.weights, map_location="cpu", weights_only=True))
    model.eval()
    os.makedirs(args.out, exist_ok=True)
    dtype = torch.float16 if args.fp16 else torch.float32
    save_file(state_to_tensors(model, dtype), os.path.join(args.out, "model.safetensors"),
              metadata={"source": "torchvision resnet50", "format": "pt"})
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config_for(64, [64, 128, 256, 512], [3, 4, 6, 3], 1000), f, indent=2)
    with open(os.path.join(args.out, "labels.json"), "w") as f:
        json.dump(ResNet50_Weights.IMAGENET1K_V2.meta["categories"], f, indent=0)
    print(f"wrote {args.out}/model.safetensors ({dtype}), config.json, labels.json")


class TinyResNet(ResNet):
    """torchvision's ResNet and Bottleneck, rebuilt with small widths."""

    def __init__(self, stem, planes, blocks, num_classes):
        super().__init__(Bottleneck, blocks, num_classes=num_classes)
        norm = self._norm_layer
        self.inplanes = stem
        self.conv1 = torch.nn.Conv2d(3, stem, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm(stem)
        self.layer1 = self._make_layer(Bottleneck, planes[0], blocks[0])
        self.layer2 = self._make_layer(Bottleneck, planes[1], blocks[1], stride=2)
        self.layer3 = self._make_layer(Bottleneck, planes[2], blocks[2], stride=2)
        self.layer4 = self._make_layer(Bottleneck, planes[3], blocks[3], stride=2)
        self.fc = torch.nn.Linear(planes[3] * Bottleneck.expansion, num_classes)


def fixture(args):
    torch.manual_seed(0)
    if args.full:
        stem, planes, blocks, classes = 64, [64, 128, 256, 512], [3, 4, 6, 3], 1000
        model = resnet50()
    else:
        stem, planes, blocks, classes = 8, [4, 8, 12, 16], [3, 4, 6, 3], 10
        model = TinyResNet(stem, planes, blocks, classes)
    # Random batch-norm affine parameters and running statistics, so folding is exercised.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 2.0)
    model.eval()
    x = torch.randn(1, 3, 224, 224) if args.full else torch.randn(2, 3, 67, 53)  # odd sizes exercise padding
    with torch.no_grad():
        feats = model.layer1(model.maxpool(model.relu(model.bn1(model.conv1(x)))))
        logits = model(x)
    os.makedirs(args.fixture, exist_ok=True)
    save_file(state_to_tensors(model, torch.float32), os.path.join(args.fixture, "model.safetensors"))
    with open(os.path.join(args.fixture, "config.json"), "w") as f:
        json.dump(config_for(stem, planes, blocks, classes), f, indent=2)
    save_file({"input": x.contiguous(), "layer1": feats.contiguous(), "logits": logits.contiguous()},
              os.path.join(args.fixture, "io.safetensors"))
    print(f"wrote {args.fixture}: logits {list(logits.shape)}, layer1 {list(feats.shape)}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weights", help="torchvision ResNet-50 state_dict (.pth)")
    p.add_argument("--pretrained", action="store_true", help="download IMAGENET1K_V2 through torchvision")
    p.add_argument("--out", default="Models/resnet50")
    p.add_argument("--fp16", action="store_true", help="store float16 (half the size)")
    p.add_argument("--fixture", help="write the tiny random-weight parity fixture to this folder")
    p.add_argument("--full", action="store_true", help="with --fixture: full-width ResNet-50 instead of the tiny one")
    args = p.parse_args()
    if args.fixture:
        fixture(args)
    elif args.weights or args.pretrained:
        convert(args)
    else:
        p.error("give --weights, --pretrained or --fixture")


if __name__ == "__main__":
    main()
