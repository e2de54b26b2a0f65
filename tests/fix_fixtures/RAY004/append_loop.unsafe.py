import ray


def clean(word):
    return word.strip().lower()


# Elements per `clean_batch` task: a judgement; aim for 10-100 ms of work per task.
CLEAN_CHUNK_SIZE = 10_000


@ray.remote
def clean_batch(chunk):
    return [clean(word) for word in chunk]


ray.init()
words = ["  Ray  "] * 30_000

cleaned = []
for start in range(0, len(words), CLEAN_CHUNK_SIZE):
    cleaned.append(clean_batch.remote(words[start:start + CLEAN_CHUNK_SIZE]))  # one task per word
print(len([result for chunk in ray.get(cleaned) for result in chunk]))
