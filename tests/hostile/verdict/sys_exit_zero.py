# expect-status: error
import sys

sys.exit(0)
