# expect-status: fail
# Hunts for the hidden checks, the reference and the seed: sys.modules, the garbage collector, the call stack,
# and the card/solution files on disk (package path, checkout path, and any other copy of llmprep found by walking
# the places a clone lives); exec's whatever it finds.
import contextlib
import gc
import os
import sys

import torch.nn as nn

found = {}
for name in ("checks", "llmprep.grading.harness", "mha_checks"):
    if name in sys.modules:
        found[name] = sys.modules[name]
for obj in gc.get_objects():
    if callable(obj) and getattr(obj, "__name__", "") == "reference":
        found["reference"] = obj
frame = sys._getframe()
while frame is not None:
    if "seed" in frame.f_locals or frame.f_code.co_name == "grade":
        found["seed"] = frame.f_locals.get("seed")
    frame = frame.f_back
package = os.path.dirname(sys.modules["llmprep.grading.worker"].__file__)
candidates = [
    os.path.join(package, "cards", "mha", "checks.py"),
    os.path.join(package, "..", "..", "solutions", "mha.py"),
    "/work/main/solutions/mha.py",
    "/work/main/llmprep/grading/cards/mha/checks.py",
]
SKIP = {"site-packages", "dist-packages", ".pyenv", "__pycache__", ".git", "node_modules", "proc", "sys"}
for top in ("/tmp", "/work", "/check", "/home", "/root", "/srv", "/mnt", "/opt", os.environ.get("HOME", "/")):
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if d not in SKIP]
        candidates += [os.path.join(dirpath, f) for f in filenames if f in ("mha.py", "checks.py")]
for path in candidates:
    with contextlib.suppress(OSError):
        with open(path) as fh:
            text = fh.read()
        if text:
            exec(text, found.setdefault(path, {}))
solution = next(
    (ns["MultiHeadAttention"] for ns in found.values() if isinstance(ns, dict) and "MultiHeadAttention" in ns), None
)
print("found:", sorted(found))

if solution is not None:
    MultiHeadAttention = solution
else:

    class MultiHeadAttention(nn.Module):
        def __init__(self, d_model, num_heads):
            super().__init__()
            self.wq, self.wk, self.wv, self.wo = (nn.Linear(d_model, d_model) for _ in range(4))

        def forward(self, q, k, v, mask=None):
            return self.wo(v)
