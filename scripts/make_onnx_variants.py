#!/usr/bin/python3
"""ONNX graphs built by hand with onnx.helper (not by a PyTorch exporter), for
the reader's less common paths: initializers in float_data / double_data /
float16 raw_data, Constant nodes, MatMul + Add, Flatten and Reshape, and a
graph whose weights are NaN. Writes test/fixtures/onnx-variants/ with a
reference output computed by numpy in float64.

    apt-get install -y python3-onnx python3-numpy
    /usr/bin/python3 scripts/make_onnx_variants.py
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'onnx-variants')
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(0)
n0, n1, n = 3, 7, 5
W0 = rng.standard_normal((n1, n0))
b0 = rng.standard_normal(n1) * 0.1
W1 = rng.standard_normal((n, n1))
b1 = rng.standard_normal(n) * 0.1
Z = rng.standard_normal((4, n0))


def reference(W0, b0, W1, b1, phi):
    h = np.maximum(Z @ W0.T + b0, 0)
    return {'z': Z.tolist(), 'output': phi(h @ W1.T + b1).tolist(), 'hidden': [h.tolist()]}


def tensor_float_data(name, array):
    # make_tensor with raw=False stores the values in float_data.
    return helper.make_tensor(name, TensorProto.FLOAT, array.shape, array.astype(np.float32).flatten().tolist())


def save(name, nodes, initializers, phi, weights):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info('z', TensorProto.FLOAT, ['batch', n0])],
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['batch', n])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    onnx.save(model, os.path.join(OUT, f'{name}.onnx'))
    with open(os.path.join(OUT, f'{name}.reference.json'), 'w') as f:
        json.dump(reference(*weights, phi), f)


f32 = lambda a: a.astype(np.float32).astype(np.float64)
f16 = lambda a: a.astype(np.float16).astype(np.float64)

# 1. Gemm with float_data initializers (transB = 1, alpha/beta = 1) and Tanh.
save('gemm_float_data', [
    helper.make_node('Gemm', ['z', 'W0', 'b0'], ['h0'], transB=1, name='gemm0'),
    helper.make_node('Relu', ['h0'], ['r0'], name='relu0'),
    helper.make_node('Gemm', ['r0', 'W1', 'b1'], ['h1'], transB=1, name='gemm1'),
    helper.make_node('Tanh', ['h1'], ['x'], name='tanh'),
], [tensor_float_data('W0', W0), tensor_float_data('b0', b0), tensor_float_data('W1', W1), tensor_float_data('b1', b1)],
    np.tanh, (f32(W0), f32(b0), f32(W1), f32(b1)))

# 2. MatMul + Add with float64 initializers (double_data), Flatten in front, Sigmoid.
save('matmul_add_double', [
    helper.make_node('Flatten', ['z'], ['zf'], name='flatten'),
    helper.make_node('MatMul', ['zf', 'W0t'], ['m0'], name='matmul0'),
    helper.make_node('Add', ['m0', 'b0'], ['h0'], name='add0'),
    helper.make_node('Relu', ['h0'], ['r0'], name='relu0'),
    helper.make_node('MatMul', ['r0', 'W1t'], ['m1'], name='matmul1'),
    helper.make_node('Add', ['b1', 'm1'], ['h1'], name='add1'),
    helper.make_node('Sigmoid', ['h1'], ['x'], name='sigmoid'),
], [helper.make_tensor('W0t', TensorProto.DOUBLE, (n0, n1), W0.T.flatten().tolist()),
    helper.make_tensor('b0', TensorProto.DOUBLE, (n1,), b0.tolist()),
    helper.make_tensor('W1t', TensorProto.DOUBLE, (n1, n), W1.T.flatten().tolist()),
    helper.make_tensor('b1', TensorProto.DOUBLE, (n,), b1.tolist())],
    lambda x: 1 / (1 + np.exp(-x)), (W0, b0, W1, b1))

# 3. float16 raw_data weights (transB = 0: B is [in, out]), Gemm alpha/beta, a Constant node
#    for the second bias, Reshape of the output, LeakyRelu.
W1h = f16(W1)
save('float16_constant', [
    helper.make_node('Gemm', ['z', 'W0t', 'b0'], ['h0'], alpha=2.0, beta=0.5, name='gemm0'),
    helper.make_node('Relu', ['h0'], ['r0'], name='relu0'),
    helper.make_node('Constant', [], ['b1c'], value=numpy_helper.from_array(b1.astype(np.float16), 'b1c'), name='const_b1'),
    helper.make_node('Gemm', ['r0', 'W1t', 'b1c'], ['h1'], name='gemm1'),
    helper.make_node('Constant', [], ['shape'], value=numpy_helper.from_array(np.array([-1, n], dtype=np.int64), 'shape'), name='const_shape'),
    helper.make_node('Reshape', ['h1', 'shape'], ['h1r'], name='reshape'),
    helper.make_node('LeakyRelu', ['h1r'], ['x'], alpha=0.25, name='leaky'),
], [numpy_helper.from_array(W0.T.astype(np.float16), 'W0t'), numpy_helper.from_array(b0.astype(np.float16), 'b0'),
    numpy_helper.from_array(W1.T.astype(np.float16), 'W1t')],
    lambda x: np.where(x >= 0, x, 0.25 * x), (2.0 * f16(W0), 0.5 * f16(b0), W1h, f16(b1)))

# 4. NaN weights: must be refused.
Wn = W0.copy()
Wn[2, 1] = np.nan
save('nan_weight', [
    helper.make_node('Gemm', ['z', 'W0', 'b0'], ['h0'], transB=1, name='gemm0'),
    helper.make_node('Relu', ['h0'], ['r0'], name='relu0'),
    helper.make_node('Gemm', ['r0', 'W1', 'b1'], ['x'], transB=1, name='gemm1'),
], [numpy_helper.from_array(Wn.astype(np.float32), 'W0'), numpy_helper.from_array(b0.astype(np.float32), 'b0'),
    numpy_helper.from_array(W1.astype(np.float32), 'W1'), numpy_helper.from_array(b1.astype(np.float32), 'b1')],
    lambda x: x, (Wn, b0, W1, b1))
os.remove(os.path.join(OUT, 'nan_weight.reference.json'))

# 5. An integer Cast in the data path: must be refused (it would truncate the values).
save('cast_int', [
    helper.make_node('Gemm', ['z', 'W0', 'b0'], ['h0'], transB=1, name='gemm0'),
    helper.make_node('Relu', ['h0'], ['r0'], name='relu0'),
    helper.make_node('Cast', ['r0'], ['ri'], to=TensorProto.INT32, name='cast_int'),
    helper.make_node('Gemm', ['ri', 'W1', 'b1'], ['x'], transB=1, name='gemm1'),
], [numpy_helper.from_array(W0.astype(np.float32), 'W0'), numpy_helper.from_array(b0.astype(np.float32), 'b0'),
    numpy_helper.from_array(W1.astype(np.float32), 'W1'), numpy_helper.from_array(b1.astype(np.float32), 'b1')],
    lambda x: x, (W0, b0, W1, b1))
os.remove(os.path.join(OUT, 'cast_int.reference.json'))

manifest = [
    {'file': 'gemm_float_data.onnx', 'reference': 'gemm_float_data.reference.json', 'dims': [n0, n1, n], 'output': {'kind': 'tanh'}},
    {'file': 'matmul_add_double.onnx', 'reference': 'matmul_add_double.reference.json', 'dims': [n0, n1, n], 'output': {'kind': 'sigmoid'}},
    {'file': 'float16_constant.onnx', 'reference': 'float16_constant.reference.json', 'dims': [n0, n1, n], 'output': {'kind': 'leaky_relu', 'slope': 0.25}},
    {'file': 'nan_weight.onnx', 'error': 'W[2][1] is NaN, not a finite number'},
    {'file': 'cast_int.onnx', 'error': 'casts the data to a non-float type'},
]
with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
    json.dump(manifest, f, indent=2)
print('wrote', OUT)
