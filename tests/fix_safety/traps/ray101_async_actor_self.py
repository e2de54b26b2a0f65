"""RAY101 trap: the coroutine reads `self.total`, blocks on a task, then writes `self.total`. While the
get blocks the event loop no other call runs; an `await` there lets the deposits interleave."""

import ray


@ray.remote(num_cpus=1)
def amount(x):
    return x


@ray.remote(num_cpus=0)
class Account:
    def __init__(self):
        self.total = 0

    async def deposit(self, x):
        cur = self.total
        v = ray.get(amount.remote(x))
        self.total = cur + v
        return self.total

    async def balance(self):
        return self.total


def main():
    ray.init()
    account = Account.options(max_concurrency=8).remote()
    ray.get([account.deposit.remote(1) for _ in range(20)])
    print("balance", ray.get(account.balance.remote()))


if __name__ == "__main__":
    main()
