# expect-status: fail
# Paths relative to a directory fd: the write guard resolves them against the cwd (the scratch dir) while the
# kernel resolves them against the directory. Open $HOME read-only (allowed), then create, rename and remove
# files in it through dir_fd. Only the read-only filesystem stops this; under the basic level it writes.
import contextlib
import os

import torch

with contextlib.suppress(OSError):
    home = os.open(os.path.expanduser("~"), os.O_RDONLY | os.O_DIRECTORY)
    with contextlib.suppress(OSError):
        fd = os.open("llmprep-was-here.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=home)
        os.write(fd, b"written through dir_fd\n")
    with contextlib.suppress(OSError):
        os.rename("canary.txt", "canary-moved.txt", src_dir_fd=home, dst_dir_fd=home)
    with contextlib.suppress(OSError):
        os.mkdir("llmprep-dir", dir_fd=home)


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return v
