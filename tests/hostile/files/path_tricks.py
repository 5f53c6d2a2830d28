# expect-status: fail
# Path tricks against the write guard, each refusal swallowed: a bytes path, a symlink made in the scratch dir
# pointing at a user file then written through, a sibling of the scratch dir (`<scratch>-x`), `..` from the
# scratch dir, and os.truncate / mkdir / chmod / link / rename on a package file.
import contextlib
import os
import sys

import torch

home = os.path.expanduser("~")
target = os.path.join(home, "llmprep-was-here.txt")
package_file = sys.modules["llmprep.grading.worker"].__file__
scratch = os.getcwd()


def write(path, mode="w"):
    with open(path, mode) as fh:
        fh.write("x")


attempts = [
    lambda: write(os.fsencode(target)),
    lambda: os.symlink(target, os.path.join(scratch, "link")),
    lambda: write(os.path.join(scratch, "link")),
    lambda: os.symlink(os.path.join(home, "canary.txt"), "canary-link"),
    lambda: write("canary-link", "a"),
    lambda: write(scratch.rstrip("/") + "-x", "w"),
    lambda: write(os.path.join(scratch, "..", "..", "root-was-here.txt"), "w"),
    lambda: os.truncate(package_file, 0),
    lambda: os.mkdir(os.path.join(home, "llmprep-dir")),
    lambda: os.chmod(package_file, 0o777),
    lambda: os.link(package_file, os.path.join(scratch, "hard")),
    lambda: os.rename(package_file, package_file + ".bak"),
    lambda: os.utime(package_file, (0, 0)),
]
for attempt in attempts:
    with contextlib.suppress(Exception):
        attempt()


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return v
