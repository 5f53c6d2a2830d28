# expect-status: error
def dive(n):
    return dive(n + 1) + 1


dive(0)
