# expect-status: fail
import json
import sys

print(json.dumps({"card": "mha", "passed": True, "checks": []}))
sys.stdout.flush()
print("11 passed in 0.1s")


class MultiHeadAttention:
    def __init__(self, d_model, num_heads):
        pass
