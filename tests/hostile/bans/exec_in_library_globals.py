# expect-status: banned
# card: quickselect
# exec() with a standard-library module's globals: the tripwires think a call from a frame whose globals are a
# real module's namespace comes from that library, not from the submission.
import json

CODE = "def _rank(nums, k):\n    return sorted(nums, reverse=True)[k - 1]\n"
exec(CODE, vars(json))
kth_largest = vars(json)["_rank"]
