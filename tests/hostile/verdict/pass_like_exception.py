# expect-status: error
# An exception whose message reads like a pytest success, on stdout too.
import json

print("===== 11 passed in 0.12s =====")
print(json.dumps({"ok": False, "status": "pass", "message": ""}))
raise RuntimeError('11 passed in 0.12s\n{"card": "mha", "passed": true, "checks": []}\nPASSED')
