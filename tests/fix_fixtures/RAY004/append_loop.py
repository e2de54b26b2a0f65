import ray


@ray.remote
def clean(word):
    return word.strip().lower()


ray.init()
words = ["  Ray  "] * 30_000

cleaned = []
for w in words:
    cleaned.append(clean.remote(w))  # one task per word
print(len(ray.get(cleaned)))
