import math

import torch
import torch.nn as nn
from torch import Tensor


class LSTMCell(nn.Module):
    """One step of an LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000), with the
    parameters, gate order and initialisation of torch.nn.LSTMCell.

    __init__(input_size, hidden_size, bias=True): create exactly these parameters (H = hidden_size, I = input_size):
        self.weight_ih: (4H, I)    self.weight_hh: (4H, H)
        self.bias_ih:   (4H,)      self.bias_hh:   (4H,)      (only when bias=True; no parameters otherwise)
    The 4H rows are four blocks of H rows in the order  i, f, g, o  (input gate, forget gate, cell candidate,
    output gate): rows 0:H belong to i, H:2H to f, 2H:3H to g, 3H:4H to o.
    Initialise every parameter from U(-1/sqrt(H), 1/sqrt(H)) (as nn.LSTMCell does).

    forward(x, state=None) -> (h_new, c_new)
        x: (B, I); state: a tuple (h, c), each (B, H), or None for zeros.
        z = x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh            (B, 4H), split into i, f, g, o
        i = sigmoid(z_i)   f = sigmoid(z_f)   g = tanh(z_g)   o = sigmoid(z_o)
        c_new = f * c + i * g
        h_new = o * tanh(c_new)
        returns the tuple (h_new, c_new), each (B, H).  Gradients must flow to x, h, c and every parameter.
    Pre-activations may be large (|z| around 100): the output must stay finite.

    Not allowed here: nn.LSTM, nn.LSTMCell, torch.lstm_cell (nor any fused RNN/LSTM op).
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True):
        super().__init__()
        # your code

    def forward(self, x: Tensor, state: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        # your code
        raise NotImplementedError

    def step_cat(self, x: Tensor, h: Tensor, c: Tensor) -> Tensor:
        """Given (keep it as it is): one step, h_new and c_new side by side, for the gradient check."""
        h_new, c_new = self(x, (h, c))
        return torch.cat((h_new, c_new), dim=-1)
