#!/usr/bin/python3
"""Export small PyTorch generators as test fixtures for the Pursuit Lab model readers.

Writes into test/fixtures/pytorch/ (relative to the repository root):
  NAME.opset13.onnx, NAME.opset17.onnx (batch dim dynamic), NAME.opset13.folded.onnx (some models)
  NAME.safetensors, NAME.npz           state_dict of the nn.Sequential (F32; one model F64 each)
  NAME.arch.json                       architecture sidecar (pursuit-lab/architecture v1)
  NAME.reference.json                  float64 eval-mode outputs for 4 fixed latent vectors
  bad_*.onnx                           models the ONNX reader must refuse
  manifest.json                        one entry per fixture file the tests open

Deterministic: rerunning produces byte-identical files.

Run with Debian's interpreter and apt packages (python3-torch, python3-onnx, python3-numpy;
libopenblas0-serial for speed, which can change float64 reference values in the last bit):
  OMP_NUM_THREADS=1 /usr/bin/python3 scripts/export_fixtures.py
"""

import copy
import json
import os
import struct
import sys
import zipfile

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "pytorch")


class PLU(nn.Module):
    """PLU(x) = max(alpha*(x+c) - c, min(alpha*(x-c) + c, x))."""

    def __init__(self, alpha=0.1, c=1.0):
        super().__init__()
        self.alpha = float(alpha)
        self.c = float(c)

    def forward(self, x):
        return torch.max(self.alpha * (x + self.c) - self.c, torch.min(self.alpha * (x - self.c) + self.c, x))


# ---------------------------------------------------------------------------------------------
# Models


def randomize_batchnorm(model, n0, generator):
    """Give every BatchNorm1d non-trivial gamma/beta and running stats (trained in train mode)."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d):
            with torch.no_grad():
                m.weight.copy_(0.5 + torch.rand(m.num_features, generator=generator))
                m.bias.copy_(0.3 * torch.randn(m.num_features, generator=generator))
            m.momentum = 0.3
    model.train()
    with torch.no_grad():
        for _ in range(5):
            model(1.5 * torch.randn(32, n0, generator=generator) + 0.5)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d):
            m.momentum = 0.1  # back to the default, so the exported (unused) momentum attribute is the usual 0.9
    model.eval()


def build_models():
    """Returns [(name, model, dims, output_spec)]. Parameters come from torch.manual_seed."""
    torch.manual_seed(1234)
    g = torch.Generator().manual_seed(99)
    models = []

    m = nn.Sequential(
        nn.Linear(4, 12), nn.BatchNorm1d(12), nn.ReLU(),
        nn.Linear(12, 20), nn.BatchNorm1d(20), nn.ReLU(),
        nn.Linear(20, 30), PLU(0.1, 1.0),
    )
    randomize_batchnorm(m, 4, g)
    with torch.no_grad():  # widen the output so the references exercise all three pieces of the PLU
        m[6].weight.mul_(6.0)
        m[6].bias.mul_(3.0)
    models.append(("bn_plu", m, [4, 12, 20, 30], {"kind": "plu", "alpha": 0.1, "c": 1}))

    m = nn.Sequential(nn.Linear(3, 10), nn.ReLU(), nn.Linear(10, 16), nn.Tanh())
    models.append(("tanh_plain", m, [3, 10, 16], {"kind": "tanh"}))

    m = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 12), nn.Sigmoid())
    randomize_batchnorm(m, 4, g)
    models.append(("sigmoid_bn", m, [4, 8, 12], {"kind": "sigmoid"}))

    m = nn.Sequential(
        nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 10), nn.ReLU(), nn.Linear(10, 14), nn.LeakyReLU(0.2),
    )
    models.append(("leaky", m, [3, 6, 10, 14], {"kind": "leaky_relu", "slope": 0.2}))

    m = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 9))
    models.append(("identity_out", m, [2, 5, 9], {"kind": "identity"}))

    for _, model, _, _ in models:
        model.eval()
    return models


# Written by train_mnist_gan.py, not by this script: left in place when it cleans the folder.
TRAINED = {"mnist-fc-gan.reference.json", "mnist-tanh-gan.onnx", "mnist-tanh-gan.reference.json"}

# Which models get an extra constant-folded export, and which are stored as float64.
FOLDED = {"bn_plu", "sigmoid_bn"}
SAFETENSORS_F64 = {"sigmoid_bn"}
NPZ_F64 = {"leaky"}


# ---------------------------------------------------------------------------------------------
# Writers


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


def write_json(path, obj, indent=None):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=indent)
        f.write("\n")


def export_onnx(model, n0, path, opset, fold=False, dynamic=False):
    dummy = torch.zeros(1, n0)
    kwargs = {}
    if dynamic:
        kwargs["dynamic_axes"] = {"z": {0: "batch"}, "x": {0: "batch"}}
    torch.onnx.export(
        model.eval(), dummy, path, opset_version=opset, do_constant_folding=fold,
        input_names=["z"], output_names=["x"], **kwargs,
    )


def state_arrays(model, float_dtype):
    out = []
    for key, t in model.state_dict().items():
        a = t.detach().cpu().numpy()
        if a.dtype.kind == "f":
            a = a.astype(float_dtype)
        out.append((key, np.array(a, order="C", copy=True)))  # keeps 0-d (num_batches_tracked) 0-d
    return out


SAFETENSORS_DTYPES = {np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("int64"): "I64"}


def write_safetensors(path, arrays, metadata):
    header = {}
    blobs = []
    offset = 0
    for key, a in arrays:
        raw = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes(order="C")
        header[key] = {"dtype": SAFETENSORS_DTYPES[a.dtype], "shape": list(a.shape),
                       "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = metadata
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)  # pad with spaces to 8-byte alignment, like the reference lib
    write_bytes(path, struct.pack("<Q", len(hjson)) + hjson + b"".join(blobs))


def write_npz(path, arrays):
    """Same layout as numpy.savez (ZIP_STORED, zip64 local headers, NPY v1 members), fixed timestamps."""
    with zipfile.ZipFile(path, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for key, a in arrays:
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o600 << 16
            with zf.open(info, "w", force_zip64=True) as fid:
                np.lib.format.write_array(fid, a, allow_pickle=False)


def architecture(model, n0):
    modules = []
    for name, m in model.named_children():
        if isinstance(m, nn.Linear):
            modules.append({"type": "linear", "name": name})
        elif isinstance(m, nn.BatchNorm1d):
            modules.append({"type": "batchnorm", "name": name, "eps": m.eps})
        elif isinstance(m, nn.ReLU):
            modules.append({"type": "relu"})
        elif isinstance(m, nn.Tanh):
            modules.append({"type": "tanh"})
        elif isinstance(m, nn.Sigmoid):
            modules.append({"type": "sigmoid"})
        elif isinstance(m, nn.LeakyReLU):
            modules.append({"type": "leaky_relu", "slope": m.negative_slope})
        elif isinstance(m, PLU):
            modules.append({"type": "plu", "alpha": m.alpha, "c": m.c})
        elif isinstance(m, nn.Identity):
            modules.append({"type": "identity"})
        else:
            raise TypeError(f"no architecture entry for {type(m).__name__}")
    return {"format": "pursuit-lab/architecture", "version": 1, "inputDim": n0, "modules": modules}


def reference(model, z):
    """float64 eval-mode forward pass; hidden = value after each ReLU."""
    m64 = copy.deepcopy(model).double().eval()
    hidden = []
    x = z.double()
    with torch.no_grad():
        for child in m64.children():
            x = child(x)
            if isinstance(child, nn.ReLU):
                hidden.append(x.tolist())
    return {"z": z.double().tolist(), "output": x.tolist(), "hidden": hidden}


# ---------------------------------------------------------------------------------------------
# Models that must be refused


class Unsqueeze1(nn.Module):
    def forward(self, x):
        return x.unsqueeze(1)


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(3, 6)
        self.l2 = nn.Linear(6, 10)

    def forward(self, a, b):
        return torch.tanh(self.l2(torch.relu(self.l1(a + b))))


def export_bad_models():
    torch.manual_seed(4321)
    entries = []

    conv = nn.Sequential(
        nn.Linear(4, 8), nn.ReLU(), Unsqueeze1(), nn.Conv1d(1, 1, 3), nn.Flatten(),
        nn.Linear(6, 12), nn.Tanh(),
    ).eval()
    export_onnx(conv, 4, os.path.join(OUT, "bad_conv.onnx"), 13)
    entries.append({"file": "bad_conv.onnx", "format": "onnx", "error": "(Conv) is not supported"})

    two = TwoInputs().eval()
    torch.onnx.export(two, (torch.zeros(1, 3), torch.zeros(1, 3)), os.path.join(OUT, "bad_two_inputs.onnx"),
                      opset_version=13, do_constant_folding=False, input_names=["a", "b"], output_names=["x"])
    entries.append({"file": "bad_two_inputs.onnx", "format": "onnx", "error": "the graph has 2 inputs (a, b)"})

    no_relu = nn.Sequential(
        nn.Linear(3, 6), nn.Linear(6, 10), nn.ReLU(), nn.Linear(10, 14), nn.Tanh(),
    ).eval()
    export_onnx(no_relu, 3, os.path.join(OUT, "bad_no_relu.onnx"), 13)
    entries.append({"file": "bad_no_relu.onnx", "format": "onnx", "error": "with no ReLU between them"})

    relu_out = nn.Sequential(nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 10), nn.ReLU()).eval()
    export_onnx(relu_out, 3, os.path.join(OUT, "bad_relu_output.onnx"), 13)
    entries.append({"file": "bad_relu_output.onnx", "format": "onnx", "error": "the output activation is ReLU, which is not invertible"})
    return entries


def try_export_half(model, n0):
    """tanh_plain exported after .half(). torch 1.13 cannot run half Linear on CPU, so this may fail."""
    path = os.path.join(OUT, "half_tanh.opset13.onnx")
    try:
        m16 = copy.deepcopy(model).half().eval()
        torch.onnx.export(m16, torch.zeros(1, n0, dtype=torch.float16), path, opset_version=13,
                          do_constant_folding=False, input_names=["z"], output_names=["x"])
        return True, None
    except Exception as e:  # noqa: BLE001
        if os.path.exists(path):
            os.remove(path)
        return False, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"


# ---------------------------------------------------------------------------------------------
# ONNX summary


ONNX_DTYPES = {v: k for k, v in onnx.TensorProto.DataType.items()}


def storage_of(t):
    fields = [f for f in ("raw_data", "float_data", "double_data", "int32_data", "int64_data") if
              (len(getattr(t, f)) > 0)]
    return f"{ONNX_DTYPES[t.data_type]}:{'+'.join(fields) or 'empty'}"


def describe_onnx(path):
    m = onnx.load(path)
    opset = [f"{o.domain or 'ai.onnx'}={o.version}" for o in m.opset_import]
    inits = sorted({storage_of(t) for t in m.graph.initializer})
    const_tensors = sorted({storage_of(a.t) for n in m.graph.node if n.op_type == "Constant"
                            for a in n.attribute if a.name == "value"})

    def shape(vi):
        return [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]

    ios = [f"{vi.name}{shape(vi)}:{ONNX_DTYPES[vi.type.tensor_type.elem_type]}" for vi in m.graph.input] + \
          ["->"] + [f"{vi.name}{shape(vi)}" for vi in m.graph.output]
    ops = [n.op_type for n in m.graph.node]
    attrs = []
    for n in m.graph.node:
        if n.op_type in ("Gemm", "LeakyRelu", "BatchNormalization"):
            a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
            attrs.append(f"{n.op_type}{a}")
    return {"opset": opset, "io": " ".join(ios), "ops": ops, "initializers": inits, "constants": const_tensors,
            "n_init": len(m.graph.initializer), "attrs": sorted(set(attrs))}


# ---------------------------------------------------------------------------------------------


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):  # start clean so stale fixtures never linger (keeps train_mnist_gan.py's files)
        if f not in TRAINED:
            os.remove(os.path.join(OUT, f))

    manifest = []
    models = build_models()
    zgen = torch.Generator().manual_seed(2024)
    for name, model, dims, output in models:
        n0 = dims[0]
        ref_name = f"{name}.reference.json"
        arch_name = f"{name}.arch.json"
        common = {"reference": ref_name, "dims": dims, "output": output}

        export_onnx(model, n0, os.path.join(OUT, f"{name}.opset13.onnx"), 13)
        manifest.append({"file": f"{name}.opset13.onnx", "format": "onnx", **common})
        export_onnx(model, n0, os.path.join(OUT, f"{name}.opset17.onnx"), 17, dynamic=True)
        manifest.append({"file": f"{name}.opset17.onnx", "format": "onnx", **common})
        if name in FOLDED:
            export_onnx(model, n0, os.path.join(OUT, f"{name}.opset13.folded.onnx"), 13, fold=True)
            manifest.append({"file": f"{name}.opset13.folded.onnx", "format": "onnx", **common})

        st_dtype = np.float64 if name in SAFETENSORS_F64 else np.float32
        write_safetensors(os.path.join(OUT, f"{name}.safetensors"), state_arrays(model, st_dtype),
                          {"format": "pt", "source": "scripts/export_fixtures.py"})
        manifest.append({"file": f"{name}.safetensors", "format": "safetensors", "sidecar": arch_name, **common})

        npz_dtype = np.float64 if name in NPZ_F64 else np.float32
        write_npz(os.path.join(OUT, f"{name}.npz"), state_arrays(model, npz_dtype))
        manifest.append({"file": f"{name}.npz", "format": "npz", "sidecar": arch_name, **common})

        write_json(os.path.join(OUT, arch_name), architecture(model, n0), indent=1)
        z = torch.randn(4, n0, generator=zgen, dtype=torch.float64)
        write_json(os.path.join(OUT, ref_name), reference(model, z))

    half_ok, half_err = try_export_half(models[1][1], models[1][2][0])
    if half_ok:
        manifest.append({"file": "half_tanh.opset13.onnx", "format": "onnx", "reference": "tanh_plain.reference.json",
                         "dims": models[1][2], "output": models[1][3], "dtype": "float16"})

    manifest.extend(export_bad_models())
    write_json(os.path.join(OUT, "manifest.json"), manifest, indent=2)

    # Summary for the reader's author.
    print(f"torch {torch.__version__}, onnx {onnx.__version__}, numpy {np.__version__}")
    if not half_ok:
        print(f"half_tanh.opset13.onnx: skipped, export failed ({half_err})")
    for f in sorted(os.listdir(OUT)):
        if f.endswith(".onnx"):
            d = describe_onnx(os.path.join(OUT, f))
            print(f"\n{f}  opset {','.join(d['opset'])}  {d['io']}")
            print(f"  nodes: {' '.join(d['ops'])}")
            print(f"  initializers ({d['n_init']}): {', '.join(d['initializers']) or '-'};"
                  f"  Constant values: {', '.join(d['constants']) or '-'}")
            for a in d["attrs"]:
                print(f"  {a}")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"\n{len(os.listdir(OUT))} files, {total} bytes in {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
