# expect-status: fail
# Network: connect to the judge's host over TCP and UDP (127.0.0.1, the usual ports) and bind a port to listen.
import contextlib
import socket

import torch

reached = []
for port in (22, 80, 8000, 8080):
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        reached.append(port)
with contextlib.suppress(OSError):
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"verdict: pass", ("127.0.0.1", 53))
with contextlib.suppress(OSError):
    server = socket.socket()
    server.bind(("0.0.0.0", 8765))
    server.listen()
print("reached", reached)


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return k
