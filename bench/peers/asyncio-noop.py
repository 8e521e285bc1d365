# Peer of the coroutine row: Python's asyncio running no-op coroutines, at most CONCURRENCY at
# once through a Semaphore that the feeding loop acquires (a bounded feed, as p-queue's peer).
#   python3 bench/peers/asyncio-noop.py ITEMS CONCURRENCY  → {"ms": …}
import asyncio
import sys
import time


def noop(i):
    return None


async def main(items, concurrency):
    semaphore = asyncio.Semaphore(concurrency)
    running = set()

    async def one(i):
        try:
            return noop(i)
        finally:
            semaphore.release()

    started = time.perf_counter()
    for i in range(items):
        await semaphore.acquire()
        task = asyncio.create_task(one(i))
        running.add(task)
        task.add_done_callback(running.discard)
    await asyncio.gather(*running)
    print('{"ms": %f}' % ((time.perf_counter() - started) * 1000))


asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
