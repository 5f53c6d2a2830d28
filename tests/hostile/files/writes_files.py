# expect-status: error
import os

with open(os.path.expanduser("~/llmprep-was-here.txt"), "w") as fh:
    fh.write("verdict: pass")
