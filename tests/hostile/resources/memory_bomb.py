# expect-status: memory
hoard = []
while True:
    hoard.append(bytearray(256 * 1024 * 1024))
