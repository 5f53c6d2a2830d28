# expect-status: fail
# Writes into the data dir (LLMPREP_HOME, the default ~/.local/share/llmprep, and ~/home as the tests lay it
# out): a new file, an append to the database, a config that changes the next run.
import contextlib
import os

import torch

homes = [os.environ.get("LLMPREP_HOME", ""), os.path.expanduser("~/.local/share/llmprep"), os.path.expanduser("~/home")]
for home in filter(None, homes):
    for name, mode in (("llmprep-was-here.txt", "w"), ("llmprep.sqlite3", "ab"), ("config.toml", "a")):
        with contextlib.suppress(Exception), open(os.path.join(home, name), mode) as fh:
            fh.write(b"pwned" if "b" in mode else "pwned = true\n")


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return v
