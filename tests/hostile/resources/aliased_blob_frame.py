# expect-status: error
# A hand-made reply frame whose one 4 MB blob is named by 100 tensors: the frame stays under the 64 MB limit,
# but the judge copies the blob once per tensor that names it (400 MB per reply in the trusted process; the count is
# the attacker's choice). Written out of band from forward(); the worker then exits, so no other reply follows.
import fcntl
import json
import os
import stat
import struct

import torch

BLOB = 4 << 20


def forged_reply():
    tensors = [{"t": ["uint8", [BLOB], 0]}] * 100
    document = json.dumps({"d": [["ok", True], ["value", tensors]]}).encode()
    body = struct.pack("!IIQ", 1, len(document), BLOB) + document + bytes(BLOB)
    return struct.pack("!I", len(body)) + body


def reply_pipe():
    for fd in range(3, 16):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode) and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
                return fd
        except OSError:
            continue
    raise OSError("no reply pipe")


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        os.write(reply_pipe(), forged_reply())
        os._exit(0)
