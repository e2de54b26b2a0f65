import ray


@ray.remote
def lookup(table, key):
    return table[key]


def list_of_ids(keys):
    ids = list(range(1_000_000))
    ids_ref = ray.put(ids)
    # a Python list: one copy in the object store, but each worker still unpickles its own
    return ray.get([lookup.remote(ids_ref, k) for k in keys])
