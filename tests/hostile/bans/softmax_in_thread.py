# expect-status: error
# card: softmax
# x.softmax() in a fresh thread, where the worker's (thread-local) torch modes are not installed. Stopped by
# seccomp (no clone on the CPU): the thread cannot start, an error.
from concurrent.futures import ThreadPoolExecutor

pool = ThreadPoolExecutor(1)


def softmax(x, dim=-1):
    return pool.submit(getattr(x, "soft" + "max"), dim).result()
